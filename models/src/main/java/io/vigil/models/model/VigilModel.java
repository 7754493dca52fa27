package io.vigil.models.model;

import io.vigil.models.detectors.CategoryDetector;
import io.vigil.models.detectors.FleetDetector;
import io.vigil.models.detectors.JobDetector;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.models.scoring.IndicatorScorer.Indicator;
import io.vigil.models.scoring.JobHistory;
import io.vigil.models.scoring.Verdict;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.records.Category;
import io.vigil.records.Reason;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A trained model: the fleet, per-job and supervised detectors combined into one score, a threshold,
 * categories and reasons. What an artifact holds ({@link ModelArtifact}); {@code Trainer} makes one.
 *
 * <p><b>Direction.</b> Each feature declares which way of changing can be misuse ({@link FeatureSet.Direction}),
 * and every part of the model follows it: the per-job model scores only moves towards misuse; the fleet and
 * supervised models read the window moved to the fleet's typical value on the benign side of each feature
 * ({@link FeatureSet#towardsBaseline}), as they were trained; the indicator rules look only for things being
 * there. So a window that is only quieter than the job's normal and the fleet's typical one (no traffic, idle
 * GPUs, no processes) gets no surprise from any detector, and the calibration, learned on the same views of
 * benign windows, never flags it.
 *
 * <p><b>Score.</b> See {@link Calibration}: each detector's raw score becomes a surprise (how rare among benign
 * windows out of fold), the two largest add up ({@link Calibration#evidence}), and that is compared with the one benign windows reach at the
 * target false-alert rate. The threshold is {@value Calibration#SCORE_THRESHOLD}. Besides the three learned
 * detectors, the physically motivated indicator rules of {@link IndicatorScorer} (when the feature set has their
 * features) are a fourth source of evidence, calibrated like the others: they need no incident to learn from,
 * so they carry over to kinds and variants of misuse the training data never showed, where a classifier trained
 * on a few incidents does not; calibrated on benign windows, they cannot raise false alerts past the target.
 *
 * <p><b>Agents.</b> What the job's agents did in the window ({@link FeatureSet#AGENT}, from their tool calls'
 * commands) is read by the indicator rules only: the learned detectors would find every RL window far from a fleet
 * whose jobs run no agents. The agent rules add to the rules' evidence like any rule, and a window in which a call
 * opened a tunnel to an outside host, ran or fetched a miner, or probed for services is flagged on the agent rules'
 * own score ({@link IndicatorScorer#agentScore}): the command states the act, and no benign window to calibrate such
 * a call on exists. A window without agent calls scores exactly as a model without them would.
 *
 * <p><b>Categories</b> of a flagged window: the supervised model's classes that hold at least
 * {@value #CATEGORY_CONFIDENCE} of its probability (most likely first), then the categories the physically
 * motivated indicator rules of {@link IndicatorScorer} name (when the feature set has their features): the
 * rules generalise to kinds of misuse, or combinations, the training data did not show. UNKNOWN when neither
 * names one.
 *
 * <p><b>Reasons.</b> Each detector's surprise is shared out over the features: the per-job model's over its
 * per-feature contributions, the fleet and supervised models' over the squared robust distances from the
 * fleet's typical value on the suspicious side ({@link FleetDetector#deviations}), the rules' over the features of the rules that
 * fired. A feature's weight is its share of the total; the
 * strongest {@value Verdict#MAX_REASONS} are named, each with its value, the job's baseline (null before the job
 * has one) and the fleet's.
 *
 * <p><b>Java serialization</b> (a Flink operator holding the model in its job graph) writes the model's artifact
 * bytes and reads them back through {@link ModelArtifact}'s reader ({@link SerializedForm}); nothing else of
 * the model is ever Java-serialized, and a stream that names this class directly is refused.
 */
public final class VigilModel implements WindowScorer {
    private static final long serialVersionUID = 2L;

    public static final String KIND = "vigil-ensemble/1";
    /** A supervised class is named when it holds at least this share of the probability. */
    public static final double CATEGORY_CONFIDENCE = 0.35;

    private final FeatureSet featureSet;
    private final FleetDetector fleet;
    private final JobDetector job;
    private final CategoryDetector supervised;
    private final Calibration calibration;
    private final String modelVersion;
    private final TreeMap<String, Object> trainingSummary;
    private final TreeMap<String, Object> metrics;
    /** The indicator rules: evidence and categories that need no training; null when the feature set lacks their features. */
    private final IndicatorScorer indicators;

    private final double[] fleetBaseline;
    private final Category[] classes;

    /**
     * @param modelVersion deterministic in the training input, e.g. {@code vigil-0123456789ab}
     * @param trainingSummary what it was trained on, for the artifact header
     * @param metrics how it scored out of fold, for the artifact header
     */
    public VigilModel(
            FeatureSet featureSet,
            FleetDetector fleet,
            JobDetector job,
            CategoryDetector supervised,
            Calibration calibration,
            String modelVersion,
            SortedMap<String, Object> trainingSummary,
            SortedMap<String, Object> metrics) {
        this.featureSet = Objects.requireNonNull(featureSet, "featureSet");
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.job = Objects.requireNonNull(job, "job");
        this.supervised = Objects.requireNonNull(supervised, "supervised");
        this.calibration = Objects.requireNonNull(calibration, "calibration");
        this.modelVersion = Objects.requireNonNull(modelVersion, "modelVersion");
        this.trainingSummary = new TreeMap<>(trainingSummary);
        this.metrics = new TreeMap<>(metrics);
        this.indicators = indicatorsFor(featureSet);
        this.fleetBaseline = fleet.baseline();
        this.classes = supervised.categories();
        if (fleetBaseline.length != featureSet.size()) {
            throw new IllegalArgumentException("fleet model reads " + fleetBaseline.length + " features, feature set "
                    + featureSet.id() + " has " + featureSet.size());
        }
        if (!job.featureSet().id().equals(featureSet.id())) {
            throw new IllegalArgumentException(
                    "per-job model reads feature set " + job.featureSet().id() + ", the model " + featureSet.id());
        }
        if (supervised.forest().width() != featureSet.size()) {
            throw new IllegalArgumentException(
                    "supervised model reads " + supervised.forest().width() + " features, feature set "
                            + featureSet.id() + " has " + featureSet.size());
        }
        if (calibration.jobFeatures() != null && calibration.jobFeatures().length != featureSet.size()) {
            throw new IllegalArgumentException("calibration has " + calibration.jobFeatures().length
                    + " per-feature tails, feature set " + featureSet.id() + " has " + featureSet.size());
        }
    }

    /** Java serialization writes the artifact's bytes instead of the model (see the class doc). */
    private Object writeReplace() {
        return new SerializedForm(featureSet, ModelArtifact.toBytes(this));
    }

    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a model is Java-serialized only as its artifact bytes");
    }

    /** A model in a Java-serialized object graph: its artifact bytes, read back by the artifact's reader. */
    private record SerializedForm(FeatureSet featureSet, byte[] artifact) implements Serializable {
        private Object readResolve() throws ObjectStreamException {
            try {
                return ModelArtifact.load(artifact, featureSet, ModelTrust.BUILT_IN);
            } catch (ModelArtifact.RefusedException e) {
                throw new InvalidObjectException("serialized model refused: " + e.getMessage());
            }
        }
    }

    @Override
    public Verdict score(double[] features, JobHistory history) {
        return score(features, null, history);
    }

    /**
     * With what the job's agents did in the window ({@link FeatureSet#AGENT}; null: nothing): read by the indicator
     * rules only, whose evidence is calibrated as always. Null scores exactly as {@link #score(double[], JobHistory)}
     * did before agents were read.
     */
    @Override
    public Verdict score(double[] features, double[] agents, JobHistory history) {
        featureSet.checkLength(features);
        double[] x = finite(features);
        double[] suspicious = featureSet.towardsBaseline(x, fleetBaseline);
        double fleetScore = fleet.score(suspicious);
        JobDetector.Deviation deviation = job.score(x, history);
        double[] probabilities = supervised.probabilities(suspicious);
        Map<Indicator, Double> rules = indicators == null ? Map.of() : indicators.contributions(x, agents);
        double[] surprises = calibration.surprises(
                fleetScore, calibration.jobRaw(deviation.contributions()), probabilities[0], rulesScore(rules));
        double score = calibration.score(Calibration.evidence(surprises));
        if (agents != null) {
            // a call whose command opens a tunnel out, runs a miner or probes is the act itself, not a statistic: it
            // flags on its own, as the rules judge it (no benign window to calibrate it on shows one)
            score = Math.max(score, IndicatorScorer.agentScore(rules));
        }
        boolean flagged = score >= Calibration.SCORE_THRESHOLD;
        List<Category> categories = flagged ? categories(probabilities, classes, rules) : List.of();
        return Verdict.of(
                score,
                Calibration.SCORE_THRESHOLD,
                categories,
                reasons(x, agents, suspicious, history, surprises, deviation, rules));
    }

    /** The indicator rules' score, as {@link IndicatorScorer} computes it: the noisy-OR of their contributions. */
    public static double rulesScore(Map<Indicator, Double> contributions) {
        double keep = 1;
        for (double c : contributions.values()) {
            keep *= 1 - c;
        }
        return Math.max(0, Math.min(1, 1 - keep));
    }

    @Override
    public JobHistory update(JobHistory history, double[] features, Verdict verdict) {
        featureSet.checkLength(features);
        return job.learn(history, finite(features), verdict.flagged());
    }

    /**
     * The categories of a flagged window (see the class doc): never empty.
     *
     * @param probabilities the supervised model's, benign first, then {@code classes}
     * @param rules the indicator rules' contributions ({@link IndicatorScorer#contributions}); empty without rules
     */
    public static List<Category> categories(double[] probabilities, Category[] classes, Map<Indicator, Double> rules) {
        List<Category> out = new ArrayList<>(3);
        Integer[] order = new Integer[classes.length];
        for (int c = 0; c < classes.length; c++) {
            order[c] = c;
        }
        Arrays.sort(order, (a, b) -> Double.compare(probabilities[b + 1], probabilities[a + 1]));
        for (int c : order) {
            if (probabilities[c + 1] >= CATEGORY_CONFIDENCE && classes[c] != Category.UNKNOWN) {
                out.add(classes[c]);
            }
        }
        for (Category c : indicatorCategories(rules)) {
            if (!out.contains(c)) {
                out.add(c);
            }
        }
        return out.isEmpty() ? List.of(Category.UNKNOWN) : out;
    }

    /** As {@link IndicatorScorer}: categories whose indicators together (noisy-OR) reach its minimum, strongest first. */
    private static List<Category> indicatorCategories(Map<Indicator, Double> contributions) {
        Map<Category, Double> keep = new EnumMap<>(Category.class);
        contributions.forEach((indicator, c) -> keep.merge(indicator.category(), 1 - c, (a, b) -> a * b));
        List<Map.Entry<Category, Double>> named = new ArrayList<>();
        for (Map.Entry<Category, Double> e : keep.entrySet()) {
            if (1 - e.getValue() >= IndicatorScorer.CATEGORY_MIN) {
                named.add(e);
            }
        }
        named.sort(Map.Entry.comparingByValue());
        return named.stream().map(Map.Entry::getKey).toList();
    }

    /**
     * Each detector's surprise shared out over the features (see the class doc); the strongest, at most
     * {@value Verdict#MAX_REASONS}, with their weights as shares of the whole.
     */
    private List<Reason> reasons(
            double[] x,
            double[] agents,
            double[] suspicious,
            JobHistory history,
            double[] surprises,
            JobDetector.Deviation deviation,
            Map<Indicator, Double> rules) {
        int n = x.length;
        double[][] shares = {
            shares(squares(fleet.deviations(suspicious))),
            shares(deviation.contributions().clone()),
            null, // the supervised model's part goes where the fleet's goes
            shares(ruleWeights(rules, agents != null))
        };
        shares[Calibration.SUPERVISED] = shares[Calibration.FLEET];
        // the agents' features, when there are any, follow the window's: only the rules give them weight
        int all = n + (agents == null ? 0 : agents.length);
        double total = 0;
        double[] weight = new double[all];
        for (int d = 0; d < shares.length; d++) {
            if (shares[d] == null || !(surprises[d] > 0)) {
                continue;
            }
            total += surprises[d];
            for (int i = 0; i < shares[d].length; i++) {
                weight[i] += surprises[d] * shares[d][i];
            }
        }
        if (!(total > 0)) {
            return List.of();
        }
        List<Reason> out = new ArrayList<>(Verdict.MAX_REASONS);
        boolean[] taken = new boolean[all];
        for (int r = 0; r < Verdict.MAX_REASONS; r++) {
            int best = -1;
            for (int i = 0; i < all; i++) {
                if (!taken[i] && weight[i] > 0 && (best < 0 || weight[i] > weight[best])) {
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            taken[best] = true;
            if (best >= n) {
                out.add(new Reason(
                        FeatureSet.AGENT.names().get(best - n),
                        agents[best - n],
                        null,
                        0.0,
                        Math.min(1, weight[best] / total)));
                continue;
            }
            double jobBaseline = history.baseline(best);
            out.add(new Reason(
                    featureSet.names().get(best),
                    x[best],
                    Double.isNaN(jobBaseline) ? null : jobBaseline,
                    fleetBaseline[best],
                    Math.min(1, weight[best] / total)));
        }
        return out;
    }

    /**
     * Each rule's contribution split evenly over the features it reads, as {@link IndicatorScorer} names them; with
     * {@code withAgents}, the agents' features ({@link FeatureSet#AGENT}) after the window's.
     */
    private double[] ruleWeights(Map<Indicator, Double> rules, boolean withAgents) {
        int n = featureSet.size();
        double[] out = new double[n + (withAgents ? FeatureSet.AGENT.size() : 0)];
        rules.forEach((indicator, c) -> {
            if (c > 0) {
                for (String feature : indicator.features()) {
                    int i = FeatureSet.AGENT.contains(feature)
                            ? n + FeatureSet.AGENT.index(feature)
                            : featureSet.index(feature);
                    out[i] += c / indicator.features().size();
                }
            }
        });
        return out;
    }

    private static double[] squares(double[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] *= v[i];
        }
        return v;
    }

    /** Each value's share of their sum; null when they sum to 0 (or are not usable). */
    private static double[] shares(double[] v) {
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] > 0) || !Double.isFinite(v[i])) {
                v[i] = 0;
            }
            sum += v[i];
        }
        if (!(sum > 0)) {
            return null;
        }
        for (int i = 0; i < v.length; i++) {
            v[i] /= sum;
        }
        return v;
    }

    /** The vector, with any non-finite value replaced by the fleet's typical one: a bad input must not raise an alert. */
    private double[] finite(double[] features) {
        double[] out = features;
        for (int i = 0; i < features.length; i++) {
            if (!Double.isFinite(features[i])) {
                if (out == features) {
                    out = features.clone();
                }
                out[i] = fleetBaseline[i];
            }
        }
        return out;
    }

    private static IndicatorScorer indicatorsFor(FeatureSet featureSet) {
        try {
            return new IndicatorScorer(featureSet);
        } catch (IllegalArgumentException lacksAFeature) {
            return null;
        }
    }

    @Override
    public String modelVersion() {
        return modelVersion;
    }

    @Override
    public double threshold() {
        return Calibration.SCORE_THRESHOLD;
    }

    /** What kind of model the artifact holds, e.g. {@code vigil-ensemble/1}: its header names it. */
    public String kind() {
        return KIND;
    }

    /** What it was trained on (datasets, windows, positives per category, seed), for the artifact header. */
    public SortedMap<String, Object> trainingSummary() {
        return Collections.unmodifiableSortedMap(trainingSummary);
    }

    /** How it scored on its training data out of fold (PR-AUC, false alerts per 100 job-hours, ...), for the header. */
    public SortedMap<String, Object> metrics() {
        return Collections.unmodifiableSortedMap(metrics);
    }

    @Override
    public FeatureSet featureSet() {
        return featureSet;
    }

    public FleetDetector fleet() {
        return fleet;
    }

    public JobDetector job() {
        return job;
    }

    public CategoryDetector supervised() {
        return supervised;
    }

    public Calibration calibration() {
        return calibration;
    }
}
