package io.vigil.models.model;

import static io.vigil.models.detectors.JobWindows.V1;
import static io.vigil.models.detectors.JobWindows.count;
import static io.vigil.models.detectors.JobWindows.fleet;
import static io.vigil.models.detectors.JobWindows.trainingJob;
import static io.vigil.models.detectors.JobWindows.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.models.detectors.CategoryDetector;
import io.vigil.models.detectors.FleetDetector;
import io.vigil.models.detectors.JobDetector;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.model.ModelArtifact.Header;
import io.vigil.models.model.ModelArtifact.Refusal;
import io.vigil.models.model.ModelArtifact.RefusedException;
import io.vigil.models.scoring.JobHistory;
import io.vigil.models.scoring.Verdict;
import io.vigil.records.Category;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real {@link VigilModel}, small and built from its parts, through its artifact and back. */
class ModelArtifactRoundTripTest {

    private static final Map<String, Double> MINER = Map.of(
            FeatureSet.TENSOR_ACTIVE, 0.01,
            FeatureSet.SM_WITHOUT_TENSOR, 0.01,
            FeatureSet.HASHING_GPU_FRACTION, 1.0,
            FeatureSet.PROCESS_NAMES, count(2));

    /** The same inputs give the same model: the parts are seeded. */
    private static VigilModel model() {
        Random random = new Random(11);
        double[][] benign = fleet(random);
        double[][] windows = Arrays.copyOf(benign, benign.length + 40);
        Category[] labels = new Category[windows.length];
        for (int w = benign.length; w < windows.length; w++) {
            windows[w] = window(trainingJob(), random, MINER);
            labels[w] = Category.CRYPTO_MINING;
        }
        FleetDetector fleet = FleetDetector.fit(benign, 5, 20, 64);
        JobDetector job = JobDetector.fit(V1, benign);
        CategoryDetector supervised = CategoryDetector.fit(V1, windows, labels, 5);
        double[] benignFleetScores = Arrays.stream(benign).mapToDouble(fleet::score).toArray();
        Calibration calibration = new Calibration(BenignTail.of(benignFleetScores, 0.01),
                BenignTail.of(new double[] {0, 0, 0.5, 1, 2}, 0.5), BenignTail.of(new double[] {0, 0.01, 0.05}, 0.01), 9);
        SortedMap<String, Object> training = new TreeMap<>(Map.of("windows", windows.length, "seed", 5,
                "positives", new TreeMap<>(Map.of("CRYPTO_MINING", 40))));
        SortedMap<String, Object> metrics = new TreeMap<>(Map.of("pr_auc", 0.9));
        return new VigilModel(V1, fleet, job, supervised, calibration, "vigil-test-0001", training, metrics);
    }

    @Test
    void loadsAModelThatScoresAndLearnsAsTheOneWritten(@TempDir Path dir) throws Exception {
        VigilModel written = model();
        Path file = dir.resolve("model.vigil");
        ModelArtifact.write(written, file);
        VigilModel loaded = ModelArtifact.read(file, V1);

        assertThat(loaded.modelVersion()).isEqualTo("vigil-test-0001");
        assertThat(loaded.kind()).isEqualTo(VigilModel.KIND);
        assertThat(loaded.featureSet()).isEqualTo(V1);
        assertThat(loaded.trainingSummary()).isEqualTo(written.trainingSummary());

        Random random = new Random(2);
        JobHistory writtenHistory = JobHistory.empty();
        JobHistory loadedHistory = JobHistory.empty();
        for (int w = 0; w < 20; w++) {
            double[] x = w < 15 ? window(trainingJob(), random) : window(trainingJob(), random, MINER);
            Verdict expected = written.score(x, writtenHistory);
            Verdict actual = loaded.score(x, loadedHistory);
            assertThat(actual).isEqualTo(expected);
            writtenHistory = written.update(writtenHistory, x, expected);
            loadedHistory = loaded.update(loadedHistory, x, actual);
        }
        assertThat(loadedHistory).isEqualTo(writtenHistory);
    }

    @Test
    void writesTheSameBytesForTheSameModel() {
        byte[] first = ModelArtifact.toBytes(model());
        assertThat(ModelArtifact.toBytes(model())).isEqualTo(first);
        System.out.println("artifact of a small model (20 fleet trees, " + CategoryDetector.TREES
                + " supervised trees): " + first.length + " bytes, SHA-256 " + ModelArtifact.sha256(first));
    }

    @Test
    void headsTheFileWithWhatItHolds() throws Exception {
        byte[] bytes = ModelArtifact.toBytes(model());
        Header header = ModelArtifact.readHeader(bytes);
        assertThat(header.featureSetId()).isEqualTo(V1.id());
        assertThat(header.kind()).isEqualTo("vigil-ensemble/1");
        assertThat(header.threshold()).isEqualTo(0.5);
        assertThat(header.metrics()).containsEntry("pr_auc", 0.9);
        assertThat(header.training()).containsEntry("windows", 440);
        String firstLines = new String(bytes, 0, 600, StandardCharsets.ISO_8859_1);
        assertThat(firstLines).startsWith("VIGIL-MODEL 1\n{\"feature_set\":\"" + V1.id() + "\"");
    }

    @Test
    void refusesAModelWhoseHeaderWasEditedAfterwards() {
        byte[] bytes = ModelArtifact.toBytes(model());
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        byte[] edited = text.replace("\"threshold\":0.5", "\"threshold\":0.9").getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> ModelArtifact.fromBytes(edited, V1)).isInstanceOf(RefusedException.class)
                .hasMessage("payload's model has threshold 0.5, the header says 0.9")
                .satisfies(e -> assertThat(((RefusedException) e).refusal()).isEqualTo(Refusal.UNREADABLE_PAYLOAD));
    }
}
