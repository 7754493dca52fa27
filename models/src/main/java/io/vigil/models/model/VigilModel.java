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

    /** What kind of model the artifact holds, e.g. {@code vigil-ensemble/1}: its header names it. */
    public String kind() {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    /** What it was trained on (datasets, windows, positives per category, seed), for the artifact header. */
    public java.util.SortedMap<String, Object> trainingSummary() {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    /** How it scored on its training data out of fold (PR-AUC, false alerts per 100 job-hours, ...), for the header. */
    public java.util.SortedMap<String, Object> metrics() {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    @Override
    public FeatureSet featureSet() {
        throw new UnsupportedOperationException("issue #5: being written");
    }
}
