package io.vigil.models.scoring;

import io.vigil.models.features.FeatureSet;
import java.io.Serializable;

/**
 * What the pipeline scores windows with: one small interface over whatever detectors a model combines.
 * Serializable, so a Flink operator can hold one; safe to call from one thread at a time.
 *
 * <p>A scorer keeps no per-job state itself. The pipeline keeps each job's {@link JobHistory} (in keyed
 * state), passes it to {@link #score} and stores what {@link #update} returns.
 */
public interface WindowScorer extends Serializable {

    /**
     * @param features one value per feature of {@link #featureSet()}, in its order
     * @param history the job's history so far; {@link JobHistory#empty()} for its first window
     * @throws IllegalArgumentException if the vector does not fit the feature set
     */
    Verdict score(double[] features, JobHistory history);

    /**
     * The same with what the job's agents did in the window: {@link FeatureSet#AGENT}'s values, or null when the job's
     * agents ended no call in it (then exactly {@link #score(double[], JobHistory)}). Only rules read them (the
     * learned detectors would find every RL window far from a fleet without agents); a scorer without such rules
     * ignores them.
     */
    default Verdict score(double[] features, double[] agents, JobHistory history) {
        return score(features, history);
    }

    /** A window scored without any history of its job. */
    default Verdict score(double[] features) {
        return score(features, JobHistory.empty());
    }

    /**
     * The job's history after this window. A scorer with a per-job model learns from the window here
     * unless the verdict flagged it (an incident must not become the job's normal); others return
     * {@code history} unchanged.
     */
    default JobHistory update(JobHistory history, double[] features, Verdict verdict) {
        return history;
    }

    /** Goes into {@code Alert.model_version} and {@code JobWindow.model_version}, and into alert ids. */
    String modelVersion();

    /** The score at or above which a window is flagged. */
    double threshold();

    /** The features this scorer reads, in the order it reads them. */
    FeatureSet featureSet();
}
