package io.vigil.models.training;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.model.VigilModel;
import java.util.List;

/**
 * Trains a {@link VigilModel} from labelled windows, deterministically (same windows and options, same
 * model, same artifact bytes). SKELETON (issue #5): the API is fixed; the body is being written.
 */
public final class Trainer {

    /**
     * @param seed every random choice derives from it
     * @param targetFalseAlertsPer100JobHours the threshold is chosen so benign windows (out of fold) flag at this rate
     */
    public record Options(long seed, double targetFalseAlertsPer100JobHours) {
        public static Options defaults() {
            return new Options(20260214L, 0.5);
        }
    }

    /** A line of progress for long steps ("fleet model: 100 trees ..."). */
    public interface Progress {
        void step(String line);
    }

    private Trainer() {}

    public static VigilModel train(FeatureSet featureSet, List<LabelledWindow> windows, Options options, Progress progress) {
        throw new UnsupportedOperationException("issue #5: being written");
    }
}
