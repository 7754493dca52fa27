package io.vigil.models.model;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.scoring.JobHistory;
import io.vigil.models.scoring.Verdict;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.records.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a model must do before it is used: score a canned set of windows, built here from the feature set alone,
 * to the expected shape. A window at each of a few levels (all 0, small, 1, large, very large counts: every
 * value finite, as the pipeline makes them) scored without history, then one job's windows in turn, so that
 * the per-job model learns and warms up and then sees a window far from its normal. Every window must get a
 * verdict with a finite score in [0, 1], the model's threshold, categories when flagged, and reasons that
 * name the model's features with finite values and weights in [0, 1]; learning must give a history.
 *
 * <p>A model that reads numbers a trained model cannot have passes the artifact's reader only if each number
 * is in range; this is the check that they also work together.
 */
public final class ModelCheck {
    /** Levels of the canned windows: log1p counts and ratios alike. */
    private static final double[] LEVELS = {0, 0.25, 1, 5, 30};
    /** Windows of the canned job: enough to warm up the per-job model (5 by default) and score after it. */
    private static final int JOB_WINDOWS = 12;

    private ModelCheck() {}

    /**
     * @throws IllegalStateException saying which window gave what, if the model does not score them to shape; any
     *     other throwable the model throws goes through (the caller refuses the model for it)
     */
    public static void check(WindowScorer model) {
        FeatureSet featureSet = model.featureSet();
        if (featureSet == null
                || model.modelVersion() == null
                || model.modelVersion().isBlank()) {
            throw new IllegalStateException("the model names no feature set or version");
        }
        double threshold = model.threshold();
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalStateException("the model's threshold is " + threshold + ", not in (0, 1]");
        }
        int n = featureSet.size();
        for (double level : LEVELS) {
            double[] window = new double[n];
            Arrays.fill(window, level);
            shape(model, featureSet, model.score(window, JobHistory.empty()), "a window of " + level + "s");
        }
        JobHistory history = JobHistory.empty();
        for (int w = 0; w <= JOB_WINDOWS; w++) {
            double[] window = new double[n];
            for (int i = 0; i < n; i++) {
                // a job with a little variation of its own, then one window far from it
                window[i] = w == JOB_WINDOWS ? 20 + i % 3 : 0.5 + 0.05 * ((w + i) % 4);
            }
            String what = "canned job window " + w;
            Verdict verdict = model.score(window, history);
            shape(model, featureSet, verdict, what);
            history = model.update(history, window, verdict);
            if (history == null) {
                throw new IllegalStateException(what + ": learning gave no history");
            }
        }
    }

    private static void shape(WindowScorer model, FeatureSet featureSet, Verdict verdict, String what) {
        if (verdict == null) {
            throw new IllegalStateException(what + ": no verdict");
        }
        List<String> wrong = new ArrayList<>();
        if (!(verdict.score() >= 0 && verdict.score() <= 1)) {
            wrong.add("score " + verdict.score());
        }
        if (Double.compare(verdict.threshold(), model.threshold()) != 0) {
            wrong.add("threshold " + verdict.threshold() + ", the model's is " + model.threshold());
        }
        if (verdict.categories() == null
                || verdict.categories().stream().anyMatch(Objects::isNull)
                || (verdict.flagged() && verdict.categories().isEmpty())) {
            wrong.add("categories " + verdict.categories());
        }
        if (verdict.reasons() == null || verdict.reasons().size() > Verdict.MAX_REASONS) {
            wrong.add("reasons " + verdict.reasons());
        } else {
            for (Reason r : verdict.reasons()) {
                if (r == null
                        || r.getFeature() == null
                        || !featureSet.contains(r.getFeature().toString())
                        || !Double.isFinite(r.getValue())
                        || !(r.getWeight() >= 0 && r.getWeight() <= 1)
                        || (r.getJobBaseline() != null && !Double.isFinite(r.getJobBaseline()))
                        || (r.getFleetBaseline() != null && !Double.isFinite(r.getFleetBaseline()))) {
                    wrong.add("reason " + r);
                }
            }
        }
        if (verdict.severity() == null) {
            wrong.add("no severity");
        }
        if (!wrong.isEmpty()) {
            throw new IllegalStateException(what + " scored out of shape: " + String.join("; ", wrong));
        }
    }
}
