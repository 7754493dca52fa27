package io.vigil.models.model;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.scoring.JobHistory;
import io.vigil.models.scoring.Verdict;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.records.Category;
import io.vigil.records.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCheckTest {

    /** A scorer that gives every window the same verdict. */
    private record Constant(Verdict verdict) implements WindowScorer {
        @Override
        public Verdict score(double[] features, JobHistory history) {
            return verdict;
        }

        @Override
        public String modelVersion() {
            return "constant";
        }

        @Override
        public double threshold() {
            return 0.5;
        }

        @Override
        public FeatureSet featureSet() {
            return FeatureSet.CURRENT;
        }
    }

    @Test
    void passesATrainedModel() {
        assertThatCode(() -> ModelCheck.check(ModelArtifactRoundTripTest.model()))
                .doesNotThrowAnyException();
    }

    @Test
    void refusesReasonsThatNameNoFeatureOrCarryNoFiniteValue() {
        Reason unknown = new Reason("no_such_feature", 1.0, null, 0.0, 0.5);
        assertThatThrownBy(() -> ModelCheck.check(
                        new Constant(Verdict.of(0.9, 0.5, List.of(Category.UNKNOWN), List.of(unknown)))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no_such_feature");
        Reason infinite = new Reason(FeatureSet.FLOWS, Double.POSITIVE_INFINITY, null, 0.0, 0.5);
        assertThatThrownBy(() -> ModelCheck.check(new Constant(Verdict.of(0.1, 0.5, List.of(), List.of(infinite)))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a window of 0.0s scored out of shape");
    }

    @Test
    void refusesAVerdictWithAnotherThresholdOrNone() {
        assertThatThrownBy(() -> ModelCheck.check(new Constant(Verdict.of(0.1, 0.7, List.of(), List.of()))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("threshold 0.7, the model's is 0.5");
        assertThatThrownBy(() -> ModelCheck.check(new Constant(null))).hasMessageContaining("no verdict");
    }
}
