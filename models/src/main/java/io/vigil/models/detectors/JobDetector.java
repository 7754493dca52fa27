package io.vigil.models.detectors;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.scoring.JobHistory;
import java.util.Arrays;
import java.util.Objects;

/**
 * The per-job online model: how far a window is from the job's own past.
 *
 * <p><b>What it learns.</b> Per feature, an exponentially weighted location and scale of the job's
 * windows. The location is robust in the Huber way: a window's deviation is clipped to
 * {@link Settings#huberBound} scales before it moves the location, so one odd window moves the job's
 * normal by at most {@code huberBound} scales times the learning rate. The scale is the weighted mean
 * absolute deviation (times sqrt(pi/2), a standard deviation for normal data), not clipped: many jobs are
 * bursty by nature (an agent that browses the web sends megabytes to rare addresses in one window and
 * nothing in the next; a training job uploads a checkpoint every half hour), and a clipped scale would
 * stay at its floor for them, so that every burst scored as if it had never happened. The price is that
 * an unflagged outlier widens the scale for a while; a lasting shift widens it until the shift is within
 * reach and the location follows. Learning forgets with {@link Settings#halfLifeWindows}; over a job's
 * first windows each window weighs the same (a running mean) until that rate is reached.
 *
 * <p><b>How it scores.</b> For each feature, z = (value - location) / scale, where the scale is never
 * below a floor: {@link Settings#minScale}, or {@link Settings#fleetScaleFraction} of the spread of that
 * feature across the fleet's benign windows ({@link #fit}), whichever is larger. The floor is what makes a
 * feature that was always 0 for this job give a finite z when it becomes 1, and what keeps a very regular
 * job from alerting on changes the fleet would call noise.
 *
 * <p><b>Counting noise.</b> For a tally ({@link FeatureSet.Feature#tally}: the log1p of a count whose number is the
 * evidence, such as scan targets or hosts reached) the scale is also never below the counting noise of the value
 * seen ({@link FeatureSet#countingNoise}). A job's learned spread in a count that is almost always 0 is nothing,
 * so without it one failed connection (a resolver that refused one query, a web server that was down) would be
 * five floors above the job's normal, and a few of them in a row would add up in the drift to a scan; a count of
 * one is within the noise of none (z at most 1.4, under the allowance), while the dozens of targets of a scan, or
 * a slow scan's targets adding up in {@link FeatureSet#RECENT_FAILED_TARGETS}, are far beyond theirs.
 *
 * <p><b>Direction.</b> Only a move towards misuse counts, as each feature declares it
 * ({@link FeatureSet.Direction}): z itself for an {@code UP} feature, -z for {@code DOWN}, |z| for
 * {@code BOTH}, nothing for {@code CONTEXT}. A window that is only quieter than the job's normal (fewer
 * flows, idle GPUs, no processes, traffic back to zero: a restart, a preemption, a data stall, the tail of a
 * job) has no excess in any feature and scores 0. Learning leans the same way: a window on the benign side
 * of a feature's normal moves its location and scale at {@value #BENIGN_SIDE_LEARNING} of the rate, so
 * half an hour of a quiet network does not drag the normal down to nothing, and the job coming back to work is
 * not a rise above a normal it never left (the GPUs' normal is not moved by idle windows at all: below); a
 * lasting move to the suspicious side is learned at the full rate (as before, unless flagged).
 *
 * <p>A window's excess is {@code z' - allowance}, with z' the directed z. A one-sided CUSUM per feature, {@code drift =
 * clamp(drift x decay + min(excess, driftStep), 0, driftCap)}, adds up excesses that are each too small to
 * matter (a scan spread thinly over half an hour) and runs back down by at least {@code allowance} per
 * window once the job is back to its normal; the decay ({@link Settings#driftHalfLifeWindows}) forgets old
 * excess and the cap bounds how long it takes to run down after a long incident. One window adds at most
 * {@link Settings#driftStep} (a Huber bound again): a single large spike, such as a checkpoint upload,
 * scores high in its own window through its excess but leaves almost nothing behind for the next ones.
 * A feature's contribution is {@code max(min(excess, excessCap), drift)} while the window itself is off
 * the job's normal in that feature ({@code excess > 0}), else 0: a lasting change must still be there to
 * count, so the windows after an incident, with the drift still running down, do not alert on values that
 * are back to normal. The score is the largest
 * contribution. (The maximum, not a sum: features move together, tensor activity and tensor per SM, and
 * a sum would count one event several times.) A single window's excess is capped at
 * {@link Settings#excessCap}: that a job does something for the first time is this detector's evidence,
 * how extreme it is in absolute terms (a gigabyte where the job never sent a byte: z in the hundreds) is
 * the fleet model's; what this detector alone sees, a change that lasts, can score up to the higher
 * {@link Settings#driftCap}.
 *
 * <p><b>Warm-up.</b> The score is 0 until the job has {@link Settings#warmupWindows} learned windows;
 * the fleet detector covers a job's first minutes. A history learned under another feature set counts as
 * none ({@link #learnedHere}).
 *
 * <p><b>Warm-up at work.</b> The features of how the GPUs work ({@link FeatureSet.Feature#gpuWork}: utilisation,
 * SM, tensor and DRAM activity, the hashing pattern, the spread between GPUs) have a normal only for a job that
 * has been seen working: a job that loads data, waits on a stalled loader or restarts for its first minutes
 * shows idle GPUs, and the first minute it computes would otherwise be a rise above a normal of nothing (an FP32
 * job, SMs busy and tensor pipes idle, would read as hashing that had just begun, and stay flagged, so never
 * learned). So they are learned from windows with the GPUs at work only ({@link FeatureSet#gpusAtWork}; the
 * first such window starts their normal, as a job's first window starts the others), and scored only once the
 * job has {@link Settings#warmupWindows} of those ({@link JobHistory#workWindows}). Meanwhile the fleet
 * detector, the supervised model and the rules judge them, as they do a new job's. An idle window moves
 * nothing of that normal: on the benign side of every one of these features, it tells nothing of how the job
 * works.
 *
 * <p><b>Flagged windows.</b> A window the combined model flagged is not learned into location and scale:
 * an incident must not become the job's normal. Its drift is updated as for any window, against the
 * unchanged normal: it stays up while the incident goes on and runs down once the windows look like the
 * job's normal again, whether or not they are flagged meanwhile, so an incident that ended does not keep
 * the job flagged. A lasting change that is legitimate but flagged (a job that moves to another phase)
 * is never learned either: the combined model should not flag on this detector's score alone for long.
 *
 * <p><b>Why not a Random Cut Forest.</b> Its state per job is a forest: at the library's defaults (50
 * trees of 256 sampled points) at least 256 distinct points of 30 float32 values (30 KiB), each tree's
 * sample of 256 point references and weights (about 100 KiB over 50 trees) and 50 x 255 internal nodes of
 * a cut dimension, cut value and links (about 150 KiB): 280 KiB or more per job before any bounding-box
 * cache, against a goal of 64 KiB. By default it also scores only after a quarter of its sample, 64
 * points: an hour of one-minute windows. Per-feature robust statistics keep 12 bytes a feature, are warm
 * after a few windows, and give each feature's contribution directly.
 *
 * <p>Immutable: it is shipped inside the model (its settings and scale floors, {@link #of}); the per-job state is
 * the {@link JobHistory} the pipeline keeps.
 */
public final class JobDetector {

    /** sqrt(pi / 2): the mean absolute deviation of a normal distribution times this is its standard deviation. */
    private static final double MEAN_ABS_TO_SD = Math.sqrt(Math.PI / 2);
    /** The median absolute deviation of a normal distribution times this is its standard deviation. */
    private static final double MAD_TO_SD = 1.4826;
    /** The share of the learning rate a window gets in a feature where it lies on the benign side of the normal. */
    static final double BENIGN_SIDE_LEARNING = 0.1;

    /**
     * One window against the job's history.
     *
     * @param score 0 when typical for the job (or its history is too short to say), larger the stranger; unbounded
     * @param contributions each feature's part in the score, in feature-set order, non-negative
     */
    public record Deviation(double score, double[] contributions) {}

    /**
     * The detector's knobs; {@link #DEFAULTS} unless a caller knows better.
     *
     * @param halfLifeWindows windows after which a learned window weighs half as much
     * @param warmupWindows learned windows before the detector scores at all
     * @param huberBound a window's deviation is clipped to this many scales before it is learned
     * @param allowance z below which a deviation is ordinary: it neither scores nor adds up
     * @param excessCap the most one window's excess scores by itself
     * @param driftHalfLifeWindows windows after which accumulated excess counts half
     * @param driftStep the most excess one window adds to the drift
     * @param driftCap the most excess a feature accumulates (bounds the run-down after an incident)
     * @param minScale the smallest scale of any feature: a count that goes from 0 to 1 (log1p(1) = 0.69)
     *     moves 4.6 of these, a fraction that moves 0.45 moves 3
     * @param fleetScaleFraction a feature's scale is at least this share of its spread across the
     *     fleet's benign windows: a job may be more regular than the fleet, but not arbitrarily so
     */
    public record Settings(
            double halfLifeWindows,
            int warmupWindows,
            double huberBound,
            double allowance,
            double excessCap,
            double driftHalfLifeWindows,
            double driftStep,
            double driftCap,
            double minScale,
            double fleetScaleFraction) {

        public static final Settings DEFAULTS = new Settings(60, 5, 2.0, 1.5, 10, 10, 3, 20, 0.15, 0.25);

        public Settings {
            positive("halfLifeWindows", halfLifeWindows);
            if (warmupWindows < 1) {
                throw new IllegalArgumentException("warmupWindows must be at least 1: " + warmupWindows);
            }
            positive("huberBound", huberBound);
            positive("allowance", allowance);
            positive("excessCap", excessCap);
            positive("driftHalfLifeWindows", driftHalfLifeWindows);
            positive("driftStep", driftStep);
            positive("driftCap", driftCap);
            positive("minScale", minScale);
            if (!(fleetScaleFraction >= 0 && Double.isFinite(fleetScaleFraction))) {
                throw new IllegalArgumentException(
                        "fleetScaleFraction must be finite and non-negative: " + fleetScaleFraction);
            }
        }

        /** Weight of a new window once the job is past its first windows. */
        double learningRate() {
            return 1 - Math.pow(0.5, 1 / halfLifeWindows);
        }

        /** What accumulated excess keeps from one window to the next. */
        double driftDecay() {
            return Math.pow(0.5, 1 / driftHalfLifeWindows);
        }

        private static void positive(String name, double value) {
            if (!(value > 0 && Double.isFinite(value))) {
                throw new IllegalArgumentException(name + " must be finite and positive: " + value);
            }
        }
    }

    private final FeatureSet featureSet;
    private final Settings settings;
    private final double[] scaleFloors;
    /** From the feature set, never serialized: the set is the one place directions are declared. */
    private transient FeatureSet.Direction[] directions;
    /** Which features describe how the GPUs work: from the feature set too. */
    private transient boolean[] gpuWork;
    /** Which features are tallies, whose scale is at least their counting noise: from the feature set too. */
    private transient boolean[] tallies;

    private JobDetector(FeatureSet featureSet, Settings settings, double[] scaleFloors) {
        this.featureSet = featureSet;
        this.settings = settings;
        this.scaleFloors = scaleFloors;
    }

    /** A detector whose per-feature scale floors come from the spread of benign windows across the fleet. */
    public static JobDetector fit(FeatureSet featureSet, double[][] benignWindows) {
        return fit(featureSet, benignWindows, Settings.DEFAULTS);
    }

    /**
     * As {@link #fit(FeatureSet, double[][])}, with other settings. Without benign windows every floor is
     * {@link Settings#minScale}.
     *
     * @throws IllegalArgumentException if a window does not fit the feature set or holds a non-finite value
     */
    public static JobDetector fit(FeatureSet featureSet, double[][] benignWindows, Settings settings) {
        Objects.requireNonNull(featureSet, "featureSet");
        Objects.requireNonNull(settings, "settings");
        for (int w = 0; w < benignWindows.length; w++) {
            checkWindow(featureSet, benignWindows[w], "benign window " + w);
        }
        double[] floors = new double[featureSet.size()];
        double[] column = new double[benignWindows.length];
        for (int i = 0; i < floors.length; i++) {
            for (int w = 0; w < benignWindows.length; w++) {
                column[w] = benignWindows[w][i];
            }
            floors[i] = Math.max(settings.minScale(), settings.fleetScaleFraction() * robustSpread(column));
        }
        return new JobDetector(featureSet, settings, floors);
    }

    /** How far {@code features} lie from the job's normal. */
    public Deviation score(double[] features, JobHistory history) {
        checkWindow(featureSet, features, "window");
        double[] contributions = new double[features.length];
        if (!learnedHere(history) || history.windows() < settings.warmupWindows()) {
            return new Deviation(0, contributions);
        }
        boolean seenAtWork = history.workWindows() >= settings.warmupWindows();
        double decay = settings.driftDecay();
        double score = 0;
        for (int i = 0; i < features.length; i++) {
            if (gpuWork()[i] && !seenAtWork) {
                continue; // how the job's GPUs work is not known before they were seen working
            }
            double excess = excess(i, features[i], history);
            double drift = nextDrift(history.drift(i), decay, excess);
            // The drift speaks only while the feature is off its normal in this window: after an incident it runs
            // down in the history, but a window back to normal is not evidence of anything.
            contributions[i] = excess <= 0 ? 0 : Math.max(Math.min(excess, settings.excessCap()), drift);
            score = Math.max(score, contributions[i]);
        }
        return new Deviation(score, contributions);
    }

    /**
     * The history after this window. A flagged window is not learned into the job's normal (an incident
     * must not become normal); what the detector remembers of recent excess still moves.
     */
    public JobHistory learn(JobHistory history, double[] features, boolean flagged) {
        checkWindow(featureSet, features, "window");
        int n = features.length;
        boolean atWork = featureSet.gpusAtWork(features);
        if (history.isEmpty() || !learnedHere(history)) {
            if (flagged) {
                return JobHistory.empty();
            }
            float[] location = new float[n];
            for (int i = 0; i < n; i++) {
                location[i] = (float) features[i];
            }
            return JobHistory.of(1, atWork ? 1 : 0, featureSet.hash(), location, new float[n], new float[n]);
        }
        boolean warm = history.windows() >= settings.warmupWindows();
        boolean warmAtWork = history.workWindows() >= settings.warmupWindows();
        double decay = settings.driftDecay();
        // Over the first windows every window weighs the same; then the half-life sets the weight.
        double rate = Math.max(1.0 / (history.windows() + 1), settings.learningRate());
        double workRate = Math.max(1.0 / (history.workWindows() + 1), settings.learningRate());
        float[] location = new float[n];
        float[] scale = new float[n];
        float[] drift = new float[n];
        for (int i = 0; i < n; i++) {
            double m = history.baseline(i);
            double s = history.scale(i);
            boolean work = gpuWork()[i];
            drift[i] = (work ? warmAtWork : warm)
                    ? (float) nextDrift(history.drift(i), decay, excess(i, features[i], history))
                    : 0f;
            if (flagged || (work && !atWork)) { // an idle window says nothing of how the GPUs work
                location[i] = (float) m;
                scale[i] = (float) s;
            } else if (work && history.workWindows() == 0) { // the first window at work: where that normal starts
                location[i] = (float) features[i];
                scale[i] = 0f;
            } else {
                FeatureSet.Direction d = directions()[i];
                double delta = features[i] - m;
                boolean benignSide =
                        (d == FeatureSet.Direction.UP || d == FeatureSet.Direction.DOWN) && !d.suspicious(delta);
                double r = (benignSide ? BENIGN_SIDE_LEARNING : 1) * (work ? workRate : rate);
                double bound = settings.huberBound() * effectiveScale(i, s);
                double clipped = Math.max(-bound, Math.min(bound, delta));
                location[i] = (float) (m + r * clipped);
                scale[i] = (float) (s + r * (MEAN_ABS_TO_SD * Math.abs(delta) - s));
            }
        }
        int windows = flagged ? history.windows() : saturatingIncrement(history.windows());
        int workWindows = flagged || !atWork ? history.workWindows() : saturatingIncrement(history.workWindows());
        return JobHistory.of(windows, Math.min(workWindows, windows), featureSet.hash(), location, scale, drift);
    }

    public FeatureSet featureSet() {
        return featureSet;
    }

    public Settings settings() {
        return settings;
    }

    /** The smallest scale of each feature, in feature-set order (a copy). */
    public double[] scaleFloors() {
        return scaleFloors.clone();
    }

    /**
     * A detector from its parts (read from an artifact), checked for what {@link #fit} guarantees: one positive,
     * finite floor per feature (the settings check themselves).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static JobDetector of(FeatureSet featureSet, Settings settings, double[] scaleFloors) {
        Objects.requireNonNull(featureSet, "featureSet");
        Objects.requireNonNull(settings, "settings");
        if (scaleFloors.length != featureSet.size()) {
            throw new IllegalArgumentException("job detector has " + scaleFloors.length + " scale floors for the "
                    + featureSet.size() + " features of " + featureSet.id());
        }
        for (double floor : scaleFloors) {
            if (!(floor > 0 && Double.isFinite(floor))) {
                throw new IllegalArgumentException("job detector has a scale floor of " + floor);
            }
        }
        return new JobDetector(featureSet, settings, scaleFloors.clone());
    }

    /**
     * The directed z minus the allowance: positive when the value is further from the job's normal, towards
     * misuse, than ordinary; never positive for a move to the benign side or for a context feature.
     */
    private double excess(int i, double value, JobHistory history) {
        double scale = effectiveScale(i, history.scale(i));
        if (tallies()[i]) {
            scale = Math.max(scale, FeatureSet.countingNoise(value));
        }
        double z = (value - history.baseline(i)) / scale;
        double directed = switch (directions()[i]) {
            case UP -> z;
            case DOWN -> -z;
            case BOTH -> Math.abs(z);
            case CONTEXT -> Double.NEGATIVE_INFINITY;
        };
        return directed - settings.allowance();
    }

    private boolean[] gpuWork() {
        boolean[] w = gpuWork;
        if (w == null) {
            w = featureSet.gpuWork();
            gpuWork = w;
        }
        return w;
    }

    private boolean[] tallies() {
        boolean[] t = tallies;
        if (t == null) {
            t = featureSet.tallies();
            tallies = t;
        }
        return t;
    }

    private FeatureSet.Direction[] directions() {
        FeatureSet.Direction[] d = directions;
        if (d == null) {
            d = featureSet.directions();
            directions = d;
        }
        return d;
    }

    private double nextDrift(double drift, double decay, double excess) {
        return Math.max(0, Math.min(settings.driftCap(), drift * decay + Math.min(excess, settings.driftStep())));
    }

    private double effectiveScale(int i, double learnedScale) {
        return Math.max(learnedScale, scaleFloors[i]);
    }

    /**
     * The history was learned from this detector's feature set. One learned under another (state restored
     * into an upgraded pipeline) means nothing here: it scores as no history and is replaced by what this
     * window starts, so the job relearns its normal while the fleet model covers it.
     */
    public boolean learnedHere(JobHistory history) {
        return !history.isEmpty()
                && history.features() == featureSet.size()
                && featureSet.hash().equals(history.featureSetHash());
    }

    private static void checkWindow(FeatureSet featureSet, double[] features, String what) {
        Objects.requireNonNull(features, what);
        featureSet.checkLength(features);
        for (int i = 0; i < features.length; i++) {
            if (!Double.isFinite(features[i])) {
                throw new IllegalArgumentException(what + ": feature '"
                        + featureSet.names().get(i) + "' is " + features[i] + "; every feature must be finite");
            }
        }
    }

    /**
     * The spread of one feature across windows in standard-deviation units: from the median absolute
     * deviation; where more than half the windows share one value (a count that is almost always 0), from
     * the mean absolute deviation around the median instead, so the rare other values still count.
     */
    static double robustSpread(double[] values) {
        if (values.length == 0) {
            return 0;
        }
        double median = median(values.clone());
        double[] deviations = new double[values.length];
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            deviations[i] = Math.abs(values[i] - median);
            sum += deviations[i];
        }
        double mad = median(deviations);
        return mad > 0 ? MAD_TO_SD * mad : MEAN_ABS_TO_SD * sum / values.length;
    }

    private static double median(double[] values) {
        Arrays.sort(values);
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    private static int saturatingIncrement(int windows) {
        return windows == Integer.MAX_VALUE ? windows : windows + 1;
    }

    @Override
    public String toString() {
        return "JobDetector[" + featureSet.id() + ", " + settings + "]";
    }
}
