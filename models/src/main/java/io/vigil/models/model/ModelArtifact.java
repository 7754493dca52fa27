package io.vigil.models.model;

import io.vigil.models.features.FeatureSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * A trained model as one file, and the one way to load one: {@link #load}. The format is
 * {@code models/MODEL-FORMAT.md}: a magic line, the model's own numbers ({@link ModelFormat}), their SHA-256,
 * and an optional Ed25519 signature ({@link ModelSigning}). No Java serialization: the reader allocates only
 * after checking each count against its cap and against the bytes left, and builds a model only from numbers
 * and indices it has checked.
 *
 * <p>{@link #load} checks, in this order, and refuses with a {@link RefusedException} whose {@link Refusal} says
 * why: size ({@code TOO_LARGE}); magic line ({@code BAD_FORMAT}, {@code UNSUPPORTED_FORMAT_VERSION}); framing and
 * checksum ({@code BAD_FORMAT}, {@code CHECKSUM_MISMATCH}); signature against the {@link ModelTrust}
 * ({@code UNSIGNED}, {@code UNTRUSTED_KEY}, {@code BAD_SIGNATURE}) before any of the body is parsed; the body
 * ({@code BAD_FORMAT}, {@code UNKNOWN_KIND}, {@code FEATURE_SET_MISMATCH}, {@code BAD_MODEL}); and last that the
 * model scores {@link ModelCheck}'s canned windows to shape ({@code FAILED_CHECK}). Any throwable on the way,
 * an {@link Error} included, is a refusal ({@code BAD_MODEL}): a model can never fail its caller.
 */
public final class ModelArtifact {

    /** Why an artifact was refused; {@code code()} names metrics and log lines. */
    public enum Refusal {
        NOT_FOUND,
        TOO_LARGE,
        BAD_FORMAT,
        UNSUPPORTED_FORMAT_VERSION,
        CHECKSUM_MISMATCH,
        UNSIGNED,
        UNTRUSTED_KEY,
        BAD_SIGNATURE,
        UNKNOWN_KIND,
        FEATURE_SET_MISMATCH,
        BAD_MODEL,
        FAILED_CHECK;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The one error of loading a model, for every verb: the reason and a message saying exactly what is wrong. */
    public static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final Refusal refusal;

        public RefusedException(Refusal refusal, String message) {
            super(message);
            this.refusal = refusal;
        }

        public RefusedException(Refusal refusal, String message, Throwable cause) {
            super(message, cause);
            this.refusal = refusal;
        }

        public Refusal refusal() {
            return refusal;
        }
    }

    /** The artifact format this build writes and reads. */
    public static final int FORMAT_VERSION = 2;
    /** The largest artifact read: the default model is well under 2 MiB. */
    public static final long MAX_BYTES = 16L * 1024 * 1024;
    /** The kinds of model this build can load. */
    public static final Set<String> KINDS = Set.of(VigilModel.KIND);

    static final String MAGIC = "VIGIL-MODEL";
    private static final byte[] MAGIC_LINE = (MAGIC + " " + FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_MAGIC_LINE = 32;
    private static final int SHA256_BYTES = 32;
    private static final int MAX_SIGNATURES = 1;
    private static final int SIGNATURE_ENTRY = ModelSigning.KEY_ID_BYTES + ModelSigning.SIGNATURE_BYTES;

    /**
     * The parts of an artifact's frame, checked for structure and checksum only.
     *
     * @param bodyStart where the body starts
     * @param bodyLength its length
     * @param signedLength the bytes a signature covers: magic line, length, body and checksum
     * @param keyId the signing key's id, null when unsigned
     * @param signature the signature, null when unsigned
     */
    private record Frame(int bodyStart, int bodyLength, int signedLength, byte[] keyId, byte[] signature) {}

    private ModelArtifact() {}

    /** The artifact's bytes, unsigned: same model, same bytes. */
    public static byte[] toBytes(VigilModel model) {
        return framed(ModelFormat.write(model));
    }

    /** Magic line, length, body, checksum, no signature. */
    static byte[] framed(byte[] body) {
        ByteBuffer out = ByteBuffer.allocate(MAGIC_LINE.length + 4 + body.length + SHA256_BYTES + 1);
        out.put(MAGIC_LINE).putInt(body.length).put(body).put(sha256(body)).put((byte) 0);
        return out.array();
    }

    /**
     * The artifact, signed with {@code key} (any signature it had is replaced). {@code publicKey} is the key's
     * public half: its id goes into the artifact, and the signature is checked with it before it is returned.
     *
     * @throws RefusedException if {@code artifact} is not a well-formed artifact
     * @throws IllegalArgumentException if the keys are not an Ed25519 pair
     */
    public static byte[] sign(byte[] artifact, PrivateKey key, PublicKey publicKey) throws RefusedException {
        Frame frame = frame(artifact);
        byte[] signature = ModelSigning.sign(Arrays.copyOf(artifact, frame.signedLength()), key);
        if (!ModelSigning.verify(artifact, frame.signedLength(), signature, publicKey)) {
            throw new IllegalArgumentException("the public key is not the private key's other half");
        }
        ByteBuffer out = ByteBuffer.allocate(frame.signedLength() + 1 + SIGNATURE_ENTRY);
        out.put(artifact, 0, frame.signedLength())
                .put((byte) 1)
                .put(ModelSigning.keyIdBytes(publicKey))
                .put(signature);
        return out.array();
    }

    public static void write(VigilModel model, Path file) throws IOException {
        Files.write(file, toBytes(model));
    }

    /**
     * The one way to load a model: reads, checks (see the class doc) and accepts it, or refuses it.
     *
     * @param expected the features the caller computes; the model must read exactly these
     * @throws RefusedException for every way a model can be unusable, never anything else
     */
    public static VigilModel load(byte[] bytes, FeatureSet expected, ModelTrust trust) throws RefusedException {
        try {
            Frame frame = frame(bytes);
            checkSignature(bytes, frame, trust);
            VigilModel model = ModelFormat.read(
                    Arrays.copyOfRange(bytes, frame.bodyStart(), frame.bodyStart() + frame.bodyLength()), expected);
            try {
                ModelCheck.check(model);
            } catch (RuntimeException e) {
                throw new RefusedException(
                        Refusal.FAILED_CHECK,
                        "model " + model.modelVersion() + " does not score the canned windows: "
                                + (e.getMessage() != null ? e.getMessage() : e),
                        e);
            }
            return model;
        } catch (RefusedException e) {
            throw e;
        } catch (StackOverflowError e) {
            throw new RefusedException(Refusal.BAD_MODEL, "model could not be loaded: nested too deeply", e);
        } catch (Throwable e) {
            throw new RefusedException(Refusal.BAD_MODEL, "model could not be loaded: " + e, e);
        }
    }

    /** {@link #load(byte[], FeatureSet, ModelTrust)} of a file, whose size is checked before it is read. */
    public static VigilModel load(Path file, FeatureSet expected, ModelTrust trust) throws RefusedException {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) {
                throw new RefusedException(
                        Refusal.NOT_FOUND, "no model file " + file + " (it does not exist or is not a file)");
            }
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw tooLarge(size);
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new RefusedException(Refusal.NOT_FOUND, "no model file " + file, e);
        } catch (IOException e) {
            throw new RefusedException(Refusal.NOT_FOUND, "cannot read model file " + file + ": " + e.getMessage(), e);
        }
        return load(bytes, expected, trust);
    }

    /** {@link #load(byte[], FeatureSet, ModelTrust)} of a stream, read up to one byte past {@link #MAX_BYTES}. */
    public static VigilModel load(InputStream in, FeatureSet expected, ModelTrust trust) throws RefusedException {
        byte[] bytes;
        try {
            bytes = in.readNBytes((int) MAX_BYTES + 1);
        } catch (IOException e) {
            throw new RefusedException(Refusal.NOT_FOUND, "cannot read the model: " + e.getMessage(), e);
        }
        return load(bytes, expected, trust);
    }

    /** The hex id of the key that signed the artifact, or null when it is unsigned; for log lines and listings. */
    public static String signer(byte[] artifact) throws RefusedException {
        Frame frame = frame(artifact);
        return frame.keyId() == null ? null : HexFormat.of().formatHex(frame.keyId());
    }

    // ---- the frame ----

    private static Frame frame(byte[] bytes) throws RefusedException {
        if (bytes == null || bytes.length == 0) {
            throw new RefusedException(Refusal.BAD_FORMAT, "artifact is empty");
        }
        if (bytes.length > MAX_BYTES) {
            throw tooLarge(bytes.length);
        }
        int magicEnd = -1;
        for (int i = 0; i < Math.min(bytes.length, MAX_MAGIC_LINE); i++) {
            if (bytes[i] == '\n') {
                magicEnd = i;
                break;
            }
        }
        String prefix = MAGIC + " ";
        String magicLine = magicEnd < 0 ? null : new String(bytes, 0, magicEnd, StandardCharsets.US_ASCII);
        if (magicLine == null || !magicLine.startsWith(prefix)) {
            throw new RefusedException(
                    Refusal.BAD_FORMAT,
                    "not a Vigil model artifact: it starts with " + printable(bytes, 16) + ", an artifact with \""
                            + prefix + FORMAT_VERSION + "\\n\"");
        }
        String version = magicLine.substring(prefix.length());
        if (!version.matches("[0-9]{1,9}")) {
            throw new RefusedException(Refusal.BAD_FORMAT, "artifact format version '" + version + "' is not a number");
        }
        if (Integer.parseInt(version) != FORMAT_VERSION) {
            throw new RefusedException(
                    Refusal.UNSUPPORTED_FORMAT_VERSION,
                    "artifact format version " + version
                            + (version.equals("1")
                                    ? " (a Java-serialized model, never read by this build: retrain it)"
                                    : "")
                            + ", this build reads version " + FORMAT_VERSION);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.position(MAGIC_LINE.length);
        if (in.remaining() < 4) {
            throw new RefusedException(Refusal.BAD_FORMAT, "artifact ends before its body's length");
        }
        long bodyLength = Integer.toUnsignedLong(in.getInt());
        int bodyStart = in.position();
        long needed = bodyLength + SHA256_BYTES + 1;
        if (needed > in.remaining()) {
            throw new RefusedException(
                    Refusal.BAD_FORMAT,
                    "artifact declares a body of " + bodyLength + " bytes; " + "it has "
                            + Math.max(0, in.remaining() - SHA256_BYTES - 1) + " (truncated, or not written whole)");
        }
        int length = (int) bodyLength;
        MessageDigest sha = sha256();
        sha.update(bytes, bodyStart, length);
        byte[] digest = sha.digest();
        in.position(bodyStart + length);
        byte[] stated = new byte[SHA256_BYTES];
        in.get(stated);
        if (!MessageDigest.isEqual(digest, stated)) {
            throw new RefusedException(
                    Refusal.CHECKSUM_MISMATCH,
                    "body SHA-256 is " + HexFormat.of().formatHex(digest) + ", the artifact says "
                            + HexFormat.of().formatHex(stated));
        }
        int signedLength = in.position();
        int signatures = in.get() & 0xFF;
        if (signatures > MAX_SIGNATURES) {
            throw new RefusedException(
                    Refusal.BAD_FORMAT,
                    "artifact says it has " + signatures + " signatures, at most " + MAX_SIGNATURES);
        }
        if (in.remaining() != signatures * SIGNATURE_ENTRY) {
            throw new RefusedException(
                    Refusal.BAD_FORMAT,
                    "artifact has " + in.remaining() + " bytes after its body for " + signatures + " signatures of "
                            + SIGNATURE_ENTRY + " bytes");
        }
        if (signatures == 0) {
            return new Frame(bodyStart, length, signedLength, null, null);
        }
        byte[] keyId = new byte[ModelSigning.KEY_ID_BYTES];
        byte[] signature = new byte[ModelSigning.SIGNATURE_BYTES];
        in.get(keyId).get(signature);
        return new Frame(bodyStart, length, signedLength, keyId, signature);
    }

    private static void checkSignature(byte[] bytes, Frame frame, ModelTrust trust) throws RefusedException {
        if (trust.builtIn()) {
            return;
        }
        if (frame.keyId() == null) {
            if (!trust.allowUnsigned()) {
                throw new RefusedException(
                        Refusal.UNSIGNED,
                        "model is not signed; sign it (vigil sign), or allow"
                                + " unsigned models (--allow-unsigned-models)");
            }
            return;
        }
        String keyId = HexFormat.of().formatHex(frame.keyId());
        PublicKey key = trust.keys().get(keyId);
        if (key == null) {
            if (!trust.allowUnsigned()) {
                throw new RefusedException(
                        Refusal.UNTRUSTED_KEY,
                        "model is signed by key " + keyId + ", which is not among the trusted public keys "
                                + trust.keys().keySet());
            }
            return;
        }
        if (!ModelSigning.verify(bytes, frame.signedLength(), frame.signature(), key)) {
            throw new RefusedException(
                    Refusal.BAD_SIGNATURE,
                    "model's signature by key " + keyId
                            + " does not verify: the artifact was changed after it was signed");
        }
    }

    private static RefusedException tooLarge(long size) {
        return new RefusedException(
                Refusal.TOO_LARGE, "artifact is " + size + " bytes, at most " + MAX_BYTES + " are read");
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

    private static byte[] sha256(byte[] bytes) {
        return sha256().digest(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
