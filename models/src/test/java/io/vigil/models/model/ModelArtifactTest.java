package io.vigil.models.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import io.vigil.models.detectors.CategoryDetector;
import io.vigil.models.detectors.FleetDetector;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.hostile.Gadget;
import io.vigil.models.model.ModelArtifact.Refusal;
import io.vigil.models.model.ModelArtifact.RefusedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The artifact's frame, its signature and every refusal, with forged artifacts of both the old (Java
 * serialization) framing and the new format. Each hostile artifact must be refused with its reason, with no
 * other exception escaping and without allocating much more than the artifact's own size.
 */
class ModelArtifactTest {
    private static final FeatureSet V1 = FeatureSet.CURRENT;
    private static final ModelTrust UNSIGNED_ALLOWED = ModelArtifactRoundTripTest.UNSIGNED_ALLOWED;
    /** What loading a hostile artifact may allocate beyond nothing: a small multiple of a small model. */
    private static final long SMALL_ALLOCATION = 8L * 1024 * 1024;

    private static VigilModel model;
    private static byte[] artifact;

    @BeforeAll
    static void build() {
        model = ModelArtifactRoundTripTest.model();
        artifact = ModelArtifact.toBytes(model);
    }

    /** Refused with this reason and a message containing {@code message}, allocating little. */
    private static void refused(byte[] bytes, ModelTrust trust, Refusal refusal, String message) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        long started = System.nanoTime();
        RefusedException refused = null;
        try {
            ModelArtifact.load(bytes, V1, trust);
        } catch (RefusedException e) {
            refused = e;
        }
        long micros = (System.nanoTime() - started) / 1000;
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(refused).as("refused").isNotNull();
        assertThat(refused.refusal()).as(refused.getMessage()).isEqualTo(refusal);
        assertThat(refused.getMessage()).contains(message);
        assertThat(allocated).as("bytes allocated while refusing").isLessThan(SMALL_ALLOCATION + 2L * bytes.length);
        System.out.printf(
                "refused %d-byte artifact in %d us, %d bytes allocated: %s: %s%n",
                bytes.length, micros, allocated, refusal.code(), refused.getMessage());
    }

    private static void refused(byte[] bytes, Refusal refusal, String message) {
        refused(bytes, UNSIGNED_ALLOWED, refusal, message);
    }

    /** A body forged from the model's parts, framed with a correct checksum. */
    private static byte[] forged(UnaryOperator<ModelFormat.Parts> change) {
        return ModelArtifact.framed(ModelFormat.write(change.apply(ModelFormat.Parts.of(model))));
    }

    private static ModelFormat.Parts withFleet(ModelFormat.Parts p, FleetDetector.Forest fleet) {
        return new ModelFormat.Parts(
                p.kind(),
                p.modelVersion(),
                p.featureSetVersion(),
                p.featureSetHash(),
                p.features(),
                p.threshold(),
                p.training(),
                p.metrics(),
                fleet,
                p.jobSettings(),
                p.jobScaleFloors(),
                p.supervised(),
                p.calibration());
    }

    private static ModelFormat.Parts withSupervised(ModelFormat.Parts p, CategoryDetector.Forest supervised) {
        return new ModelFormat.Parts(
                p.kind(),
                p.modelVersion(),
                p.featureSetVersion(),
                p.featureSetHash(),
                p.features(),
                p.threshold(),
                p.training(),
                p.metrics(),
                p.fleet(),
                p.jobSettings(),
                p.jobScaleFloors(),
                supervised,
                p.calibration());
    }

    /** The artifact's body rewritten and the checksum recomputed, as an attacker who can write the file would. */
    private static byte[] rechecksummed(byte[] bytes) {
        byte[] out = bytes.clone();
        int bodyLength = ByteBuffer.wrap(out, 14, 4).getInt();
        byte[] digest = sha256(Arrays.copyOfRange(out, 18, 18 + bodyLength));
        System.arraycopy(digest, 0, out, 18 + bodyLength, digest.length);
        return out;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    // ---- what loads ----

    @Test
    void loadsWhatItWroteAndWritesTheSameBytesAgain() throws Exception {
        VigilModel loaded = ModelArtifact.load(artifact, V1, UNSIGNED_ALLOWED);
        assertThat(loaded.modelVersion()).isEqualTo(model.modelVersion());
        assertThat(ModelArtifact.toBytes(loaded)).isEqualTo(artifact);
    }

    @Test
    void readsAFileOnlyUpToItsSizeLimit(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.vigil");
        ModelArtifact.write(model, file);
        assertThat(ModelArtifact.load(file, V1, UNSIGNED_ALLOWED).modelVersion())
                .isEqualTo(model.modelVersion());
        try (var out = Files.newByteChannel(file, StandardOpenOption.WRITE)) {
            out.position(ModelArtifact.MAX_BYTES);
            out.write(ByteBuffer.wrap(new byte[] {1}));
        }
        assertThatThrownBy(() -> ModelArtifact.load(file, V1, UNSIGNED_ALLOWED))
                .isInstanceOf(RefusedException.class)
                .hasMessageContaining("at most " + ModelArtifact.MAX_BYTES)
                .satisfies(e -> assertThat(((RefusedException) e).refusal()).isEqualTo(Refusal.TOO_LARGE));
        assertThatThrownBy(() -> ModelArtifact.load(dir.resolve("absent"), V1, UNSIGNED_ALLOWED))
                .isInstanceOf(RefusedException.class)
                .hasMessageContaining("no model file")
                .satisfies(e -> assertThat(((RefusedException) e).refusal()).isEqualTo(Refusal.NOT_FOUND));
    }

    // ---- signatures ----

    @Test
    void acceptsOnlyReleasesSignedByATrustedKeyUnlessUnsignedAreAllowed(@TempDir Path dir) throws Exception {
        String id = ModelSigning.generate(dir.resolve("release.key"), dir.resolve("release.pub"));
        ModelSigning.generate(dir.resolve("other.key"), dir.resolve("other.pub"));
        assertThat(Files.readString(dir.resolve("release.key"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(Files.readString(dir.resolve("release.pub"))).startsWith("-----BEGIN PUBLIC KEY-----\n");
        assertThat(Files.getPosixFilePermissions(dir.resolve("release.key")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThatThrownBy(() -> ModelSigning.generate(dir.resolve("release.key"), dir.resolve("x.pub")))
                .isInstanceOf(IOException.class);

        PrivateKey key = ModelSigning.readPrivateKey(dir.resolve("release.key"));
        PublicKey pub = ModelSigning.readPublicKey(dir.resolve("release.pub"));
        PrivateKey otherKey = ModelSigning.readPrivateKey(dir.resolve("other.key"));
        PublicKey otherPub = ModelSigning.readPublicKey(dir.resolve("other.pub"));
        ModelTrust trusted = ModelTrust.fromFiles(List.of(dir.resolve("release.pub")), false);

        byte[] signed = ModelArtifact.sign(artifact, key, pub);
        assertThat(ModelArtifact.signer(signed)).isEqualTo(id);
        assertThat(ModelArtifact.load(signed, V1, trusted).modelVersion()).isEqualTo(model.modelVersion());
        assertThat(ModelArtifact.sign(signed, key, pub))
                .as("signing again replaces the signature")
                .isEqualTo(signed);

        refused(artifact, trusted, Refusal.UNSIGNED, "model is not signed");
        refused(
                ModelArtifact.sign(artifact, otherKey, otherPub),
                trusted,
                Refusal.UNTRUSTED_KEY,
                "not among the trusted public keys");
        assertThatThrownBy(() -> ModelArtifact.sign(artifact, key, otherPub))
                .isInstanceOf(IllegalArgumentException.class);

        // the body changed after signing, checksum recomputed: the signature gives it away, whatever the policy
        byte[] tampered = signed.clone();
        int at = indexOf(tampered, "vigil-test-0001".getBytes(StandardCharsets.UTF_8));
        tampered[at + 14] = '2';
        tampered = rechecksummed(tampered);
        refused(tampered, trusted, Refusal.BAD_SIGNATURE, "does not verify");
        refused(
                tampered,
                ModelTrust.fromFiles(List.of(dir.resolve("release.pub")), true),
                Refusal.BAD_SIGNATURE,
                "does not verify");

        ModelTrust lenient = ModelTrust.fromFiles(List.of(dir.resolve("release.pub")), true);
        assertThat(ModelArtifact.load(artifact, V1, lenient).modelVersion()).isEqualTo(model.modelVersion());
        assertThat(ModelArtifact.load(artifact, V1, ModelTrust.BUILT_IN).modelVersion())
                .isEqualTo(model.modelVersion());
    }

    // ---- the frame ----

    @Test
    void refusesWhatIsNotAnArtifactAndOtherFormatVersions() {
        refused(new byte[0], Refusal.BAD_FORMAT, "artifact is empty");
        refused(
                "PK\u0003\u0004 a zip".getBytes(StandardCharsets.ISO_8859_1),
                Refusal.BAD_FORMAT,
                "not a Vigil model artifact: it starts with \"PK\\x03\\x04 a zip\"");
        refused("VIGIL-MODEL x\n".getBytes(StandardCharsets.US_ASCII), Refusal.BAD_FORMAT, "is not a number");
        refused(
                "VIGIL-MODEL 3\n".getBytes(StandardCharsets.US_ASCII),
                Refusal.UNSUPPORTED_FORMAT_VERSION,
                "artifact format version 3, this build reads version 2");
    }

    @Test
    void refusesATruncatedArtifactAtEveryLength() {
        for (int length = 0; length < artifact.length; length += length < 64 ? 1 : 997) {
            byte[] cut = Arrays.copyOf(artifact, length);
            assertThatThrownBy(() -> ModelArtifact.load(cut, V1, UNSIGNED_ALLOWED))
                    .isInstanceOf(RefusedException.class)
                    .satisfies(e -> assertThat(((RefusedException) e).refusal())
                            .isIn(Refusal.BAD_FORMAT, Refusal.CHECKSUM_MISMATCH));
        }
        refused(Arrays.copyOf(artifact, artifact.length / 2), Refusal.BAD_FORMAT, "truncated");
    }

    @Test
    void refusesAGiantDeclaredBodyWithoutAllocatingIt() {
        byte[] giant = artifact.clone();
        ByteBuffer.wrap(giant, 14, 4).putInt(-1); // 4 GiB - 1
        refused(giant, Refusal.BAD_FORMAT, "declares a body of 4294967295 bytes");
    }

    @Test
    void refusesADamagedBodyByItsChecksumAndBytesAfterTheEnd() {
        byte[] damaged = artifact.clone();
        damaged[100] ^= 1;
        refused(damaged, Refusal.CHECKSUM_MISMATCH, "body SHA-256 is");
        byte[] longer = Arrays.copyOf(artifact, artifact.length + 3);
        refused(longer, Refusal.BAD_FORMAT, "bytes after its body");
    }

    // ---- forged bodies of the new format ----

    @Test
    void refusesAnUnknownKindOrAnotherFeatureSet() {
        refused(
                forged(p -> new ModelFormat.Parts(
                        "vigil-ensemble/9",
                        p.modelVersion(),
                        p.featureSetVersion(),
                        p.featureSetHash(),
                        p.features(),
                        p.threshold(),
                        p.training(),
                        p.metrics(),
                        p.fleet(),
                        p.jobSettings(),
                        p.jobScaleFloors(),
                        p.supervised(),
                        p.calibration())),
                Refusal.UNKNOWN_KIND,
                "vigil-ensemble/9");
        refused(
                forged(p -> new ModelFormat.Parts(
                        p.kind(),
                        p.modelVersion(),
                        "v9",
                        "0000",
                        p.features(),
                        p.threshold(),
                        p.training(),
                        p.metrics(),
                        p.fleet(),
                        p.jobSettings(),
                        p.jobScaleFloors(),
                        p.supervised(),
                        p.calibration())),
                Refusal.FEATURE_SET_MISMATCH,
                "model reads feature set v9-0000 (" + V1.size() + " features), the pipeline computes " + V1.id());
    }

    @Test
    void refusesANaNThresholdOrCut() {
        refused(
                forged(p -> new ModelFormat.Parts(
                        p.kind(),
                        p.modelVersion(),
                        p.featureSetVersion(),
                        p.featureSetHash(),
                        p.features(),
                        Double.NaN,
                        p.training(),
                        p.metrics(),
                        p.fleet(),
                        p.jobSettings(),
                        p.jobScaleFloors(),
                        p.supervised(),
                        p.calibration())),
                Refusal.BAD_MODEL,
                "threshold is NaN, not a finite number");
        refused(
                forged(p -> {
                    FleetDetector.Forest f = p.fleet();
                    double[] cut = f.cut().clone();
                    cut[0] = Double.NaN;
                    return withFleet(
                            p,
                            new FleetDetector.Forest(
                                    f.median(),
                                    f.scale(),
                                    f.averagePath(),
                                    f.roots(),
                                    f.feature(),
                                    f.right(),
                                    cut,
                                    f.low(),
                                    f.high()));
                }),
                Refusal.BAD_MODEL,
                "fleet node 0 cut is NaN");
    }

    @Test
    void refusesBadLengths() {
        refused(
                forged(p -> {
                    FleetDetector.Forest f = p.fleet();
                    return withFleet(
                            p,
                            new FleetDetector.Forest(
                                    Arrays.copyOf(f.median(), 29),
                                    f.scale(),
                                    f.averagePath(),
                                    f.roots(),
                                    f.feature(),
                                    f.right(),
                                    f.cut(),
                                    f.low(),
                                    f.high()));
                }),
                Refusal.BAD_MODEL,
                "fleet medians: 29 values, expected " + V1.size());
        refused(
                forged(p -> new ModelFormat.Parts(
                        p.kind(),
                        p.modelVersion(),
                        p.featureSetVersion(),
                        p.featureSetHash(),
                        p.features(),
                        p.threshold(),
                        p.training(),
                        p.metrics(),
                        p.fleet(),
                        p.jobSettings(),
                        new double[V1.size() - 1],
                        p.supervised(),
                        p.calibration())),
                Refusal.BAD_MODEL,
                "per-job scale floors: " + (V1.size() - 1) + " values, expected " + V1.size());
    }

    @Test
    void refusesAChildIndexOutOfRangeOrBeforeItsParent() {
        CategoryDetector.Forest s = model.supervised().forest();
        int split = 0;
        while (s.feature()[split] < 0) {
            split++;
        }
        int at = split;
        refused(
                forged(p -> {
                    int[] left = s.left().clone();
                    left[at] = 1_000_000;
                    return withSupervised(
                            p,
                            new CategoryDetector.Forest(
                                    s.width(),
                                    s.categories(),
                                    s.roots(),
                                    s.feature(),
                                    s.split(),
                                    left,
                                    s.right(),
                                    s.shares()));
                }),
                Refusal.BAD_MODEL,
                "supervised node " + at + " left child is 1000000, outside");
        // a cycle: the right child of a split points back at its tree's root
        refused(
                forged(p -> {
                    int[] right = s.right().clone();
                    right[at] = s.roots()[0];
                    return withSupervised(
                            p,
                            new CategoryDetector.Forest(
                                    s.width(),
                                    s.categories(),
                                    s.roots(),
                                    s.feature(),
                                    s.split(),
                                    s.left(),
                                    right,
                                    s.shares()));
                }),
                Refusal.BAD_MODEL,
                "right child is " + s.roots()[0]);
        // a cycle in the fleet: a split's right child is itself
        FleetDetector.Forest f = model.fleet().forest();
        refused(
                forged(p -> {
                    int[] right = f.right().clone();
                    right[0] = 0;
                    return withFleet(
                            p,
                            new FleetDetector.Forest(
                                    f.median(),
                                    f.scale(),
                                    f.averagePath(),
                                    f.roots(),
                                    f.feature(),
                                    right,
                                    f.cut(),
                                    f.low(),
                                    f.high()));
                }),
                Refusal.BAD_MODEL,
                "fleet node 0 right child is 0, outside");
        // a child in the next tree: in range for the file, not for its tree
        refused(
                forged(p -> {
                    int[] right = f.right().clone();
                    right[0] = f.roots()[1];
                    return withFleet(
                            p,
                            new FleetDetector.Forest(
                                    f.median(),
                                    f.scale(),
                                    f.averagePath(),
                                    f.roots(),
                                    f.feature(),
                                    right,
                                    f.cut(),
                                    f.low(),
                                    f.high()));
                }),
                Refusal.BAD_MODEL,
                "not after it within nodes 0 to " + f.roots()[1]);
    }

    @Test
    void refusesAGiantNodeCountBeforeAllocatingForIt() {
        // a fleet of one leaf whose path length marks where the node count lies
        double marker = 12345.678901;
        byte[] bytes = forged(p -> withFleet(
                p,
                new FleetDetector.Forest(
                        p.fleet().median(),
                        p.fleet().scale(),
                        p.fleet().averagePath(),
                        new int[] {0},
                        new int[] {-1},
                        new int[] {-1},
                        new double[] {marker},
                        new float[1],
                        new float[1])));
        byte[] markerBytes = ByteBuffer.allocate(8).putDouble(marker).array();
        int count = indexOf(bytes, markerBytes) - 8;
        ByteBuffer.wrap(bytes, count, 4).putInt(Integer.MAX_VALUE);
        refused(rechecksummed(bytes), Refusal.BAD_FORMAT, "fleet nodes: a count of 2147483647, at most 4000000");
        ByteBuffer.wrap(bytes, count, 4).putInt(3_999_999);
        refused(rechecksummed(bytes), Refusal.BAD_FORMAT, "fleet nodes needs 47999988 bytes");
    }

    @Test
    void refusesAModelWithARequiredPartEmpty() {
        // the new format's "supervised = null": categories to name, but no trees to name them
        CategoryDetector.Forest s = model.supervised().forest();
        refused(
                forged(p -> withSupervised(
                        p,
                        new CategoryDetector.Forest(
                                s.width(),
                                s.categories(),
                                new int[0],
                                new int[0],
                                new double[0],
                                new int[0],
                                new int[0],
                                new double[0]))),
                Refusal.BAD_MODEL,
                "supervised model: 0 trees for 1 categories");
        FleetDetector.Forest f = model.fleet().forest();
        refused(
                forged(p -> withFleet(
                        p,
                        new FleetDetector.Forest(
                                f.median(),
                                f.scale(),
                                f.averagePath(),
                                new int[0],
                                new int[0],
                                new int[0],
                                new double[0],
                                new float[0],
                                new float[0]))),
                Refusal.BAD_MODEL,
                "fleet model: no tree");
    }

    // ---- the old, Java-serialization framing: never deserialized ----

    /** The format-1 framing: magic line, one line of JSON header with the payload's real SHA-256, the payload. */
    private static byte[] formatOne(Serializable payload) {
        byte[] bytes = serialized(payload);
        String header = "{\"feature_set\":\"" + V1.id() + "\",\"feature_set_hash\":\"" + V1.hash()
                + "\",\"feature_set_version\":\"" + V1.version() + "\",\"kind\":\"vigil-ensemble/1\",\"metrics\":{},"
                + "\"model_version\":\"forged\",\"payload_bytes\":" + bytes.length + ",\"payload_sha256\":\""
                + HexFormat.of().formatHex(sha256(bytes)) + "\",\"threshold\":0.5,\"training\":{}}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("VIGIL-MODEL 1\n" + header + "\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(bytes);
        return out.toByteArray();
    }

    private static byte[] serialized(Serializable payload) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(payload);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /** Replaces a class name in a Java serialization stream (its length-prefixed UTF form). */
    private static byte[] renamed(byte[] stream, String from, String to) {
        byte[] old = ByteBuffer.allocate(2 + from.length())
                .putShort((short) from.length())
                .put(from.getBytes(StandardCharsets.US_ASCII))
                .array();
        byte[] replacement = ByteBuffer.allocate(2 + to.length())
                .putShort((short) to.length())
                .put(to.getBytes(StandardCharsets.US_ASCII))
                .array();
        int at = indexOf(stream, old);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(stream, 0, at);
        out.writeBytes(replacement);
        out.write(stream, at + old.length, stream.length - at - old.length);
        return out.toByteArray();
    }

    @Test
    void refusesTheThreeForgedJavaSerializationPayloadsWithoutReadingThem() {
        Gadget.READS.set(0);
        // (a) a HashMap holding a smile.math.matrix.BigMatrix: NoClassDefFoundError in the old reader
        HashMap<String, Object> map = new HashMap<>();
        map.put("matrix", new Gadget("stand-in"));
        byte[] bigMatrix = renamed(serialized(map), Gadget.class.getName(), "smile.math.matrix.BigMatrix");
        byte[] a = formatOneWithPayload(bigMatrix);
        refused(a, Refusal.UNSUPPORTED_FORMAT_VERSION, "a Java-serialized model, never read by this build");

        // (b) HashSets nested 60 levels deep: deserialization cost doubles per level
        Set<Object> root = new HashSet<>();
        Set<Object> s1 = root;
        Set<Object> s2 = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            Set<Object> t1 = new HashSet<>();
            Set<Object> t2 = new HashSet<>();
            t1.add("level " + i);
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        byte[] b = formatOne((Serializable) root);
        refused(b, Refusal.UNSUPPORTED_FORMAT_VERSION, "a Java-serialized model, never read by this build");

        // (c) the model's fields with a required one null, and a gadget beside them
        TreeMap<String, Object> fields = new TreeMap<>();
        fields.put("fleetMedians", model.fleet().baseline());
        fields.put("supervised", null);
        fields.put("gadget", new Gadget("touch /tmp/pwned"));
        byte[] c = formatOne(fields);
        refused(c, Refusal.UNSUPPORTED_FORMAT_VERSION, "a Java-serialized model, never read by this build");

        assertThat(Gadget.READS).as("no payload object was ever deserialized").hasValue(0);
    }

    private static byte[] formatOneWithPayload(byte[] payload) {
        byte[] template = formatOne("x");
        String text = new String(template, StandardCharsets.ISO_8859_1);
        int headerEnd = text.indexOf('\n', text.indexOf('\n') + 1);
        String header = text.substring(0, headerEnd + 1)
                .replaceAll("\"payload_bytes\":[0-9]+", "\"payload_bytes\":" + payload.length)
                .replaceAll(
                        "\"payload_sha256\":\"[0-9a-f]+\"",
                        "\"payload_sha256\":\"" + HexFormat.of().formatHex(sha256(payload)) + "\"");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    @Test
    void namesEachRefusalWithAMetricFriendlyCode() {
        assertThat(Refusal.BAD_SIGNATURE.code()).isEqualTo("bad_signature");
        assertThat(Arrays.stream(Refusal.values()).map(Refusal::code)).allMatch(c -> c.matches("[a-z_]+"));
    }
}
