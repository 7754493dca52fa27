package io.vigil.models.model;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.scoring.JobHistory;
import io.vigil.models.scoring.Verdict;
import io.vigil.models.scoring.WindowScorer;

/**
 * A trained model: the fleet, per-job and supervised detectors combined into one score, a threshold,
 * categories and reasons. What an artifact holds ({@link ModelArtifact}). SKELETON (issue #5): the API is
 * fixed; the body is being written.
 */
public final class VigilModel implements WindowScorer {
    private static final long serialVersionUID = 1L;

    @Override
    public Verdict score(double[] features, JobHistory history) {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    @Override
    public JobHistory update(JobHistory history, double[] features, Verdict verdict) {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    @Override
    public String modelVersion() {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    @Override
    public double threshold() {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    @Override
    public FeatureSet featureSet() {
        throw new UnsupportedOperationException("issue #5: being written");
    }
}
