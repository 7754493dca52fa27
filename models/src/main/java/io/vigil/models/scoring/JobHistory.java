package io.vigil.models.scoring;

import java.io.Serializable;

/**
 * A job's own normal, as the per-job online model ({@link io.vigil.models.detectors.JobDetector}) has
 * learned it from the job's past windows: small (goal: at most 64 KiB per job, in practice a few hundred
 * bytes), immutable, and with a compact versioned byte form for Flink keyed state.
 *
 * <p>SKELETON (issue #5): the API is fixed; the body is being written.
 */
public final class JobHistory implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final JobHistory EMPTY = new JobHistory();

    private JobHistory() {}

    /** No windows learned yet: a job's first window. */
    public static JobHistory empty() {
        return EMPTY;
    }

    /** How many windows the job's normal has been learned from. */
    public int windows() {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    /** The job's typical value of feature {@code i} so far; NaN before it has a history. */
    public double baseline(int feature) {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    /** The compact form kept in Flink state; {@link #fromBytes} reads it back. */
    public byte[] toBytes() {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    /** @throws IllegalArgumentException saying what is wrong with the bytes */
    public static JobHistory fromBytes(byte[] bytes) {
        throw new UnsupportedOperationException("issue #5: being written");
    }
}
