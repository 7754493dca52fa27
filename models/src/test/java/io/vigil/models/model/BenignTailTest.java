package io.vigil.models.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BenignTailTest {

    private static double[] exponential(Random random, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = -Math.log(1 - random.nextDouble());
        }
        return out;
    }

    @Test
    void isTheFractionOfBenignScoresAtOrAbove() {
        double[] scores = new double[100];
        for (int i = 0; i < 100; i++) {
            scores[i] = i;
        }
        BenignTail tail = BenignTail.of(scores, 0.1);
        assertThat(tail.tail(-1)).isEqualTo(1);
        assertThat(tail.tail(0)).isCloseTo(100 / 101.0, offset(1e-12));
        assertThat(tail.tail(90)).isCloseTo(10 / 101.0, offset(1e-12));
        assertThat(tail.tail(99)).isCloseTo(1 / 101.0, offset(1e-12));
        assertThat(tail.surprise(-1)).isZero();
    }

    @Test
    void goesOnBeyondTheHighestBenignScoreFallingTheFurtherOut() {
        BenignTail tail = BenignTail.of(exponential(new Random(1), 1000), 0.01);
        double previous = 1;
        for (double s = 0; s < 30; s += 0.25) {
            double t = tail.tail(s);
            assertThat(t).as("tail at " + s).isLessThanOrEqualTo(previous).isGreaterThan(0);
            previous = t;
        }
        assertThat(tail.tail(tail.max() + 1)).isLessThan(tail.tail(tail.max()));
        assertThat(tail.tail(tail.max() + 10)).isLessThan(tail.tail(tail.max() + 1));
    }

    @Test
    void tiedBenignScoresCountTogetherAndTheFloorKeepsTheTailFinite() {
        double[] zeros = new double[500];
        BenignTail tail = BenignTail.of(zeros, 0.02);
        assertThat(tail.tail(0)).isCloseTo(500 / 501.0, offset(1e-12));
        // Every benign score was 0: beyond it the tail falls e-fold per floor, from the 500 of 501 at 0.
        assertThat(tail.surprise(0.02)).isCloseTo(-Math.log(500 / 501.0) + 1, offset(1e-9));
        assertThat(tail.surprise(0.2)).isCloseTo(-Math.log(500 / 501.0) + 10, offset(1e-9));
    }

    @Test
    void aThresholdAtTheTargetRateFlagsHeldOutBenignScoresAtThatRate() {
        Random random = new Random(7);
        // 200 000 benign windows put 200 above a rate of 0.001: the estimate is good to about 7 %.
        BenignTail tail = BenignTail.of(exponential(random, 200_000), 0.01);
        double[] heldOut = exponential(random, 1_000_000);
        for (double rate : new double[] {0.1, 0.01, 0.001}) {
            double threshold = tail.scoreAtTail(rate);
            long flagged = Arrays.stream(heldOut).filter(s -> s >= threshold).count();
            assertThat((double) flagged / heldOut.length).as("rate " + rate).isCloseTo(rate, offset(rate * 0.2));
            assertThat(tail.tail(threshold)).isCloseTo(rate, offset(rate * 1e-6));
        }
    }

    @Test
    void extrapolatesARateBelowOneBenignWindow() {
        // 2000 benign windows cannot show a rate of 1 in 100 000; the exponential tail can: -ln(1e-5) = 11.5.
        Random random = new Random(3);
        BenignTail tail = BenignTail.of(exponential(random, 2000), 0.01);
        double threshold = tail.scoreAtTail(1e-5);
        assertThat(threshold).isGreaterThan(tail.max()).isCloseTo(-Math.log(1e-5), offset(1.5));
        assertThat(tail.tail(threshold)).isCloseTo(1e-5, offset(1e-9));
    }

    @Test
    void keepsAtMostTwoThousandOrderStatistics() throws Exception {
        BenignTail tail = BenignTail.of(exponential(new Random(1), 100_000), 0.01);
        assertThat(tail.sample()).hasSize(BenignTail.MAX_SAMPLE);
        assertThat(tail.atOrAbove()).hasSize(BenignTail.MAX_SAMPLE);
        assertThat(BenignTail.of(tail.sample(), tail.atOrAbove(), tail.windows(), tail.scale()))
                .usingRecursiveComparison()
                .isEqualTo(tail);
        assertThat(tail.windows()).isEqualTo(100_000);
        assertThat(tail.tail(Math.log(10))).isCloseTo(0.1, offset(0.005));
    }

    @Test
    void refusesWhatItCannotLearnFrom() {
        assertThatThrownBy(() -> BenignTail.of(new double[0], 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BenignTail.of(new double[] {1, Double.NaN}, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BenignTail.of(new double[] {1}, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BenignTail.of(new double[] {1}, 1).scoreAtTail(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
