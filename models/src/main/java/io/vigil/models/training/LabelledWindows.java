package io.vigil.models.training;

import io.vigil.models.features.FeatureSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The labelled-windows file ({@code vigil windows --out F}, {@code vigil train --windows F}): gzip'd or
 * plain JSON lines, one window each, features by name. SKELETON (issue #5): the API is fixed; the body is
 * being written.
 */
public final class LabelledWindows {
    private LabelledWindows() {}

    /** Writes windows, deterministically (same windows, same bytes); gzip when the name ends in .gz. */
    public static void write(Path file, FeatureSet featureSet, List<LabelledWindow> windows) throws IOException {
        throw new UnsupportedOperationException("issue #5: being written");
    }

    /** Reads windows; a bad line is an IOException naming the file, line and what is wrong. */
    public static List<LabelledWindow> read(Path file, FeatureSet featureSet) throws IOException {
        throw new UnsupportedOperationException("issue #5: being written");
    }
}
