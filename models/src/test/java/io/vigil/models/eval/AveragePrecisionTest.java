package io.vigil.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AveragePrecisionTest {

    @Test
    void aPerfectRankingScoresOne() {
        assertThat(AveragePrecision.of(new double[] {0.9, 0.8, 0.1, 0.0}, new boolean[] {true, true, false, false}))
                .isCloseTo(1.0, within(1e-12));
    }

    @Test
    void matchesScikitLearnOnAMixedRanking() {
        // sklearn.metrics.average_precision_score([0,0,1,1], [0.1,0.4,0.35,0.8]) = 0.8333...
        assertThat(AveragePrecision.of(new double[] {0.1, 0.4, 0.35, 0.8}, new boolean[] {false, false, true, true}))
                .isCloseTo(5.0 / 6.0, within(1e-12));
    }

    @Test
    void tiedScoresAreOneStepWhateverTheirOrder() {
        double forward =
                AveragePrecision.of(new double[] {0.5, 0.5, 0.5, 0.1}, new boolean[] {true, false, false, true});
        double backward =
                AveragePrecision.of(new double[] {0.5, 0.5, 0.5, 0.1}, new boolean[] {false, false, true, true});
        // step 1: recall 1/2 at precision 1/3; step 2: recall 1 at precision 2/4
        assertThat(forward).isCloseTo(0.5 / 3 + 0.5 * 0.5, within(1e-12)).isEqualTo(backward);
    }

    @Test
    void isUndefinedWithoutPositivesAndRefusesNaN() {
        assertThat(AveragePrecision.of(new double[] {0.3}, new boolean[] {false}))
                .isNaN();
        assertThat(AveragePrecision.of(new double[0], new boolean[0])).isNaN();
        assertThatThrownBy(() -> AveragePrecision.of(new double[] {Double.NaN}, new boolean[] {true}))
                .hasMessageContaining("NaN");
        assertThatThrownBy(() -> AveragePrecision.of(new double[] {0.1}, new boolean[0]))
                .hasMessageContaining("length");
    }
}
