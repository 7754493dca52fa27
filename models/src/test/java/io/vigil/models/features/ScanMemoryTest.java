package io.vigil.models.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ScanMemoryTest {
    private static final long MINUTE = 60_000L;
    /** An epoch boundary: 2026-02-14T03:00:00Z. */
    private static final long T0 = 1_771_038_000_000L;

    private static DistinctCounter targets(String host, int fromPort, int ports) {
        DistinctCounter c = new DistinctCounter();
        for (int p = fromPort; p < fromPort + ports; p++) {
            c.add(WindowAccumulator.target(host, p));
        }
        return c;
    }

    @Test
    void countsDistinctTargetsOverItsEpochsAndForgetsTheOnesBeyond() {
        assertThat(T0 % ScanMemory.EPOCH_MS).isZero();
        ScanMemory m = ScanMemory.empty();
        for (int minute = 0; minute < 40; minute++) {
            m = m.with(T0 + minute * MINUTE, targets("10.0.9.1", minute, 1));
        }
        assertThat(m.targets()).isEqualTo(40);

        m = m.with(T0 + 40 * MINUTE, targets("10.0.9.1", 40, 1)); // a fifth epoch pushes out the first
        assertThat(m.targets()).isEqualTo(31);

        m = m.with(T0 + 95 * MINUTE, targets("10.0.9.1", 95, 1)); // after a long silence only itself
        assertThat(m.targets()).isEqualTo(1);
    }

    @Test
    void startsOverAfterFiveMinutesWithoutAFailedTarget() {
        ScanMemory m = ScanMemory.empty().with(T0, targets("10.0.9.1", 1, 20));

        assertThat(m.with(T0 + 5 * MINUTE, targets("10.0.9.1", 21, 1)).targets())
                .isEqualTo(21);
        assertThat(m.with(T0 + 6 * MINUTE, targets("10.0.9.1", 21, 1)).targets())
                .isEqualTo(1);
    }

    @Test
    void theSameTargetAgainCountsOnceAndAWindowPastTheHorizonChangesNothing() {
        ScanMemory m = ScanMemory.empty();
        for (int minute = 0; minute <= 31; minute += 3) {
            m = m.with(T0 + minute * MINUTE, targets("10.0.9.1", 22, 1));
        }

        assertThat(m.targets()).isEqualTo(1);
        assertThat(m.with(T0 - 20 * MINUTE, targets("10.0.9.2", 22, 5))).isSameAs(m);
        assertThat(m.with(T0 + 5 * MINUTE, targets("10.0.9.2", 22, 5)).targets())
                .as("an earlier window still within the horizon")
                .isEqualTo(6);
    }

    @Test
    void reportsOnlyInAWindowWithFailedTargetsOfItsOwn() {
        ScanMemory m = ScanMemory.empty().with(T0, targets("10.0.9.1", 1, 30));
        double[] quiet = new double[FeatureSet.CURRENT.size()];
        double[] failing = new double[FeatureSet.CURRENT.size()];
        int recent = FeatureSet.CURRENT.index(FeatureSet.RECENT_FAILED_TARGETS);

        ScanMemory afterQuiet = m.recall(FeatureSet.CURRENT, quiet, T0 + MINUTE, new DistinctCounter());
        ScanMemory afterFailing = m.recall(FeatureSet.CURRENT, failing, T0 + MINUTE, targets("10.0.9.1", 31, 10));

        assertThat(afterQuiet).isSameAs(m);
        assertThat(quiet[recent]).isZero();
        assertThat(failing[recent]).isEqualTo(Math.log1p(40));
        assertThat(afterFailing.targets()).isEqualTo(40);
    }

    @Test
    void reportsTheWindowAloneWhenItFallsFarBelowTheMemorysPace() {
        // a burst of 200 in two minutes, then a workload's stray failure: not the scan going on
        ScanMemory m = ScanMemory.empty()
                .with(T0, targets("10.0.9.1", 1, 100))
                .with(T0 + MINUTE, targets("10.0.9.1", 101, 100));
        DistinctCounter stray = targets("203.0.113.51", 8888, 1);
        ScanMemory after = m.with(T0 + 2 * MINUTE, stray);

        assertThat(after.targets()).isEqualTo(201);
        assertThat(after.feature(stray)).isEqualTo(Math.log1p(1));
        // a slow scan keeps its own pace: one a minute, half an hour
        ScanMemory slow = ScanMemory.empty();
        for (int minute = 0; minute < 30; minute++) {
            slow = slow.with(T0 + minute * MINUTE, targets("10.0.13." + minute, 22, 1));
        }
        assertThat(slow.feature(targets("10.0.13.29", 22, 1))).isEqualTo(Math.log1p(30));
    }

    @Test
    void staysSmallWhateverTheScanAndRoundTripsItsBytes() {
        ScanMemory m = ScanMemory.empty();
        for (int minute = 0; minute < 40; minute++) {
            m = m.with(T0 + minute * MINUTE, targets("10.0.9." + minute, 1, 5_000));
        }
        byte[] bytes = m.toBytes();

        assertThat(bytes.length)
                .isLessThanOrEqualTo(ScanMemory.HEADER_BYTES + ScanMemory.EPOCHS * (8 + 1 + DistinctCounter.REGISTERS));
        assertThat(ScanMemory.fromBytes(bytes)).isEqualTo(m);
        assertThat(ScanMemory.fromBytes(bytes).targets()).isEqualTo(m.targets());
        ScanMemory small = ScanMemory.empty().with(T0, targets("10.0.9.1", 1, 3));
        assertThat(ScanMemory.fromBytes(small.toBytes())).isEqualTo(small);
        assertThat(ScanMemory.fromBytes(ScanMemory.empty().toBytes())).isSameAs(ScanMemory.empty());
    }

    @Test
    void refusesBytesItDidNotWrite() {
        byte[] good = ScanMemory.empty()
                .with(T0 + 9 * MINUTE, targets("10.0.9.1", 1, 3))
                .with(T0 + 12 * MINUTE, targets("10.0.9.1", 9, 3))
                .toBytes();

        byte[] notOne = good.clone();
        notOne[0] = 'J';
        assertThatThrownBy(() -> ScanMemory.fromBytes(notOne)).hasMessageContaining("not a scan memory");
        assertThatThrownBy(() -> ScanMemory.fromBytes(new byte[] {'S', 1, 0})).hasMessageContaining("3 bytes");
        assertThatThrownBy(() -> ScanMemory.fromBytes(Arrays.copyOf(good, good.length - 1)))
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> ScanMemory.fromBytes(Arrays.copyOf(good, good.length + 1)))
                .hasMessageContaining("after its last slot");
        byte[] tooMany = good.clone();
        tooMany[2] = (byte) (ScanMemory.EPOCHS + 1);
        assertThatThrownBy(() -> ScanMemory.fromBytes(tooMany)).hasMessageContaining("slots");
        byte[] backwards = good.clone();
        ByteBuffer.wrap(backwards).putLong(ScanMemory.HEADER_BYTES, Long.MAX_VALUE);
        assertThatThrownBy(() -> ScanMemory.fromBytes(backwards)).hasMessageContaining("ascending");
        byte[] badCount = good.clone();
        badCount[ScanMemory.HEADER_BYTES + 8 + 1] = (byte) (DistinctCounter.EXACT_MAX + 1);
        assertThatThrownBy(() -> ScanMemory.fromBytes(badCount)).hasMessageContaining("exact items");
    }

    @Test
    void aCounterRoundTripsItsBytesExactOrSketched() {
        for (int n : new int[] {0, 1, DistinctCounter.EXACT_MAX, DistinctCounter.EXACT_MAX + 1, 10_000}) {
            DistinctCounter c = targets("10.0.9.1", 1, n);
            ByteBuffer buffer = ByteBuffer.allocate(c.byteSize());
            c.writeTo(buffer);
            assertThat(buffer.hasRemaining()).isFalse();
            buffer.flip();
            assertThat(DistinctCounter.readFrom(buffer)).as("%d items", n).isEqualTo(c);
        }
        byte[] badRegister = new byte[1 + DistinctCounter.REGISTERS];
        badRegister[0] = 1;
        badRegister[7] = 99;
        assertThatThrownBy(() -> DistinctCounter.readFrom(ByteBuffer.wrap(badRegister)))
                .hasMessageContaining("register");
    }
}
