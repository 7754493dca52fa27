package io.vigil.models.detectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.models.training.SyntheticWindows;
import io.vigil.records.Category;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import smile.base.cart.DecisionNode;
import smile.base.cart.SplitRule;
import smile.classification.DecisionTree;
import smile.classification.RandomForest;
import smile.data.DataFrame;
import smile.data.Tuple;
import smile.data.formula.Formula;
import smile.data.vector.IntVector;

class CategoryDetectorTest {
    private static final Category[] KINDS = {
        Category.CRYPTO_MINING, Category.REVERSE_TUNNEL, Category.NETWORK_SCAN, Category.EXFILTRATION
    };

    private record Data(double[][] x, Category[] labels) {}

    /** Mostly benign windows of many jobs, with some windows of each kind. */
    private static Data data(long seed, int benign, int perKind) {
        SyntheticWindows synthetic = new SyntheticWindows(seed);
        List<double[]> x = new ArrayList<>();
        List<Category> labels = new ArrayList<>();
        for (int i = 0; i < benign; i++) {
            x.add(synthetic.benign(synthetic.job()));
            labels.add(null);
        }
        for (Category kind : KINDS) {
            for (int i = 0; i < perKind; i++) {
                x.add(synthetic.incident(synthetic.job(), kind));
                labels.add(kind);
            }
        }
        return new Data(x.toArray(new double[0][]), labels.toArray(new Category[0]));
    }

    /** The forest's arrays, as bytes: what an artifact holds of it. */
    private static byte[] serialized(CategoryDetector detector) throws IOException {
        CategoryDetector.Forest f = detector.forest();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(Arrays.toString(f.categories()));
            for (int i : f.roots()) {
                out.writeInt(i);
            }
            for (int i = 0; i < f.feature().length; i++) {
                out.writeInt(f.feature()[i]);
                out.writeDouble(f.split()[i]);
                out.writeInt(f.left()[i]);
                out.writeInt(f.right()[i]);
            }
            for (double v : f.shares()) {
                out.writeDouble(v);
            }
        }
        return bytes.toByteArray();
    }

    private static int mostLikely(double[] p) {
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return best;
    }

    @Test
    void flatTreesScoreAsSmilesForestOnItsTrainingWindows() {
        Data train = data(4, 300, 15);
        int[] classes = new int[train.labels().length];
        for (int i = 0; i < classes.length; i++) {
            classes[i] =
                    train.labels()[i] == null ? 0 : 1 + Arrays.asList(KINDS).indexOf(train.labels()[i]);
        }
        DataFrame frame = DataFrame.of(train.x(), SyntheticWindows.SET.names().toArray(new String[0]))
                .merge(IntVector.of("class", classes));
        RandomForest smile = RandomForest.fit(
                Formula.lhs("class"),
                frame,
                20,
                10,
                SplitRule.GINI,
                12,
                32,
                3,
                1.0,
                new int[] {1, 1, 1, 1, 1},
                LongStream.range(0, 20).map(t -> 100 + t));
        DecisionTree[] trees = smile.trees();
        CategoryDetector flat = CategoryDetector.flatten(SyntheticWindows.SET.size(), KINDS, trees);
        flat.checkAgainst(trees, train.x());
        for (double[] x : train.x()) {
            // what the Smile trees say: each leaf's class shares, averaged with the prior
            double[] expected = new double[KINDS.length + 1];
            for (DecisionTree tree : trees) {
                int[] count = ((DecisionNode) tree.root().predict(Tuple.of(x, tree.schema()))).count();
                int size = Arrays.stream(count).sum();
                for (int c = 0; c < expected.length; c++) {
                    expected[c] += (double) count[c] / size;
                }
            }
            for (int c = 0; c < expected.length; c++) {
                expected[c] = (expected[c] + CategoryDetector.PRIOR)
                        / (trees.length + CategoryDetector.PRIOR * expected.length);
            }
            assertThat(flat.probabilities(x)).containsExactly(expected);
        }
    }

    @Test
    void namesTheCategoryOfWindowsItHasNotSeen() {
        Data train = data(1, 600, 30);
        CategoryDetector detector = CategoryDetector.fit(SyntheticWindows.SET, train.x(), train.labels(), 5);
        assertThat(detector.categories()).containsExactly(KINDS);

        SyntheticWindows fresh = new SyntheticWindows(2);
        for (int k = 0; k < KINDS.length; k++) {
            for (int i = 0; i < 10; i++) {
                double[] p = detector.probabilities(fresh.incident(fresh.job(), KINDS[k]));
                assertThat(mostLikely(p)).as(KINDS[k].name()).isEqualTo(k + 1);
            }
        }
        int benignCalledBenign = 0;
        for (int i = 0; i < 100; i++) {
            double[] p = detector.probabilities(fresh.benign(fresh.job()));
            assertThat(p.length).isEqualTo(KINDS.length + 1);
            assertThat(p[0] + p[1] + p[2] + p[3] + p[4]).isCloseTo(1.0, Offset.offset(1e-9));
            benignCalledBenign += mostLikely(p) == 0 ? 1 : 0;
        }
        assertThat(benignCalledBenign).isGreaterThanOrEqualTo(95);
    }

    @Test
    void sameWindowsAndSeedGiveTheSameModelByteForByteAndItSurvivesItsArrays() throws Exception {
        Data train = data(1, 300, 15);
        CategoryDetector a = CategoryDetector.fit(SyntheticWindows.SET, train.x(), train.labels(), 5);
        CategoryDetector b = CategoryDetector.fit(SyntheticWindows.SET, train.x(), train.labels(), 5);
        byte[] bytes = serialized(a);
        assertThat(serialized(b)).isEqualTo(bytes);
        assertThat(bytes.length).isLessThan(400 * 1024);

        CategoryDetector read = CategoryDetector.of(a.forest());
        for (double[] x : data(3, 20, 2).x()) {
            assertThat(read.probabilities(x)).containsExactly(a.probabilities(x));
        }
    }

    @Test
    void withoutPositivesEveryWindowIsBenign() {
        Data train = data(1, 50, 0);
        CategoryDetector detector = CategoryDetector.fit(SyntheticWindows.SET, train.x(), train.labels(), 5);
        assertThat(detector.categories()).isEmpty();
        assertThat(detector.probabilities(train.x()[0])).containsExactly(1.0);
    }

    @Test
    void refusesWhatItCannotLearnFrom() {
        Data train = data(1, 5, 1);
        assertThatThrownBy(() -> CategoryDetector.fit(SyntheticWindows.SET, train.x(), new Category[1], 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels");
        double[][] onlyPositives = {train.x()[5]};
        assertThatThrownBy(() -> CategoryDetector.fit(
                        SyntheticWindows.SET, onlyPositives, new Category[] {Category.CRYPTO_MINING}, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("benign");
        assertThatThrownBy(() ->
                        CategoryDetector.fit(SyntheticWindows.SET, new double[][] {{1, 2}}, new Category[1], 5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
