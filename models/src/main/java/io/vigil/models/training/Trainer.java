package io.vigil.models.training;

import io.vigil.models.detectors.CategoryDetector;
import io.vigil.models.detectors.FleetDetector;
import io.vigil.models.detectors.JobDetector;
import io.vigil.models.eval.AveragePrecision;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.model.BenignTail;
import io.vigil.models.model.Calibration;
import io.vigil.models.model.VigilModel;
import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.models.scoring.IndicatorScorer.Indicator;
import io.vigil.models.scoring.JobHistory;
import io.vigil.records.Category;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Trains a {@link VigilModel} from labelled windows, deterministically (same windows and options, same
 * model, same artifact bytes; the windows' order in the input does not matter).
 *
 * <p><b>Steps.</b>
 * <ol>
 *   <li>Check the windows and sort them (dataset, job, window start).</li>
 *   <li><b>Out of fold.</b> The windows are grouped (by dataset when there are several, else by job) and the
 *       groups dealt into up to {@value #MAX_FOLDS} folds. For each fold, the three detectors are trained on
 *       the other folds and score the fold's windows: the fleet and supervised models each window, the per-job
 *       model each job's windows in time order from an empty history, learning every window that is not
 *       labelled (an incident is not learned, as the running model would not learn a flagged window). So each
 *       window has the raw scores of detectors that never saw it, nor its dataset.</li>
 *   <li><b>Calibration.</b> Each detector's out-of-fold scores on benign windows give its {@link BenignTail} (the
 *       indicator rules learn nothing, so all their scores are out of fold);
 *       the windows' evidence (two largest surprises) on benign windows give the threshold where benign windows flag at
 *       {@link Options#targetFalseAlertsPer100JobHours} (extrapolated past the highest benign sum when the
 *       budget is below one window).</li>
 *   <li><b>Metrics</b> of the out-of-fold scores against the threshold: PR-AUC, false alerts per 100 job-hours,
 *       recall and category per category, incidents detected.</li>
 *   <li>The detectors again, on every window: the model that ships.</li>
 * </ol>
 */
public final class Trainer {

    /** Folds at most; fewer when there are fewer groups. */
    public static final int MAX_FOLDS = 5;
    /** Least scale of each detector's benign tail beyond its highest benign score, in the detector's units. */
    static final double FLEET_TAIL_FLOOR = 0.01;

    static final double JOB_TAIL_FLOOR = 0.25;
    /** The per-job model's largest per-feature surprise is in nats: its tail's scale is at least a quarter of one. */
    static final double JOB_SURPRISE_TAIL_FLOOR = 0.25;

    static final double SUPERVISED_TAIL_FLOOR = 0.25;
    static final double RULES_TAIL_FLOOR = 0.025;
    static final double SURPRISE_TAIL_FLOOR = 0.25;

    private static final double HOUR_MS = 3_600_000.0;

    /**
     * @param seed every random choice derives from it
     * @param targetFalseAlertsPer100JobHours the threshold is chosen so benign windows (out of fold) flag at this rate
     */
    public record Options(long seed, double targetFalseAlertsPer100JobHours) {
        public static Options defaults() {
            return new Options(20260214L, 0.5);
        }

        public Options {
            if (!(targetFalseAlertsPer100JobHours > 0) || !Double.isFinite(targetFalseAlertsPer100JobHours)) {
                throw new IllegalArgumentException(
                        "target false alerts per 100 job-hours must be positive: " + targetFalseAlertsPer100JobHours);
            }
        }
    }

    /** A line of progress for long steps ("fleet model: 100 trees ..."). */
    public interface Progress {
        void step(String line);

        /** Says nothing. */
        Progress SILENT = line -> {};
    }

    private Trainer() {}

    /**
     * @throws IllegalArgumentException for windows that cannot train a model: none, features that do not fit the
     *     set or are not finite, fewer than 2 benign windows, or a single job (nothing to calibrate out of fold on)
     */
    public static VigilModel train(
            FeatureSet featureSet, List<LabelledWindow> windows, Options options, Progress progress) {
        Objects.requireNonNull(featureSet, "featureSet");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(progress, "progress");
        List<LabelledWindow> sorted = checkedAndSorted(featureSet, windows);
        int n = sorted.size();
        double[][] x = new double[n][];
        Category[] labels = new Category[n];
        for (int i = 0; i < n; i++) {
            x[i] = sorted.get(i).features();
            labels[i] = sorted.get(i).label();
        }
        TreeMap<String, Object> summary = summary(sorted, options);
        progress.step(String.format(
                Locale.ROOT,
                "windows: %d (%d benign) of %d jobs in %d datasets; positives %s",
                n,
                summary.get("benign_windows"),
                summary.get("jobs"),
                ((List<?>) summary.get("datasets")).size(),
                summary.get("positives")));

        // -- out of fold
        int[] fold = folds(sorted, options.seed());
        int folds = 0;
        for (int f : fold) {
            folds = Math.max(folds, f + 1);
        }
        summary.put("folds", folds);
        SplittableRandom seeds = new SplittableRandom(options.seed());
        double[] fleetRaw = new double[n];
        double[][] jobContributions = new double[n][];
        double[] notBenignRaw = new double[n]; // log-odds
        double[][] probabilities = new double[n][];
        Category[][] classesOf = new Category[n][];
        for (int f = 0; f < folds; f++) {
            List<Integer> train = new ArrayList<>();
            List<Integer> test = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                (fold[i] == f ? test : train).add(i);
            }
            progress.step(String.format(
                    Locale.ROOT,
                    "fold %d/%d: training on %d windows, scoring %d",
                    f + 1,
                    folds,
                    train.size(),
                    test.size()));
            Detectors d =
                    Detectors.fit(featureSet, rows(x, train), pick(labels, train), seeds.nextLong(), seeds.nextLong());
            Category[] classes = d.supervised.categories();
            for (int i : test) {
                double[] suspicious = featureSet.towardsBaseline(x[i], d.fleet.baseline());
                fleetRaw[i] = d.fleet.score(suspicious);
                probabilities[i] = d.supervised.probabilities(suspicious);
                notBenignRaw[i] = Calibration.notBenignLogOdds(probabilities[i][0]);
                classesOf[i] = classes;
            }
            replayJobs(sorted, test, d.job, jobContributions);
        }

        // -- calibration
        IndicatorScorer indicators = indicatorsFor(featureSet);
        List<Map<Indicator, Double>> rules = new ArrayList<>(n);
        double[] rulesRaw = new double[n];
        for (int i = 0; i < n; i++) {
            rules.add(indicators == null ? Map.of() : indicators.contributions(x[i]));
            rulesRaw[i] = VigilModel.rulesScore(rules.get(i));
        }
        // The per-job model: each feature's contribution against its own benign tail, then the largest of those
        // surprises against the benign windows' largest (see Calibration.jobFeatures).
        double[][] benignContributions = benignOnly(jobContributions, labels);
        BenignTail[] jobFeatures = new BenignTail[featureSet.size()];
        for (int k = 0; k < jobFeatures.length; k++) {
            double[] column = new double[benignContributions.length];
            for (int i = 0; i < column.length; i++) {
                column[i] = benignContributions[i][k];
            }
            jobFeatures[k] = BenignTail.of(column, JOB_TAIL_FLOOR);
        }
        double[] jobRaw = new double[n];
        for (int i = 0; i < n; i++) {
            jobRaw[i] = Calibration.jobRaw(jobFeatures, jobContributions[i]);
        }
        Calibration partial = new Calibration(
                BenignTail.of(benignOnly(fleetRaw, labels), FLEET_TAIL_FLOOR),
                BenignTail.of(benignOnly(jobRaw, labels), JOB_SURPRISE_TAIL_FLOOR),
                BenignTail.of(benignOnly(notBenignRaw, labels), SUPERVISED_TAIL_FLOOR),
                indicators == null ? null : BenignTail.of(benignOnly(rulesRaw, labels), RULES_TAIL_FLOOR),
                1,
                jobFeatures);
        double[] surprise = new double[n];
        for (int i = 0; i < n; i++) {
            double[] s = partial.surprises(fleetRaw[i], jobRaw[i], probabilities[i][0], rulesRaw[i]);
            surprise[i] = Calibration.evidence(s);
        }
        double benignHours = 0;
        for (LabelledWindow w : sorted) {
            if (w.benign()) {
                benignHours += (w.windowEnd() - w.windowStart()) / HOUR_MS;
            }
        }
        double[] benignSurprise = benignOnly(surprise, labels);
        double allowedFlags = options.targetFalseAlertsPer100JobHours() * benignHours / 100;
        double rate = Math.min(1, allowedFlags / benignSurprise.length);
        double threshold = Math.max(
                1e-9, BenignTail.of(benignSurprise, SURPRISE_TAIL_FLOOR).scoreAtTail(rate));
        Calibration calibration = partial.withThreshold(threshold);
        progress.step(String.format(
                Locale.ROOT,
                "calibration: flag at an evidence (two largest surprises) of %.2f (benign windows flag at"
                        + " %.2g of windows, %.3g per 100 job-hours)",
                threshold,
                rate,
                options.targetFalseAlertsPer100JobHours()));

        TreeMap<String, Object> metrics = metrics(sorted, surprise, calibration, probabilities, classesOf, rules);
        progress.step("out of fold: " + metrics);

        // -- the model that ships
        progress.step(String.format(
                Locale.ROOT,
                "final model: fleet (%d trees), per-job, supervised (%d trees) on %d windows",
                FleetDetector.TREES,
                CategoryDetector.TREES,
                n));
        Detectors d = Detectors.fit(featureSet, x, labels, seeds.nextLong(), seeds.nextLong());
        summary.put("fleet_trees", d.fleet.trees());
        summary.put("fleet_nodes", d.fleet.nodes());
        summary.put("supervised_trees", CategoryDetector.TREES);
        summary.put(
                "supervised_classes",
                List.of(d.supervised.categories()).stream().map(Category::name).toList());
        return new VigilModel(
                featureSet,
                d.fleet,
                d.job,
                d.supervised,
                calibration,
                modelVersion(featureSet, sorted, options),
                summary,
                metrics);
    }

    /**
     * The three detectors trained on one set of windows. The fleet and supervised models learn from the windows
     * moved to the fleet's typical value on the benign side of each feature ({@link FeatureSet#towardsBaseline}),
     * as {@link VigilModel} shows them windows; the per-job model from the windows as they are.
     */
    private record Detectors(FleetDetector fleet, JobDetector job, CategoryDetector supervised) {
        static Detectors fit(
                FeatureSet featureSet, double[][] x, Category[] labels, long fleetSeed, long supervisedSeed) {
            double[][] benign = benignOnly(x, labels);
            if (benign.length < 2) {
                throw new IllegalArgumentException(
                        "a fold has " + benign.length + " benign windows to train on; need at least 2");
            }
            double[] typical = FleetDetector.medians(benign);
            double[][] suspicious = new double[x.length][];
            for (int i = 0; i < x.length; i++) {
                suspicious[i] = featureSet.towardsBaseline(x[i], typical);
            }
            FleetDetector fleet = FleetDetector.fit(benignOnly(suspicious, labels), fleetSeed);
            if (!Arrays.equals(fleet.baseline(), typical)) {
                throw new IllegalStateException("the fleet model's baseline moved when windows were moved to it");
            }
            return new Detectors(
                    fleet,
                    JobDetector.fit(featureSet, benign),
                    CategoryDetector.fit(featureSet, suspicious, labels, supervisedSeed));
        }
    }

    /**
     * Each job of {@code test} replayed through the per-job model in time order from an empty history: the raw
     * per-feature contributions of each window, into {@code contributions}. Labelled windows are not learned.
     */
    private static void replayJobs(
            List<LabelledWindow> sorted, List<Integer> test, JobDetector job, double[][] contributions) {
        // The windows are sorted by dataset, job and start, so a job's windows are consecutive and in time order.
        JobHistory history = JobHistory.empty();
        String current = null;
        for (int i : test) {
            LabelledWindow w = sorted.get(i);
            String key = w.dataset() + "\u0000" + w.jobId();
            if (!key.equals(current)) {
                current = key;
                history = JobHistory.empty();
            }
            contributions[i] = job.score(w.features(), history).contributions();
            history = job.learn(history, w.features(), !w.benign());
        }
    }

    private static TreeMap<String, Object> metrics(
            List<LabelledWindow> sorted,
            double[] surprise,
            Calibration calibration,
            double[][] probabilities,
            Category[][] classesOf,
            List<Map<Indicator, Double>> rules) {
        int n = sorted.size();
        double[] scores = new double[n];
        boolean[] positive = new boolean[n];
        double hours = 0;
        int falseFlags = 0;
        TreeMap<String, int[]> byCategory = new TreeMap<>(); // positives, flagged, category named
        TreeMap<String, boolean[]> incidents = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            LabelledWindow w = sorted.get(i);
            scores[i] = calibration.score(surprise[i]);
            positive[i] = !w.benign();
            hours += (w.windowEnd() - w.windowStart()) / HOUR_MS;
            boolean flagged = scores[i] >= Calibration.SCORE_THRESHOLD;
            if (w.benign()) {
                falseFlags += flagged ? 1 : 0;
                continue;
            }
            int[] counts = byCategory.computeIfAbsent(w.label().name(), k -> new int[3]);
            counts[0]++;
            if (w.incident() != null) {
                incidents.computeIfAbsent(w.dataset() + "/" + w.incident(), k -> new boolean[1]);
            }
            if (flagged) {
                counts[1]++;
                if (VigilModel.categories(probabilities[i], classesOf[i], rules.get(i))
                        .contains(w.label())) {
                    counts[2]++;
                }
                if (w.incident() != null) {
                    incidents.get(w.dataset() + "/" + w.incident())[0] = true;
                }
            }
        }
        TreeMap<String, Object> out = new TreeMap<>();
        double prAuc = AveragePrecision.of(scores, positive);
        if (!Double.isNaN(prAuc)) {
            out.put("pr_auc", round(prAuc));
        }
        out.put("false_alerts_per_100_job_hours", round(hours > 0 ? falseFlags * 100 / hours : 0));
        out.put("false_alert_windows", falseFlags);
        out.put("job_hours", round(hours));
        TreeMap<String, Object> recall = new TreeMap<>();
        TreeMap<String, Object> categoryRight = new TreeMap<>();
        byCategory.forEach((category, c) -> {
            recall.put(category, round((double) c[1] / c[0]));
            if (c[1] > 0) {
                categoryRight.put(category, round((double) c[2] / c[1]));
            }
        });
        out.put("recall", recall);
        out.put("category_right_when_flagged", categoryRight);
        long detected = incidents.values().stream().filter(d -> d[0]).count();
        out.put("incidents_detected", detected + "/" + incidents.size());
        out.put(
                "folds_grouped_by",
                sorted.stream().map(LabelledWindow::dataset).distinct().count() >= 2 ? "dataset" : "job");
        return out;
    }

    private static IndicatorScorer indicatorsFor(FeatureSet featureSet) {
        try {
            return new IndicatorScorer(featureSet);
        } catch (IllegalArgumentException lacksAFeature) {
            return null;
        }
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    /** Fold per window: groups (datasets when there are at least 2, else jobs) shuffled by the seed and dealt out. */
    private static int[] folds(List<LabelledWindow> sorted, long seed) {
        boolean byDataset =
                sorted.stream().map(LabelledWindow::dataset).distinct().count() >= 2;
        TreeSet<String> groups = new TreeSet<>();
        for (LabelledWindow w : sorted) {
            groups.add(group(w, byDataset));
        }
        if (groups.size() < 2) {
            throw new IllegalArgumentException(
                    "the windows are of one job; calibrating out of fold needs at least 2 jobs");
        }
        List<String> order = new ArrayList<>(groups);
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = order.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String swap = order.get(i);
            order.set(i, order.get(j));
            order.set(j, swap);
        }
        int folds = Math.min(MAX_FOLDS, order.size());
        Map<String, Integer> foldOf = new LinkedHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            foldOf.put(order.get(i), i % folds);
        }
        int[] out = new int[sorted.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = foldOf.get(group(sorted.get(i), byDataset));
        }
        return out;
    }

    private static String group(LabelledWindow w, boolean byDataset) {
        return byDataset ? w.dataset() : w.dataset() + "\u0000" + w.jobId();
    }

    private static List<LabelledWindow> checkedAndSorted(FeatureSet featureSet, List<LabelledWindow> windows) {
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("no windows to train on");
        }
        int benign = 0;
        for (LabelledWindow w : windows) {
            String where = "window " + w.dataset() + "/" + w.jobId() + "@" + w.windowStart();
            if (w.features().length != featureSet.size()) {
                throw new IllegalArgumentException(where + " has " + w.features().length + " features; feature set "
                        + featureSet.id() + " has " + featureSet.size());
            }
            for (int i = 0; i < w.features().length; i++) {
                if (!Double.isFinite(w.features()[i])) {
                    throw new IllegalArgumentException(
                            where + ": feature '" + featureSet.names().get(i) + "' is not finite: " + w.features()[i]);
                }
            }
            if (w.windowEnd() <= w.windowStart()) {
                throw new IllegalArgumentException(where + " ends at " + w.windowEnd() + ", not after its start");
            }
            benign += w.benign() ? 1 : 0;
        }
        if (benign < 2) {
            throw new IllegalArgumentException("the models learn normal from benign windows; got " + benign + " of "
                    + windows.size() + ", need at least 2");
        }
        List<LabelledWindow> sorted = new ArrayList<>(windows);
        sorted.sort(Comparator.comparing(LabelledWindow::dataset)
                .thenComparing(LabelledWindow::jobId)
                .thenComparingLong(LabelledWindow::windowStart)
                .thenComparingLong(LabelledWindow::windowEnd)
                .thenComparing(w -> w.label() == null ? "" : w.label().name())
                .thenComparing(w -> w.incident() == null ? "" : w.incident())
                .thenComparing(LabelledWindow::features, Arrays::compare));
        return sorted;
    }

    private static TreeMap<String, Object> summary(List<LabelledWindow> sorted, Options options) {
        TreeMap<String, Object> out = new TreeMap<>();
        TreeSet<String> datasets = new TreeSet<>();
        TreeSet<String> jobs = new TreeSet<>();
        TreeMap<String, Integer> positives = new TreeMap<>();
        int benign = 0;
        for (LabelledWindow w : sorted) {
            datasets.add(w.dataset());
            jobs.add(w.dataset() + "/" + w.jobId());
            if (w.benign()) {
                benign++;
            } else {
                positives.merge(w.label().name(), 1, Integer::sum);
            }
        }
        out.put("datasets", List.copyOf(datasets));
        out.put("windows", sorted.size());
        out.put("benign_windows", benign);
        out.put("positives", positives);
        out.put("jobs", jobs.size());
        out.put("seed", options.seed());
        out.put("target_false_alerts_per_100_job_hours", options.targetFalseAlertsPer100JobHours());
        return out;
    }

    /** "vigil-" and 12 hex digits of SHA-256 over the feature set, the options and every window: never a clock. */
    static String modelVersion(FeatureSet featureSet, List<LabelledWindow> sorted, Options options) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ByteBuffer number = ByteBuffer.allocate(8);
            sha.update((VigilModel.KIND + "\n" + featureSet.id() + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(number.clear().putLong(options.seed()).array());
            sha.update(number.clear()
                    .putDouble(options.targetFalseAlertsPer100JobHours())
                    .array());
            for (LabelledWindow w : sorted) {
                sha.update((w.dataset() + "\n" + w.jobId() + "\n" + w.label() + "\n" + w.incident() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                sha.update(number.clear().putLong(w.windowStart()).array());
                sha.update(number.clear().putLong(w.windowEnd()).array());
                for (double v : w.features()) {
                    sha.update(number.clear().putDouble(v).array());
                }
            }
            return "vigil-" + HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    private static double[][] rows(double[][] x, List<Integer> index) {
        double[][] out = new double[index.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = x[index.get(i)];
        }
        return out;
    }

    private static Category[] pick(Category[] labels, List<Integer> index) {
        Category[] out = new Category[index.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = labels[index.get(i)];
        }
        return out;
    }

    private static double[][] benignOnly(double[][] x, Category[] labels) {
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (labels[i] == null) {
                out.add(x[i]);
            }
        }
        return out.toArray(new double[0][]);
    }

    private static double[] benignOnly(double[] v, Category[] labels) {
        int count = 0;
        for (Category label : labels) {
            count += label == null ? 1 : 0;
        }
        double[] out = new double[count];
        int k = 0;
        for (int i = 0; i < v.length; i++) {
            if (labels[i] == null) {
                out[k++] = v[i];
            }
        }
        return out;
    }
}
