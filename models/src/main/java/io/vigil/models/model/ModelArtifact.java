package io.vigil.models.model;

import io.vigil.models.features.FeatureSet;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A trained model as one file: a header (format version, feature set and its hash, kind, training data
 * summary, threshold, metrics, SHA-256 of the payload) and the payload. SKELETON (issue #5): the API is
 * fixed; the body is being written.
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

    private ModelArtifact() {}

    /** The artifact's bytes: same model, same bytes. */
    public static byte[] toBytes(VigilModel model) {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    /** Reads and checks an artifact against the feature set the pipeline computes. */
    public static VigilModel fromBytes(byte[] bytes, FeatureSet expected) throws RefusedException {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    public static void write(VigilModel model, Path file) throws IOException {
        java.nio.file.Files.write(file, toBytes(model));
    }

    public static VigilModel read(Path file, FeatureSet expected) throws IOException, RefusedException {
        return fromBytes(java.nio.file.Files.readAllBytes(file), expected);
    }
}
