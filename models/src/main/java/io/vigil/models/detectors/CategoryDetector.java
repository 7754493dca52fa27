package io.vigil.models.detectors;

import io.vigil.models.features.FeatureSet;
import io.vigil.records.Category;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import smile.base.cart.DecisionNode;
import smile.base.cart.InternalNode;
import smile.base.cart.Node;
import smile.base.cart.OrdinalNode;
import smile.base.cart.SplitRule;
import smile.classification.DecisionTree;
import smile.classification.RandomForest;
import smile.data.DataFrame;
import smile.data.Tuple;
import smile.data.formula.Formula;
import smile.data.type.StructType;
import smile.data.vector.IntVector;

/**
 * The supervised model: from labelled windows, how likely a window is each kind of misuse. A Smile random
 * forest over the raw features (trees need no scaling), classes benign and each category present in the
 * training windows.
 *
 * <p><b>Imbalance.</b> Incidents are a few percent of the windows. Each tree's bootstrap sample is drawn per
 * class (Smile's class weights), with benign windows thinned to at most {@value #BENIGN_PER_POSITIVE} per
 * positive window, so the trees see the incidents; the many benign windows are still all seen across the
 * forest. Probabilities are therefore not the base rates: the combined model calibrates them against benign
 * windows it did not train on.
 *
 * <p><b>Kept.</b> Only the trees: Smile's {@code RandomForest} also holds out-of-bag metrics with fit times,
 * which would make two trainings' bytes differ. A class's probability is the share of the window's leaf that
 * is of that class, averaged over the trees (as scikit-learn does), plus {@value #PRIOR} of a vote per class
 * for the forest as a whole. Not Smile's soft vote: it smooths every leaf by one window per class, which caps
 * a pure leaf of 3 windows at 0.5 among 5 classes, so a window only small leaves recognise could never look
 * sure. Deterministic in the seed: each tree is grown from its own seed (Smile seeds the growing thread per tree).
 *
 * <p><b>Flat trees.</b> Smile grows the trees; they are then read through Smile's public node API
 * ({@code InternalNode.feature/trueChild/falseChild}, {@code DecisionNode.count}, and {@code OrdinalNode.branch}
 * for the split value, which Smile does not expose otherwise) into flat arrays, which score the windows and are
 * what an artifact holds ({@link #forest()}, {@link #of}). Training checks that the flat trees give Smile's
 * leaf for every training window, so a change in Smile fails training instead of silently changing scores.
 */
public final class CategoryDetector {

    public static final int TREES = 60;
    /** Leaves per tree at most: enough for a handful of classes, and it bounds the model's size. */
    public static final int MAX_LEAVES = 32;

    public static final int MAX_DEPTH = 12;
    /** Fewest windows in a leaf. */
    public static final int LEAF_SIZE = 3;
    /** Benign windows per positive window in each tree's sample, at most. */
    public static final int BENIGN_PER_POSITIVE = 2;

    /**
     * Pseudo-votes each class gets over the whole forest: probabilities never reach 0 or 1, and the least is
     * about 1 in {@code 2 x TREES}.
     */
    static final double PRIOR = 0.5;

    private static final String CLASS_COLUMN = "vigil_class";

    /**
     * A supervised model as arrays, what an artifact holds. Nodes are in pre-order per tree, the trees one after
     * the other.
     *
     * @param width the features a window has
     * @param categories the classes after benign, in the order of {@link #probabilities}
     * @param roots where each tree's root lies, ascending, the first 0; empty when there are no categories
     * @param feature per node, the feature a split reads, -1 for a leaf
     * @param split per split, a window goes left when its value is at most this (Smile's rule); 0 for a leaf
     * @param left per split, its left child; per leaf, its row in {@code shares}
     * @param right per split, its right child; -1 for a leaf
     * @param shares per leaf, {@code categories.length + 1} values: the share of the leaf's training windows of each
     *     class, benign first
     */
    public record Forest(
            int width,
            Category[] categories,
            int[] roots,
            int[] feature,
            double[] split,
            int[] left,
            int[] right,
            double[] shares) {}

    private final int width;
    private final Category[] categories;
    /** Empty when the training windows held no positives: then every window is benign. */
    private final int[] roots;

    private final int[] feature;
    private final double[] split;
    private final int[] left;
    private final int[] right;
    private final double[] shares;

    private CategoryDetector(Forest f) {
        this.width = f.width();
        this.categories = f.categories();
        this.roots = f.roots();
        this.feature = f.feature();
        this.split = f.split();
        this.left = f.left();
        this.right = f.right();
        this.shares = f.shares();
    }

    /**
     * A supervised model from its arrays (read from an artifact), checked: lengths agree, feature indices in range,
     * every split value finite, every leaf's shares finite in [0, 1] summing to 1, each leaf's row used once, and
     * every child after its parent within its tree, so a walk from a root ends at a leaf.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static CategoryDetector of(Forest f) {
        int classes = f.categories().length + 1;
        if (f.width() < 1) {
            throw new IllegalArgumentException("supervised model reads " + f.width() + " features");
        }
        Set<Category> distinct = EnumSet.noneOf(Category.class);
        for (Category c : f.categories()) {
            if (c == null || !distinct.add(c)) {
                distinct.clear();
                break;
            }
        }
        if (distinct.size() != f.categories().length) {
            throw new IllegalArgumentException(
                    "supervised model classes are not distinct categories: " + Arrays.toString(f.categories()));
        }
        int n = f.feature().length;
        if (f.split().length != n || f.left().length != n || f.right().length != n) {
            throw new IllegalArgumentException("supervised model: node arrays of different lengths");
        }
        int[] roots = f.roots();
        if (f.categories().length == 0 ? roots.length != 0 || n != 0 : roots.length == 0 || roots[0] != 0) {
            throw new IllegalArgumentException("supervised model: " + roots.length + " trees for "
                    + f.categories().length + " categories, or the first does not start at node 0");
        }
        if (f.shares().length % classes != 0) {
            throw new IllegalArgumentException(
                    "supervised model: " + f.shares().length + " leaf shares for " + classes + " classes");
        }
        boolean[] leafUsed = new boolean[f.shares().length / classes];
        for (int t = 0; t < roots.length; t++) {
            int end = t + 1 < roots.length ? roots[t + 1] : n;
            if (end <= roots[t] || end > n) {
                throw new IllegalArgumentException(
                        "supervised model: tree " + t + " spans nodes " + roots[t] + " to " + end + " of " + n);
            }
            for (int i = roots[t]; i < end; i++) {
                if (f.feature()[i] == -1) {
                    int row = f.left()[i];
                    if (row < 0 || row >= leafUsed.length || leafUsed[row]) {
                        throw new IllegalArgumentException("supervised model: leaf " + i + " has shares row " + row
                                + " of " + leafUsed.length + " (or one used twice)");
                    }
                    leafUsed[row] = true;
                    double sum = 0;
                    for (int c = 0; c < classes; c++) {
                        double v = f.shares()[row * classes + c];
                        if (!(v >= 0 && v <= 1)) {
                            throw new IllegalArgumentException(
                                    "supervised model: leaf " + i + " has a class share of " + v);
                        }
                        sum += v;
                    }
                    if (Math.abs(sum - 1) > 1e-9) {
                        throw new IllegalArgumentException(
                                "supervised model: leaf " + i + " has class shares summing to " + sum);
                    }
                    continue;
                }
                if (f.feature()[i] < 0 || f.feature()[i] >= f.width()) {
                    throw new IllegalArgumentException(
                            "supervised model: node " + i + " reads feature " + f.feature()[i] + " of " + f.width());
                }
                if (!Double.isFinite(f.split()[i])) {
                    throw new IllegalArgumentException("supervised model: split " + i + " at " + f.split()[i]);
                }
                for (int child : new int[] {f.left()[i], f.right()[i]}) {
                    if (child <= i || child >= end) {
                        throw new IllegalArgumentException("supervised model: split " + i + " of tree " + t
                                + " has child " + child + ", not after it within nodes " + roots[t] + " to " + end);
                    }
                }
            }
        }
        for (int row = 0; row < leafUsed.length; row++) {
            if (!leafUsed[row]) {
                throw new IllegalArgumentException("supervised model: leaf shares row " + row + " belongs to no leaf");
            }
        }
        return new CategoryDetector(new Forest(
                f.width(),
                f.categories().clone(),
                roots.clone(),
                f.feature().clone(),
                f.split().clone(),
                f.left().clone(),
                f.right().clone(),
                f.shares().clone()));
    }

    /** The model's arrays (copies), what an artifact holds. */
    public Forest forest() {
        return new Forest(
                width,
                categories.clone(),
                roots.clone(),
                feature.clone(),
                split.clone(),
                left.clone(),
                right.clone(),
                shares.clone());
    }

    /**
     * @param windows feature vectors in {@code featureSet}'s order, finite
     * @param labels per window: null for benign, else its category
     * @throws IllegalArgumentException for mismatched lengths, non-finite values, or no benign window
     */
    public static CategoryDetector fit(FeatureSet featureSet, double[][] windows, Category[] labels, long seed) {
        if (windows.length != labels.length) {
            throw new IllegalArgumentException(windows.length + " windows but " + labels.length + " labels");
        }
        if (windows.length == 0) {
            throw new IllegalArgumentException("the supervised model needs windows");
        }
        for (int i = 0; i < windows.length; i++) {
            featureSet.checkLength(windows[i]);
            for (double v : windows[i]) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("window " + i + " has a non-finite feature: " + v);
                }
            }
        }
        Set<Category> present = EnumSet.noneOf(Category.class);
        for (Category label : labels) {
            if (label != null) {
                present.add(label);
            }
        }
        Category[] categories = present.toArray(new Category[0]);
        if (categories.length == 0) {
            return new CategoryDetector(new Forest(
                    featureSet.size(),
                    categories,
                    new int[0],
                    new int[0],
                    new double[0],
                    new int[0],
                    new int[0],
                    new double[0]));
        }

        int[] classes = new int[labels.length];
        int[] counts = new int[categories.length + 1];
        for (int i = 0; i < labels.length; i++) {
            classes[i] = labels[i] == null ? 0 : 1 + Arrays.asList(categories).indexOf(labels[i]);
            counts[classes[i]]++;
        }
        int positives = labels.length - counts[0];
        if (counts[0] == 0) {
            throw new IllegalArgumentException("the supervised model needs benign windows as well as positives");
        }
        int[] classWeight = new int[categories.length + 1];
        Arrays.fill(classWeight, 1);
        // Smile draws (class count / weight) windows of each class per tree.
        classWeight[0] = Math.max(1, counts[0] / Math.max(1, BENIGN_PER_POSITIVE * positives));

        String[] names = featureSet.names().toArray(new String[0]);
        DataFrame data = DataFrame.of(windows, names).merge(IntVector.of(CLASS_COLUMN, classes));
        int mtry = Math.max(1, names.length / 3);
        // Smile seeds a tree only from seeds above 1.
        long base = (seed & 0x3fff_ffff_ffff_ffffL) + 2;
        RandomForest forest = RandomForest.fit(
                Formula.lhs(CLASS_COLUMN),
                data,
                TREES,
                mtry,
                SplitRule.GINI,
                MAX_DEPTH,
                MAX_LEAVES,
                LEAF_SIZE,
                1.0,
                classWeight,
                LongStream.range(0, TREES).map(t -> base + t));
        int[] learned = forest.classes();
        if (learned.length != categories.length + 1) {
            throw new IllegalStateException(
                    "forest learned " + learned.length + " classes, expected " + (categories.length + 1));
        }
        DecisionTree[] trees = forest.trees();
        CategoryDetector flat = flatten(featureSet.size(), categories, trees);
        flat.checkAgainst(trees, windows);
        return flat;
    }

    /** Smile's trees as flat arrays, read through Smile's public node API. */
    static CategoryDetector flatten(int width, Category[] categories, DecisionTree[] trees) {
        Flattener flat = new Flattener(width, categories.length + 1);
        int[] roots = new int[trees.length];
        for (int t = 0; t < trees.length; t++) {
            roots[t] = flat.append(trees[t].root(), trees[t].schema());
        }
        return of(new Forest(
                width,
                categories.clone(),
                roots,
                flat.feature.stream().mapToInt(Integer::intValue).toArray(),
                flat.split.stream().mapToDouble(Double::doubleValue).toArray(),
                flat.left.stream().mapToInt(Integer::intValue).toArray(),
                flat.right.stream().mapToInt(Integer::intValue).toArray(),
                flat.shares.stream().mapToDouble(Double::doubleValue).toArray()));
    }

    /** The flat trees reach, for every window, a leaf with the class counts of Smile's. */
    void checkAgainst(DecisionTree[] trees, double[][] windows) {
        int classes = categories.length + 1;
        for (double[] window : windows) {
            Tuple tuple = Tuple.of(window, trees[0].schema());
            for (int t = 0; t < trees.length; t++) {
                double[] expected = leafShares(((DecisionNode) trees[t].root().predict(tuple)).count());
                int leaf = leaf(roots[t], window);
                for (int c = 0; c < classes; c++) {
                    if (Double.compare(shares[left[leaf] * classes + c], expected[c]) != 0) {
                        throw new IllegalStateException(
                                "flattened tree " + t + " reaches another leaf than Smile's for a"
                                        + " training window: Smile's trees are not what this code was written for (3.1.1)");
                    }
                }
            }
        }
    }

    private static double[] leafShares(int[] count) {
        int size = 0;
        for (int c : count) {
            size += c;
        }
        double[] out = new double[count.length];
        for (int c = 0; c < count.length; c++) {
            out[c] = (double) count[c] / size;
        }
        return out;
    }

    /** Walks Smile's trees into arrays. */
    private static final class Flattener {
        private final int width;
        private final int classes;
        final List<Integer> feature = new ArrayList<>();
        final List<Double> split = new ArrayList<>();
        final List<Integer> left = new ArrayList<>();
        final List<Integer> right = new ArrayList<>();
        final List<Double> shares = new ArrayList<>();
        private int leaves;

        Flattener(int width, int classes) {
            this.width = width;
            this.classes = classes;
        }

        int append(Node node, StructType schema) {
            int index = feature.size();
            if (node instanceof DecisionNode leaf) {
                if (leaf.count().length != classes) {
                    throw new IllegalStateException(
                            "a leaf counts " + leaf.count().length + " classes, expected " + classes);
                }
                feature.add(-1);
                split.add(0.0);
                left.add(leaves++);
                right.add(-1);
                for (double share : leafShares(leaf.count())) {
                    shares.add(share);
                }
                return index;
            }
            if (!(node instanceof OrdinalNode ordinal)) {
                throw new IllegalStateException(
                        "a supervised tree has a " + node.getClass().getSimpleName()
                                + "; every feature is numeric, so Smile should have made ordinal splits");
            }
            feature.add(ordinal.feature());
            split.add(splitValue(ordinal, schema));
            left.add(-1);
            right.add(-1);
            left.set(index, append(ordinal.trueChild(), schema));
            right.set(index, append(ordinal.falseChild(), schema));
            return index;
        }

        /**
         * The value an ordinal split compares with: the largest double {@code v} whose window goes to the true child
         * ({@code v <= value}), found by bisection over the doubles in their order (64 steps), using only the public
         * {@code branch}.
         */
        private double splitValue(OrdinalNode node, StructType schema) {
            double[] probe = new double[width];
            long lo = orderKey(-Double.MAX_VALUE);
            long hi = orderKey(Double.MAX_VALUE);
            if (!goesTrue(node, schema, probe, -Double.MAX_VALUE) || goesTrue(node, schema, probe, Double.MAX_VALUE)) {
                throw new IllegalStateException("a supervised split sends every finite value one way");
            }
            // invariant: lo goes true, hi does not
            while (Long.compareUnsigned(hi - lo, 1) > 0) { // hi - lo overflows a long, not an unsigned one
                long mid = (lo & hi) + ((lo ^ hi) >> 1); // the mean, without overflow
                if (goesTrue(node, schema, probe, fromOrderKey(mid))) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            return fromOrderKey(lo);
        }

        private static boolean goesTrue(InternalNode node, StructType schema, double[] probe, double v) {
            probe[node.feature()] = v;
            return node.branch(Tuple.of(probe, schema));
        }
    }

    /** The doubles' order as longs: {@code a < b} exactly when {@code orderKey(a) < orderKey(b)} (no NaN). */
    private static long orderKey(double v) {
        long bits = Double.doubleToLongBits(v == 0 ? 0.0 : v);
        return bits >= 0 ? bits : bits ^ Long.MAX_VALUE;
    }

    private static double fromOrderKey(long key) {
        return Double.longBitsToDouble(key >= 0 ? key : key ^ Long.MAX_VALUE);
    }

    /** The leaf a window reaches in the tree at {@code root}. */
    private int leaf(int root, double[] x) {
        int node = root;
        while (feature[node] >= 0) {
            node = x[feature[node]] <= split[node] ? left[node] : right[node];
        }
        return node;
    }

    /** Probability per class; index 0 is benign, then {@link #categories()} in order. */
    public double[] probabilities(double[] features) {
        if (features.length != width) {
            throw new IllegalArgumentException(
                    "the supervised model reads " + width + " features, the window has " + features.length);
        }
        int classes = categories.length + 1;
        double[] out = new double[classes];
        if (roots.length == 0) {
            out[0] = 1;
            return out;
        }
        for (int root : roots) {
            int row = left[leaf(root, features)];
            for (int c = 0; c < classes; c++) {
                out[c] += shares[row * classes + c];
            }
        }
        double total = roots.length + PRIOR * out.length;
        for (int c = 0; c < out.length; c++) {
            out[c] = (out[c] + PRIOR) / total;
        }
        return out;
    }

    /** The categories the model was trained to name, in the order of {@link #probabilities}. */
    public Category[] categories() {
        return categories.clone();
    }
}
