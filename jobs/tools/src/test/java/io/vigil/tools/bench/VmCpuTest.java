package io.vigil.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class VmCpuTest {

    @Test
    void readsTheNameAndTicksOfAStatLineWhateverTheNameHolds() {
        String stat = "4242 (C2 CompilerThre) S 1 1 0 0 -1 1077936192 10 0 0 0 731 12 0 0 20 0 40 0 1234 0 0";
        assertThat(VmCpu.name(stat)).isEqualTo("C2 CompilerThre");
        assertThat(VmCpu.ticks(stat)).containsExactly(731, 12);
        // a thread may name itself with parentheses and spaces: fields count from the last ')'
        String odd = "7 (a (b) c) R 1 1 0 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 9";
        assertThat(VmCpu.name(odd)).isEqualTo("a (b) c");
        assertThat(VmCpu.ticks(odd)).containsExactly(5, 6);
        assertThat(VmCpu.ticks("garbage")).isNull();
    }

    @Test
    void sortsTheJvmsOwnThreadsByKind() {
        assertThat(VmCpu.Kind.of("C1 CompilerThre")).isEqualTo(VmCpu.Kind.JIT);
        assertThat(VmCpu.Kind.of("GC Thread#3")).isEqualTo(VmCpu.Kind.GC);
        assertThat(VmCpu.Kind.of("G1 Refine#0")).isEqualTo(VmCpu.Kind.GC);
        assertThat(VmCpu.Kind.of("Source Data Fet")).isNull();
    }

    @Test
    void countsTheCompilerWorkOfThisJvm() {
        if (!Files.isDirectory(Path.of("/proc/self/task"))) {
            return; // not Linux: every kind reads zero
        }
        // a test JVM has compiled something by now
        assertThat(VmCpu.read().get(VmCpu.Kind.JIT)).isPositive();
    }
}
