package io.vigil.models.detectors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The fleet model: an Isolation Forest (Liu, Ting and Zhou, 2008) over normalised window features of the
 * benign windows of many jobs. A window that few random axis-parallel cuts separate from the fleet's normal
 * windows is strange for <em>any</em> job, so this detector scores a job from its very first window, before
 * the per-job model has a history.
 *
 * <p><b>Direction.</b> The callers ({@code VigilModel}, {@code Trainer}) give it windows moved to the fleet's
 * median on the benign side of every feature ({@code FeatureSet.towardsBaseline}): an idle GPU, a job
 * without traffic, no processes look exactly typical to the forest, and only a move towards misuse (more
 * failed attempts, more bytes to rare hosts, hashing GPUs) can isolate a window. The median is the lower
 * middle order statistic, a value the fleet showed, so moving values to it leaves it where it was: the
 * baseline of the moved windows is the baseline of the raw ones ({@link #medians}).
 *
 * <p><b>Normalisation.</b> Each feature is centred on the fleet's median and divided by a robust spread (the
 * larger of IQR / 1.349 and MAD x 1.4826, the two agree with the standard deviation for normal data), never
 * less than {@value #SCALE_FLOOR}: many features are 0 in every benign window (no rare addresses, no hashing
 * GPUs), and a spread of 0 must not turn the first non-zero value into infinity. An axis-parallel forest is
 * itself insensitive to per-feature scaling; the normalised values are what {@link #deviations} reports as
 * reasons, and they keep the trees' cut points in comparable units.
 *
 * <p><b>The trees</b> are grown here, as the paper grows them: each tree gets its own {@value #ROWS_PER_TREE}-row
 * subsample drawn from the seed; a node picks a feature uniformly and a cut uniformly between the lowest and
 * highest value of its rows in that feature, sends rows below the cut left, and becomes a leaf at depth
 * ceil(log2(rows)) or with one row left; a leaf stands for its depth plus c(rows left). (Smile's
 * {@code IsolationTree} grows the same trees with extension level 0, but keeps its nodes private, draws from a
 * shared generator, and keeps a full-width normal and intercept vector in every node.) A forest is flat arrays,
 * pre-order, a split's left child the next node: about 24 bytes a node, what a model artifact holds
 * ({@link #forest()}, {@link #of}).
 *
 * <p><b>Values the fleet never showed.</b> The paper's trees draw a cut between the lowest and highest value
 * of the rows at a node, so a window beyond that range travels with the rows at its end and is never cut off
 * there: a feature that is 0 in every benign window (no hashing GPU, no unanswered internal host) could take
 * any value without making a window stranger, and a value far past the end of a count that benign windows
 * share hides among them. So each split also keeps the range its rows spanned, and scoring takes the cut as
 * drawn from that range widened to include the window (see {@link #pathLength}): slightly beyond the range
 * changes little, far beyond it (or any other value of a constant feature) cuts the window off at once. For
 * the rows the trees were grown on nothing changes.
 */
public final class FleetDetector {

    /** Trees in the forest: path lengths average out well before 100 (the paper's default). */
    public static final int TREES = 100;
    /** Rows per tree (the paper's 256): small subsamples isolate anomalies better and keep trees small. */
    public static final int ROWS_PER_TREE = 256;
    /** The least spread a feature is given, in its own units: 0.05 of a log1p count or of a ratio. */
    public static final double SCALE_FLOOR = 0.05;

    /**
     * A fleet model as arrays, what an artifact holds. Nodes are in pre-order per tree, the trees one after the
     * other; a split's left child is the next node.
     *
     * @param median per feature, the fleet's typical value
     * @param scale per feature, its robust spread, positive
     * @param averagePath c(rows per tree) of the paper, positive
     * @param roots where each tree's root lies, ascending, the first 0
     * @param feature per node, the feature a split cuts, -1 for a leaf
     * @param right per split, its right child (after its left one, within its tree); -1 for a leaf
     * @param cut per split, go left when the normalised value is below it; per leaf, the path length it stands for
     * @param low per split, the lowest value its rows had in its feature (0 for a leaf)
     * @param high per split, the highest (0 for a leaf)
     */
    public record Forest(
            double[] median,
            double[] scale,
            double averagePath,
            int[] roots,
            int[] feature,
            int[] right,
            double[] cut,
            float[] low,
            float[] high) {}

    private final double[] median;
    private final double[] scale;
    /** c(n) of the paper: the average path length of an unsuccessful search in a tree over n rows. */
    private final double averagePath;
    /** Where each tree's root lies in the node arrays. */
    private final int[] roots;
    /** Per node, pre-order (a split's left child is the next node): the feature it cuts, -1 for a leaf. */
    private final int[] feature;
    /** Per split: the index of its right child. */
    private final int[] right;
    /** Per split: go left when {@code z[feature] < cut}; per leaf: the path length it stands for (depth plus c(rows left)). */
    private final double[] cut;
    /** Per split: the lowest and highest value of its feature among the rows that reached it (outward-rounded). */
    private final float[] low;

    private final float[] high;

    private FleetDetector(Forest f) {
        this.median = f.median();
        this.scale = f.scale();
        this.averagePath = f.averagePath();
        this.roots = f.roots();
        this.feature = f.feature();
        this.right = f.right();
        this.cut = f.cut();
        this.low = f.low();
        this.high = f.high();
    }

    /**
     * A fleet model from its arrays (read from an artifact), checked: lengths agree, every number is finite, the
     * spreads and path lengths positive, every feature index in range, and every child lies after its parent within
     * its tree, so that a walk from a root ends at a leaf in fewer steps than the tree has nodes.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static FleetDetector of(Forest f) {
        int width = f.median().length;
        if (width == 0 || f.scale().length != width) {
            throw new IllegalArgumentException(
                    "fleet model: " + width + " medians and " + f.scale().length + " spreads");
        }
        for (int j = 0; j < width; j++) {
            finite("median", f.median()[j]);
            if (!(f.scale()[j] > 0) || !Double.isFinite(f.scale()[j])) {
                throw new IllegalArgumentException("fleet model: spread of feature " + j + " is " + f.scale()[j]);
            }
        }
        if (!(f.averagePath() > 0) || !Double.isFinite(f.averagePath())) {
            throw new IllegalArgumentException("fleet model: average path " + f.averagePath());
        }
        int n = f.feature().length;
        if (f.right().length != n || f.cut().length != n || f.low().length != n || f.high().length != n) {
            throw new IllegalArgumentException("fleet model: node arrays of different lengths");
        }
        int[] roots = f.roots();
        if (roots.length == 0 || roots[0] != 0) {
            throw new IllegalArgumentException("fleet model: no tree, or the first does not start at node 0");
        }
        for (int t = 0; t < roots.length; t++) {
            int end = t + 1 < roots.length ? roots[t + 1] : n;
            if (end <= roots[t] || end > n) {
                throw new IllegalArgumentException(
                        "fleet model: tree " + t + " spans nodes " + roots[t] + " to " + end + " of " + n);
            }
            for (int i = roots[t]; i < end; i++) {
                finite("cut", f.cut()[i]);
                if (f.feature()[i] == -1) {
                    if (f.cut()[i] < 0) {
                        throw new IllegalArgumentException("fleet model: leaf " + i + " has path length " + f.cut()[i]);
                    }
                    continue;
                }
                if (f.feature()[i] < 0 || f.feature()[i] >= width) {
                    throw new IllegalArgumentException(
                            "fleet model: node " + i + " reads feature " + f.feature()[i] + " of " + width);
                }
                if (i + 1 >= end || f.right()[i] <= i + 1 || f.right()[i] >= end) {
                    throw new IllegalArgumentException(
                            "fleet model: split " + i + " of tree " + t + " has children " + (i + 1) + " and "
                                    + f.right()[i] + ", not after it within nodes " + roots[t] + " to " + end);
                }
                if (!(f.low()[i] <= f.high()[i]) || !Float.isFinite(f.low()[i]) || !Float.isFinite(f.high()[i])) {
                    throw new IllegalArgumentException(
                            "fleet model: split " + i + " spans " + f.low()[i] + " to " + f.high()[i]);
                }
            }
        }
        return new FleetDetector(new Forest(
                f.median().clone(),
                f.scale().clone(),
                f.averagePath(),
                roots.clone(),
                f.feature().clone(),
                f.right().clone(),
                f.cut().clone(),
                f.low().clone(),
                f.high().clone()));
    }

    /** The model's arrays (copies), what an artifact holds. */
    public Forest forest() {
        return new Forest(
                median.clone(),
                scale.clone(),
                averagePath,
                roots.clone(),
                feature.clone(),
                right.clone(),
                cut.clone(),
                low.clone(),
                high.clone());
    }

    private static void finite(String what, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("fleet model: a " + what + " of " + v);
        }
    }

    /**
     * A forest of {@value #TREES} trees over the benign windows, deterministic in {@code seed}.
     *
     * @param benignWindows one feature vector per benign window, all of one length, finite
     * @throws IllegalArgumentException with fewer than 2 windows, ragged or non-finite rows
     */
    public static FleetDetector fit(double[][] benignWindows, long seed) {
        return fit(benignWindows, seed, TREES, ROWS_PER_TREE);
    }

    /** As {@link #fit(double[][], long)} with another forest size: for tests and experiments. */
    public static FleetDetector fit(double[][] benignWindows, long seed, int trees, int rowsPerTree) {
        if (benignWindows.length < 2) {
            throw new IllegalArgumentException(
                    "the fleet model needs at least 2 benign windows, got " + benignWindows.length);
        }
        if (trees < 1 || rowsPerTree < 2) {
            throw new IllegalArgumentException(
                    "need at least 1 tree of at least 2 rows: " + trees + " x " + rowsPerTree);
        }
        int width = benignWindows[0].length;
        for (int i = 0; i < benignWindows.length; i++) {
            double[] row = benignWindows[i];
            if (row.length != width) {
                throw new IllegalArgumentException(
                        "benign window " + i + " has " + row.length + " features, window 0 has " + width);
            }
            for (int j = 0; j < width; j++) {
                if (!Double.isFinite(row[j])) {
                    throw new IllegalArgumentException(
                            "benign window " + i + " feature " + j + " is not finite: " + row[j]);
                }
            }
        }
        double[] median = new double[width];
        double[] scale = new double[width];
        for (int j = 0; j < width; j++) {
            double[] column = new double[benignWindows.length];
            for (int i = 0; i < column.length; i++) {
                column[i] = benignWindows[i][j];
            }
            Arrays.sort(column);
            median[j] = lowerMedian(column);
            double iqr = quantile(column, 0.75) - quantile(column, 0.25);
            double[] absDev = new double[column.length];
            for (int i = 0; i < column.length; i++) {
                absDev[i] = Math.abs(column[i] - median[j]);
            }
            Arrays.sort(absDev);
            double mad = quantile(absDev, 0.5);
            scale[j] = Math.max(SCALE_FLOOR, Math.max(iqr / 1.349, mad * 1.4826));
        }
        double[][] normalised = new double[benignWindows.length][];
        for (int i = 0; i < normalised.length; i++) {
            normalised[i] = normalise(benignWindows[i], median, scale);
        }

        int rows = Math.min(rowsPerTree, normalised.length);
        int maxDepth = Math.max(1, (int) Math.ceil(Math.log(rows) / Math.log(2)));
        SplittableRandom random = new SplittableRandom(seed);
        Grower grower = new Grower(width);
        int[] roots = new int[trees];
        for (int t = 0; t < trees; t++) {
            List<double[]> subsample = subsample(normalised, rows, random);
            roots[t] = grower.grow(subsample, 0, maxDepth, random);
        }
        return new FleetDetector(new Forest(
                median,
                scale,
                averagePathLength(rows),
                roots,
                grower.features.toArray(),
                grower.rights.toArray(),
                grower.cuts.toArray(),
                grower.lows(),
                grower.highs()));
    }

    /** Isolation-forest anomaly score of one window, in (0, 1], higher is stranger; about 0.5 and below is typical. */
    public double score(double[] features) {
        checkWidth(features);
        double[] z = normalise(features, median, scale);
        double total = 0;
        for (int root : roots) {
            total += pathLength(root, z);
        }
        return Math.pow(2, -(total / roots.length) / averagePath);
    }

    /**
     * The expected path length of {@code z} in the tree at {@code root}. Where the window lies outside the range
     * the split's rows spanned, the split is taken as drawn from that range widened to include the window: with
     * probability (distance beyond the range) / (widened range) it would have cut the window off alone, one level
     * down; otherwise the window goes on with the rows at the range's end.
     */
    private double pathLength(int root, double[] z) {
        double path = 0;
        double goingOn = 1;
        int depth = 0;
        int node = root;
        while (feature[node] >= 0) {
            double v = z[feature[node]];
            double beyond = v < low[node] ? low[node] - v : v > high[node] ? v - high[node] : 0;
            if (beyond > 0) {
                double cutOff = beyond / (high[node] - low[node] + beyond);
                path += goingOn * cutOff * (depth + 1);
                goingOn *= 1 - cutOff;
            }
            node = v < cut[node] ? node + 1 : right[node];
            depth++;
        }
        return path + goingOn * cut[node];
    }

    /** The fleet's typical value per feature (median of the benign training windows). */
    public double[] baseline() {
        return median.clone();
    }

    /**
     * How far each feature lies from the fleet's typical value, in robust spreads ({@code |x - median| / spread}):
     * what the reasons of a fleet-driven alert name.
     */
    public double[] deviations(double[] features) {
        checkWidth(features);
        double[] z = normalise(features, median, scale);
        for (int j = 0; j < z.length; j++) {
            z[j] = Math.abs(z[j]);
        }
        return z;
    }

    /** Trees in the forest. */
    public int trees() {
        return roots.length;
    }

    /** Nodes over all trees: what the model's size grows with. */
    public int nodes() {
        return feature.length;
    }

    private void checkWidth(double[] features) {
        if (features.length != median.length) {
            throw new IllegalArgumentException(
                    "the fleet model reads " + median.length + " features, the window has " + features.length);
        }
    }

    private static double[] normalise(double[] x, double[] median, double[] scale) {
        double[] z = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            z[j] = (x[j] - median[j]) / scale[j];
        }
        return z;
    }

    /** {@code rows} distinct rows, a partial Fisher-Yates shuffle of the indices. */
    private static List<double[]> subsample(double[][] all, int rows, SplittableRandom random) {
        int[] index = new int[all.length];
        for (int i = 0; i < index.length; i++) {
            index[i] = i;
        }
        List<double[]> out = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            int j = i + random.nextInt(index.length - i);
            int swap = index[i];
            index[i] = index[j];
            index[j] = swap;
            out.add(all[index[i]]);
        }
        return out;
    }

    /**
     * The fleet's typical value of each feature: the lower middle order statistic of the windows (what
     * {@link #baseline} of a detector fit on them is).
     */
    public static double[] medians(double[][] windows) {
        if (windows.length == 0) {
            throw new IllegalArgumentException("no windows to take medians of");
        }
        double[] out = new double[windows[0].length];
        double[] column = new double[windows.length];
        for (int j = 0; j < out.length; j++) {
            for (int i = 0; i < windows.length; i++) {
                column[i] = windows[i][j];
            }
            Arrays.sort(column);
            out[j] = lowerMedian(column);
        }
        return out;
    }

    /** The lower of the middle order statistics of a sorted array: a value it holds (see the class doc). */
    static double lowerMedian(double[] sorted) {
        return sorted[(sorted.length - 1) / 2];
    }

    /** Linear interpolation between order statistics of a sorted array. */
    static double quantile(double[] sorted, double p) {
        double position = p * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /** c(n) = 2 H(n - 1) - 2 (n - 1) / n, with H(i) ~ ln(i) + Euler's constant, as Smile computes it. */
    static double averagePathLength(int n) {
        if (n <= 1) {
            return 1;
        }
        return 2 * (Math.log(n - 1) + 0.5772156649) - 2.0 * (n - 1) / n;
    }

    /** Grows isolation trees into flat arrays, pre-order. */
    private static final class Grower {
        private final int width;
        final IntList features = new IntList();
        final IntList rights = new IntList();
        final DoubleList cuts = new DoubleList();
        private final DoubleList lows = new DoubleList();
        private final DoubleList highs = new DoubleList();

        Grower(int width) {
            this.width = width;
        }

        /** Appends the tree over {@code rows} at {@code depth} and returns the index of its root. */
        int grow(List<double[]> rows, int depth, int maxDepth, SplittableRandom random) {
            int index = features.size();
            if (depth >= maxDepth || rows.size() <= 1) {
                features.add(-1);
                rights.add(-1);
                cuts.add(depth + (rows.size() > 1 ? averagePathLength(rows.size()) : 0));
                lows.add(0);
                highs.add(0);
                return index;
            }
            int feature = random.nextInt(width);
            double low = Double.POSITIVE_INFINITY;
            double high = Double.NEGATIVE_INFINITY;
            for (double[] row : rows) {
                low = Math.min(low, row[feature]);
                high = Math.max(high, row[feature]);
            }
            double cut = low + random.nextDouble() * (high - low);
            List<double[]> left = new ArrayList<>();
            List<double[]> right = new ArrayList<>();
            for (double[] row : rows) {
                (row[feature] < cut ? left : right).add(row);
            }
            features.add(feature);
            rights.add(-1);
            cuts.add(cut);
            lows.add(low);
            highs.add(high);
            grow(left, depth + 1, maxDepth, random);
            rights.set(index, grow(right, depth + 1, maxDepth, random));
            return index;
        }

        /** Rounded down to a float, so every row stays inside. */
        float[] lows() {
            double[] v = lows.toArray();
            float[] out = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = (float) v[i] > v[i] ? Math.nextDown((float) v[i]) : (float) v[i];
            }
            return out;
        }

        /** Rounded up to a float, so every row stays inside. */
        float[] highs() {
            double[] v = highs.toArray();
            float[] out = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = (float) v[i] < v[i] ? Math.nextUp((float) v[i]) : (float) v[i];
            }
            return out;
        }
    }

    private static final class IntList {
        private int[] values = new int[1024];
        private int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int get(int i) {
            return values[i];
        }

        void set(int i, int v) {
            values[i] = v;
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    private static final class DoubleList {
        private double[] values = new double[1024];
        private int size;

        void add(double v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        double get(int i) {
            return values[i];
        }

        double[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
