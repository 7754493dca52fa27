package io.vigil.tools.windows;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.scoring.JobHistory;
import io.vigil.models.scoring.Verdict;
import io.vigil.models.scoring.WindowScorer;
import java.util.List;

/**
 * The scorer of {@code vigil windows}: the export wants the pipeline's features, which no scorer changes, and
 * must work before any model exists (the default model is trained from its output). So it scores every window
 * 0 and never flags; its scores are not exported.
 */
public final class FeaturesOnly implements WindowScorer {
    private static final long serialVersionUID = 1L;

    public static final String MODEL_VERSION = "features-only";

    private final FeatureSet featureSet;

    public FeaturesOnly(FeatureSet featureSet) {
        this.featureSet = featureSet;
    }

    @Override
    public Verdict score(double[] features, JobHistory history) {
        featureSet.checkLength(features);
        return Verdict.of(0, threshold(), List.of(), List.of());
    }

    @Override
    public String modelVersion() {
        return MODEL_VERSION;
    }

    /** Above every score: nothing is flagged. */
    @Override
    public double threshold() {
        return 1;
    }

    @Override
    public FeatureSet featureSet() {
        return featureSet;
    }
}
