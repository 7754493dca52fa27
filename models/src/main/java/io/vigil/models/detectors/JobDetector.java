package io.vigil.models.detectors;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.scoring.JobHistory;
import java.io.Serializable;

/**
 * The per-job online model: how far a window is from the job's own past. SKELETON (issue #5): the API
 * is fixed; the body is being written.
 */
public final class JobDetector implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * One window against the job's history.
     *
     * @param score 0 when typical for the job (or its history is too short to say), larger the stranger; unbounded
     * @param contributions each feature's part in the score, in feature-set order, non-negative
     */
    public record Deviation(double score, double[] contributions) {}

    /** A detector whose per-feature scale floors come from the spread of benign windows across the fleet. */
    public static JobDetector fit(FeatureSet featureSet, double[][] benignWindows) {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    /** How far {@code features} lie from the job's normal. */
    public Deviation score(double[] features, JobHistory history) {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    /**
     * The history after this window. A flagged window is not learned into the job's normal (an incident
     * must not become normal); what the detector remembers of recent excess still moves.
     */
    public JobHistory learn(JobHistory history, double[] features, boolean flagged) {
        throw new UnsupportedOperationException("issue #5: being written");
    }
}
