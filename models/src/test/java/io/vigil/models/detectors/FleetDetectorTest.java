package io.vigil.models.detectors;

import static io.vigil.models.features.FeatureSet.FAILED_HOSTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.training.SyntheticWindows;
import io.vigil.records.Category;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class FleetDetectorTest {

    /** Benign windows of many jobs, a few minutes each, as the fleet model is trained on. */
    private static double[][] fleet(long seed, int jobs, int minutes) {
        SyntheticWindows synthetic = new SyntheticWindows(seed);
        double[][] out = new double[jobs * minutes][];
        for (int j = 0; j < jobs; j++) {
            SyntheticWindows.Job job = synthetic.job();
            for (int m = 0; m < minutes; m++) {
                out[j * minutes + m] = synthetic.benign(job);
            }
        }
        return out;
    }

    /** The forest's arrays, as bytes: what an artifact holds of it. */
    private static byte[] serialized(FleetDetector detector) throws IOException {
        FleetDetector.Forest f = detector.forest();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (double v : f.median()) {
                out.writeDouble(v);
            }
            for (double v : f.scale()) {
                out.writeDouble(v);
            }
            out.writeDouble(f.averagePath());
            for (int i : f.roots()) {
                out.writeInt(i);
            }
            for (int i = 0; i < f.feature().length; i++) {
                out.writeInt(f.feature()[i]);
                out.writeInt(f.right()[i]);
                out.writeDouble(f.cut()[i]);
                out.writeFloat(f.low()[i]);
                out.writeFloat(f.high()[i]);
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void scoresAWindowFarFromTheBenignCloudAboveTypicalOnes() {
        FleetDetector detector = FleetDetector.fit(fleet(1, 40, 30), 7);
        double[][] heldOut = fleet(2, 20, 10);
        double[] typical =
                Arrays.stream(heldOut).mapToDouble(detector::score).sorted().toArray();
        double p99 = typical[(int) (0.99 * (typical.length - 1))];

        SyntheticWindows synthetic = new SyntheticWindows(3);
        for (Category kind : new Category[] {
            Category.NETWORK_SCAN, Category.CRYPTO_MINING, Category.EXFILTRATION, Category.REVERSE_TUNNEL
        }) {
            double[] strange = synthetic.incident(synthetic.job(), kind);
            assertThat(detector.score(strange)).as(kind.name()).isGreaterThan(p99);
        }
        assertThat(typical[typical.length / 2]).isBetween(0.3, 0.6);
    }

    @Test
    void aValueTheFleetNeverShowedMakesAWindowStrangerAndMoreSoTheFurtherOut() {
        FleetDetector detector = FleetDetector.fit(fleet(1, 40, 30), 7);
        SyntheticWindows synthetic = new SyntheticWindows(4);
        double[] window = synthetic.benign(synthetic.job());
        double typical = detector.score(window);

        // 0 in every benign window: any other value is cut off by every split on it.
        double[] unanswered = window.clone();
        SyntheticWindows.set(unanswered, FAILED_HOSTS, Math.log1p(3));
        assertThat(detector.score(unanswered)).isGreaterThan(typical);

        // tens of internal hosts in benign windows: past the end, the further the stranger.
        double previous = typical;
        for (int hosts : new int[] {300, 3000, 30000}) {
            double[] scan = window.clone();
            SyntheticWindows.set(scan, FeatureSet.INTERNAL_HOSTS, Math.log1p(hosts));
            double score = detector.score(scan);
            assertThat(score).as(hosts + " hosts").isGreaterThan(previous);
            previous = score;
        }
    }

    @Test
    void sameWindowsAndSeedGiveTheSameModelByteForByte() throws IOException {
        double[][] windows = fleet(1, 30, 20);
        FleetDetector a = FleetDetector.fit(windows, 11);
        FleetDetector b = FleetDetector.fit(windows, 11);
        assertThat(serialized(b)).isEqualTo(serialized(a));
        double[] probe = fleet(5, 1, 1)[0];
        assertThat(b.score(probe)).isEqualTo(a.score(probe));

        assertThat(serialized(FleetDetector.fit(windows, 12))).isNotEqualTo(serialized(a));
    }

    @Test
    void staysSmall() throws IOException {
        FleetDetector detector = FleetDetector.fit(fleet(1, 100, 60), 7);
        assertThat(detector.trees()).isEqualTo(FleetDetector.TREES);
        // 100 trees of 256 rows: Smile's own nodes would be megabytes.
        assertThat(serialized(detector).length).isLessThan(400 * 1024);
        assertThat(FleetDetector.of(detector.forest()))
                .usingRecursiveComparison()
                .isEqualTo(detector);
    }

    @Test
    void baselineIsTheFleetMedianAndConstantFeaturesStayFinite() {
        double[][] windows = new double[101][];
        for (int i = 0; i < windows.length; i++) {
            windows[i] = new double[] {i, 5, i % 2};
        }
        FleetDetector detector = FleetDetector.fit(windows, 1, 10, 32);
        assertThat(detector.baseline()).containsExactly(50, 5, 0);
        double[] deviations = detector.deviations(new double[] {50, 6, 0});
        // Feature 1 never moved: its spread is the floor, so 1 away is 1 / floor spreads, finite.
        assertThat(deviations[1]).isEqualTo(1 / FleetDetector.SCALE_FLOOR, Offset.offset(1e-9));
        assertThat(deviations[0]).isZero();
        assertThat(detector.score(new double[] {50, 6, 0})).isFinite();
    }

    @Test
    void refusesWhatItCannotLearnFrom() {
        assertThatThrownBy(() -> FleetDetector.fit(new double[][] {{1, 2}}, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2");
        assertThatThrownBy(() -> FleetDetector.fit(new double[][] {{1, 2}, {1}}, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window 1 has 1 features");
        assertThatThrownBy(() -> FleetDetector.fit(new double[][] {{1, 2}, {1, Double.NaN}}, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not finite");
        FleetDetector detector = FleetDetector.fit(new double[][] {{1, 2}, {2, 3}, {3, 4}}, 1);
        assertThatThrownBy(() -> detector.score(new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reads 2 features");
    }
}
