package io.vigil.pipeline.detect;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.model.ModelArtifact;
import io.vigil.models.model.ModelArtifact.Refusal;
import io.vigil.models.model.ModelArtifact.RefusedException;
import io.vigil.models.model.ModelTrust;
import io.vigil.models.model.VigilModel;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The model Vigil scores with when none is named: {@code models/default/vigil-default.model} in the
 * repository, packaged into the jars as a classpath resource (see the jobs pom), so {@code java -jar
 * vigil.jar demo} works anywhere. {@code scripts/train-default-model.sh} rebuilds it.
 *
 * <p>There is no fallback scorer: a build without its default model, or with one this code refuses, is a
 * broken build, and says so rather than scoring with something else. It is not checked for a signature: it
 * is part of the build, as the code is.
 */
public final class DefaultModel {
    /** Where the artifact lies in the repository, from its root. */
    public static final String SOURCE = "models/default/vigil-default.model";
    /** Where the build puts it on the classpath. */
    public static final String RESOURCE = "/vigil-default.model";

    private DefaultModel() {}

    /** Whether this build carries a default model (not whether it can be read). */
    public static boolean packaged() {
        return DefaultModel.class.getResource(RESOURCE) != null;
    }

    /** Whether {@code artifact} is, byte for byte, the packaged default model (then it is trusted as built in). */
    public static boolean isPackaged(byte[] artifact) {
        try (InputStream in = DefaultModel.class.getResourceAsStream(RESOURCE)) {
            return in != null && Arrays.equals(in.readNBytes((int) ModelArtifact.MAX_BYTES + 1), artifact);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads and checks the packaged model, trusted as built in (it came with the code).
     *
     * @throws RefusedException saying what is wrong and how to rebuild it
     */
    public static VigilModel load() throws RefusedException {
        try (InputStream in = DefaultModel.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new RefusedException(
                        Refusal.NOT_FOUND,
                        "this build has no default model: " + SOURCE + " was missing"
                                + " when it was built. Run scripts/train-default-model.sh, then rebuild (mvn package), or name a"
                                + " model with --model FILE.");
            }
            return ModelArtifact.load(in, FeatureSet.CURRENT, ModelTrust.BUILT_IN);
        } catch (RefusedException e) {
            throw new RefusedException(
                    e.refusal(),
                    "the packaged default model was refused (" + e.refusal().code() + "): " + e.getMessage()
                            + ". Rebuild it with scripts/train-default-model.sh, then rebuild the jars.",
                    e);
        } catch (IOException e) {
            throw new RefusedException(
                    Refusal.NOT_FOUND, "cannot read the packaged default model: " + e.getMessage(), e);
        }
    }
}
