package io.vigil.models.model;

import java.io.Serializable;
import java.util.Arrays;

/**
 * How rare a score is among benign windows: the fraction of benign windows scoring at least as high (the
 * tail probability), learned from the scores of benign windows the detector did not train on. It puts the
 * detectors' scores, each in its own units, on one scale.
 *
 * <p>Within the benign scores the tail is the empirical one (linear between order statistics, smoothed so it
 * never reaches 0: {@code (windows at or above + 1) / (n + 1)} at each order statistic). Above the highest
 * benign score there is no window left to count, so the tail goes on as an exponential (the peaks-over-
 * threshold model with shape 0) whose scale is the mean excess of the top benign scores over the score below
 * them: a window twice as far out is rarer, rather than all windows past the last benign one being equally
 * rare. The scale is never less than {@code scaleFloor}, in the detector's units, so that tied benign scores
 * (all 0) do not make every higher score infinitely rare.
 *
 * <p>Keeps at most {@value #MAX_SAMPLE} order statistics, whatever the number of windows.
 */
public final class BenignTail implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final int MAX_SAMPLE = 2000;
    /** The top share of benign scores the exponential's scale is taken from. */
    static final double TOP_SHARE = 0.05;
    /** ... but at least this many scores. */
    static final int TOP_MIN = 10;

    /** Order statistics of the benign scores, ascending. */
    private final double[] sample;
    /** Each order statistic's survival, {@code (n - rank) / (n + 1)}, descending. */
    private final double[] survival;
    private final long windows;
    private final double scale;

    private BenignTail(double[] sample, double[] survival, long windows, double scale) {
        this.sample = sample;
        this.survival = survival;
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

        int m = Math.min(n, MAX_SAMPLE);
        double[] sample = new double[m];
        double[] survival = new double[m];
        for (int i = 0; i < m; i++) {
            int rank = m == 1 ? n - 1 : (int) Math.round((double) i * (n - 1) / (m - 1));
            // Among tied scores, a score's survival counts every window at or above it: take the lowest rank.
            int lowest = rank;
            while (lowest > 0 && sorted[lowest - 1] == sorted[rank]) {
                lowest--;
            }
            sample[i] = sorted[rank];
            survival[i] = (double) (n - lowest) / (n + 1);
        }
        return new BenignTail(sample, survival, n, scale);
    }

    /** The fraction of benign windows scoring at least {@code score}, in (0, 1]; non-increasing in the score. */
    public double tail(double score) {
        if (Double.isNaN(score)) {
            return 1;
        }
        int last = sample.length - 1;
        if (score > sample[last]) {
            return survival[last] * Math.exp(-(score - sample[last]) / scale);
        }
        if (score <= sample[0]) {
            return score < sample[0] ? 1 : survival[0];
        }
        int i = Arrays.binarySearch(sample, score);
        if (i >= 0) {
            while (i > 0 && sample[i - 1] == score) {
                i--;
            }
            return survival[i];
        }
        int above = -i - 1; // sample[above - 1] < score < sample[above]
        double low = sample[above - 1];
        double high = sample[above];
        double t = (score - low) / (high - low);
        return survival[above - 1] + t * (survival[above] - survival[above - 1]);
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
        if (rate < survival[last]) {
            return sample[last] + scale * Math.log(survival[last] / rate);
        }
        if (rate >= survival[0]) {
            return sample[0];
        }
        // survival is non-increasing: find the last order statistic still at or above the rate.
        int i = 0;
        while (i + 1 <= last && survival[i + 1] >= rate) {
            i++;
        }
        if (i == last || survival[i] == survival[i + 1]) {
            return sample[i];
        }
        double t = (survival[i] - rate) / (survival[i] - survival[i + 1]);
        return sample[i] + t * (sample[i + 1] - sample[i]);
    }

    /** Benign windows it was learned from. */
    public long windows() {
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
