package io.vigil.models.scoring;

import io.vigil.models.features.FeatureSet;
import java.io.Serializable;

/**
 * Scores one job's window from its feature vector. Serializable, so a Flink operator can hold one; an
 * implementation must be safe to call from one thread at a time without outside locking, and may keep no
 * per-job state (per-job models keep theirs in Flink state and are a different interface).
 */
public interface WindowScorer extends Serializable {

    /**
     * @param features one value per feature of {@link #featureSet()}, in its order
     * @throws IllegalArgumentException if the vector does not fit the feature set
     */
    Verdict score(double[] features);

    /** Goes into {@code Alert.model_version} and {@code JobWindow.model_version}, and into alert ids. */
    String modelVersion();

    /** The score at or above which a window is flagged. */
    double threshold();

    /** The features this scorer reads, in the order it reads them. */
    FeatureSet featureSet();
}
