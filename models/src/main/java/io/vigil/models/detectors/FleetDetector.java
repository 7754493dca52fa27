package io.vigil.models.detectors;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import smile.anomaly.IsolationTree;

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
 * <p><b>Smile 3.1.1 and what is done around it.</b> Each tree is grown by Smile's {@link IsolationTree} with
 * extension level 0 (the original, axis-parallel algorithm; Smile defaults to the extended one). Its
 * {@code IsolationForest.fit} is not used: it ignores the sampling rate (every tree gets every row), grows
 * the trees on a parallel stream with thread-local random numbers (so two trainings differ), and keeps a
 * full-width normal and intercept vector in every node (about 500 bytes a node with 30 features, megabytes a
 * forest). Here every tree gets its own {@value #ROWS_PER_TREE}-row subsample drawn from the seed, is grown on
 * the calling thread after seeding Smile's generator, and is then <em>compiled</em> into flat arrays (feature,
 * slope and bias per split, path length per leaf): the same cuts, about 32 bytes a node, and faster to walk.
 * The compilation is checked against Smile's own path lengths on the tree's rows, so a change in Smile's
 * internals fails training instead of silently changing scores.
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
public final class FleetDetector implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Trees in the forest: path lengths average out well before 100 (the paper's default). */
    public static final int TREES = 100;
    /** Rows per tree (the paper's 256): small subsamples isolate anomalies better and keep trees small. */
    public static final int ROWS_PER_TREE = 256;
    /** The least spread a feature is given, in its own units: 0.05 of a log1p count or of a ratio. */
    public static final double SCALE_FLOOR = 0.05;

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
    /** Per split: go left when {@code z[feature] * slope < bias}, as Smile decides. */
    private final double[] slope;
    /** Per split: see {@link #slope}; per leaf: the path length it stands for (depth plus c(rows left)). */
    private final double[] bias;
    /** Per split: the lowest and highest value of its feature among the rows that reached it (outward-rounded). */
    private final float[] low;
    private final float[] high;

    private FleetDetector(double[] median, double[] scale, double averagePath, int[] roots, int[] feature,
                          int[] right, double[] slope, double[] bias, float[] low, float[] high) {
        this.median = median;
        this.scale = scale;
        this.averagePath = averagePath;
        this.roots = roots;
        this.feature = feature;
        this.right = right;
        this.slope = slope;
        this.bias = bias;
        this.low = low;
        this.high = high;
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
            throw new IllegalArgumentException("the fleet model needs at least 2 benign windows, got " + benignWindows.length);
        }
        if (trees < 1 || rowsPerTree < 2) {
            throw new IllegalArgumentException("need at least 1 tree of at least 2 rows: " + trees + " x " + rowsPerTree);
        }
        int width = benignWindows[0].length;
        for (int i = 0; i < benignWindows.length; i++) {
            double[] row = benignWindows[i];
            if (row.length != width) {
                throw new IllegalArgumentException("benign window " + i + " has " + row.length + " features, window 0 has " + width);
            }
            for (int j = 0; j < width; j++) {
                if (!Double.isFinite(row[j])) {
                    throw new IllegalArgumentException("benign window " + i + " feature " + j + " is not finite: " + row[j]);
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
        Compiler compiler = new Compiler();
        int[] roots = new int[trees];
        for (int t = 0; t < trees; t++) {
            List<double[]> subsample = subsample(normalised, rows, random);
            SmileRandom.reset(random.nextLong());
            IsolationTree tree = new IsolationTree(subsample, maxDepth, 0);
            roots[t] = compiler.add(tree, subsample);
        }
        return new FleetDetector(median, scale, averagePathLength(rows), roots, compiler.features(), compiler.rights(),
                compiler.slopes(), compiler.biases(), compiler.lows(), compiler.highs());
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
            node = v * slope[node] < bias[node] ? node + 1 : right[node];
            depth++;
        }
        return path + goingOn * bias[node];
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
            throw new IllegalArgumentException("the fleet model reads " + median.length + " features, the window has " + features.length);
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

    /** Flattens Smile trees into the detector's arrays. */
    private static final class Compiler {
        private final IntList features = new IntList();
        private final IntList rights = new IntList();
        private final DoubleList slopes = new DoubleList();
        private final DoubleList biases = new DoubleList();
        private final DoubleList lows = new DoubleList();
        private final DoubleList highs = new DoubleList();

        /** Appends a tree, checks it walks like Smile's on its rows, and returns the index of its root. */
        int add(IsolationTree tree, List<double[]> rows) {
            int root = features.size();
            append(SmileTreeNodes.root(tree), rows);
            for (double[] row : rows) {
                double ours = path(root, row);
                double smiles = tree.path(row);
                if (Double.compare(ours, smiles) != 0) {
                    throw new IllegalStateException("compiled isolation tree gives path " + ours + " where Smile's gives "
                            + smiles + ": Smile's IsolationTree is not what this code was written for (3.1.1)");
                }
            }
            return root;
        }

        private int append(SmileTreeNodes.Node node, List<double[]> rows) {
            int index = features.size();
            if (node.isLeaf()) {
                features.add(-1);
                rights.add(-1);
                slopes.add(0);
                biases.add(node.pathLength());
                lows.add(0);
                highs.add(0);
                return index;
            }
            int feature = node.feature();
            double slope = node.slope();
            double bias = node.bias();
            double low = Double.POSITIVE_INFINITY;
            double high = Double.NEGATIVE_INFINITY;
            List<double[]> left = new ArrayList<>();
            List<double[]> right = new ArrayList<>();
            for (double[] row : rows) {
                low = Math.min(low, row[feature]);
                high = Math.max(high, row[feature]);
                (row[feature] * slope < bias ? left : right).add(row);
            }
            features.add(feature);
            rights.add(-1);
            slopes.add(slope);
            biases.add(bias);
            lows.add(low);
            highs.add(high);
            append(node.left(), left);
            rights.set(index, append(node.right(), right));
            return index;
        }

        private double path(int root, double[] z) {
            int node = root;
            while (features.get(node) >= 0) {
                node = z[features.get(node)] * slopes.get(node) < biases.get(node) ? node + 1 : rights.get(node);
            }
            return biases.get(node);
        }

        int[] features() {
            return features.toArray();
        }

        int[] rights() {
            return rights.toArray();
        }

        double[] slopes() {
            return slopes.toArray();
        }

        double[] biases() {
            return biases.toArray();
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
