package io.vigil.models.detectors;

import io.vigil.records.Category;
import java.io.Serializable;

/**
 * The supervised model: from labelled windows, how likely a window is each kind of misuse.
 * SKELETON (issue #5): the API is fixed; the body is being written.
 */
public final class CategoryDetector implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Probability per class; index 0 is benign, then {@link #categories()} in order. */
    public double[] probabilities(double[] features) {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    /** The categories the model was trained to name, in the order of {@link #probabilities}. */
    public Category[] categories() {
        throw new UnsupportedOperationException("issue #5: being written");
    }
}
