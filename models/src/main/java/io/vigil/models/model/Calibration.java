package io.vigil.models.model;

import java.io.Serializable;
import java.util.Objects;

/**
 * How the detectors' raw scores become one score in [0, 1]. Each raw score is turned into a <em>surprise</em>,
 * {@code -ln} of how rare it is among benign windows ({@link BenignTail}, learned out of fold), so that "one
 * benign window in a thousand scores this high" weighs the same whichever detector says it. The surprises add
 * up (Fisher's way of combining evidence: independent signs of trouble corroborate each other; that they are
 * not independent is what the threshold, measured on benign windows' sums, absorbs); the sum {@code U} is
 * compared with {@code threshold}, the sum that benign windows reach at the target rate of false alerts, and
 * mapped to {@code U / (U + threshold)}: 0 for a typical window, 0.5 at the threshold, towards 1 the further
 * beyond. So the model's threshold is always {@value #SCORE_THRESHOLD}, and a score means the same in every
 * trained model: how far past the false-alert budget a window lies.
 *
 * @param fleet tail of the fleet model's Isolation Forest score
 * @param job tail of the per-job model's deviation
 * @param supervised tail of the supervised model's log-odds that a window is not benign ({@link #notBenignLogOdds}):
 *     probabilities are compared on the log-odds scale, where 0.9 to 0.99 is as far as 0.5 to 0.9, so that the
 *     tail beyond the benign windows' highest can tell a sure classification from a likely one
 * @param rules tail of the indicator rules' score ({@code IndicatorScorer}); null when the feature set lacks
 *     their features, and then they add nothing
 * @param threshold the summed surprise at which a window is flagged, positive
 */
public record Calibration(BenignTail fleet, BenignTail job, BenignTail supervised, BenignTail rules, double threshold)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final double SCORE_THRESHOLD = 0.5;
    /** The order of {@link #surprises}. */
    public static final int FLEET = 0;
    public static final int JOB = 1;
    public static final int SUPERVISED = 2;
    public static final int RULES = 3;

    public Calibration {
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(supervised, "supervised");
        if (!(threshold > 0) || !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("surprise threshold must be positive and finite: " + threshold);
        }
    }

    /** Without the indicator rules' evidence. */
    public Calibration(BenignTail fleet, BenignTail job, BenignTail supervised, double threshold) {
        this(fleet, job, supervised, null, threshold);
    }

    /**
     * The surprises of one window's raw scores, indexed {@link #FLEET}, {@link #JOB}, {@link #SUPERVISED},
     * {@link #RULES}.
     *
     * @param benignProbability the supervised model's probability that the window is benign
     * @param rulesScore the indicator rules' score in [0, 1] (ignored without {@link #rules})
     */
    public double[] surprises(double fleetScore, double jobScore, double benignProbability, double rulesScore) {
        return new double[] {fleet.surprise(fleetScore), job.surprise(jobScore),
                supervised.surprise(notBenignLogOdds(benignProbability)), rules == null ? 0 : rules.surprise(rulesScore)};
    }

    /** {@code ln((1 - p) / p)} of the probability {@code p} that a window is benign, kept within +-20. */
    public static double notBenignLogOdds(double benignProbability) {
        double p = Math.min(1 - 1e-9, Math.max(1e-9, benignProbability));
        return Math.log((1 - p) / p);
    }

    /** The combined score in [0, 1) of a total surprise. */
    public double score(double totalSurprise) {
        double u = Math.max(0, totalSurprise);
        return u / (u + threshold);
    }

    /** A copy with another threshold. */
    public Calibration withThreshold(double threshold) {
        return new Calibration(fleet, job, supervised, rules, threshold);
    }
}
