package io.vigil.models.detectors;

import io.vigil.models.features.FeatureSet;
import io.vigil.records.Category;
import java.io.Serializable;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.LongStream;
import smile.base.cart.SplitRule;
import smile.base.cart.DecisionNode;
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
 * sure. A window is wrapped into a {@link Tuple} over the predictors' schema, which is built once.
 * Deterministic in the seed: each tree is grown from its own seed (Smile seeds the growing thread per tree).
 */
public final class CategoryDetector implements Serializable {
    private static final long serialVersionUID = 1L;

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

    private final int width;
    private final Category[] categories;
    /** Empty when the training windows held no positives: then every window is benign. */
    private final DecisionTree[] trees;
    private final StructType predictors;

    private CategoryDetector(int width, Category[] categories, DecisionTree[] trees, StructType predictors) {
        this.width = width;
        this.categories = categories;
        this.trees = trees;
        this.predictors = predictors;
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
            return new CategoryDetector(featureSet.size(), categories, new DecisionTree[0], null);
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
        RandomForest forest = RandomForest.fit(Formula.lhs(CLASS_COLUMN), data, TREES, mtry, SplitRule.GINI, MAX_DEPTH, MAX_LEAVES,
                LEAF_SIZE, 1.0, classWeight, LongStream.range(0, TREES).map(t -> base + t));
        int[] learned = forest.classes();
        if (learned.length != categories.length + 1) {
            throw new IllegalStateException("forest learned " + learned.length + " classes, expected " + (categories.length + 1));
        }
        DecisionTree[] trees = forest.trees();
        return new CategoryDetector(featureSet.size(), categories, trees, trees[0].schema());
    }

    /** Probability per class; index 0 is benign, then {@link #categories()} in order. */
    public double[] probabilities(double[] features) {
        if (features.length != width) {
            throw new IllegalArgumentException("the supervised model reads " + width + " features, the window has " + features.length);
        }
        double[] out = new double[categories.length + 1];
        if (trees.length == 0) {
            out[0] = 1;
            return out;
        }
        Tuple window = Tuple.of(features, predictors);
        for (DecisionTree tree : trees) {
            int[] count = ((DecisionNode) tree.root().predict(window)).count();
            int size = 0;
            for (int c : count) {
                size += c;
            }
            for (int c = 0; c < out.length; c++) {
                out[c] += (double) count[c] / size;
            }
        }
        double total = trees.length + PRIOR * out.length;
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
