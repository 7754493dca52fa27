package io.vigil.models.detectors;

import io.vigil.models.scoring.JobHistory;
import java.io.Serializable;

/**
 * The per-job online model: how far a window is from the job's own past. SKELETON (issue #5): the API
 * is fixed; the body is being written.
 */
public final class JobDetector implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One window against the job's history: a score in [0, 1] and each feature's part in it. */
    public record Deviation(double score, double[] contributions) {}

    /** How far {@code features} lie from the job's normal; score 0 when the history is too short to say. */
    public Deviation score(double[] features, JobHistory history) {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    /** The history with this window learned (the caller leaves flagged windows out). */
    public JobHistory learn(JobHistory history, double[] features) {
        throw new UnsupportedOperationException("issue #5: being written");
    }
}
