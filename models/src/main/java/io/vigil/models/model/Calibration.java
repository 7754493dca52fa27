package io.vigil.models.model;

import java.io.Serializable;

/**
 * How the three detectors' raw scores become one score in [0, 1]. Each raw score is turned into a
 * <em>surprise</em>, {@code -ln} of how rare it is among benign windows ({@link BenignTail}, learned out of fold),
 * so that "one benign window in a thousand scores this high" weighs the same whichever detector says it. The
 * surprises add up (Fisher's way of combining evidence: independent signs of trouble corroborate each other);
 * the sum {@code U} is compared with {@code threshold}, the sum that benign windows reach at the target rate of
 * false alerts, and mapped to {@code U / (U + threshold)}: 0 for a typical window, 0.5 at the threshold, towards
 * 1 the further beyond. So the model's threshold is always {@value #SCORE_THRESHOLD}, and a score means the same
 * in every trained model: how far past the false-alert budget a window lies.
 *
 * @param fleet tail of the fleet model's Isolation Forest score
 * @param job tail of the per-job model's deviation
 * @param supervised tail of the supervised model's probability that a window is not benign
 * @param threshold the surprise at which a window is flagged, positive
 */
public record Calibration(BenignTail fleet, BenignTail job, BenignTail supervised, double threshold) implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final double SCORE_THRESHOLD = 0.5;

    public Calibration {
        if (!(threshold > 0) || !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("surprise threshold must be positive and finite: " + threshold);
        }
    }

    /** The surprises of one window's raw scores, in order fleet, job, supervised. */
    public double[] surprises(double fleetScore, double jobScore, double notBenign) {
        return new double[] {fleet.surprise(fleetScore), job.surprise(jobScore), supervised.surprise(notBenign)};
    }

    /** The combined score in [0, 1) of a total surprise. */
    public double score(double totalSurprise) {
        double u = Math.max(0, totalSurprise);
        return u / (u + threshold);
    }
}
