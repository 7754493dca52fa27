package io.vigil.tools.output;

import java.util.Locale;

/** Figures as the verbs print them, on stdout and in the replay's report alike. */
public final class Text {
    private Text() {}

    /** {@code 120 s}, or {@code 49.5 s} when the time is not whole seconds. */
    public static String seconds(long ms) {
        if (ms % 1000 == 0) {
            return (ms / 1000) + " s";
        }
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** The figure in the pattern, or {@code n/a} when it is undefined (NaN: no window, no positive window). */
    public static String orNa(String pattern, double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, pattern, v);
    }
}
