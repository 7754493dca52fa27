package io.vigil.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LimitLoopTest {

    @Test
    void theMessagesGoThroughTheirFileAsTheyWere(@TempDir Path dir) throws Exception {
        LimitLoop.Messages messages =
                new LimitLoop.Messages(List.of(new byte[] {1, 2, 3}, new byte[0]), List.of(new byte[] {4}), List.of());
        Path file = dir.resolve("messages.bin");
        messages.write(file);

        LimitLoop.Messages read = LimitLoop.Messages.read(file);

        assertThat(read.flows()).containsExactly(new byte[] {1, 2, 3}, new byte[0]);
        assertThat(read.samples()).containsExactly(new byte[] {4});
        assertThat(read.assignments()).isEmpty();
    }

    @Test
    void aJvmOfItsOwnRunsTheLoopAndReportsItsRun() throws Exception {
        // messages no framing accepts: the loop decodes and drops them, which is still a run to report
        LimitLoop.Messages messages = new LimitLoop.Messages(
                List.of(new byte[] {0, 1, 2}), List.of(new byte[] {(byte) 0xC3, 1}), List.of(new byte[] {9}));

        LimitLoop.Run run = LimitLoop.fastestInOwnJvm(messages, null, 2);

        assertThat(run.seconds()).isPositive().isLessThan(Double.MAX_VALUE);
        assertThat(run.cpuSeconds()).isPositive().isLessThan(Double.MAX_VALUE);
        assertThat(run.gcSeconds()).isNotNegative();
    }
}
