package io.vigil.tools.replay;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.models.eval.Backtest;
import io.vigil.pipeline.ingest.InputStats;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.DeadLetter;
import io.vigil.records.JobWindow;
import io.vigil.records.Printable;
import io.vigil.tools.output.Json;
import io.vigil.tools.output.Text;
import io.vigil.tools.output.TextTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
        List<EpisodeCheck> allChecks = new ArrayList<>();
        int allFlags = 0;
        for (Replay.DatasetResult d : outcome.datasets()) {
            ObjectNode node = datasets.addObject();
            node.put("name", d.dataset().name());
            node.put("path", d.dataset().path().toString());
            ArrayNode files = node.putArray("files");
            d.dataset().files().forEach(f -> files.add(String.valueOf(f.getFileName())));
            node.put("labels", d.dataset().labels().size());
            node.put("flow_format", d.dataset().formats().flows());
            inputs(node.putArray("inputs"), d);
            ArrayNode warnings = node.putArray("warnings");
            d.warnings().forEach(warnings::add);
            timeRange(node, d.windows());
            node.put(
                    "jobs",
                    d.windows().stream().map(JobWindow::getJobId).distinct().count());
            metrics(node, d.backtest(), d.alerts().size(), d.deadLetters());
            List<Alert> told =
                    d.alerts().stream().sorted(ReplayRecords.ALERT_ORDER).toList();
            ArrayNode incidents = node.putArray("incidents");
            List<EpisodeCheck> checks = new ArrayList<>();
            for (Backtest.LabelledIncident i : d.backtest().incidents()) {
                EpisodeCheck check = EpisodeCheck.of(i, told);
                checks.add(check);
                incident(incidents.addObject(), i, check);
            }
            episodes(node.putObject("agent_episodes"), checks, d.episodeFlags().size());
            allChecks.addAll(checks);
            allFlags += d.episodeFlags().size();
            allDead.addAll(d.deadLetters());
            allWindows.addAll(d.windows());
        }
        ObjectNode overall = root.putObject("overall");
        overall.put("datasets", outcome.datasets().size());
        timeRange(overall, allWindows);
        metrics(
                overall,
                outcome.overall(),
                outcome.datasets().stream().mapToInt(d -> d.alerts().size()).sum(),
                allDead);
        episodes(overall.putObject("agent_episodes"), allChecks, allFlags);
        return Json.text(root);
    }

    /**
     * Per input file: lines read, records decoded and passed on, the reader's dead letters by reason, the records
     * attributed to a job (for flows and GPU samples: passed on less those the pipeline found no job for or
     * judged late; with two flow files, conn.log and conn_long.log, for both together, on the first), the time
     * the records cover, and where the file broke.
     */
    private static void inputs(ArrayNode out, Replay.DatasetResult d) {
        Map<String, Long> lost = new TreeMap<>();
        for (DeadLetter dl : d.deadLetters()) {
            if (dl.getReason().equals("unattributed") || dl.getReason().equals("late")) {
                lost.merge(dl.getRecordType(), 1L, Long::sum);
            }
        }
        Set<String> typesDone = new HashSet<>();
        for (InputStats f : d.inputs()) {
            ObjectNode file = out.addObject();
            file.put("file", f.source.substring(f.source.lastIndexOf('/') + 1));
            file.put("record_type", f.recordType);
            file.put("format", f.format);
            file.put("lines", f.lines);
            file.put("decoded", f.records);
            ObjectNode dead = file.putObject("dead_letters");
            dead.put("total", f.deadLetterCount());
            ObjectNode byReason = dead.putObject("by_reason");
            f.deadLetters().forEach(byReason::put);
            if (f.recordType.equals("assignment")) {
                file.putNull("attributed");
            } else if (typesDone.add(f.recordType)) {
                long passed = d.inputs().stream()
                        .filter(g -> g.recordType.equals(f.recordType))
                        .mapToLong(g -> g.records)
                        .sum();
                file.put("attributed", Math.max(0, passed - lost.getOrDefault(f.recordType, 0L)));
            } else {
                file.putNull("attributed");
            }
            if (f.firstTs == Long.MIN_VALUE) {
                file.putNull("first");
                file.putNull("last");
            } else {
                file.put("first", Instant.ofEpochMilli(f.firstTs).toString());
                file.put("last", Instant.ofEpochMilli(f.lastTs).toString());
            }
            if (f.failure == null) {
                file.putNull("broken");
            } else {
                file.put("broken", f.failure);
            }
        }
    }

    /** The per-file rows of the stdout table: file, lines, decoded, dead letters by reason, attributed. */
    static String inputsTable(Replay.Outcome outcome) {
        TextTable table = new TextTable("input file", "format", "lines", "decoded", "attributed", "dead letters");
        for (Replay.DatasetResult d : outcome.datasets()) {
            ArrayNode files = Json.array();
            inputs(files, d);
            for (int i = 0; i < files.size(); i++) {
                ObjectNode f = (ObjectNode) files.get(i);
                ObjectNode byReason = (ObjectNode) f.get("dead_letters").get("by_reason");
                List<String> reasons = new ArrayList<>();
                byReason.fields()
                        .forEachRemaining(
                                e -> reasons.add(e.getKey() + " " + e.getValue().asLong()));
                table.row(
                        d.dataset().name() + "/" + f.get("file").asText(),
                        f.get("format").asText(),
                        f.get("lines").asText(),
                        f.get("decoded").asText(),
                        f.get("attributed").isNull() ? "-" : f.get("attributed").asText(),
                        reasons.isEmpty()
                                ? "0"
                                : f.get("dead_letters").get("total").asText() + " (" + String.join(", ", reasons)
                                        + ")");
            }
        }
        return table.size() == 0 ? "" : table.toString();
    }

    private static void timeRange(ObjectNode node, List<JobWindow> windows) {
        if (windows.isEmpty()) {
            node.putNull("start");
            node.putNull("end");
            return;
        }
        node.put(
                "start",
                windows.stream()
                        .map(JobWindow::getWindowStart)
                        .min(Instant::compareTo)
                        .orElseThrow()
                        .toString());
        node.put(
                "end",
                windows.stream()
                        .map(JobWindow::getWindowEnd)
                        .max(Instant::compareTo)
                        .orElseThrow()
                        .toString());
    }

    /**
     * The figures of a backtest. An alert here is a flagged window, as each was one on the alert topic before
     * incidents had a lifecycle: {@code alerts}, {@code false_alerts} (outside every labelled incident of its job),
     * their rate per 100 job-hours and a phase's {@code alerts} count windows, so they stay comparable across
     * releases. {@code incidents_raised}: the pipeline's incidents, {@code false_incidents} those none of whose
     * windows is in a labelled incident; {@code transitions}: their alerts on the alert topic, the records of
     * alerts.jsonl.
     */
    private static void metrics(ObjectNode node, Backtest.Result r, int transitions, List<DeadLetter> deadLetters) {
        node.put("incidents_total", r.incidents().size());
        node.put("incidents_detected", r.incidentsDetected());
        node.put("incidents_category_right", r.incidentsCategoryRight());
        node.put("windows", r.windows());
        node.put("job_hours", Json.round(r.jobHours()));
        node.put("alerts", r.alerts());
        node.put("incidents_raised", r.incidentsRaised());
        node.put("transitions", transitions);
        node.put("false_incidents", r.falseIncidents());
        Json.putRounded(node, "false_incidents_per_100_job_hours", r.falseIncidentsPer100JobHours());
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

    /**
     * The agent episodes the alerts named, over labelled incidents: how many named one, and of those whose label names
     * the causing episode ({@code episode_id}), in how many that episode was named first and (with {@code call_step})
     * its call was among the first {@value EpisodeCheck#TOP_CALLS} calls named; and the episode flags written.
     */
    private static void episodes(ObjectNode node, List<EpisodeCheck> checks, int flags) {
        node.put(
                "incidents_naming_an_episode",
                checks.stream().filter(EpisodeCheck::named).count());
        node.put(
                "incidents_with_episode_label",
                checks.stream().filter(c -> c.expectedEpisode() != null).count());
        node.put(
                "right_episode_first",
                checks.stream()
                        .filter(c -> Boolean.TRUE.equals(c.rightEpisodeFirst()))
                        .count());
        node.put(
                "incidents_with_call_label",
                checks.stream().filter(c -> c.callInTop() != null).count());
        node.put(
                "call_in_top_" + EpisodeCheck.TOP_CALLS,
                checks.stream().filter(c -> Boolean.TRUE.equals(c.callInTop())).count());
        node.put("episode_flags", flags);
    }

    /** One incident's agent episode: named or not, which first and by which calls, against its label. */
    private static void agent(ObjectNode node, EpisodeCheck c) {
        node.put("named", c.named());
        if (c.named()) {
            node.put("alert_id", c.alertId());
            node.put("episode_named_first", c.episodeNamedFirst());
        } else {
            node.putNull("alert_id");
            node.putNull("episode_named_first");
        }
        ArrayNode calls = node.putArray("calls_named_first");
        for (EpisodeCheck.NamedCall call : c.calls()) {
            ObjectNode n = calls.addObject();
            n.put("episode_id", call.episodeId());
            if (call.step() == null) {
                n.putNull("step");
            } else {
                n.put("step", call.step());
            }
            n.put("command", call.command());
        }
        putOrNull(node, "label_episode_id", c.expectedEpisode());
        if (c.expectedStep() == null) {
            node.putNull("label_call_step");
        } else {
            node.put("label_call_step", c.expectedStep());
        }
        if (c.rightEpisodeFirst() == null) {
            node.putNull("right_episode_first");
        } else {
            node.put("right_episode_first", c.rightEpisodeFirst());
        }
        if (c.callInTop() == null) {
            node.putNull("call_in_top_" + EpisodeCheck.TOP_CALLS);
        } else {
            node.put("call_in_top_" + EpisodeCheck.TOP_CALLS, c.callInTop());
        }
    }

    private static void putOrNull(ObjectNode node, String key, String value) {
        if (value == null) {
            node.putNull(key);
        } else {
            node.put(key, value);
        }
    }

    private static void incident(ObjectNode node, Backtest.LabelledIncident i, EpisodeCheck check) {
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
            node.put("first_incident_id", i.firstIncidentId());
        } else {
            node.putNull("time_to_detect_s");
            node.putNull("time_to_detect_windows");
            node.putNull("first_incident_id");
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
        agent(node.putObject("agent_episode"), check);
    }

    // ---- the table on stdout ----

    /** The short table the command prints: one row per incident phase, then the rates and dead letters. */
    public static String table(Replay.Outcome outcome) {
        boolean several = outcome.datasets().size() > 1;
        TextTable table = several
                ? new TextTable("incident", "dataset", "job", "detected", "categories", "time to detect")
                : new TextTable("incident", "job", "detected", "categories", "time to detect");
        for (Replay.DatasetResult d : outcome.datasets()) {
            for (Backtest.LabelledIncident i : d.backtest().incidents()) {
                boolean first = true;
                for (Backtest.Phase p : i.phases()) {
                    String ttd = first ? timeToDetect(i) : "";
                    String name = first ? i.name() : "";
                    String detected = p.detected() ? "yes" : p.unseen() ? "no (no windows)" : "no";
                    if (several) {
                        table.row(
                                name, first ? d.dataset().name() : "", p.label().jobId(), detected, category(p), ttd);
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
        out.append(String.format(
                Locale.ROOT,
                "incidents detected: %d of %d (category right: %d)%n",
                all.incidentsDetected(),
                all.incidents().size(),
                all.incidentsCategoryRight()));
        int transitions =
                outcome.datasets().stream().mapToInt(d -> d.alerts().size()).sum();
        out.append(String.format(
                Locale.ROOT,
                "incidents raised: %d (%d transition%s in alerts.jsonl), %d false = %s per 100 job-hours%n",
                all.incidentsRaised(),
                transitions,
                transitions == 1 ? "" : "s",
                all.falseIncidents(),
                Text.orNa("%.2f", all.falseIncidentsPer100JobHours())));
        out.append(String.format(
                Locale.ROOT,
                "false alerts (flagged windows): %d of %d, over %.2f job-hours = %s per 100 job-hours%n",
                all.falseAlerts().size(),
                all.alerts(),
                all.jobHours(),
                Text.orNa("%.2f", all.falseAlertsPer100JobHours())));
        out.append(episodesLine(outcome));
        out.append(String.format(
                Locale.ROOT,
                "PR-AUC over windows: %s (%d of %d windows in an incident)%n",
                Text.orNa("%.3f", all.prAuc()),
                all.positiveWindows(),
                all.windows()));
        List<DeadLetter> dead = outcome.datasets().stream()
                .flatMap(d -> d.deadLetters().stream())
                .toList();
        out.append("dead letters: ").append(dead.size());
        if (!dead.isEmpty()) {
            out.append(ReplayRecords.byReason(dead).entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", ", " (", ")")));
        }
        out.append('\n');
        String inputs = inputsTable(outcome);
        if (!inputs.isEmpty()) {
            out.append('\n').append(inputs);
        }
        return out.toString();
    }

    /**
     * What the alerts said of agent episodes, when any dataset has agent events: per labelled incident whether one was
     * named, and against the labels that name the causing episode and call, whether it was named first and its call
     * in the top 3; empty for datasets without agent events.
     */
    static String episodesLine(Replay.Outcome outcome) {
        if (outcome.datasets().stream().allMatch(d -> d.agentEvents().isEmpty())) {
            return "";
        }
        List<String> rows = new ArrayList<>();
        int named = 0;
        int labelled = 0;
        int right = 0;
        int callLabelled = 0;
        int inTop = 0;
        int total = 0;
        for (Replay.DatasetResult d : outcome.datasets()) {
            List<Alert> told =
                    d.alerts().stream().sorted(ReplayRecords.ALERT_ORDER).toList();
            for (Backtest.LabelledIncident i : d.backtest().incidents()) {
                EpisodeCheck c = EpisodeCheck.of(i, told);
                total++;
                named += c.named() ? 1 : 0;
                labelled += c.expectedEpisode() != null ? 1 : 0;
                right += Boolean.TRUE.equals(c.rightEpisodeFirst()) ? 1 : 0;
                callLabelled += c.callInTop() != null ? 1 : 0;
                inTop += Boolean.TRUE.equals(c.callInTop()) ? 1 : 0;
                rows.add(String.format(
                        Locale.ROOT,
                        "%s: %s%s",
                        i.name(),
                        c.named() ? "episode " + c.episodeNamedFirst() + " named first" : "no episode named",
                        c.expectedEpisode() == null
                                ? ""
                                : (Boolean.TRUE.equals(c.rightEpisodeFirst())
                                                ? " (right"
                                                : " (wrong: the label says " + c.expectedEpisode())
                                        + (c.callInTop() == null
                                                ? ")"
                                                : c.callInTop()
                                                        ? "; its call in the top " + EpisodeCheck.TOP_CALLS + ")"
                                                        : "; its call not in the top " + EpisodeCheck.TOP_CALLS
                                                                + ")")));
            }
        }
        StringBuilder out = new StringBuilder(String.format(
                Locale.ROOT,
                "agent episodes: named for %d of %d incidents; the labelled episode first in %d of %d, its call in"
                        + " the top %d in %d of %d%n",
                named,
                total,
                right,
                labelled,
                EpisodeCheck.TOP_CALLS,
                inTop,
                callLabelled));
        rows.forEach(r -> out.append("  ").append(Printable.escape(r)).append('\n'));
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
        return c.name() + " wrong (named "
                + p.categoriesNamed().stream().map(Category::name).collect(Collectors.joining("+")) + ")";
    }

    private static String timeToDetect(Backtest.LabelledIncident i) {
        if (!i.detected()) {
            return "-";
        }
        int w = i.timeToDetectWindows();
        return String.format(Locale.ROOT, "%s (%d window%s)", Text.seconds(i.timeToDetectMs()), w, w == 1 ? "" : "s");
    }
}
