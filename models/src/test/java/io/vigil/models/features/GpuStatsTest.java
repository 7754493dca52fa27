package io.vigil.models.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.Fixtures;
import io.vigil.records.GpuProcess;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuStatsTest {

    @Test
    void countsEachProcessIdOnceWhateverItsEntries() {
        assertThat(GpuStats.distinctPids(List.of())).isZero();
        assertThat(GpuStats.distinctPids(List.of(process(7)))).isEqualTo(1);
        // one pid listed twice (a process with two contexts on the GPU) is one process
        assertThat(GpuStats.distinctPids(List.of(process(7), process(9), process(7))))
                .isEqualTo(2);
    }

    @Test
    void countsManyProcessesTheSameWay() {
        List<GpuProcess> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(process(1_000 + i % 40));
        }
        assertThat(GpuStats.distinctPids(many)).isEqualTo(40);
        assertThat(GpuStats.distinctPids(many.subList(0, 30))).isEqualTo(30);
    }

    private static GpuProcess process(long pid) {
        return Fixtures.gpuProcess(pid, "python", 1_024);
    }
}
