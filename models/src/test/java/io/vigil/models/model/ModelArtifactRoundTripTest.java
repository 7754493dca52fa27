package io.vigil.models.model;

import static io.vigil.models.detectors.JobWindows.V1;
import static io.vigil.models.detectors.JobWindows.count;
import static io.vigil.models.detectors.JobWindows.fleet;
import static io.vigil.models.detectors.JobWindows.trainingJob;
import static io.vigil.models.detectors.JobWindows.window;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.detectors.CategoryDetector;
import io.vigil.models.detectors.FleetDetector;
import io.vigil.models.detectors.JobDetector;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.scoring.JobHistory;
import io.vigil.models.scoring.Verdict;
import io.vigil.models.training.LabelledWindow;
import io.vigil.models.training.SyntheticWindows;
import io.vigil.models.training.Trainer;
import io.vigil.records.Category;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    static VigilModel model() {
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
        double[] benignFleetScores =
                Arrays.stream(benign).mapToDouble(fleet::score).toArray();
        Calibration calibration = new Calibration(
                BenignTail.of(benignFleetScores, 0.01),
                BenignTail.of(new double[] {0, 0, 0.5, 1, 2}, 0.5),
                BenignTail.of(new double[] {0, 0.01, 0.05}, 0.01),
                9);
        SortedMap<String, Object> training = new TreeMap<>(
                Map.of("windows", windows.length, "seed", 5, "positives", new TreeMap<>(Map.of("CRYPTO_MINING", 40))));
        SortedMap<String, Object> metrics = new TreeMap<>(Map.of("pr_auc", 0.9));
        return new VigilModel(V1, fleet, job, supervised, calibration, "vigil-test-0001", training, metrics);
    }

    static final ModelTrust UNSIGNED_ALLOWED = ModelTrust.of(List.of(), true);

    @Test
    void loadsAModelThatScoresAndLearnsAsTheOneWritten(@TempDir Path dir) throws Exception {
        VigilModel written = model();
        Path file = dir.resolve("model.vigil");
        ModelArtifact.write(written, file);
        VigilModel loaded = ModelArtifact.load(file, V1, UNSIGNED_ALLOWED);

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
    void everyFieldOfATrainedModelSurvivesTheRoundTrip() throws Exception {
        List<LabelledWindow> windows = new ArrayList<>();
        SyntheticWindows synthetic = new SyntheticWindows(1);
        windows.addAll(synthetic.dataset("ds-a", 3, 40, Category.CRYPTO_MINING));
        windows.addAll(synthetic.dataset("ds-b", 3, 40, Category.NETWORK_SCAN));
        VigilModel written =
                Trainer.train(SyntheticWindows.SET, windows, new Trainer.Options(7, 0.5), Trainer.Progress.SILENT);
        assertThat(written.calibration().jobFeatures()).isNotNull();

        VigilModel loaded = ModelArtifact.load(ModelArtifact.toBytes(written), SyntheticWindows.SET, UNSIGNED_ALLOWED);

        // field by field, arrays element by element, down to every tree node and tail order statistic
        assertThat(loaded).usingRecursiveComparison().isEqualTo(written);
        assertThat(loaded.fleet().forest())
                .usingRecursiveComparison()
                .isEqualTo(written.fleet().forest());
        assertThat(loaded.supervised().forest())
                .usingRecursiveComparison()
                .isEqualTo(written.supervised().forest());
        assertThat(loaded.metrics()).isEqualTo(written.metrics()).isNotEmpty();
        assertThat(loaded.trainingSummary())
                .isEqualTo(written.trainingSummary())
                .containsKey("seed");
        assertThat(ModelArtifact.toBytes(loaded)).isEqualTo(ModelArtifact.toBytes(written));
    }

    @Test
    void writesTheSameBytesForTheSameModel() {
        byte[] first = ModelArtifact.toBytes(model());
        assertThat(ModelArtifact.toBytes(model())).isEqualTo(first);
        System.out.println("artifact of a small model (20 fleet trees, " + CategoryDetector.TREES
                + " supervised trees): " + first.length + " bytes");
    }

    @Test
    void startsWithAMagicLineNamingTheFormatVersion() {
        byte[] bytes = ModelArtifact.toBytes(model());
        assertThat(new String(bytes, 0, 14, StandardCharsets.US_ASCII)).isEqualTo("VIGIL-MODEL 2\n");
    }

    @Test
    void survivesJavaSerializationOnlyAsItsArtifact() throws Exception {
        VigilModel model = model();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(model);
        }
        VigilModel read;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            read = (VigilModel) in.readObject();
        }
        assertThat(read).usingRecursiveComparison().isEqualTo(model);
    }
}
