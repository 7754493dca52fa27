package io.vigil.models.detectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.models.training.SyntheticWindows;
import io.vigil.records.Category;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CategoryDetectorTest {
    private static final Category[] KINDS = {Category.CRYPTO_MINING, Category.REVERSE_TUNNEL, Category.NETWORK_SCAN,
            Category.EXFILTRATION};

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

    private static byte[] serialized(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
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
            assertThat(p[0] + p[1] + p[2] + p[3] + p[4]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
            benignCalledBenign += mostLikely(p) == 0 ? 1 : 0;
        }
        assertThat(benignCalledBenign).isGreaterThanOrEqualTo(95);
    }

    @Test
    void sameWindowsAndSeedGiveTheSameModelByteForByteAndItSurvivesSerialization() throws Exception {
        Data train = data(1, 300, 15);
        CategoryDetector a = CategoryDetector.fit(SyntheticWindows.SET, train.x(), train.labels(), 5);
        CategoryDetector b = CategoryDetector.fit(SyntheticWindows.SET, train.x(), train.labels(), 5);
        byte[] bytes = serialized(a);
        assertThat(serialized(b)).isEqualTo(bytes);
        assertThat(bytes.length).isLessThan(400 * 1024);

        CategoryDetector read;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            read = (CategoryDetector) in.readObject();
        }
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
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labels");
        double[][] onlyPositives = {train.x()[5]};
        assertThatThrownBy(() -> CategoryDetector.fit(SyntheticWindows.SET, onlyPositives,
                new Category[] {Category.CRYPTO_MINING}, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("benign");
        assertThatThrownBy(() -> CategoryDetector.fit(SyntheticWindows.SET, new double[][] {{1, 2}}, new Category[1], 5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
