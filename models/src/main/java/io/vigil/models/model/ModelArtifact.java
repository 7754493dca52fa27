package io.vigil.models.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vigil.models.features.FeatureSet;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A trained model as one file: a header (format version, feature set and its hash, kind, training data
 * summary, threshold, metrics, SHA-256 of the payload) and the payload.
 *
 * <p>Layout, format version 1:
 * <pre>
 * VIGIL-MODEL 1\n
 * {"feature_set":"v1-…","feature_set_hash":"…","feature_set_version":"v1","kind":"vigil-ensemble/1",
 *  "metrics":{…},"model_version":"…","payload_bytes":N,"payload_sha256":"…","threshold":0.5,"training":{…}}\n
 * payload: the Java serialization of the {@link VigilModel}, N bytes
 * </pre>
 * The header is one line of JSON with sorted keys, so the same model gives the same bytes and a person
 * can read what a file holds with {@code head -2}.
 *
 * <p>Loading checks, in this order, and refuses with a {@link Refusal} and a message saying exactly what
 * is wrong: size ({@code TOO_LARGE}), magic line and header ({@code BAD_FORMAT},
 * {@code UNSUPPORTED_FORMAT_VERSION}), kind ({@code UNKNOWN_KIND}), feature set ({@code
 * FEATURE_SET_MISMATCH}), payload length and SHA-256 ({@code CHECKSUM_MISMATCH}), and only then the
 * payload itself ({@code UNREADABLE_PAYLOAD}): it must deserialize under an allow-list filter, be a
 * {@link VigilModel}, and agree with the header on feature set, kind, version and threshold.
 *
 * <p>Security: artifacts arrive on a Kafka topic, so the payload is untrusted input. Java
 * deserialization runs only after the checksum matched (a damaged or half-written file never reaches
 * it), and under an {@link java.io.ObjectInputFilter} that admits only the classes a model is made of
 * (Vigil's model packages, Smile, a few java.lang and java.util value and collection classes, primitive
 * arrays) within limits on depth, references, array length and bytes. A class outside the list is
 * refused when its descriptor is read, before any of its code runs. The checksum is not a signature:
 * whoever can write to the model topic can publish a model; the filter bounds what such a model can do
 * while loading, not what it scores.
 */
public final class ModelArtifact {

    /** Why an artifact was refused; {@code code()} names metrics and log lines. */
    public enum Refusal {
        BAD_FORMAT, UNSUPPORTED_FORMAT_VERSION, FEATURE_SET_MISMATCH, CHECKSUM_MISMATCH, UNKNOWN_KIND,
        UNREADABLE_PAYLOAD, TOO_LARGE;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** An artifact that cannot be used, with the reason and a message saying exactly what is wrong. */
    public static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final Refusal refusal;

        public RefusedException(Refusal refusal, String message) {
            super(message);
            this.refusal = refusal;
        }

        public Refusal refusal() {
            return refusal;
        }
    }

    /** The artifact format this build writes and reads. */
    public static final int FORMAT_VERSION = 1;
    /** The largest artifact read: a model of the fleet and per-job detectors and a forest is a few MiB. */
    public static final long MAX_BYTES = 64L * 1024 * 1024;
    /** The kinds of model this build can load. */
    public static final Set<String> KINDS = Set.of(VigilModel.KIND);

    static final String MAGIC = "VIGIL-MODEL";
    /** The magic line is short; a file without a newline this early is not an artifact. */
    private static final int MAX_MAGIC_LINE = 32;
    private static final int MAX_HEADER_LINE = 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /**
     * What an artifact's header says.
     *
     * @param featureSetVersion {@link FeatureSet#version()} of the features the model reads
     * @param featureSetHash {@link FeatureSet#hash()} of them
     * @param kind {@link VigilModel#kind()}
     * @param modelVersion {@link VigilModel#modelVersion()}
     * @param threshold {@link VigilModel#threshold()}
     * @param training {@link VigilModel#trainingSummary()}
     * @param metrics {@link VigilModel#metrics()}
     * @param payloadSha256 lower-case hex SHA-256 of the payload
     * @param payloadBytes the payload's length
     */
    public record Header(String featureSetVersion, String featureSetHash, String kind, String modelVersion,
                         double threshold, SortedMap<String, Object> training, SortedMap<String, Object> metrics,
                         String payloadSha256, long payloadBytes) {
        public Header {
            Objects.requireNonNull(featureSetVersion, "featureSetVersion");
            Objects.requireNonNull(featureSetHash, "featureSetHash");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(modelVersion, "modelVersion");
            training = new TreeMap<>(training);
            metrics = new TreeMap<>(metrics);
            Objects.requireNonNull(payloadSha256, "payloadSha256");
        }

        /** version-hash, as {@link FeatureSet#id()}. */
        public String featureSetId() {
            return featureSetVersion + "-" + featureSetHash;
        }

        /** The header of a payload, its digest and length computed from it. */
        static Header describing(FeatureSet featureSet, String kind, String modelVersion, double threshold,
                                 SortedMap<String, Object> training, SortedMap<String, Object> metrics, byte[] payload) {
            return new Header(featureSet.version(), featureSet.hash(), kind, modelVersion, threshold, training,
                    metrics, sha256(payload), payload.length);
        }
    }

    /** A checked header and the object its payload deserialized to, not yet known to be a model. */
    record Opened(Header header, Object payload) {}

    private ModelArtifact() {}

    /** The artifact's bytes: same model, same bytes. */
    public static byte[] toBytes(VigilModel model) {
        byte[] payload = serialize(model);
        Header header = Header.describing(model.featureSet(), model.kind(), model.modelVersion(), model.threshold(),
                model.trainingSummary(), model.metrics(), payload);
        return encode(header, payload);
    }

    /** Reads and checks an artifact against the feature set the pipeline computes. */
    public static VigilModel fromBytes(byte[] bytes, FeatureSet expected) throws RefusedException {
        Opened opened = open(bytes, expected);
        if (!(opened.payload() instanceof VigilModel model)) {
            throw new RefusedException(Refusal.UNREADABLE_PAYLOAD, "payload is a "
                    + opened.payload().getClass().getName() + ", not a " + VigilModel.class.getName());
        }
        try {
            checkAgrees(opened.header(), model.featureSet(), model.kind(), model.modelVersion(), model.threshold());
        } catch (RuntimeException e) {
            throw new RefusedException(Refusal.UNREADABLE_PAYLOAD, "payload's model is broken: " + e);
        }
        return model;
    }

    public static void write(VigilModel model, Path file) throws IOException {
        Files.write(file, toBytes(model));
    }

    public static VigilModel read(Path file, FeatureSet expected) throws IOException, RefusedException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw tooLarge(size);
        }
        return fromBytes(Files.readAllBytes(file), expected);
    }

    /**
     * The header of an artifact, checked for format only: what a file says it holds, without reading
     * the payload (for listings and log lines about a refused artifact).
     */
    public static Header readHeader(byte[] bytes) throws RefusedException {
        return parse(bytes).header();
    }

    // ---- the layers under toBytes and fromBytes, testable with any serializable payload ----

    /** Magic line, header line, payload. The header is written as given: tests forge wrong ones. */
    static byte[] encode(Header header, byte[] payload) {
        TreeMap<String, Object> json = new TreeMap<>();
        json.put("feature_set", header.featureSetId());
        json.put("feature_set_hash", header.featureSetHash());
        json.put("feature_set_version", header.featureSetVersion());
        json.put("kind", header.kind());
        json.put("metrics", header.metrics());
        json.put("model_version", header.modelVersion());
        json.put("payload_bytes", header.payloadBytes());
        json.put("payload_sha256", header.payloadSha256());
        json.put("threshold", header.threshold());
        json.put("training", header.training());
        byte[] headerLine;
        try {
            headerLine = JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("model header cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + headerLine.length + 64);
        out.writeBytes((MAGIC + " " + FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(headerLine);
        out.write('\n');
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** Every check up to and including deserialization under the filter; the caller checks what it got. */
    static Opened open(byte[] bytes, FeatureSet expected) throws RefusedException {
        Parsed parsed = parse(bytes);
        Header header = parsed.header();
        if (!KINDS.contains(header.kind())) {
            throw new RefusedException(Refusal.UNKNOWN_KIND, "model kind '" + header.kind()
                    + "' is not one this build loads: " + new java.util.TreeSet<>(KINDS));
        }
        if (!header.featureSetVersion().equals(expected.version()) || !header.featureSetHash().equals(expected.hash())) {
            throw new RefusedException(Refusal.FEATURE_SET_MISMATCH, "model reads feature set " + header.featureSetId()
                    + ", the pipeline computes " + expected.id());
        }
        byte[] payload = Arrays.copyOfRange(bytes, parsed.payloadStart(), bytes.length);
        if (payload.length != header.payloadBytes()) {
            throw new RefusedException(Refusal.CHECKSUM_MISMATCH, "payload is " + payload.length
                    + " bytes, the header says " + header.payloadBytes());
        }
        String digest = sha256(payload);
        if (!digest.equals(header.payloadSha256())) {
            throw new RefusedException(Refusal.CHECKSUM_MISMATCH, "payload SHA-256 is " + digest
                    + ", the header says " + header.payloadSha256());
        }
        return new Opened(header, deserialize(payload));
    }

    /** The model agrees with what its header says about it. */
    static void checkAgrees(Header header, FeatureSet featureSet, String kind, String modelVersion, double threshold)
            throws RefusedException {
        if (!featureSet.id().equals(header.featureSetId())) {
            throw disagrees("feature set", featureSet.id(), header.featureSetId());
        }
        if (!kind.equals(header.kind())) {
            throw disagrees("kind", kind, header.kind());
        }
        if (!modelVersion.equals(header.modelVersion())) {
            throw disagrees("version", modelVersion, header.modelVersion());
        }
        if (Double.compare(threshold, header.threshold()) != 0) {
            throw disagrees("threshold", threshold, header.threshold());
        }
    }

    static byte[] serialize(Serializable payload) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(payload);
        } catch (IOException e) {
            throw new UncheckedIOException("model does not serialize: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    // ---- reading ----

    private record Parsed(Header header, int payloadStart) {}

    private static Parsed parse(byte[] bytes) throws RefusedException {
        if (bytes == null || bytes.length == 0) {
            throw new RefusedException(Refusal.BAD_FORMAT, "artifact is empty");
        }
        if (bytes.length > MAX_BYTES) {
            throw tooLarge(bytes.length);
        }
        int magicEnd = indexOf(bytes, (byte) '\n', 0, MAX_MAGIC_LINE);
        String prefix = MAGIC + " ";
        String magicLine = magicEnd < 0 ? null : new String(bytes, 0, magicEnd, StandardCharsets.US_ASCII);
        if (magicLine == null || !magicLine.startsWith(prefix)) {
            throw new RefusedException(Refusal.BAD_FORMAT, "not a Vigil model artifact: it starts with "
                    + printable(bytes, 16) + ", an artifact with \"" + prefix + FORMAT_VERSION + "\\n\"");
        }
        String version = magicLine.substring(prefix.length());
        if (!version.matches("[0-9]{1,9}")) {
            throw new RefusedException(Refusal.BAD_FORMAT, "artifact format version '" + version + "' is not a number");
        }
        if (Integer.parseInt(version) != FORMAT_VERSION) {
            throw new RefusedException(Refusal.UNSUPPORTED_FORMAT_VERSION, "artifact format version " + version
                    + ", this build reads version " + FORMAT_VERSION);
        }
        int headerStart = magicEnd + 1;
        int headerEnd = indexOf(bytes, (byte) '\n', headerStart, MAX_HEADER_LINE);
        if (headerEnd < 0) {
            throw new RefusedException(Refusal.BAD_FORMAT, "artifact header is not one line ended by a newline within "
                    + MAX_HEADER_LINE + " bytes");
        }
        JsonNode json;
        try {
            json = JSON.readTree(Arrays.copyOfRange(bytes, headerStart, headerEnd));
        } catch (IOException e) {
            throw new RefusedException(Refusal.BAD_FORMAT, "artifact header is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (json == null || !json.isObject()) {
            throw new RefusedException(Refusal.BAD_FORMAT, "artifact header is not a JSON object");
        }
        Header header = new Header(text(json, "feature_set_version"), text(json, "feature_set_hash"),
                text(json, "kind"), text(json, "model_version"), threshold(json), map(json, "training"),
                map(json, "metrics"), sha256Field(json), payloadBytes(json));
        String id = text(json, "feature_set");
        if (!id.equals(header.featureSetId())) {
            throw new RefusedException(Refusal.BAD_FORMAT, "artifact header names feature set '" + id
                    + "' but version and hash make '" + header.featureSetId() + "'");
        }
        return new Parsed(header, headerEnd + 1);
    }

    private static Object deserialize(byte[] payload) throws RefusedException {
        PayloadFilter filter = new PayloadFilter(payload.length);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(payload))) {
            in.setObjectInputFilter(filter);
            return in.readObject();
        } catch (InvalidClassException e) {
            String why = filter.refusal() != null ? filter.refusal() : e.getMessage();
            throw new RefusedException(Refusal.UNREADABLE_PAYLOAD, "payload refused: " + why);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            throw new RefusedException(Refusal.UNREADABLE_PAYLOAD, "payload does not deserialize: " + e);
        } catch (StackOverflowError e) {
            throw new RefusedException(Refusal.UNREADABLE_PAYLOAD, "payload does not deserialize: nested too deeply");
        }
    }

    private static String text(JsonNode json, String field) throws RefusedException {
        JsonNode node = json.get(field);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw missing(field, "a non-blank string");
        }
        return node.asText();
    }

    private static double threshold(JsonNode json) throws RefusedException {
        JsonNode node = json.get("threshold");
        if (node == null || !node.isNumber() || !(node.doubleValue() >= 0 && node.doubleValue() <= 1)) {
            throw missing("threshold", "a number in [0, 1]");
        }
        return node.doubleValue();
    }

    private static long payloadBytes(JsonNode json) throws RefusedException {
        JsonNode node = json.get("payload_bytes");
        if (node == null || !node.canConvertToExactIntegral() || !node.canConvertToLong() || node.longValue() < 0) {
            throw missing("payload_bytes", "a non-negative whole number");
        }
        return node.longValue();
    }

    private static String sha256Field(JsonNode json) throws RefusedException {
        String digest = text(json, "payload_sha256");
        if (!digest.matches("[0-9a-f]{64}")) {
            throw missing("payload_sha256", "64 lower-case hex digits");
        }
        return digest;
    }

    @SuppressWarnings("unchecked")
    private static SortedMap<String, Object> map(JsonNode json, String field) throws RefusedException {
        JsonNode node = json.get(field);
        if (node == null || !node.isObject()) {
            throw missing(field, "a JSON object");
        }
        return new TreeMap<>(JSON.convertValue(node, Map.class));
    }

    private static RefusedException missing(String field, String what) {
        return new RefusedException(Refusal.BAD_FORMAT, "artifact header needs '" + field + "' as " + what);
    }

    private static RefusedException disagrees(String what, Object model, Object header) {
        return new RefusedException(Refusal.UNREADABLE_PAYLOAD, "payload's model has " + what + " " + model
                + ", the header says " + header);
    }

    private static RefusedException tooLarge(long size) {
        return new RefusedException(Refusal.TOO_LARGE, "artifact is " + size + " bytes, at most " + MAX_BYTES + " are read");
    }

    private static int indexOf(byte[] bytes, byte b, int from, int within) {
        int end = (int) Math.min(bytes.length, (long) from + within + 1);
        for (int i = from; i < end; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The first bytes as a quoted string, non-printable ones as \xNN, for a message about a foreign file. */
    private static String printable(byte[] bytes, int max) {
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0; i < Math.min(max, bytes.length); i++) {
            int b = bytes[i] & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\') {
                s.append((char) b);
            } else {
                s.append(String.format("\\x%02X", b));
            }
        }
        return s.append(bytes.length > max ? "...\"" : "\"").toString();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
