package io.vigil.jobs.detect;

import io.vigil.config.VigilConfig;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.model.ModelArtifact;
import io.vigil.models.model.VigilModel;
import io.vigil.jobs.DefaultModel;
import io.vigil.models.scoring.WindowScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The model a job starts scoring with, until a model release replaces it ({@link ScoreWindows}). */
public final class Scorers {
    /** The features the pipeline computes; every model it loads must read exactly these. */
    public static final FeatureSet FEATURE_SET = FeatureSet.CURRENT;

    private Scorers() {}

    /** A model file that cannot be used, with a message naming the file and what is wrong. */
    public static final class UnusableModelException extends Exception {
        private static final long serialVersionUID = 1L;

        UnusableModelException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The initial model: the artifact at {@code model.path} when set, else the built-in default.
     *
     * @throws UnusableModelException if the file cannot be read or its artifact is refused
     */
    public static WindowScorer initial(VigilConfig config) throws UnusableModelException {
        String path = config.getString(VigilConfig.MODEL_PATH);
        return path.isBlank() ? builtIn() : read(Path.of(path));
    }

    /** The model when none is given: the default model packaged in the jar ({@link DefaultModel}). */
    static WindowScorer builtIn() throws UnusableModelException {
        try {
            return DefaultModel.load();
        } catch (DefaultModel.Unavailable e) {
            throw new UnusableModelException(e.getMessage(), e);
        }
    }

    /** For a model of another feature set: which set it has and how to retrain ({@link FeatureSet#refusal}). */
    private static String retrainHint(Path file, ModelArtifact.RefusedException e) {
        if (e.refusal() != ModelArtifact.Refusal.FEATURE_SET_MISMATCH) {
            return "";
        }
        try {
            return ". " + FEATURE_SET.refusal(ModelArtifact.readHeader(Files.readAllBytes(file)).featureSetId());
        } catch (IOException | ModelArtifact.RefusedException unreadable) {
            return "";
        }
    }

    /** Reads a model artifact, checked against the pipeline's feature set. */
    public static VigilModel read(Path file) throws UnusableModelException {
        if (!Files.isRegularFile(file)) {
            throw new UnusableModelException("no model file " + file + " (it does not exist or is not a file)", null);
        }
        try {
            return ModelArtifact.read(file, FEATURE_SET);
        } catch (ModelArtifact.RefusedException e) {
            throw new UnusableModelException("model file " + file + " is refused (" + e.refusal().code() + "): " + e.getMessage()
                    + retrainHint(file, e), e);
        } catch (IOException e) {
            throw new UnusableModelException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
    }
}
