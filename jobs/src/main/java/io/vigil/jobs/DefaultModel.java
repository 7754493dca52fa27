package io.vigil.jobs;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.model.ModelArtifact;
import io.vigil.models.model.VigilModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The model Vigil scores with when none is named: {@code models/default/vigil-default.model} in the
 * repository, packaged into the jars as a classpath resource (see the jobs pom), so {@code java -jar
 * vigil.jar demo} works anywhere. {@code scripts/train-default-model.sh} rebuilds it.
 *
 * <p>There is no fallback scorer: a build without its default model, or with one this code refuses, is a
 * broken build, and says so rather than scoring with something else.
 */
public final class DefaultModel {
    /** Where the artifact lies in the repository, from its root. */
    public static final String SOURCE = "models/default/vigil-default.model";
    /** Where the build puts it on the classpath. */
    public static final String RESOURCE = "/vigil-default.model";

    /** The default model is missing from the build or cannot be used. */
    public static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private DefaultModel() {}

    /** Whether this build carries a default model (not whether it can be read). */
    public static boolean packaged() {
        return DefaultModel.class.getResource(RESOURCE) != null;
    }

    /**
     * Reads and checks the packaged model.
     *
     * @throws Unavailable saying what is wrong and how to rebuild it
     */
    public static VigilModel load() {
        byte[] bytes;
        try (InputStream in = DefaultModel.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new Unavailable("this build has no default model: " + SOURCE + " was missing when it was built."
                        + " Run scripts/train-default-model.sh, then rebuild (mvn package), or name a model with --model FILE.", null);
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new Unavailable("cannot read the packaged default model: " + e.getMessage(), new UncheckedIOException(e));
        }
        try {
            return ModelArtifact.fromBytes(bytes, FeatureSet.CURRENT);
        } catch (ModelArtifact.RefusedException e) {
            throw new Unavailable("the packaged default model was refused (" + e.refusal().code() + "): " + e.getMessage()
                    + ". Rebuild it with scripts/train-default-model.sh, then rebuild the jars.", e);
        }
    }
}
