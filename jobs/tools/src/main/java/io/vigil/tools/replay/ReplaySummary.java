package io.vigil.tools.replay;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.models.eval.Backtest;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.DeadLetter;
import io.vigil.records.JobWindow;
import io.vigil.tools.output.Json;
import io.vigil.tools.output.Text;
import io.vigil.tools.output.TextTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code summary.json} (stable key order, no timings, so it too is the same for the same input) and the short
 * table the command prints. Rates that are undefined (no scored window, no positive window) are {@code null}.
 */
public final class ReplaySummary {
    private ReplaySummary() {}

    public static String json(Replay.Outcome outcome) {
        ObjectNode root = Json.object();
        root.put("model_version", outcome.modelVersion());
        root.put("feature_set", outcome.request().scorer().featureSet().id());
        root.put("threshold", outcome.request().scorer().threshold());
        root.put("window_ms", outcome.request().settings().windowSize().toMillis());
        ArrayNode datasets = root.putArray("datasets");
        List<DeadLetter> allDead = new ArrayList<>();
        List<JobWindow> allWindows = new ArrayList<>();
        for (Replay.DatasetResult d : outcome.datasets()) {
            ObjectNode node = datasets.addObject();
            node.put("name", d.dataset().name());
            node.put("path", d.dataset().path().toString());
            ArrayNode files = node.putArray("files");
            d.dataset().files().forEach(f -> files.add(String.valueOf(f.getFileName())));
            node.put("labels", d.dataset().labels().size());
            timeRange(node, d.windows());
            node.put("jobs", d.windows().stream().map(JobWindow::getJobId).distinct().count());
            metrics(node, d.backtest(), d.deadLetters());
            ArrayNode incidents = node.putArray("incidents");
            d.backtest().incidents().forEach(i -> incident(incidents.addObject(), i));
            allDead.addAll(d.deadLetters());
            allWindows.addAll(d.windows());
        }
        ObjectNode overall = root.putObject("overall");
        overall.put("datasets", outcome.datasets().size());
        timeRange(overall, allWindows);
        metrics(overall, outcome.overall(), allDead);
        return Json.text(root);
    }

    private static void timeRange(ObjectNode node, List<JobWindow> windows) {
        if (windows.isEmpty()) {
            node.putNull("start");
            node.putNull("end");
            return;
        }
        node.put("start", windows.stream().map(JobWindow::getWindowStart).min(Instant::compareTo).orElseThrow().toString());
        node.put("end", windows.stream().map(JobWindow::getWindowEnd).max(Instant::compareTo).orElseThrow().toString());
    }

    private static void metrics(ObjectNode node, Backtest.Result r, List<DeadLetter> deadLetters) {
        node.put("incidents_total", r.incidents().size());
        node.put("incidents_detected", r.incidentsDetected());
        node.put("incidents_category_right", r.incidentsCategoryRight());
        node.put("windows", r.windows());
        node.put("job_hours", Json.round(r.jobHours()));
        node.put("alerts", r.alerts());
        node.put("false_alerts", r.falseAlerts().size());
        Json.putRounded(node, "false_alerts_per_100_job_hours", r.falseAlertsPer100JobHours());
        ObjectNode byJob = node.putObject("false_alerts_by_job");
        new TreeMap<>(r.falseAlerts().stream().collect(Collectors.groupingBy(Alert::getJobId, Collectors.counting())))
                .forEach(byJob::put);
        Json.putRounded(node, "pr_auc", r.prAuc());
        node.put("positive_windows", r.positiveWindows());
        node.put("flagged_windows", r.flaggedWindows());
        node.put("true_positive_windows", r.truePositiveWindows());
        ObjectNode dead = node.putObject("dead_letters");
        dead.put("total", deadLetters.size());
        ObjectNode byReason = dead.putObject("by_reason");
        ReplayRecords.byReason(deadLetters).forEach(byReason::put);
    }

    private static void incident(ObjectNode node, Backtest.LabelledIncident i) {
        node.put("incident", i.name());
        ArrayNode jobs = node.putArray("jobs");
        i.jobs().forEach(jobs::add);
        node.put("start", Instant.ofEpochMilli(i.startTs()).toString());
        node.put("end", Instant.ofEpochMilli(i.endTs()).toString());
        node.put("detected", i.detected());
        node.put("category_right", i.categoryRight());
        if (i.detected()) {
            node.put("time_to_detect_s", i.timeToDetectMs() / 1000.0);
            node.put("time_to_detect_windows", i.timeToDetectWindows());
            node.put("first_alert_id", i.firstAlertId());
        } else {
            node.putNull("time_to_detect_s");
            node.putNull("time_to_detect_windows");
            node.putNull("first_alert_id");
        }
        ArrayNode phases = node.putArray("phases");
        for (Backtest.Phase p : i.phases()) {
            ObjectNode phase = phases.addObject();
            phase.put("job_id", p.label().jobId());
            phase.put("category", p.label().category().name());
            phase.put("start", Instant.ofEpochMilli(p.label().startTs()).toString());
            phase.put("end", Instant.ofEpochMilli(p.label().endTs()).toString());
            phase.put("windows", p.windows());
            phase.put("alerts", p.alerts());
            phase.put("detected", p.detected());
            phase.put("category_right", p.categoryRight());
            ArrayNode named = phase.putArray("categories_named");
            p.categoriesNamed().forEach(c -> named.add(c.name()));
        }
    }


    // ---- the table on stdout ----

    /** The short table the command prints: one row per incident phase, then the rates and dead letters. */
    public static String table(Replay.Outcome outcome) {
        boolean several = outcome.datasets().size() > 1;
        TextTable table = several ? new TextTable("incident", "dataset", "job", "detected", "categories", "time to detect")
                : new TextTable("incident", "job", "detected", "categories", "time to detect");
        for (Replay.DatasetResult d : outcome.datasets()) {
            for (Backtest.LabelledIncident i : d.backtest().incidents()) {
                boolean first = true;
                for (Backtest.Phase p : i.phases()) {
                    String ttd = first ? timeToDetect(i) : "";
                    String name = first ? i.name() : "";
                    String detected = p.detected() ? "yes" : p.unseen() ? "no (no windows)" : "no";
                    if (several) {
                        table.row(name, first ? d.dataset().name() : "", p.label().jobId(), detected, category(p), ttd);
                    } else {
                        table.row(name, p.label().jobId(), detected, category(p), ttd);
                    }
                    first = false;
                }
            }
        }
        StringBuilder out = new StringBuilder();
        if (table.size() == 0) {
            out.append("no labelled incident (no labels.json): every alert counts as false\n");
        } else {
            out.append(table);
        }
        Backtest.Result all = outcome.overall();
        out.append('\n');
        out.append(String.format(Locale.ROOT, "incidents detected: %d of %d (category right: %d)%n",
                all.incidentsDetected(), all.incidents().size(), all.incidentsCategoryRight()));
        out.append(String.format(Locale.ROOT, "false alerts: %d of %d alerts, over %.2f job-hours = %s per 100 job-hours%n",
                all.falseAlerts().size(), all.alerts(), all.jobHours(), Text.orNa("%.2f", all.falseAlertsPer100JobHours())));
        out.append(String.format(Locale.ROOT, "PR-AUC over windows: %s (%d of %d windows in an incident)%n",
                Text.orNa("%.3f", all.prAuc()), all.positiveWindows(), all.windows()));
        List<DeadLetter> dead = outcome.datasets().stream().flatMap(d -> d.deadLetters().stream()).toList();
        out.append("dead letters: ").append(dead.size());
        if (!dead.isEmpty()) {
            out.append(ReplayRecords.byReason(dead).entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", ", " (", ")")));
        }
        out.append('\n');
        return out.toString();
    }

    private static String category(Backtest.Phase p) {
        Category c = p.label().category();
        if (!p.detected()) {
            return c.name();
        }
        if (p.categoryRight()) {
            return c.name() + " right";
        }
        return c.name() + " wrong (named " + p.categoriesNamed().stream().map(Category::name).collect(Collectors.joining("+")) + ")";
    }

    private static String timeToDetect(Backtest.LabelledIncident i) {
        if (!i.detected()) {
            return "-";
        }
        int w = i.timeToDetectWindows();
        return String.format(Locale.ROOT, "%s (%d window%s)", Text.seconds(i.timeToDetectMs()), w, w == 1 ? "" : "s");
    }
}
