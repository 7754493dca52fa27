package io.vigil.models.model;

import java.util.Arrays;

/**
 * How rare a score is among benign windows: the fraction of benign windows scoring at least as high (the
 * tail probability), learned from the scores of benign windows the detector did not train on. It puts the
 * detectors' scores, each in its own units, on one scale.
 *
 * <p>Within the benign scores the tail is the empirical one, {@code (windows at or above) / (n + 1)} at each order
 * statistic (so it never reaches 0) and linear between them. Above the highest
 * benign score there is no window left to count, so the tail goes on as an exponential (the peaks-over-
 * threshold model with shape 0) whose scale is the mean excess of the top benign scores over the score below
 * them: a window twice as far out is rarer, rather than all windows past the last benign one being equally
 * rare. The scale is never less than {@code scaleFloor}, in the detector's units, so that tied benign scores
 * (all 0) do not make every higher score infinitely rare.
 *
 * <p>Keeps at most {@value #MAX_SAMPLE} order statistics, whatever the number of windows: the highest scores
 * exactly, the others thinned.
 */
public final class BenignTail {

    public static final int MAX_SAMPLE = 2000;
    /** The top share of benign scores the exponential's scale is taken from. */
    static final double TOP_SHARE = 0.05;
    /** ... but at least this many scores. */
    static final int TOP_MIN = 10;

    /** Order statistics of the benign scores, ascending. */
    private final double[] sample;
    /** Per order statistic: how many benign windows score at or above it (its survival is that over n + 1). */
    private final int[] atOrAbove;

    private final int windows;
    private final double scale;

    private BenignTail(double[] sample, int[] atOrAbove, int windows, double scale) {
        this.sample = sample;
        this.atOrAbove = atOrAbove;
        this.windows = windows;
        this.scale = scale;
    }

    /**
     * @param benignScores one score per benign window, finite
     * @param scaleFloor the least scale of the exponential tail, in the scores' units, positive
     * @throws IllegalArgumentException without scores, with non-finite ones or a floor that is not positive
     */
    public static BenignTail of(double[] benignScores, double scaleFloor) {
        if (benignScores.length == 0) {
            throw new IllegalArgumentException("a benign tail needs benign scores");
        }
        if (!(scaleFloor > 0) || !Double.isFinite(scaleFloor)) {
            throw new IllegalArgumentException("scale floor must be positive: " + scaleFloor);
        }
        double[] sorted = benignScores.clone();
        for (double v : sorted) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("benign score is not finite: " + v);
            }
        }
        Arrays.sort(sorted);
        int n = sorted.length;

        int top = Math.min(n - 1, Math.max(TOP_MIN, (int) Math.ceil(TOP_SHARE * n)));
        double scale = scaleFloor;
        if (top > 0) {
            double base = sorted[n - 1 - top];
            double excess = 0;
            for (int i = n - top; i < n; i++) {
                excess += sorted[i] - base;
            }
            scale = Math.max(scaleFloor, excess / top);
        }

        int[] ranks = keptRanks(n);
        double[] sample = new double[ranks.length];
        int[] atOrAbove = new int[ranks.length];
        for (int i = 0; i < ranks.length; i++) {
            // Among tied scores, a score's survival counts every window at or above it: take the lowest rank.
            int lowest = ranks[i];
            while (lowest > 0 && sorted[lowest - 1] == sorted[ranks[i]]) {
                lowest--;
            }
            sample[i] = sorted[ranks[i]];
            atOrAbove[i] = n - lowest;
        }
        return new BenignTail(sample, atOrAbove, n, scale);
    }

    /**
     * A tail from its parts (read from an artifact), checked for what {@link #of(double[], double)} guarantees: 1 to
     * {@value #MAX_SAMPLE} finite order statistics, ascending; counts at or above them in [1, windows], non-increasing;
     * a positive, finite scale.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static BenignTail of(double[] sample, int[] atOrAbove, int windows, double scale) {
        if (sample.length == 0 || sample.length > MAX_SAMPLE || atOrAbove.length != sample.length) {
            throw new IllegalArgumentException("benign tail has " + sample.length + " order statistics and "
                    + atOrAbove.length + " counts; 1 to " + MAX_SAMPLE + " of each");
        }
        if (windows < sample.length) {
            throw new IllegalArgumentException(
                    "benign tail of " + windows + " windows keeps " + sample.length + " scores");
        }
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("benign tail scale is " + scale);
        }
        for (int i = 0; i < sample.length; i++) {
            if (!Double.isFinite(sample[i]) || (i > 0 && !(sample[i - 1] <= sample[i]))) {
                throw new IllegalArgumentException(
                        "benign tail order statistic " + i + " is " + sample[i] + ": not finite or not ascending");
            }
            if (atOrAbove[i] < 1 || atOrAbove[i] > windows || (i > 0 && atOrAbove[i] > atOrAbove[i - 1])) {
                throw new IllegalArgumentException("benign tail count " + i + " is " + atOrAbove[i] + ": not in [1, "
                        + windows + "] or increasing");
            }
        }
        return new BenignTail(sample.clone(), atOrAbove.clone(), windows, scale);
    }

    /** The order statistics kept, ascending (a copy). */
    public double[] sample() {
        return sample.clone();
    }

    /** Per order statistic, the benign windows scoring at or above it (a copy). */
    public int[] atOrAbove() {
        return atOrAbove.clone();
    }

    /**
     * The ranks kept of {@code n} sorted scores: all of them up to {@value #MAX_SAMPLE}; else the top half of the
     * budget exactly (the tail is where thresholds go) and the other half evenly spaced below it.
     */
    static int[] keptRanks(int n) {
        if (n <= MAX_SAMPLE) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        int top = MAX_SAMPLE / 2;
        int spread = MAX_SAMPLE - top;
        int below = n - top; // ranks 0 .. below - 1 are thinned
        int[] ranks = new int[MAX_SAMPLE];
        for (int i = 0; i < spread; i++) {
            ranks[i] = (int) Math.round((double) i * (below - 1) / (spread - 1));
        }
        for (int i = 0; i < top; i++) {
            ranks[spread + i] = below + i;
        }
        return ranks;
    }

    /** The fraction of benign windows scoring at least {@code score}, in (0, 1]; non-increasing in the score. */
    public double tail(double score) {
        if (Double.isNaN(score)) {
            return 1;
        }
        int last = sample.length - 1;
        if (score > sample[last]) {
            return survival(last) * Math.exp(-(score - sample[last]) / scale);
        }
        if (score <= sample[0]) {
            return score < sample[0] ? 1 : survival(0);
        }
        int i = Arrays.binarySearch(sample, score);
        if (i >= 0) {
            while (i > 0 && sample[i - 1] == score) {
                i--;
            }
            return survival(i);
        }
        int above = -i - 1; // sample[above - 1] < score < sample[above]
        double low = sample[above - 1];
        double high = sample[above];
        double t = (score - low) / (high - low);
        return survival(above - 1) + t * (survival(above) - survival(above - 1));
    }

    /** {@code -ln(tail)}: 0 for a typical score, about 7 for one in a thousand benign windows, unbounded. */
    public double surprise(double score) {
        return -Math.log(tail(score));
    }

    /**
     * The score whose tail is {@code rate}: where a threshold goes for benign windows to reach it at that rate.
     *
     * @param rate in (0, 1]
     */
    public double scoreAtTail(double rate) {
        if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException("tail rate must lie in (0, 1]: " + rate);
        }
        int last = sample.length - 1;
        if (rate < survival(last)) {
            return sample[last] + scale * Math.log(survival(last) / rate);
        }
        if (rate >= survival(0)) {
            return sample[0];
        }
        // survival is non-increasing: find the last order statistic still at or above the rate.
        int i = 0;
        while (i + 1 <= last && survival(i + 1) >= rate) {
            i++;
        }
        if (i == last || survival(i) == survival(i + 1)) {
            return sample[i];
        }
        double t = (survival(i) - rate) / (survival(i) - survival(i + 1));
        return sample[i] + t * (sample[i + 1] - sample[i]);
    }

    /** The survival of order statistic {@code i}: the fraction of benign windows at or above it, over n + 1. */
    private double survival(int i) {
        return atOrAbove[i] / (windows + 1.0);
    }

    /** Benign windows it was learned from. */
    public int windows() {
        return windows;
    }

    /** The exponential tail's scale above the highest benign score. */
    public double scale() {
        return scale;
    }

    /** The highest benign score. */
    public double max() {
        return sample[sample.length - 1];
    }
}
