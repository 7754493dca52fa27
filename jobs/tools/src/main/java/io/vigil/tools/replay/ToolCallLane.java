package io.vigil.tools.replay;

import static io.vigil.tools.replay.Html.esc;
import static io.vigil.tools.replay.Html.f1;
import static io.vigil.tools.replay.Html.interval;

import io.vigil.records.AgentCall;
import io.vigil.records.AgentEpisode;
import io.vigil.records.AgentEvent;
import io.vigil.records.Alert;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A job's agent tool calls as a lane under its score chart, on the chart's time axis: each call a mark from its start
 * to its end, those an alert named (its {@code agent_context}) highlighted, with their episode, step, command and why
 * in the tooltip. At most {@link #MAX_CALLS} calls are drawn (the named ones always); the page says how many were left
 * out.
 *
 * @param calls the job's tool calls
 * @param transitions the job's alerts, whose agent context names calls
 */
record ToolCallLane(List<AgentEvent> calls, List<Alert> transitions, ScoreChart.Scale scale) {
    static final int HEIGHT = 34;
    static final int MAX_CALLS = 2_000;

    /** A call as the alerts name it: episode, step and start. */
    static String key(String episode, Long step, long startMs) {
        return episode + "|" + step + "|" + startMs;
    }

    /** The calls the alerts named, with the reason the first one to name each gave. */
    Map<String, String> named() {
        Map<String, String> named = new HashMap<>();
        for (Alert a : transitions) {
            for (AgentEpisode e : a.getAgentContext()) {
                for (AgentCall c : e.getCalls()) {
                    named.putIfAbsent(
                            key(e.getEpisodeId(), c.getStep(), c.getStartTs().toEpochMilli()), c.getReason());
                }
            }
        }
        return named;
    }

    void appendTo(StringBuilder h) {
        if (calls.isEmpty()) {
            return;
        }
        Map<String, String> named = named();
        long x0 = scale.x0();
        long x1 = scale.x1();
        h.append("<svg class=\"chart lane\" viewBox=\"0 0 ")
                .append(ScoreChart.WIDTH)
                .append(' ')
                .append(HEIGHT)
                .append("\" width=\"")
                .append(ScoreChart.WIDTH)
                .append("\" height=\"")
                .append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"tool calls\">\n");
        h.append("<text class=\"tick\" x=\"")
                .append(ScoreChart.LEFT - 6)
                .append("\" y=\"20\" text-anchor=\"end\">calls</text>\n");
        h.append("<line class=\"axis\" x1=\"")
                .append(ScoreChart.LEFT)
                .append("\" x2=\"")
                .append(ScoreChart.WIDTH - ScoreChart.RIGHT)
                .append("\" y1=\"16\" y2=\"16\"/>\n");
        int drawn = 0;
        int left = 0;
        // the named calls last, so that they lie on top
        for (boolean namedPass : new boolean[] {false, true}) {
            for (AgentEvent c : calls) {
                long start = c.getStartTs().toEpochMilli();
                long end = Math.max(start, c.getTs().toEpochMilli());
                String reason = named.get(key(c.getEpisodeId(), c.getStep(), start));
                if ((reason != null) != namedPass) {
                    continue;
                }
                if (end < x0 || start > x1) {
                    continue;
                }
                if (reason == null && drawn >= MAX_CALLS) {
                    left++;
                    continue;
                }
                drawn++;
                double a = scale.x(Math.max(start, x0));
                double b = scale.x(Math.min(end, x1));
                h.append("<rect class=\"")
                        .append(reason != null ? "call named" : "call")
                        .append("\" x=\"")
                        .append(f1(a))
                        .append("\" y=\"")
                        .append(reason != null ? 4 : 9)
                        .append("\" width=\"")
                        .append(f1(Math.max(reason != null ? 3 : 1.5, b - a)))
                        .append("\" height=\"")
                        .append(reason != null ? 24 : 14)
                        .append("\"><title>")
                        .append(esc(interval(start, end) + " UTC · episode " + c.getEpisodeId()
                                + (c.getStep() == null ? "" : " step " + c.getStep()) + " · " + c.getTool()
                                + " · exit " + (c.getExitCode() == null ? "?" : c.getExitCode())))
                        .append("&#10;")
                        .append(esc(c.getCommand()))
                        .append(reason == null ? "" : "&#10;named: " + esc(reason))
                        .append("</title></rect>\n");
            }
        }
        h.append("</svg>\n");
        if (left > 0) {
            h.append("<p class=\"note\">").append(left).append(" more tool calls not drawn.</p>\n");
        }
    }
}
