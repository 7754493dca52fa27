package io.vigil.tools.replay;

import static io.vigil.tools.replay.Html.COLOURS;
import static io.vigil.tools.replay.Html.anchor;
import static io.vigil.tools.replay.Html.chip;
import static io.vigil.tools.replay.Html.cut;
import static io.vigil.tools.replay.Html.dateTime;
import static io.vigil.tools.replay.Html.esc;
import static io.vigil.tools.replay.Html.fmt;
import static io.vigil.tools.replay.Html.interval;
import static io.vigil.tools.replay.Html.reasons;

import io.vigil.models.eval.Backtest;
import io.vigil.models.eval.Label;
import io.vigil.pipeline.detect.Alerts;
import io.vigil.pipeline.ingest.InputStats;
import io.vigil.records.AgentEvent;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.DeadLetter;
import io.vigil.records.Destination;
import io.vigil.records.InputBounds;
import io.vigil.records.JobWindow;
import io.vigil.records.ProcessEvidence;
import io.vigil.records.TransitionCause;
import io.vigil.tools.output.Text;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * {@code report.html}: one self-contained page (inline CSS and SVG; no script, no font, no request of any kind)
 * to read a replay. A header with the totals, the incidents table, the dead letters, an index of the jobs, then
 * per job that alerted or had an incident a chart of its score over time ({@link ScoreChart}), the lane of its agent
 * tool calls with those an alert named highlighted ({@link ToolCallLane}, when the dataset has agent events), and under it the
 * list of its incidents, numbered as on the chart, each with its transitions (opened, what joined, closed),
 * categories, and the reasons and evidence of its strongest window. Every text that comes from data (job ids, reasons, addresses, process names) is escaped
 * ({@link Html}); the style sheet is the resource {@code report.css}.
 *
 * <p>Each dataset's page covers the time its input covers ({@link Span}): a window, alert or label far outside it
 * is left out of the charts and lists, and the page says how many and when. The input bounds already make a
 * year-3000 record a dead letter ({@code future_time}); this keeps the page small (axes, loops) even if one got
 * through, where a single such window once made a report of 50 822 axis ticks.
 */
public final class ReplayReport {
    /** Alert groups listed under a chart; the rest are counted (alerts.jsonl has them all). */
    static final int MAX_GROUPS_LISTED = 25;
    /** The page's style sheet, inlined into it (the page requests nothing). */
    static final String CSS = resource("report.css");

    private ReplayReport() {}

    public static String html(Replay.Outcome outcome) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Vigil replay: ")
                .append(esc(datasetNames(outcome)))
                .append("</title>\n")
                .append("<style>\n")
                .append(CSS)
                .append("</style>\n</head>\n<body>\n");
        Map<Replay.DatasetResult, Span> spans = spans(outcome);
        header(h, outcome, spans);
        incidents(h, outcome);
        deadLetters(h, outcome);
        List<JobView> jobs = jobs(outcome, spans);
        index(h, jobs, outcome.datasets().size() > 1);
        for (int i = 0; i < jobs.size(); i++) {
            job(h, jobs.get(i), i, outcome);
        }
        h.append(
                "<footer>Written by <code>vigil replay</code>. Times are UTC. Scores are the model's combined score in [0, 1];"
                        + " a window at or above the threshold becomes an alert. Shaded: the incident intervals of the dataset's"
                        + " labels.json for that job.</footer>\n");
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    // ---- header, tables ----

    private static void header(StringBuilder h, Replay.Outcome o, Map<Replay.DatasetResult, Span> spans) {
        Backtest.Result all = o.overall();
        List<JobWindow> windows = o.datasets().stream()
                .flatMap(d -> d.windows().stream().filter(spans.get(d)::holds))
                .toList();
        int dead = o.datasets().stream().mapToInt(d -> d.deadLetters().size()).sum();
        h.append("<header>\n<h1>Vigil replay</h1>\n<dl class=\"facts\">\n");
        h.append("<dt>Datasets</dt><dd>");
        for (Replay.DatasetResult d : o.datasets()) {
            h.append("<span class=\"ds\">").append(esc(d.dataset().name()));
            if (!d.dataset().path().toString().equals(d.dataset().name())) {
                h.append(" <small>").append(esc(d.dataset().path().toString())).append("</small>");
            }
            h.append("</span> ");
        }
        h.append("</dd>\n");
        h.append("<dt>Model</dt><dd>")
                .append(esc(o.modelVersion()))
                .append(" · threshold ")
                .append(fmt("%.2f", o.request().scorer().threshold()))
                .append(" · features ")
                .append(esc(o.request().scorer().featureSet().id()))
                .append(" · windows of ")
                .append(Text.seconds(o.request().settings().windowSize().toMillis()))
                .append("</dd>\n");
        h.append("<dt>Time range</dt><dd>");
        if (windows.isEmpty()) {
            h.append("no window scored");
        } else {
            Instant start = windows.stream()
                    .map(JobWindow::getWindowStart)
                    .min(Instant::compareTo)
                    .orElseThrow();
            Instant end = windows.stream()
                    .map(JobWindow::getWindowEnd)
                    .max(Instant::compareTo)
                    .orElseThrow();
            h.append(esc(dateTime(start.toEpochMilli())))
                    .append(" – ")
                    .append(esc(dateTime(end.toEpochMilli())))
                    .append(" UTC");
        }
        h.append("</dd>\n</dl>\n<div class=\"totals\">\n");
        total(
                h,
                "incidents detected",
                all.incidentsDetected() + " / " + all.incidents().size(),
                "category right in " + all.incidentsCategoryRight(),
                all.incidentsDetected() < all.incidents().size());
        total(
                h,
                "false alerts per 100 job-hours",
                Text.orNa("%.2f", all.falseAlertsPer100JobHours()),
                all.falseAlerts().size() + " false of " + all.alerts() + " flagged windows, "
                        + fmt("%.2f", all.jobHours()) + " job-hours",
                !all.falseAlerts().isEmpty());
        total(
                h,
                "incidents raised",
                String.valueOf(all.incidentsRaised()),
                all.falseIncidents() + " false (" + Text.orNa("%.2f", all.falseIncidentsPer100JobHours())
                        + " per 100 job-hours)",
                all.falseIncidents() > 0);
        total(
                h,
                "PR-AUC over windows",
                Text.orNa("%.3f", all.prAuc()),
                all.positiveWindows() + " of " + all.windows() + " windows in an incident",
                false);
        total(
                h,
                "dead letters",
                String.valueOf(dead),
                reasonCounts(o.datasets().stream()
                        .flatMap(d -> d.deadLetters().stream())
                        .toList()),
                dead > 0);
        h.append("</div>\n");
        leftOut(h, o, spans);
        h.append("</header>\n");
        legend(
                h,
                EnumSet.allOf(Category.class),
                "Categories (shading: labelled incident; dots: flagged windows, coloured by their first category;"
                        + " bars on the time axis: the pipeline's incidents)");
    }

    private static void total(StringBuilder h, String what, String value, String detail, boolean warn) {
        h.append("<div class=\"total")
                .append(warn ? " warn" : "")
                .append("\"><div class=\"value\">")
                .append(esc(value))
                .append("</div><div class=\"what\">")
                .append(esc(what))
                .append("</div><div class=\"detail\">")
                .append(esc(detail))
                .append("</div></div>\n");
    }

    private static void legend(StringBuilder h, Set<Category> categories, String title) {
        h.append("<div class=\"legend\"><span class=\"legend-title\">")
                .append(esc(title))
                .append("</span>");
        for (Category c : categories) {
            h.append("<span class=\"key\"><span class=\"swatch\" style=\"background:")
                    .append(COLOURS.get(c))
                    .append("\"></span>")
                    .append(c.name())
                    .append("</span>");
        }
        h.append("</div>\n");
    }

    private static void incidents(StringBuilder h, Replay.Outcome o) {
        h.append("<section>\n<h2>Incidents</h2>\n");
        boolean any =
                o.datasets().stream().anyMatch(d -> !d.backtest().incidents().isEmpty());
        if (!any) {
            h.append(
                    "<p>No labelled incident (no labels.json in the datasets): every alert below counts as a false alert.</p>\n</section>\n");
            return;
        }
        h.append(
                "<table class=\"grid\">\n<thead><tr><th>incident</th><th>dataset</th><th>job</th><th>label</th><th>interval (UTC)</th>"
                        + "<th>detected</th><th>categories named</th><th>time to detect</th></tr></thead>\n<tbody>\n");
        for (Replay.DatasetResult d : o.datasets()) {
            for (Backtest.LabelledIncident i : d.backtest().incidents()) {
                int n = i.phases().size();
                boolean first = true;
                for (Backtest.Phase p : i.phases()) {
                    h.append("<tr>");
                    if (first) {
                        h.append("<td rowspan=\"")
                                .append(n)
                                .append("\"><b>")
                                .append(esc(i.name()))
                                .append("</b></td>")
                                .append("<td rowspan=\"")
                                .append(n)
                                .append("\">")
                                .append(esc(d.dataset().name()))
                                .append("</td>");
                    }
                    Label l = p.label();
                    h.append("<td><a href=\"#")
                            .append(anchor(d.dataset().name(), l.jobId()))
                            .append("\">")
                            .append(esc(l.jobId()))
                            .append("</a></td>")
                            .append("<td>")
                            .append(chip(l.category()))
                            .append("</td>")
                            .append("<td>")
                            .append(esc(interval(l.startTs(), l.endTs())))
                            .append("</td>")
                            .append("<td class=\"")
                            .append(p.detected() ? "ok" : "bad")
                            .append("\">")
                            .append(
                                    p.detected()
                                            ? "yes, " + p.alerts() + " alert" + (p.alerts() == 1 ? "" : "s")
                                            : p.unseen() ? "no: no window of this job" : "no")
                            .append("</td><td class=\"")
                            .append(p.detected() ? (p.categoryRight() ? "ok" : "bad") : "")
                            .append("\">");
                    if (p.detected()) {
                        h.append(p.categoriesNamed().stream().map(Html::chip).collect(Collectors.joining(" ")))
                                .append(p.categoryRight() ? " right" : " wrong");
                    } else {
                        h.append("–");
                    }
                    h.append("</td>");
                    if (first) {
                        h.append("<td rowspan=\"")
                                .append(n)
                                .append("\">")
                                .append(
                                        i.detected()
                                                ? esc(Text.seconds(i.timeToDetectMs())) + " (" + i.timeToDetectWindows()
                                                        + " window" + (i.timeToDetectWindows() == 1 ? "" : "s") + ")"
                                                : "–")
                                .append("</td>");
                    }
                    h.append("</tr>\n");
                    first = false;
                }
            }
        }
        h.append("</tbody>\n</table>\n</section>\n");
    }

    private static void deadLetters(StringBuilder h, Replay.Outcome o) {
        h.append("<section>\n<h2>Dead letters</h2>\n");
        if (o.datasets().stream().allMatch(d -> d.deadLetters().isEmpty())) {
            h.append("<p>None: every record was read, checked and attributed.</p>\n</section>\n");
            return;
        }
        h.append(
                "<table class=\"grid narrow\">\n<thead><tr><th>dataset</th><th>reason</th><th>count</th><th>first source</th></tr></thead>\n<tbody>\n");
        for (Replay.DatasetResult d : o.datasets()) {
            Map<String, List<DeadLetter>> byReason = d.deadLetters().stream()
                    .sorted(ReplayRecords.DEAD_LETTER_ORDER)
                    .collect(Collectors.groupingBy(DeadLetter::getReason, TreeMap::new, Collectors.toList()));
            for (Map.Entry<String, List<DeadLetter>> e : byReason.entrySet()) {
                DeadLetter first = e.getValue().get(0);
                h.append("<tr><td>")
                        .append(esc(d.dataset().name()))
                        .append("</td><td>")
                        .append(esc(e.getKey()))
                        .append("</td><td class=\"num\">")
                        .append(e.getValue().size())
                        .append("</td><td><code>")
                        .append(esc(first.getSource()))
                        .append("</code> ")
                        .append(esc(cut(first.getDetail(), 120)))
                        .append("</td></tr>\n");
            }
        }
        h.append(
                "</tbody>\n</table>\n<p class=\"note\">All of them, with the original records: <code>deadletter.jsonl</code>.</p>\n</section>\n");
    }

    // ---- jobs ----

    /**
     * One job of one dataset, as charted: {@code alerts} its flagged windows (each an alert of its own, with its
     * incident), {@code transitions} what its incidents told on the alert topic.
     */
    record JobView(
            Replay.DatasetResult dataset,
            String jobId,
            List<JobWindow> windows,
            List<Alert> alerts,
            List<Alert> transitions,
            List<Label> labels,
            Set<String> falseAlertIds) {
        long firstEvent() {
            long first = Long.MAX_VALUE;
            for (Label l : labels) {
                first = Math.min(first, l.startTs());
            }
            for (Alert a : alerts) {
                first = Math.min(first, a.getWindowStart().toEpochMilli());
            }
            return first;
        }
    }

    /**
     * Jobs that alerted or had an incident within their dataset's {@link Span}: those with incidents first, then by
     * their first alert; windows and alerts outside the span left out, labels cut to it.
     */
    static List<JobView> jobs(Replay.Outcome o, Map<Replay.DatasetResult, Span> spans) {
        List<JobView> views = new ArrayList<>();
        for (Replay.DatasetResult d : o.datasets()) {
            Span span = spans.get(d);
            List<Alert> flaggedKept =
                    d.flaggedWindows().stream().filter(span::holds).toList();
            List<Alert> transitionsKept =
                    d.alerts().stream().filter(span::holds).toList();
            List<Label> labelsKept = d.dataset().labels().stream()
                    .map(span::cut)
                    .filter(l -> l != null)
                    .toList();
            Set<String> jobs = new TreeSet<>();
            flaggedKept.forEach(a -> jobs.add(a.getJobId()));
            labelsKept.forEach(l -> jobs.add(l.jobId()));
            Set<String> falseIds = d.backtest().falseAlerts().stream()
                    .map(Alert::getAlertId)
                    .collect(Collectors.toCollection(HashSet::new));
            for (String job : jobs) {
                List<JobWindow> windows = d.windows().stream()
                        .filter(w -> w.getJobId().equals(job) && span.holds(w))
                        .sorted(ReplayRecords.WINDOW_ORDER)
                        .toList();
                List<Alert> alerts = flaggedKept.stream()
                        .filter(a -> a.getJobId().equals(job))
                        .sorted(ReplayRecords.FLAGGED_ORDER)
                        .toList();
                List<Alert> transitions = transitionsKept.stream()
                        .filter(a -> a.getJobId().equals(job))
                        .sorted(ReplayRecords.ALERT_ORDER)
                        .toList();
                List<Label> labels = labelsKept.stream()
                        .filter(l -> l.jobId().equals(job))
                        .sorted(Comparator.comparingLong(Label::startTs))
                        .toList();
                views.add(new JobView(d, job, windows, alerts, transitions, labels, falseIds));
            }
        }
        views.sort(Comparator.comparing((JobView v) -> v.labels().isEmpty())
                .thenComparingLong(JobView::firstEvent)
                .thenComparing(JobView::jobId));
        return views;
    }

    private static void index(StringBuilder h, List<JobView> jobs, boolean severalDatasets) {
        h.append("<section>\n<h2>Jobs that alerted or had an incident (")
                .append(jobs.size())
                .append(")</h2>\n");
        if (jobs.isEmpty()) {
            h.append("<p>None: no alert, and no labelled incident.</p>\n</section>\n");
            return;
        }
        h.append("<table class=\"grid\">\n<thead><tr><th>job</th>")
                .append(severalDatasets ? "<th>dataset</th>" : "")
                .append(
                        "<th>windows</th><th>flagged</th><th>false alerts</th><th>max score</th><th>incidents</th></tr></thead>\n<tbody>\n");
        for (JobView v : jobs) {
            long falseAlerts = v.alerts().stream()
                    .filter(a -> v.falseAlertIds().contains(a.getAlertId()))
                    .count();
            double max = v.windows().stream()
                    .filter(w -> w.getScore() != null)
                    .mapToDouble(JobWindow::getScore)
                    .max()
                    .orElse(Double.NaN);
            h.append("<tr><td><a href=\"#")
                    .append(anchor(v.dataset().dataset().name(), v.jobId()))
                    .append("\">")
                    .append(esc(v.jobId()))
                    .append("</a></td>");
            if (severalDatasets) {
                h.append("<td>").append(esc(v.dataset().dataset().name())).append("</td>");
            }
            h.append("<td class=\"num\">")
                    .append(v.windows().size())
                    .append("</td><td class=\"num\">")
                    .append(v.alerts().size())
                    .append("</td><td class=\"num")
                    .append(falseAlerts > 0 ? " bad" : "")
                    .append("\">")
                    .append(falseAlerts)
                    .append("</td><td class=\"num\">")
                    .append(Text.orNa("%.2f", max))
                    .append("</td><td>")
                    .append(
                            v.labels().isEmpty()
                                    ? "–"
                                    : esc(v.labels().stream()
                                            .map(Label::incident)
                                            .distinct()
                                            .collect(Collectors.joining(", "))))
                    .append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n</section>\n");
    }

    private static void job(StringBuilder h, JobView v, int index, Replay.Outcome o) {
        String dataset = v.dataset().dataset().name();
        long falseAlerts = v.alerts().stream()
                .filter(a -> v.falseAlertIds().contains(a.getAlertId()))
                .count();
        h.append("<section class=\"job\" id=\"")
                .append(anchor(dataset, v.jobId()))
                .append("\">\n<h3>")
                .append(esc(v.jobId()))
                .append(o.datasets().size() > 1 ? " <small>" + esc(dataset) + "</small>" : "")
                .append("</h3>\n");
        h.append("<p class=\"sub\">")
                .append(v.windows().size())
                .append(" scored windows · ")
                .append(v.alerts().size())
                .append(" flagged");
        if (falseAlerts > 0) {
            h.append(" (<span class=\"bad\">").append(falseAlerts).append(" outside every labelled incident</span>)");
        }
        if (!v.labels().isEmpty()) {
            h.append(" · incident ")
                    .append(esc(
                            v.labels().stream().map(Label::incident).distinct().collect(Collectors.joining(", "))));
        }
        h.append("</p>\n");
        List<List<Alert>> groups = groups(v.alerts());
        ScoreChart chart = new ScoreChart(
                v.jobId(),
                v.windows(),
                v.labels(),
                groups,
                v.falseAlertIds(),
                o.request().scorer().threshold(),
                o.request().settings().windowSize().toMillis());
        chart.appendTo(h);
        List<AgentEvent> calls = v.dataset().agentEvents().stream()
                .filter(c -> c.getJobId().equals(v.jobId()))
                .toList();
        new ToolCallLane(calls, v.transitions(), chart.scale()).appendTo(h);
        Set<Category> shaded = v.labels().stream()
                .map(Label::category)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Category.class)));
        Set<Category> dots = v.alerts().stream()
                .map(Html::primary)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Category.class)));
        if (!shaded.isEmpty() || !dots.isEmpty()) {
            Set<Category> both = EnumSet.noneOf(Category.class);
            both.addAll(shaded);
            both.addAll(dots);
            legend(h, both, "");
        }
        if (v.windows().isEmpty()) {
            h.append(
                    "<p class=\"bad\">No window of this job was scored: the pipeline never saw it (its records are missing,"
                            + " or were not attributed to it; see the dead letters).</p>\n");
        }
        alertList(h, v, groups);
        h.append("</section>\n");
    }

    /** Flagged windows grouped into the pipeline's incidents (by incident id), in order. */
    static List<List<Alert>> groups(List<Alert> alerts) {
        Map<String, List<Alert>> byIncident = new LinkedHashMap<>();
        for (Alert a : alerts) {
            byIncident
                    .computeIfAbsent(a.getIncidentId(), k -> new ArrayList<>())
                    .add(a);
        }
        return new ArrayList<>(byIncident.values());
    }

    private static void alertList(StringBuilder h, JobView v, List<List<Alert>> groups) {
        if (groups.isEmpty()) {
            h.append("<p class=\"note\">No alert for this job.</p>\n");
            return;
        }
        h.append("<ol class=\"alerts\">\n");
        for (int g = 0; g < Math.min(groups.size(), MAX_GROUPS_LISTED); g++) {
            List<Alert> group = groups.get(g);
            Alert top = group.stream()
                    .max(Comparator.comparingDouble(Alert::getScore))
                    .orElseThrow();
            long start = group.get(0).getWindowStart().toEpochMilli();
            long end = group.get(group.size() - 1).getWindowEnd().toEpochMilli();
            long falseOnes = group.stream()
                    .filter(a -> v.falseAlertIds().contains(a.getAlertId()))
                    .count();
            Set<Category> categories = EnumSet.noneOf(Category.class);
            group.forEach(a -> categories.addAll(a.getCategories()));
            h.append("<li><span class=\"when\">")
                    .append(esc(interval(start, end)))
                    .append("</span> · ")
                    .append(group.size())
                    .append(" window")
                    .append(group.size() == 1 ? "" : "s")
                    .append(" · max score ")
                    .append(fmt("%.2f", top.getScore()))
                    .append(" <span class=\"sev\">")
                    .append(top.getSeverity())
                    .append("</span> · ")
                    .append(categories.stream().map(Html::chip).collect(Collectors.joining(" ")));
            String told = transitions(v.transitions(), group.get(0).getIncidentId());
            if (!told.isEmpty()) {
                h.append(" · <span class=\"transitions\">").append(esc(told)).append("</span>");
            }
            if (falseOnes > 0) {
                h.append(" · <span class=\"bad\">")
                        .append(
                                falseOnes == group.size()
                                        ? "false alert" + (falseOnes == 1 ? "" : "s")
                                        : falseOnes + " outside the incident")
                        .append("</span>");
            }
            h.append("<br><span class=\"reasons\">reasons: ")
                    .append(esc(reasons(top)))
                    .append("</span>");
            String evidence = evidence(top);
            if (!evidence.isEmpty()) {
                h.append("<br><span class=\"evidence\">evidence: ")
                        .append(esc(evidence))
                        .append("</span>");
            }
            h.append("</li>\n");
        }
        h.append("</ol>\n");
        if (groups.size() > MAX_GROUPS_LISTED) {
            int rest =
                    groups.stream().skip(MAX_GROUPS_LISTED).mapToInt(List::size).sum();
            h.append("<p class=\"note\">… and ")
                    .append(groups.size() - MAX_GROUPS_LISTED)
                    .append(" more incidents (")
                    .append(rest)
                    .append(" flagged windows); their transitions are in <code>alerts.jsonl</code>.</p>\n");
        }
    }

    // ---- the time a page covers ----

    /**
     * The time a dataset's part of the page covers, {@code [from, to]}: the first to the last event time of its
     * flows and GPU samples that passed the input bounds ({@link InputStats}), a window wider each side (the
     * windows that hold them). With no such time (results built in memory), the median time of its windows,
     * alerts and labels give or take the bounds' span margin ({@code input.time.span.margin.ms}), as a replay
     * judges each record against the median of its neighbours.
     *
     * @param fromInput whether the input's own times set it
     */
    record Span(long from, long to, boolean fromInput) {
        static final Span EVERYTHING = new Span(Long.MIN_VALUE, Long.MAX_VALUE, false);

        boolean holds(long start, long end) {
            return start >= from && end <= to;
        }

        boolean holds(JobWindow w) {
            return holds(w.getWindowStart().toEpochMilli(), w.getWindowEnd().toEpochMilli());
        }

        boolean holds(Alert a) {
            return holds(a.getWindowStart().toEpochMilli(), a.getWindowEnd().toEpochMilli());
        }

        /** The label cut to the span, or null when none of it is inside. */
        Label cut(Label l) {
            if (l.endTs() <= from || l.startTs() >= to) {
                return null;
            }
            if (l.startTs() >= from && l.endTs() <= to) {
                return l;
            }
            return l.during(Math.max(l.startTs(), from), Math.min(l.endTs(), to));
        }
    }

    static Map<Replay.DatasetResult, Span> spans(Replay.Outcome o) {
        Map<Replay.DatasetResult, Span> spans = new IdentityHashMap<>();
        long windowMs = o.request().settings().windowSize().toMillis();
        for (Replay.DatasetResult d : o.datasets()) {
            spans.put(d, span(d, windowMs));
        }
        return spans;
    }

    static Span span(Replay.DatasetResult d, long windowMs) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (InputStats f : d.inputs()) {
            if (!f.recordType.equals("assignment") && f.firstTs != Long.MIN_VALUE) {
                first = Math.min(first, f.firstTs);
                last = Math.max(last, f.lastTs);
            }
        }
        if (first != Long.MAX_VALUE) {
            return new Span(plus(first, -windowMs), plus(last, windowMs), true);
        }
        List<Long> times = new ArrayList<>();
        d.windows().forEach(w -> times.add(w.getWindowStart().toEpochMilli()));
        d.alerts().forEach(a -> times.add(a.getWindowStart().toEpochMilli()));
        d.dataset().labels().forEach(l -> times.add(l.startTs()));
        if (times.isEmpty()) {
            return Span.EVERYTHING;
        }
        long median =
                InputBounds.median(times.stream().mapToLong(Long::longValue).toArray(), times.size());
        long margin = d.dataset().formats().bounds().spanMarginMs();
        return new Span(plus(median, -margin), plus(median, margin), false);
    }

    /** a + b, held at the ends of long rather than wrapping. */
    private static long plus(long a, long b) {
        long sum = a + b;
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return sum;
    }

    /** Says, per dataset, what lies outside its span and is not on the page; nothing when all is on it. */
    private static void leftOut(StringBuilder h, Replay.Outcome o, Map<Replay.DatasetResult, Span> spans) {
        for (Replay.DatasetResult d : o.datasets()) {
            Span span = spans.get(d);
            long windows = d.windows().stream().filter(w -> !span.holds(w)).count();
            long alerts = d.alerts().stream().filter(a -> !span.holds(a)).count();
            long labels = d.dataset().labels().stream()
                    .filter(l -> span.cut(l) == null)
                    .count();
            if (windows + alerts + labels == 0) {
                continue;
            }
            long earliest = Long.MAX_VALUE;
            long latest = Long.MIN_VALUE;
            for (JobWindow w : d.windows()) {
                if (!span.holds(w)) {
                    earliest = Math.min(earliest, w.getWindowStart().toEpochMilli());
                    latest = Math.max(latest, w.getWindowStart().toEpochMilli());
                }
            }
            for (Alert a : d.alerts()) {
                if (!span.holds(a)) {
                    earliest = Math.min(earliest, a.getWindowStart().toEpochMilli());
                    latest = Math.max(latest, a.getWindowStart().toEpochMilli());
                }
            }
            for (Label l : d.dataset().labels()) {
                if (span.cut(l) == null) {
                    earliest = Math.min(earliest, l.startTs());
                    latest = Math.max(latest, l.startTs());
                }
            }
            List<String> what = new ArrayList<>();
            if (windows > 0) {
                what.add(windows + " window" + (windows == 1 ? "" : "s"));
            }
            if (alerts > 0) {
                what.add(alerts + " alert" + (alerts == 1 ? "" : "s"));
            }
            if (labels > 0) {
                what.add(labels + " labelled interval" + (labels == 1 ? "" : "s"));
            }
            String when = earliest == latest
                    ? "at " + dateTime(earliest)
                    : "from " + dateTime(earliest) + " to " + dateTime(latest);
            String covered = span.fromInput()
                    ? "the time its input covers (" + dateTime(span.from()) + " – " + dateTime(span.to()) + " UTC)"
                    : "the time of the rest of its results (" + dateTime(span.from()) + " – " + dateTime(span.to())
                            + " UTC)";
            h.append("<p class=\"left-out\">Left out of this page: ")
                    .append(esc(d.dataset().name()))
                    .append(": ")
                    .append(esc(String.join(", ", what)))
                    .append(' ')
                    .append(esc(when))
                    .append(" UTC, outside ")
                    .append(esc(covered))
                    .append(". <code>windows.jsonl</code> and <code>alerts.jsonl</code> have them.</p>\n");
        }
    }

    // ---- text ----

    /** An incident's transitions as the alert topic told them: "opened 09:28, +CRYPTO_MINING 09:33, closed 10:25 (quiet)". */
    static String transitions(List<Alert> transitions, String incidentId) {
        List<String> parts = new ArrayList<>();
        for (Alert t : transitions) {
            if (!t.getIncidentId().equals(incidentId) || t.getIncidentState() == null) {
                continue;
            }
            String at = Html.clock(Alerts.happenedAt(t).toEpochMilli());
            switch (t.getIncidentState()) {
                case OPEN -> parts.add("opened " + at);
                case UPDATE ->
                    parts.add((t.getJoinedCategories().isEmpty()
                                    ? t.getTransitionCauses().contains(TransitionCause.SEVERITY_ROSE)
                                            ? t.getPeakSeverity().name()
                                            : "update"
                                    : t.getJoinedCategories().stream()
                                            .map(c -> "+" + c.name())
                                            .collect(Collectors.joining(" ")))
                            + " " + at);
                case CLOSE ->
                    parts.add("closed " + at + " ("
                            + t.getTransitionCauses().stream()
                                    .map(c -> c == TransitionCause.JOB_STOPPED ? "job stopped" : "quiet")
                                    .collect(Collectors.joining(", "))
                            + ")");
            }
        }
        return String.join(", ", parts);
    }

    private static String evidence(Alert a) {
        List<String> parts = new ArrayList<>();
        List<Destination> destinations = a.getEvidence().getDestinations();
        for (Destination d : destinations.subList(0, Math.min(3, destinations.size()))) {
            parts.add(d.getIp() + ":" + d.getPort() + "/" + d.getProtocol() + (d.getExternal() ? " external" : "") + " "
                    + d.getFlows() + (d.getFlows() == 1 ? " flow" : " flows")
                    + (d.getUnanswered() > 0 ? " (" + d.getUnanswered() + " unanswered)" : ""));
        }
        if (destinations.size() > 3) {
            parts.add((destinations.size() - 3) + " more destinations");
        }
        for (ProcessEvidence p : a.getEvidence().getProcesses()) {
            parts.add("process " + p.getName() + " on GPU " + p.getGpus());
        }
        return String.join("; ", parts);
    }

    private static String reasonCounts(List<DeadLetter> dead) {
        if (dead.isEmpty()) {
            return "none";
        }
        return ReplayRecords.byReason(dead).entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static String datasetNames(Replay.Outcome o) {
        return o.datasets().stream().map(d -> d.dataset().name()).collect(Collectors.joining(", "));
    }

    private static String resource(String name) {
        try (InputStream in = ReplayReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + name + " beside " + ReplayReport.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
