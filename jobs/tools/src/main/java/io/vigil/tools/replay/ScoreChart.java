package io.vigil.tools.replay;

import static io.vigil.tools.replay.Html.COLOURS;
import static io.vigil.tools.replay.Html.cut;
import static io.vigil.tools.replay.Html.day;
import static io.vigil.tools.replay.Html.esc;
import static io.vigil.tools.replay.Html.f1;
import static io.vigil.tools.replay.Html.fmt;
import static io.vigil.tools.replay.Html.hhmm;
import static io.vigil.tools.replay.Html.interval;
import static io.vigil.tools.replay.Html.primary;
import static io.vigil.tools.replay.Html.reasons;

import io.vigil.models.eval.Label;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.JobWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One job's score over time, as an inline SVG: window start on x (UTC), score 0..1 on y, the model's threshold
 * dashed, the labelled incident intervals shaded by category with their names above the plot, the score as a line
 * broken where windows are missing, and the flagged windows as dots coloured by their first category (dashed
 * outline: a false alert), each incident numbered as in the list under the chart and its span marked on the time
 * axis.
 *
 * @param windows the job's scored windows, in window order
 * @param labels the job's labelled intervals
 * @param groups the job's flagged windows as the pipeline grouped them into incidents (one incident id each), in
 *     order
 * @param falseAlertIds alerts outside every labelled incident
 * @param windowMs the window size: the width of a chart with a single window
 */
record ScoreChart(
        String jobId,
        List<JobWindow> windows,
        List<Label> labels,
        List<List<Alert>> groups,
        Set<String> falseAlertIds,
        double threshold,
        long windowMs) {
    static final int WIDTH = 1100;
    static final int HEIGHT = 214;
    static final int LEFT = 40;
    static final int RIGHT = 96;
    /** Above the plot: a band for the names of the incident intervals, clear of the alert dots. */
    static final int TOP = 24;

    static final int BOTTOM = 36;

    /** The time the chart spans: its windows, labels and flagged windows; what a lane under it is drawn against. */
    Scale scale() {
        long x0 = Long.MAX_VALUE;
        long x1 = Long.MIN_VALUE;
        for (JobWindow w : windows) {
            x0 = Math.min(x0, w.getWindowStart().toEpochMilli());
            x1 = Math.max(x1, w.getWindowEnd().toEpochMilli());
        }
        for (Label l : labels) {
            x0 = Math.min(x0, l.startTs());
            x1 = Math.max(x1, l.endTs());
        }
        for (List<Alert> group : groups) {
            for (Alert a : group) {
                x0 = Math.min(x0, a.getWindowStart().toEpochMilli());
                x1 = Math.max(x1, a.getWindowEnd().toEpochMilli());
            }
        }
        if (x0 >= x1) {
            x1 = x0 + Math.max(windowMs, 1);
        }
        return new Scale(x0, x1);
    }

    /** Appends the chart, an inline {@code <svg>}, to the page. */
    void appendTo(StringBuilder h) {
        Scale s = scale();
        long x0 = s.x0();
        long x1 = s.x1();
        int plotBottom = HEIGHT - BOTTOM;
        h.append("<svg class=\"chart\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(HEIGHT)
                .append("\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"score over time of ")
                .append(esc(jobId))
                .append("\">\n");
        // incident intervals
        for (Label l : labels) {
            double a = s.x(Math.max(l.startTs(), x0));
            double b = s.x(Math.min(l.endTs(), x1));
            h.append("<rect class=\"incident-band\" x=\"")
                    .append(f1(a))
                    .append("\" y=\"")
                    .append(TOP - 4)
                    .append("\" width=\"")
                    .append(f1(Math.max(1, b - a)))
                    .append("\" height=\"4\" fill=\"")
                    .append(COLOURS.get(l.category()))
                    .append("\"/>\n");
            h.append("<rect class=\"incident\" x=\"")
                    .append(f1(a))
                    .append("\" y=\"")
                    .append(TOP)
                    .append("\" width=\"")
                    .append(f1(Math.max(1, b - a)))
                    .append("\" height=\"")
                    .append(plotBottom - TOP)
                    .append("\" fill=\"")
                    .append(COLOURS.get(l.category()))
                    .append("\" fill-opacity=\"0.16\"><title>")
                    .append(esc(l.incident() + ": " + l.category() + ", " + interval(l.startTs(), l.endTs()) + " UTC"))
                    .append("</title></rect>\n");
            if (b - a > 40) {
                h.append("<text class=\"incident-label\" x=\"")
                        .append(f1(a + 2))
                        .append("\" y=\"")
                        .append(TOP - 8)
                        .append("\" fill=\"")
                        .append(COLOURS.get(l.category()))
                        .append("\">")
                        .append(esc(cut(l.incident() + " · " + l.category(), (int) ((b - a - 4) / 6.5))))
                        .append("</text>\n");
            }
        }
        // y grid and axis
        for (double y : new double[] {0, 0.25, 0.5, 0.75, 1}) {
            h.append("<line class=\"grid\" x1=\"")
                    .append(LEFT)
                    .append("\" x2=\"")
                    .append(WIDTH - RIGHT)
                    .append("\" y1=\"")
                    .append(f1(s.y(y)))
                    .append("\" y2=\"")
                    .append(f1(s.y(y)))
                    .append("\"/>\n");
            if (y == 0 || y == 0.5 || y == 1) {
                h.append("<text class=\"tick\" x=\"")
                        .append(LEFT - 6)
                        .append("\" y=\"")
                        .append(f1(s.y(y) + 4))
                        .append("\" text-anchor=\"end\">")
                        .append(y == 0 ? "0" : y == 1 ? "1" : "0.5")
                        .append("</text>\n");
            }
        }
        // x ticks
        for (long t : ticks(x0, x1)) {
            double x = s.x(t);
            h.append("<line class=\"axis\" x1=\"")
                    .append(f1(x))
                    .append("\" x2=\"")
                    .append(f1(x))
                    .append("\" y1=\"")
                    .append(plotBottom)
                    .append("\" y2=\"")
                    .append(plotBottom + 4)
                    .append("\"/>\n");
            h.append("<text class=\"tick\" x=\"")
                    .append(f1(x))
                    .append("\" y=\"")
                    .append(plotBottom + 16)
                    .append("\" text-anchor=\"middle\">")
                    .append(hhmm(t))
                    .append("</text>\n");
        }
        h.append("<text class=\"tick\" x=\"")
                .append(LEFT)
                .append("\" y=\"")
                .append(HEIGHT - 4)
                .append("\">")
                .append(esc(day(x0)))
                .append(day(x0).equals(day(x1 - 1)) ? "" : " – " + esc(day(x1 - 1)))
                .append(" UTC</text>\n");
        h.append("<line class=\"axis\" x1=\"")
                .append(LEFT)
                .append("\" x2=\"")
                .append(WIDTH - RIGHT)
                .append("\" y1=\"")
                .append(plotBottom)
                .append("\" y2=\"")
                .append(plotBottom)
                .append("\"/>\n");
        // threshold
        h.append("<line class=\"threshold\" x1=\"")
                .append(LEFT)
                .append("\" x2=\"")
                .append(WIDTH - RIGHT)
                .append("\" y1=\"")
                .append(f1(s.y(threshold)))
                .append("\" y2=\"")
                .append(f1(s.y(threshold)))
                .append("\"/>\n");
        h.append("<text class=\"threshold-label\" x=\"")
                .append(WIDTH - RIGHT + 4)
                .append("\" y=\"")
                .append(f1(s.y(threshold) + 4))
                .append("\">threshold ")
                .append(fmt("%.2f", threshold))
                .append("</text>\n");
        // score line, broken where windows are missing
        StringBuilder path = new StringBuilder();
        long previousEnd = Long.MIN_VALUE;
        List<double[]> lonely = new ArrayList<>();
        double[] pending = null;
        for (JobWindow w : windows) {
            if (w.getScore() == null) {
                continue;
            }
            double x = s.x(w.getWindowStart().toEpochMilli());
            double y = s.y(w.getScore());
            boolean joined = w.getWindowStart().toEpochMilli() <= previousEnd;
            if (!joined) {
                if (pending != null) {
                    lonely.add(pending);
                }
                path.append(path.length() == 0 ? "" : " ")
                        .append('M')
                        .append(f1(x))
                        .append(',')
                        .append(f1(y));
                pending = new double[] {x, y};
            } else {
                path.append(" L").append(f1(x)).append(',').append(f1(y));
                pending = null;
            }
            previousEnd = w.getWindowEnd().toEpochMilli();
        }
        if (pending != null) {
            lonely.add(pending);
        }
        if (path.length() > 0) {
            h.append("<path class=\"score\" d=\"").append(path).append("\"/>\n");
        }
        for (double[] p : lonely) {
            h.append("<circle class=\"lonely\" cx=\"")
                    .append(f1(p[0]))
                    .append("\" cy=\"")
                    .append(f1(p[1]))
                    .append("\" r=\"1.8\"/>\n");
        }
        // alerts
        for (int g = 0; g < groups.size(); g++) {
            List<Alert> group = groups.get(g);
            for (Alert a : group) {
                double x = s.x(a.getWindowStart().toEpochMilli());
                double y = s.y(a.getScore());
                boolean isFalse = falseAlertIds.contains(a.getAlertId());
                h.append("<circle class=\"alert")
                        .append(isFalse ? " false" : "")
                        .append("\" cx=\"")
                        .append(f1(x))
                        .append("\" cy=\"")
                        .append(f1(y))
                        .append("\" r=\"4.5\" fill=\"")
                        .append(COLOURS.get(primary(a)))
                        .append("\"><title>")
                        .append(tooltip(a, isFalse))
                        .append("</title></circle>\n");
            }
            Alert first = group.get(0);
            // the group's number, left of its first dot, as in the list under the chart
            h.append("<text class=\"alert-number\" x=\"")
                    .append(f1(s.x(first.getWindowStart().toEpochMilli()) - 7))
                    .append("\" y=\"")
                    .append(f1(s.y(first.getScore()) + 3.5))
                    .append("\" text-anchor=\"end\">")
                    .append(g + 1)
                    .append("</text>\n");
        }
        incidentSpans(h, s, plotBottom);
        h.append("</svg>\n");
    }

    /**
     * Each incident of the pipeline as a bar on the time axis, from its first flagged window's start to its last's
     * end, in its first category's colour, numbered as in the list.
     */
    private void incidentSpans(StringBuilder h, Scale s, int plotBottom) {
        for (int g = 0; g < groups.size(); g++) {
            List<Alert> group = groups.get(g);
            long start = group.stream()
                    .mapToLong(a -> a.getWindowStart().toEpochMilli())
                    .min()
                    .orElseThrow();
            long end = group.stream()
                    .mapToLong(a -> a.getWindowEnd().toEpochMilli())
                    .max()
                    .orElseThrow();
            double a = s.x(start);
            double b = s.x(end);
            h.append("<rect class=\"incident-span\" x=\"")
                    .append(f1(a))
                    .append("\" y=\"")
                    .append(plotBottom - 4)
                    .append("\" width=\"")
                    .append(f1(Math.max(2, b - a)))
                    .append("\" height=\"4\" fill=\"")
                    .append(COLOURS.get(primary(group.get(0))))
                    .append("\"><title>")
                    .append(esc("incident " + (g + 1) + ": " + interval(start, end) + " UTC, " + group.size()
                            + " flagged window" + (group.size() == 1 ? "" : "s")))
                    .append("</title></rect>\n");
        }
    }

    /** The dot's tooltip, escaped: what, then the reasons on a line of their own. */
    private static String tooltip(Alert a, boolean isFalse) {
        return esc(interval(a.getWindowStart().toEpochMilli(), a.getWindowEnd().toEpochMilli()) + " UTC · score "
                        + fmt("%.2f", a.getScore()) + " " + a.getSeverity() + " · "
                        + a.getCategories().stream().map(Category::name).collect(Collectors.joining(", "))
                        + (isFalse ? " · outside every labelled incident" : ""))
                + "&#10;" + esc(reasons(a));
    }

    /** Maps time and score to the chart's pixels. */
    record Scale(long x0, long x1) {
        double x(long t) {
            return LEFT + (double) (t - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT);
        }

        double y(double score) {
            double clamped = Math.max(0, Math.min(1, score));
            return TOP + (1 - clamped) * (HEIGHT - BOTTOM - TOP);
        }
    }

    private static final long MINUTE = 60_000L;
    private static final long[] STEPS = {
        MINUTE,
        2 * MINUTE,
        5 * MINUTE,
        10 * MINUTE,
        15 * MINUTE,
        30 * MINUTE,
        60 * MINUTE,
        120 * MINUTE,
        180 * MINUTE,
        360 * MINUTE,
        720 * MINUTE,
        1440 * MINUTE,
        2 * 1440 * MINUTE,
        7 * 1440 * MINUTE
    };

    /**
     * Round UTC instants within [x0, x1], about ten and never more than eleven, whatever the span: beyond ten weeks the step is a
     * whole number of days (the page bounds its span too, {@link ReplayReport.Span}; this bounds the loop here).
     */
    static List<Long> ticks(long x0, long x1) {
        long span = x1 - x0 < 0 ? Long.MAX_VALUE : x1 - x0; // beyond long's range: held at its end
        long step = 0;
        for (long candidate : STEPS) {
            if (span / candidate <= 10) {
                step = candidate;
                break;
            }
        }
        if (step == 0) {
            long day = 1440 * MINUTE;
            step = (span / 10 / day + 1) * day;
        }
        List<Long> ticks = new ArrayList<>();
        long rem = Math.floorMod(x0, step);
        // t < x0: past the end of long, wrapped
        for (long t = rem == 0 ? x0 : x0 + (step - rem); t <= x1 && t >= x0 && ticks.size() <= 10; t += step) {
            ticks.add(t);
        }
        return ticks;
    }
}
