package io.vigil.models.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DistinctCounterTest {

    private static DistinctCounter of(int from, int to) {
        DistinctCounter c = new DistinctCounter();
        for (int i = from; i < to; i++) {
            c.add("10.0." + (i >> 8) + "." + (i & 0xff));
        }
        return c;
    }

    @Test
    void countsExactlyUpToItsExactRangeAndOnceEach() {
        DistinctCounter c = of(0, 64);
        c.merge(of(0, 64));
        c.add("10.0.0.0");

        assertThat(c.count()).isEqualTo(64);
        assertThat(c.registers).isNull();
    }

    @Test
    void estimatesBeyondWithinAFewPercentInFixedMemory() {
        for (int n : new int[] {65, 200, 5_000, 100_000, 1_000_000}) {
            DistinctCounter c = of(0, n);
            assertThat((double) c.count())
                    .as("%d items", n)
                    .isCloseTo(n, within(0.14 * n + 1)); // three standard errors
            assertThat(c.hashes).isEmpty();
            assertThat(c.registers).hasSize(DistinctCounter.REGISTERS);
        }
    }

    @Test
    void partsMergeToWhatOneCounterHoldsWhateverTheGrouping() {
        DistinctCounter whole = of(0, 3_000);
        DistinctCounter parts = of(0, 40);
        parts.merge(of(30, 60)); // both exact, the union still exact
        DistinctCounter tail = of(60, 1_000);
        tail.merge(of(900, 3_000));
        parts.merge(tail);

        assertThat(parts).isEqualTo(whole);
        DistinctCounter reversed = of(1_500, 3_000);
        reversed.merge(of(0, 1_500));
        assertThat(reversed).isEqualTo(whole);
    }
}
