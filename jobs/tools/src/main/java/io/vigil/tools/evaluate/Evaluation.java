package io.vigil.tools.evaluate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.models.eval.Backtest;
import io.vigil.pipeline.files.DatasetSource;
import io.vigil.records.Printable;
import io.vigil.tools.output.Json;
import io.vigil.tools.output.TextTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code vigil evaluate}'s figures and promotion gate, from the backtests of a model's replays: per dataset and
 * pooled, incidents detected and named right, time to detect, false alerts per 100 job-hours, PR-AUC. Real
 * captures and simulated fleets are pooled apart and each held to the gate. A pure function of the
 * backtests, so the gate can be tested without running the pipeline.
 */
public final class Evaluation {
    private static final double MINUTE_MS = 60_000.0;

    /**
     * What a model must do to be promoted (issue #5's bar by default).
     *
     * @param maxFalseAlertsPer100JobHours pooled over every dataset
     * @param maxMedianTtdWindows median over the detected incidents, in windows
     * @param maxMissedIncidents incidents allowed to go undetected or be named with a wrong category
     */
    public record Gate(double maxFalseAlertsPer100JobHours, double maxMedianTtdWindows, int maxMissedIncidents) {
        public static final double DEFAULT_MAX_FALSE_ALERTS_PER_100H = 1;
        public static final double DEFAULT_MAX_MEDIAN_TTD_WINDOWS = 2;
        public static final int DEFAULT_MAX_MISSED_INCIDENTS = 0;

        public static Gate defaults() {
            return new Gate(
                    DEFAULT_MAX_FALSE_ALERTS_PER_100H, DEFAULT_MAX_MEDIAN_TTD_WINDOWS, DEFAULT_MAX_MISSED_INCIDENTS);
        }
    }

    /**
     * One line of the table. Times to detect are over detected incidents; null when none was. False alerts are
     * flagged windows outside every labelled incident of their job, counted per window (each was an alert before
     * incidents had a lifecycle), so the rate and the gate on it stay comparable across releases; false incidents
     * are the pipeline's incidents none of whose windows is in a labelled incident: the pages a team would get.
     *
     * @param missed incidents not detected, or detected with a wrong category in some phase, by name
     */
    public record Row(
            String name,
            int incidents,
            int detected,
            int categoryRight,
            Double medianTtdWindows,
            Integer maxTtdWindows,
            Double medianTtdMinutes,
            Double maxTtdMinutes,
            int falseAlerts,
            double jobHours,
            double falseAlertsPer100JobHours,
            int falseIncidents,
            double falseIncidentsPer100JobHours,
            double prAuc,
            List<String> missed) {

        public static Row of(String name, Backtest.Result r) {
            List<Backtest.LabelledIncident> detected = r.incidents().stream()
                    .filter(Backtest.LabelledIncident::detected)
                    .toList();
            int[] windows = detected.stream()
                    .mapToInt(Backtest.LabelledIncident::timeToDetectWindows)
                    .sorted()
                    .toArray();
            double[] minutes = detected.stream()
                    .mapToDouble(i -> i.timeToDetectMs() / MINUTE_MS)
                    .sorted()
                    .toArray();
            List<String> missed = r.incidents().stream()
                    .filter(i -> !i.detected() || !i.categoryRight())
                    .map(Backtest.LabelledIncident::name)
                    .toList();
            return new Row(
                    name,
                    r.incidents().size(),
                    r.incidentsDetected(),
                    r.incidentsCategoryRight(),
                    windows.length == 0
                            ? null
                            : median(Arrays.stream(windows).asDoubleStream().toArray()),
                    windows.length == 0 ? null : windows[windows.length - 1],
                    minutes.length == 0 ? null : median(minutes),
                    minutes.length == 0 ? null : minutes[minutes.length - 1],
                    r.falseAlerts().size(),
                    r.jobHours(),
                    r.falseAlertsPer100JobHours(),
                    r.falseIncidents(),
                    r.falseIncidentsPer100JobHours(),
                    r.prAuc(),
                    missed);
        }
    }

    /** One condition of the gate, and whether the model met it. */
    public record Check(String condition, boolean passed, String measured) {}

    /**
     * The figures of one evaluation, with the gate's verdict.
     *
     * @param kinds each dataset's origin ({@code real}, {@code simulated}, ...), in the order of {@code datasets}
     * @param byKind the datasets of each origin pooled, when there is more than one origin; else empty
     */
    public record Report(
            String modelVersion,
            List<Row> datasets,
            List<String> kinds,
            List<Row> byKind,
            Row pooled,
            Gate gate,
            List<Check> checks) {
        public boolean passed() {
            return checks.stream().allMatch(Check::passed);
        }

        public List<Check> failed() {
            return checks.stream().filter(c -> !c.passed()).toList();
        }
    }

    private Evaluation() {}

    /**
     * @param names each dataset's name, in the order to show them
     * @param kinds each dataset's origin (io.vigil.pipeline.files.DatasetSource#kind): real captures and simulated
     *     fleets are pooled and gated apart, so that hours of simulation cannot hide what a model does on real
     *     traffic, nor the other way round
     */
    public static Report of(
            String modelVersion, List<String> names, List<String> kinds, List<Backtest.Result> datasets, Gate gate) {
        if (names.size() != datasets.size() || kinds.size() != datasets.size()) {
            throw new IllegalArgumentException(
                    names.size() + " names and " + kinds.size() + " kinds for " + datasets.size() + " datasets");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            rows.add(Row.of(names.get(i), datasets.get(i)));
        }
        Row pooled = Row.of("all", Backtest.Result.pool(datasets));
        Map<String, List<Backtest.Result>> grouped = new TreeMap<>(KIND_ORDER);
        for (int i = 0; i < kinds.size(); i++) {
            grouped.computeIfAbsent(kinds.get(i), k -> new ArrayList<>()).add(datasets.get(i));
        }
        if (grouped.size() == 1) {
            return new Report(
                    modelVersion, rows, List.copyOf(kinds), List.of(), pooled, gate, checks(pooled, gate, ""));
        }
        List<Row> byKind = new ArrayList<>();
        List<Check> checks = new ArrayList<>();
        for (Map.Entry<String, List<Backtest.Result>> e : grouped.entrySet()) {
            Row row = Row.of(e.getKey(), Backtest.Result.pool(e.getValue()));
            byKind.add(row);
            checks.addAll(checks(row, gate, e.getKey() + ": "));
        }
        return new Report(
                modelVersion, rows, List.copyOf(kinds), List.copyOf(byKind), pooled, gate, List.copyOf(checks));
    }

    /** Real captures first, then simulated fleets, then any other origin by name. */
    private static final Comparator<String> KIND_ORDER = Comparator.comparingInt(
                    (String k) -> k.equals(DatasetSource.REAL) ? 0 : k.equals(DatasetSource.SIMULATED) ? 1 : 2)
            .thenComparing(k -> k);

    /**
     * The gate's conditions on pooled figures, each condition's text after {@code prefix}. An undefined figure
     * (no windows at all) fails its condition.
     */
    static List<Check> checks(Row all, Gate gate, String prefix) {
        List<Check> checks = new ArrayList<>();
        int missed = all.missed().size();
        checks.add(new Check(
                prefix + String.format(Locale.ROOT, "incidents missed or named wrong <= %d", gate.maxMissedIncidents()),
                missed <= gate.maxMissedIncidents(),
                all.incidents() == 0
                        ? "no labelled incident"
                        : missed + " of " + all.incidents()
                                + (missed == 0 ? "" : " (" + String.join(", ", all.missed()) + ")")));
        double fa = all.falseAlertsPer100JobHours();
        checks.add(new Check(
                prefix
                        + String.format(
                                Locale.ROOT,
                                "false alerts per 100 job-hours <= %s",
                                plain(gate.maxFalseAlertsPer100JobHours())),
                fa <= gate.maxFalseAlertsPer100JobHours(),
                Double.isNaN(fa)
                        ? "no scored window"
                        : String.format(
                                Locale.ROOT, "%.2f (%d over %.1f job-hours)", fa, all.falseAlerts(), all.jobHours())));
        Double median = all.medianTtdWindows();
        boolean ttdPassed = all.incidents() == 0 || (median != null && median <= gate.maxMedianTtdWindows());
        checks.add(new Check(
                prefix
                        + String.format(
                                Locale.ROOT, "median time to detect <= %s windows", plain(gate.maxMedianTtdWindows())),
                ttdPassed,
                all.incidents() == 0
                        ? "no labelled incident"
                        : median == null
                                ? "no incident detected"
                                : String.format(
                                        Locale.ROOT, "%s windows (%.1f min)", plain(median), all.medianTtdMinutes())));
        return List.copyOf(checks);
    }

    /** The table on stdout, then the gate's conditions and verdict. */
    public static String table(Report report) {
        TextTable table = new TextTable(
                "dataset",
                "source",
                "incidents",
                "category right",
                "ttd median",
                "ttd max",
                "false alerts/100 job-h",
                "false incidents/100 job-h",
                "PR-AUC");
        for (int i = 0; i < report.datasets().size(); i++) {
            table.row(cells(report.datasets().get(i), report.kinds().get(i)));
        }
        table.rule();
        report.byKind().forEach(r -> table.row(cells(r, "pooled")));
        table.row(cells(report.pooled(), "pooled"));
        StringBuilder s = new StringBuilder();
        s.append("model ").append(Printable.escape(report.modelVersion())).append('\n');
        s.append(table);
        s.append('\n');
        for (Check c : report.checks()) {
            s.append(c.passed() ? "  pass  " : "  FAIL  ")
                    .append(c.condition())
                    .append(": ")
                    .append(c.measured())
                    .append('\n');
        }
        s.append(
                report.passed()
                        ? "gate: passed\n"
                        : "gate: FAILED ("
                                + report.failed().stream().map(Check::condition).collect(Collectors.joining("; "))
                                + ")\n");
        return s.toString();
    }

    private static String[] cells(Row r, String source) {
        return new String[] {
            r.name(),
            source,
            r.detected() + "/" + r.incidents() + " detected",
            r.categoryRight() + "/" + r.incidents(),
            r.medianTtdWindows() == null
                    ? "-"
                    : String.format(Locale.ROOT, "%s w (%.1f min)", plain(r.medianTtdWindows()), r.medianTtdMinutes()),
            r.maxTtdWindows() == null
                    ? "-"
                    : String.format(Locale.ROOT, "%d w (%.1f min)", r.maxTtdWindows(), r.maxTtdMinutes()),
            Double.isNaN(r.falseAlertsPer100JobHours())
                    ? "n/a"
                    : String.format(
                            Locale.ROOT,
                            "%.2f (%d in %.1f h)",
                            r.falseAlertsPer100JobHours(),
                            r.falseAlerts(),
                            r.jobHours()),
            Double.isNaN(r.falseIncidentsPer100JobHours())
                    ? "n/a"
                    : String.format(Locale.ROOT, "%.2f (%d)", r.falseIncidentsPer100JobHours(), r.falseIncidents()),
            Double.isNaN(r.prAuc()) ? "n/a" : String.format(Locale.ROOT, "%.3f", r.prAuc())
        };
    }

    /** The report as JSON: stable key order, no timings, so the same model and data give the same file. */
    public static String json(Report report) {
        ObjectNode root = Json.object();
        root.put("model_version", report.modelVersion());
        ObjectNode gate = root.putObject("gate");
        gate.put("max_false_alerts_per_100_job_hours", report.gate().maxFalseAlertsPer100JobHours());
        gate.put("max_median_ttd_windows", report.gate().maxMedianTtdWindows());
        gate.put("max_missed_incidents", report.gate().maxMissedIncidents());
        gate.put("passed", report.passed());
        ArrayNode checks = gate.putArray("checks");
        for (Check c : report.checks()) {
            checks.addObject()
                    .put("condition", c.condition())
                    .put("passed", c.passed())
                    .put("measured", c.measured());
        }
        ArrayNode datasets = root.putArray("datasets");
        for (int i = 0; i < report.datasets().size(); i++) {
            ObjectNode node = datasets.addObject();
            row(node, report.datasets().get(i));
            node.put("source", report.kinds().get(i));
        }
        ObjectNode byKind = root.putObject("by_source");
        report.byKind().forEach(r -> row(byKind.putObject(r.name()), r));
        row(root.putObject("overall"), report.pooled());
        return Json.text(root);
    }

    private static void row(ObjectNode node, Row r) {
        node.put("name", r.name());
        node.put("incidents_total", r.incidents());
        node.put("incidents_detected", r.detected());
        node.put("incidents_category_right", r.categoryRight());
        ArrayNode missed = node.putArray("incidents_missed_or_wrong");
        r.missed().forEach(missed::add);
        Json.putRounded(node, "median_ttd_windows", r.medianTtdWindows());
        if (r.maxTtdWindows() == null) {
            node.putNull("max_ttd_windows");
        } else {
            node.put("max_ttd_windows", r.maxTtdWindows());
        }
        Json.putRounded(node, "median_ttd_minutes", r.medianTtdMinutes());
        Json.putRounded(node, "max_ttd_minutes", r.maxTtdMinutes());
        node.put("false_alerts", r.falseAlerts());
        Json.putRounded(node, "job_hours", r.jobHours());
        Json.putRounded(node, "false_alerts_per_100_job_hours", r.falseAlertsPer100JobHours());
        node.put("false_incidents", r.falseIncidents());
        Json.putRounded(node, "false_incidents_per_100_job_hours", r.falseIncidentsPer100JobHours());
        Json.putRounded(node, "pr_auc", r.prAuc());
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** 2 rather than 2.0; 1.5 as it is. */
    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
}
