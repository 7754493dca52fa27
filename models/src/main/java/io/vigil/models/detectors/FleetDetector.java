package io.vigil.models.detectors;

import java.io.Serializable;

/**
 * The fleet model: an Isolation Forest over normalised window features of benign windows of many jobs.
 * SKELETON (issue #5): the API is fixed; the body is being written.
 */
public final class FleetDetector implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Isolation-forest anomaly score of one window, higher is stranger. */
    public double score(double[] features) {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    /** The fleet's typical value per feature (median of the benign training windows). */
    public double[] baseline() {
        throw new UnsupportedOperationException("issue #5: being written");
    }
}
