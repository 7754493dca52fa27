package io.vigil.models.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CalibrationTest {

    @Test
    void evidenceIsTheSumOfTheTwoLargestSurprises() {
        assertThat(Calibration.evidence(new double[] {1, 7, 2, 5})).isEqualTo(12);
        assertThat(Calibration.evidence(new double[] {7, 7, 0, 0})).isEqualTo(14);
        assertThat(Calibration.evidence(new double[] {0, 0, 0, 0})).isZero();
    }

    @Test
    void mildStrangenessEverywhereWeighsLessThanTwoDetectorsThatAgree() {
        // A checkpoint burst: a little odd to all four detectors. A thin scan: very odd to two.
        double[] everywhere = {5, 5, 5, 5};
        double[] twoAgree = {0, 7, 0, 7};
        assertThat(Calibration.evidence(twoAgree)).isGreaterThan(Calibration.evidence(everywhere));
    }

    @Test
    void perFeatureTailsPutABurstyFeatureAndARareOneOnOneScale() {
        // Benign jobs: feature 0 (traffic) swings to 10 often; feature 1 (unanswered internal hosts) is almost never
        // off 0.
        double[] bursty = new double[1000];
        double[] quiet = new double[1000];
        for (int i = 0; i < bursty.length; i++) {
            bursty[i] = i % 10;
            quiet[i] = i == 0 ? 1 : 0;
        }
        BenignTail[] tails = {BenignTail.of(bursty, 0.25), BenignTail.of(quiet, 0.25)};
        double burst = Calibration.jobRaw(tails, new double[] {9, 0});
        double drift = Calibration.jobRaw(tails, new double[] {0, 5});
        assertThat(drift).isGreaterThan(burst + 5);
        // Without per-feature tails the raw score is the largest contribution, and the burst wins.
        assertThat(Calibration.jobRaw(null, new double[] {9, 5})).isEqualTo(9);
        // (a typical window is as common as the commonest benign one: surprise ln((n + 1) / n), about 0)
        assertThat(Calibration.jobRaw(tails, new double[] {0, 0})).isCloseTo(0, within(0.01));
    }

    @Test
    void perFeatureTailsMustFitTheContributions() {
        BenignTail[] tails = {BenignTail.of(new double[] {0, 1}, 0.25)};
        assertThatThrownBy(() -> Calibration.jobRaw(tails, new double[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 features");
    }
}
