package io.vigil.pipeline.detect;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.model.ModelArtifact;
import io.vigil.models.model.ModelArtifact.Refusal;
import io.vigil.models.model.ModelArtifact.RefusedException;
import io.vigil.models.model.ModelTrust;
import io.vigil.models.model.VigilModel;
import io.vigil.settings.VigilConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The one way every verb and the pipeline choose and load a model: the artifact named by a path (checked
 * against the configured {@link ModelTrust}), else the default model packaged in the jar ({@link DefaultModel},
 * trusted as built in). Every failure is a {@link RefusedException}; there is no fallback to another scorer.
 */
public final class Scorers {
    /** The features the pipeline computes; every model it loads must read exactly these. */
    public static final FeatureSet FEATURE_SET = FeatureSet.CURRENT;

    private Scorers() {}

    /** The initial model of a job: {@code model.path} when set, else the built-in default. */
    public static VigilModel initial(VigilConfig config) throws RefusedException {
        return load(config.getString(VigilConfig.MODEL_PATH), trust(config));
    }

    /** {@code path} when not blank (checked against {@code trust}), else the built-in default model. */
    public static VigilModel load(String path, ModelTrust trust) throws RefusedException {
        if (path == null || path.isBlank()) {
            return DefaultModel.load();
        }
        return load(Path.of(path), trust);
    }

    /**
     * The artifact in {@code file}, checked against {@code trust} and the pipeline's feature set; a copy of the
     * packaged default model (models/default/vigil-default.model) is trusted as built in, as the packaged one is.
     */
    public static VigilModel load(Path file, ModelTrust trust) throws RefusedException {
        try {
            if (Files.isRegularFile(file) && Files.size(file) <= ModelArtifact.MAX_BYTES) {
                byte[] bytes = Files.readAllBytes(file);
                return ModelArtifact.load(
                        bytes, FEATURE_SET, DefaultModel.isPackaged(bytes) ? ModelTrust.BUILT_IN : trust);
            }
            return ModelArtifact.load(file, FEATURE_SET, trust);
        } catch (IOException e) {
            throw new RefusedException(Refusal.NOT_FOUND, "cannot read model file " + file + ": " + e.getMessage(), e);
        } catch (RefusedException e) {
            if (e.refusal() == Refusal.NOT_FOUND) {
                throw e; // the message names the file
            }
            throw new RefusedException(
                    e.refusal(),
                    "model file " + file + " is refused (" + e.refusal().code() + "): " + e.getMessage(),
                    e);
        }
    }

    /**
     * What releases to believe: {@code model.trusted.keys} and {@code allow.unsigned.models}.
     *
     * @throws RefusedException (NOT_FOUND) if a key file cannot be read or is not an Ed25519 public key
     */
    public static ModelTrust trust(VigilConfig config) throws RefusedException {
        List<String> files = config.getList(VigilConfig.MODEL_TRUSTED_KEYS);
        try {
            return ModelTrust.fromFiles(
                    files.stream().filter(f -> !f.isBlank()).map(Path::of).toList(),
                    config.getBoolean(VigilConfig.ALLOW_UNSIGNED_MODELS));
        } catch (IOException | IllegalArgumentException e) {
            throw new RefusedException(Refusal.NOT_FOUND, "trusted model key: " + e.getMessage(), e);
        }
    }
}
