package io.vigil.models.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * How the detectors' raw scores become one score in [0, 1]. Each raw score is turned into a <em>surprise</em>,
 * {@code -ln} of how rare it is among benign windows ({@link BenignTail}, learned out of fold), so that "one
 * benign window in a thousand scores this high" weighs the same whichever detector says it. The evidence
 * {@code U} is the sum of the <em>two largest</em> surprises ({@link #evidence}): two detectors that agree a window
 * is rare corroborate each other (Fisher's way of adding evidence), and one detector alone must be twice as
 * sure. The others are left out on purpose: a benign window is usually a little odd to every detector at once
 * (a checkpoint burst is a new address, a new volume and a new GPU phase), and adding all four let that mild
 * strangeness outweigh an incident that only two detectors can see (a scan spread thin, a tunnel on port 443);
 * out of fold on the recorded incidents the full sum missed the thin scan at the same false-alert budget.
 * {@code U} is compared with {@code threshold}, what benign windows reach at the target rate of false alerts, and
 * mapped to {@code U / (U + threshold)}: 0 for a typical window, 0.5 at the threshold, towards 1 the further
 * beyond. So the model's threshold is always {@value #SCORE_THRESHOLD}, and a score means the same in every
 * trained model: how far past the false-alert budget a window lies.
 *
 * <p><b>Direction.</b> Every raw score it calibrates is one-sided by construction (the per-job model's
 * contributions count only moves towards misuse, the fleet and supervised models read windows moved to the
 * fleet's typical value on the benign side, the rules look for things being there), and so are the benign
 * tails learned from them: a quieter window than usual has no surprise to add up, whatever the threshold.
 *
 * @param fleet tail of the fleet model's Isolation Forest score
 * @param job tail of the per-job model's raw score, {@link #jobRaw}: with {@code jobFeatures}, the largest of its
 *     features' surprises; without, its deviation score
 * @param supervised tail of the supervised model's log-odds that a window is not benign ({@link #notBenignLogOdds}):
 *     probabilities are compared on the log-odds scale, where 0.9 to 0.99 is as far as 0.5 to 0.9, so that the
 *     tail beyond the benign windows' highest can tell a sure classification from a likely one
 * @param rules tail of the indicator rules' score ({@code IndicatorScorer}); null when the feature set lacks
 *     their features, and then they add nothing
 * @param threshold the evidence ({@link #evidence}) at which a window is flagged, positive
 * @param jobFeatures per feature, the tail of the per-job model's contribution on benign windows, or null. Why:
 *     features differ in how bursty benign jobs are in them. A notebook's traffic swings by its whole range every
 *     session, while a benign job almost never leaves an internal connection unanswered; on the raw scale the
 *     bursty features set the tail and a scan spread thin over half an hour never stands out. Each feature's
 *     contribution measured as how rare it is among benign windows puts both on one scale.
 */
public record Calibration(
        BenignTail fleet,
        BenignTail job,
        BenignTail supervised,
        BenignTail rules,
        double threshold,
        BenignTail[] jobFeatures) {

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
        if (jobFeatures != null && Arrays.asList(jobFeatures).contains(null)) {
            throw new IllegalArgumentException("a per-feature tail of the per-job model is missing");
        }
    }

    /** Without the indicator rules' evidence. */
    public Calibration(BenignTail fleet, BenignTail job, BenignTail supervised, double threshold) {
        this(fleet, job, supervised, null, threshold, null);
    }

    /** With the per-job model's deviation score taken as it is (no per-feature tails). */
    public Calibration(BenignTail fleet, BenignTail job, BenignTail supervised, BenignTail rules, double threshold) {
        this(fleet, job, supervised, rules, threshold, null);
    }

    /**
     * The per-job model's raw score for {@link #job}: with per-feature tails, the largest surprise of one feature's
     * contribution; without, the largest contribution (its deviation score).
     */
    public double jobRaw(double[] contributions) {
        return jobRaw(jobFeatures, contributions);
    }

    /** {@link #jobRaw(double[])} over the given per-feature tails (null: the largest contribution). */
    public static double jobRaw(BenignTail[] jobFeatures, double[] contributions) {
        double raw = 0;
        if (jobFeatures == null) {
            for (double c : contributions) {
                raw = Math.max(raw, c);
            }
            return raw;
        }
        if (contributions.length != jobFeatures.length) {
            throw new IllegalArgumentException(
                    "per-job contributions for " + contributions.length + " features, tails for " + jobFeatures.length);
        }
        for (int i = 0; i < contributions.length; i++) {
            raw = Math.max(raw, jobFeatures[i].surprise(contributions[i]));
        }
        return raw;
    }

    /**
     * The surprises of one window's raw scores ({@code jobScore} is {@link #jobRaw}), indexed {@link #FLEET}, {@link #JOB}, {@link #SUPERVISED},
     * {@link #RULES}.
     *
     * @param benignProbability the supervised model's probability that the window is benign
     * @param rulesScore the indicator rules' score in [0, 1] (ignored without {@link #rules})
     */
    public double[] surprises(double fleetScore, double jobScore, double benignProbability, double rulesScore) {
        return new double[] {
            fleet.surprise(fleetScore),
            job.surprise(jobScore),
            supervised.surprise(notBenignLogOdds(benignProbability)),
            rules == null ? 0 : rules.surprise(rulesScore)
        };
    }

    /** {@code ln((1 - p) / p)} of the probability {@code p} that a window is benign, kept within +-20. */
    public static double notBenignLogOdds(double benignProbability) {
        double p = Math.min(1 - 1e-9, Math.max(1e-9, benignProbability));
        return Math.log((1 - p) / p);
    }

    /** The evidence of a window's surprises: the sum of the two largest (see the class doc). */
    public static double evidence(double[] surprises) {
        double first = 0;
        double second = 0;
        for (double s : surprises) {
            if (s > first) {
                second = first;
                first = s;
            } else if (s > second) {
                second = s;
            }
        }
        return first + second;
    }

    /** The combined score in [0, 1) of a window's evidence ({@link #evidence}). */
    public double score(double totalSurprise) {
        double u = Math.max(0, totalSurprise);
        return u / (u + threshold);
    }

    /** A copy whose per-job tail is {@code job} over per-feature tails {@code jobFeatures}. */
    public Calibration withJobFeatures(BenignTail job, BenignTail[] jobFeatures) {
        return new Calibration(fleet, job, supervised, rules, threshold, jobFeatures);
    }

    /** A copy with another threshold. */
    public Calibration withThreshold(double threshold) {
        return new Calibration(fleet, job, supervised, rules, threshold, jobFeatures);
    }
}
