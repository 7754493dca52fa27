package io.vigil.tools.replay;

import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Printable;
import io.vigil.records.Reason;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the report's page and its charts write alike: escaped text and fragment ids, numbers and UTC times as
 * shown, the colour of each category and its chip, and an alert's category and reasons as text.
 */
final class Html {
    static final Map<Category, String> COLOURS = new EnumMap<>(Map.of(
            Category.CRYPTO_MINING, "#d62728",
            Category.REVERSE_TUNNEL, "#9467bd",
            Category.NETWORK_SCAN, "#ff7f0e",
            Category.GPU_DIVERSION, "#8c564b",
            Category.EXFILTRATION, "#1f77b4",
            Category.UNKNOWN, "#7f7f7f"));

    private Html() {}

    // ---- text and ids ----

    /**
     * Text from data for element content and quoted attributes alike: first {@link Printable#escape escaped}, so a
     * control, bidi or zero-width character shows as its escape (U+202E as backslash-u202e) rather than acting,
     * then HTML-escaped.
     */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        String printable = Printable.escape(s);
        StringBuilder out = new StringBuilder(printable.length() + 16);
        for (int i = 0; i < printable.length(); i++) {
            char c = printable.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A fragment id from dataset and job: letters, digits, '-' and '_' kept, anything else as its code point. */
    static String anchor(String dataset, String job) {
        StringBuilder out = new StringBuilder("job-");
        for (String part : new String[] {dataset, job}) {
            part.codePoints().forEach(c -> {
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
                    out.appendCodePoint(c);
                } else {
                    out.append('_').append(Integer.toHexString(c)).append('_');
                }
            });
            out.append("--");
        }
        return out.toString();
    }

    static String cut(String s, int max) {
        if (s == null) {
            return "";
        }
        max = Math.max(max, 4);
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    // ---- numbers and times ----

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return fmt("%.3g", v);
    }

    static String fmt(String pattern, double v) {
        return String.format(Locale.ROOT, pattern, v);
    }

    static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String hhmm(long t) {
        ZonedDateTime z = Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC);
        return String.format(Locale.ROOT, "%02d:%02d", z.getHour(), z.getMinute());
    }

    static String day(long t) {
        return Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC).toLocalDate().toString();
    }

    static String dateTime(long t) {
        return day(t) + " " + hhmm(t);
    }

    /** {@code HH:MM–HH:MM}, with seconds where they are not zero, and the date of the end when it is another day. */
    static String interval(long start, long end) {
        return clock(start) + "–" + (day(start).equals(day(end)) ? "" : day(end) + " ") + clock(end);
    }

    static String clock(long t) {
        ZonedDateTime z = Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC);
        return z.getSecond() == 0 && z.getNano() == 0
                ? hhmm(t)
                : String.format(Locale.ROOT, "%s:%02d", hhmm(t), z.getSecond());
    }

    // ---- categories and alerts ----

    static String chip(Category c) {
        return "<span class=\"chip\" style=\"border-color:" + COLOURS.get(c) + ";color:" + COLOURS.get(c) + "\">"
                + c.name() + "</span>";
    }

    static Category primary(Alert a) {
        return a.getCategories().isEmpty()
                ? Category.UNKNOWN
                : a.getCategories().get(0);
    }

    static String reasons(Alert a) {
        return a.getReasons().stream().limit(3).map(Html::reason).collect(Collectors.joining("; "));
    }

    static String reason(Reason r) {
        StringBuilder s = new StringBuilder(r.getFeature()).append(" = ").append(number(r.getValue()));
        if (r.getFleetBaseline() != null) {
            s.append(" (fleet ").append(number(r.getFleetBaseline()));
            if (r.getJobBaseline() != null) {
                s.append(", job ").append(number(r.getJobBaseline()));
            }
            s.append(')');
        } else if (r.getJobBaseline() != null) {
            s.append(" (job ").append(number(r.getJobBaseline())).append(')');
        }
        return s.toString();
    }
}
