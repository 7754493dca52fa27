package io.vigil.models.eval;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The area under the precision-recall curve as average precision:
 * {@code AP = sum over thresholds of (R_n - R_(n-1)) * P_n}, the thresholds being the distinct scores,
 * highest first. Windows with equal scores are taken together (one step of the curve), so the result does
 * not depend on their order; this is what scikit-learn's {@code average_precision_score} computes.
 *
 * <p>Unlike ROC-AUC it stays honest when positives are rare, as incident windows are. Its floor is the
 * share of positives (a scorer that ranks at random), not 0.5.
 */
public final class AveragePrecision {
    private AveragePrecision() {}

    /**
     * @return average precision in [0, 1], or NaN when there is no positive (undefined)
     * @throws IllegalArgumentException if the arrays differ in length or a score is NaN
     */
    public static double of(double[] scores, boolean[] positives) {
        if (scores.length != positives.length) {
            throw new IllegalArgumentException(
                    "scores and positives differ in length: " + scores.length + " vs " + positives.length);
        }
        int totalPositives = 0;
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < scores.length; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
            order[i] = i;
            if (positives[i]) {
                totalPositives++;
            }
        }
        if (totalPositives == 0) {
            return Double.NaN;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        double ap = 0;
        int truePositives = 0;
        int seen = 0;
        double previousRecall = 0;
        for (int k = 0; k < order.length; ) {
            double score = scores[order[k]];
            // one threshold: every window at this score
            while (k < order.length && scores[order[k]] == score) {
                if (positives[order[k]]) {
                    truePositives++;
                }
                seen++;
                k++;
            }
            double recall = (double) truePositives / totalPositives;
            double precision = (double) truePositives / seen;
            ap += (recall - previousRecall) * precision;
            previousRecall = recall;
        }
        return ap;
    }
}
