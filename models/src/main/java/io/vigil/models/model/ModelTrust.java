package io.vigil.models.model;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which model releases to believe: those signed by one of {@link #keys()} (by key id); unsigned ones, or ones
 * signed by another key, only when {@link #allowUnsigned()} says so. A signature by a trusted key that does not
 * verify is refused whatever the policy: the artifact was changed after it was signed.
 *
 * <p>{@link #BUILT_IN} is for the model packaged in the jar and for a model a running job already accepted (its
 * own job graph, its own state): they are not checked for a signature.
 */
public record ModelTrust(Map<String, PublicKey> keys, boolean allowUnsigned, boolean builtIn) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Trust without a signature check: the packaged default model, a model the job graph carries. */
    public static final ModelTrust BUILT_IN = new ModelTrust(Map.of(), true, true);

    public ModelTrust {
        keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    }

    /** Trusts releases signed by these keys; others only when {@code allowUnsigned}. */
    public static ModelTrust of(List<PublicKey> keys, boolean allowUnsigned) {
        Map<String, PublicKey> byId = new LinkedHashMap<>();
        for (PublicKey key : keys) {
            byId.put(ModelSigning.keyId(key), key);
        }
        return new ModelTrust(byId, allowUnsigned, false);
    }

    /**
     * Trusts releases signed by the public keys in these PEM files.
     *
     * @throws IllegalArgumentException if a file is not an Ed25519 public key
     */
    public static ModelTrust fromFiles(List<Path> publicKeyFiles, boolean allowUnsigned) throws IOException {
        List<PublicKey> keys = new ArrayList<>();
        for (Path file : publicKeyFiles) {
            keys.add(ModelSigning.readPublicKey(file));
        }
        return of(keys, allowUnsigned);
    }

    @Override
    public String toString() {
        return builtIn ? "built-in" : "keys " + keys.keySet() + (allowUnsigned ? ", unsigned allowed" : "");
    }
}
