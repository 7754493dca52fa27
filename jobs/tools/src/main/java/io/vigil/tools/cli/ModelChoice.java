package io.vigil.tools.cli;

import io.vigil.pipeline.detect.DefaultModel;
import io.vigil.pipeline.detect.Scorers;
import io.vigil.models.model.VigilModel;
import java.nio.file.Path;

/**
 * Which model a verb scores with: the artifact named by {@code --model}, else the packaged default model
 * ({@link DefaultModel}). Either way a model that cannot be used is an {@link Unusable}, which the command line
 * reports with exit code 2: there is no silent fallback to another scorer.
 */
final class ModelChoice {
    /** The named model (or the default one) cannot be used; the message says why. */
    static final class Unusable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unusable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private ModelChoice() {}

    /** {@code file} when given (not null, not blank), else the default model. */
    static VigilModel chosen(Path file) {
        if (file == null || file.toString().isBlank()) {
            try {
                return DefaultModel.load();
            } catch (DefaultModel.Unavailable e) {
                throw new Unusable(e.getMessage(), e);
            }
        }
        return read(file);
    }

    /** {@link #chosen(Path)} for a setting's text (model.path): blank means the default model. */
    static VigilModel chosen(String path) {
        return chosen(path == null || path.isBlank() ? null : Path.of(path));
    }

    /** The artifact in {@code file}, checked against the features the pipeline computes. */
    static VigilModel read(Path file) {
        try {
            return Scorers.read(file);
        } catch (Scorers.UnusableModelException e) {
            throw new Unusable(e.getMessage(), e);
        }
    }
}
