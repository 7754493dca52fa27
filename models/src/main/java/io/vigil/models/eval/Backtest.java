package io.vigil.models.eval;

import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.JobWindow;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores a run of the pipeline against ground truth: which incidents it caught, how fast, with the right
 * category, how often it cried wolf, and how well its scores rank the incident windows. Pure function of
 * labels, scored windows and the flagged windows as alerts (each with the id of the incident the pipeline put it
 * in), so {@code replay} and {@code evaluate} (and a model's promotion gate) compute the same numbers.
 *
 * <p>Definitions (intervals half-open, see {@link Label}):
 * <ul>
 *   <li>An <b>alert</b> here is a flagged window: before incidents had a lifecycle each was one alert on the alert
 *       topic, and counting them per window keeps false alerts per 100 job-hours comparable across releases. The
 *       alert topic now tells each incident's transitions instead.
 *   <li>An alert <b>overlaps</b> a label when it is for the label's job and its window overlaps the label's interval.
 *   <li>An <b>incident</b> (labels grouped by name) is <b>detected</b> when some alert overlaps one of its labels.
 *       Each label (phase) is detected, and has its <b>category right</b>, on its own: right when an overlapping alert
 *       names the label's category among its categories. The incident's category is right when every phase's is.
 *   <li><b>Time to detect</b>: the first overlapping alert's window end minus the incident's earliest start, in ms and
 *       in windows (rounded up to whole windows of that alert's length).
 *   <li>A <b>false alert</b> overlaps no label of its job (of any incident).
 *   <li>A <b>raised incident</b> is the pipeline's: the alerts of one job sharing an incident id. It is <b>false</b>
 *       when each of its alerts is: the pages a team would have had for nothing.
 *   <li><b>Job-hours</b>: the scored windows' lengths, summed over every job. False alerts per 100 job-hours divide by it.
 *   <li><b>PR-AUC</b>: {@link AveragePrecision} over scored windows; a window is positive when it overlaps a label of its job.
 * </ul>
 * Windows without a score (not scored) count nowhere but in {@link Result#unscoredWindows()}.
 */
public final class Backtest {
    private static final long HOUR_MS = 3_600_000L;

    private Backtest() {}

    /** One label's outcome. */
    public record Phase(
            Label label,
            int windows,
            int alerts,
            boolean detected,
            boolean categoryRight,
            List<Category> categoriesNamed) {
        public Phase {
            categoriesNamed = List.copyOf(categoriesNamed);
        }

        /** The pipeline scored no window of this job during the label: data missing or not attributed. */
        public boolean unseen() {
            return windows == 0;
        }
    }

    /**
     * One labelled incident's outcome (the labels of one name; not the pipeline's incident, a group of alerts).
     * {@code firstIncidentId} (the pipeline's incident of the first alert that detected it), {@code timeToDetectMs}
     * and {@code timeToDetectWindows} are null when it was not detected.
     */
    public record LabelledIncident(
            String name,
            List<Phase> phases,
            long startTs,
            long endTs,
            boolean detected,
            boolean categoryRight,
            String firstIncidentId,
            Long timeToDetectMs,
            Integer timeToDetectWindows) {
        public LabelledIncident {
            phases = List.copyOf(phases);
        }

        /** The jobs involved, in order of their first phase. */
        public List<String> jobs() {
            return phases.stream().map(p -> p.label().jobId()).distinct().toList();
        }

        public int phasesCategoryRight() {
            return (int) phases.stream().filter(Phase::categoryRight).count();
        }
    }

    /** One scored window as the backtest saw it. */
    public record WindowOutcome(
            String jobId, long windowStart, long windowEnd, double score, boolean positive, boolean flagged) {}

    /** Everything a backtest measured. */
    public record Result(
            List<LabelledIncident> incidents,
            int alerts,
            List<Alert> falseAlerts,
            int incidentsRaised,
            int falseIncidents,
            int windows,
            int unscoredWindows,
            double jobHours,
            List<WindowOutcome> outcomes) {
        public Result {
            incidents = List.copyOf(incidents);
            falseAlerts = List.copyOf(falseAlerts);
            outcomes = List.copyOf(outcomes);
        }

        public int incidentsDetected() {
            return (int) incidents.stream().filter(LabelledIncident::detected).count();
        }

        public int incidentsCategoryRight() {
            return (int)
                    incidents.stream().filter(LabelledIncident::categoryRight).count();
        }

        /** False alerts per 100 job-hours; NaN with no scored window. */
        public double falseAlertsPer100JobHours() {
            return jobHours > 0 ? falseAlerts.size() * 100.0 / jobHours : Double.NaN;
        }

        /** False raised incidents per 100 job-hours; NaN with no scored window. */
        public double falseIncidentsPer100JobHours() {
            return jobHours > 0 ? falseIncidents * 100.0 / jobHours : Double.NaN;
        }

        /** Windows overlapping a label of their job. */
        public int positiveWindows() {
            return (int) outcomes.stream().filter(WindowOutcome::positive).count();
        }

        public int flaggedWindows() {
            return (int) outcomes.stream().filter(WindowOutcome::flagged).count();
        }

        public int truePositiveWindows() {
            return (int)
                    outcomes.stream().filter(o -> o.flagged() && o.positive()).count();
        }

        /** Average precision over the scored windows; NaN when none is positive. */
        public double prAuc() {
            double[] scores = new double[outcomes.size()];
            boolean[] positives = new boolean[outcomes.size()];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = outcomes.get(i).score();
                positives[i] = outcomes.get(i).positive();
            }
            return AveragePrecision.of(scores, positives);
        }

        /**
         * Several backtests as one (datasets of one evaluation): incidents and false alerts side by side,
         * counts and job-hours added, PR-AUC over all their windows together.
         */
        public static Result pool(List<Result> results) {
            List<LabelledIncident> incidents = new ArrayList<>();
            List<Alert> falseAlerts = new ArrayList<>();
            List<WindowOutcome> outcomes = new ArrayList<>();
            int alerts = 0;
            int raised = 0;
            int falseIncidents = 0;
            int windows = 0;
            int unscored = 0;
            double jobHours = 0;
            for (Result r : results) {
                incidents.addAll(r.incidents);
                falseAlerts.addAll(r.falseAlerts);
                outcomes.addAll(r.outcomes);
                alerts += r.alerts;
                raised += r.incidentsRaised;
                falseIncidents += r.falseIncidents;
                windows += r.windows;
                unscored += r.unscoredWindows;
                jobHours += r.jobHours;
            }
            return new Result(
                    incidents, alerts, falseAlerts, raised, falseIncidents, windows, unscored, jobHours, outcomes);
        }
    }

    /**
     * Backtests one run: the labels of a dataset against the windows and the flagged windows as alerts (each with
     * its incident id) the pipeline gave for it.
     */
    public static Result run(List<Label> labels, Collection<JobWindow> windows, Collection<Alert> alerts) {
        Map<String, List<Label>> labelsByJob = new HashMap<>();
        for (Label l : labels) {
            labelsByJob.computeIfAbsent(l.jobId(), j -> new ArrayList<>()).add(l);
        }

        // windows: outcomes, job-hours
        List<WindowOutcome> outcomes = new ArrayList<>(windows.size());
        Map<String, List<WindowOutcome>> outcomesByJob = new HashMap<>();
        long scoredMs = 0;
        int unscored = 0;
        for (JobWindow w : windows) {
            if (w.getScore() == null) {
                unscored++;
                continue;
            }
            long start = w.getWindowStart().toEpochMilli();
            long end = w.getWindowEnd().toEpochMilli();
            boolean positive = overlapsAny(labelsByJob.get(w.getJobId()), w.getJobId(), start, end);
            WindowOutcome o = new WindowOutcome(w.getJobId(), start, end, w.getScore(), positive, w.getFlagged());
            outcomes.add(o);
            outcomesByJob.computeIfAbsent(o.jobId(), j -> new ArrayList<>()).add(o);
            scoredMs += end - start;
        }
        outcomes.sort(Comparator.comparing(WindowOutcome::jobId).thenComparingLong(WindowOutcome::windowStart));

        // alerts: false ones, and by job for the incidents
        List<Alert> sortedAlerts = new ArrayList<>(alerts);
        sortedAlerts.sort(Comparator.comparing((Alert a) -> a.getWindowEnd())
                .thenComparing(Alert::getJobId)
                .thenComparing(Alert::getAlertId));
        List<Alert> falseAlerts = new ArrayList<>();
        Map<String, List<Alert>> alertsByJob = new HashMap<>();
        // the raised incidents, (job, incident id): whether some alert of each overlaps a label
        Map<List<String>, Boolean> raised = new HashMap<>();
        for (Alert a : sortedAlerts) {
            alertsByJob.computeIfAbsent(a.getJobId(), j -> new ArrayList<>()).add(a);
            boolean isFalse = !overlapsAny(labelsByJob.get(a.getJobId()), a.getJobId(), start(a), end(a));
            if (isFalse) {
                falseAlerts.add(a);
            }
            raised.merge(List.of(a.getJobId(), a.getIncidentId()), !isFalse, Boolean::logicalOr);
        }
        int falseIncidents = (int) raised.values().stream().filter(any -> !any).count();

        // incidents, by name, in order of their start
        Map<String, List<Label>> byIncident = new LinkedHashMap<>();
        labels.stream()
                .sorted(Comparator.comparingLong(Label::startTs).thenComparing(Label::incident))
                .forEach(l -> byIncident
                        .computeIfAbsent(l.incident(), n -> new ArrayList<>())
                        .add(l));
        List<LabelledIncident> incidents = new ArrayList<>();
        for (Map.Entry<String, List<Label>> e : byIncident.entrySet()) {
            incidents.add(incident(e.getKey(), e.getValue(), outcomesByJob, alertsByJob));
        }
        incidents.sort(Comparator.comparingLong(LabelledIncident::startTs).thenComparing(LabelledIncident::name));
        return new Result(
                incidents,
                alerts.size(),
                falseAlerts,
                raised.size(),
                falseIncidents,
                outcomes.size(),
                unscored,
                (double) scoredMs / HOUR_MS,
                outcomes);
    }

    private static LabelledIncident incident(
            String name,
            List<Label> labels,
            Map<String, List<WindowOutcome>> outcomesByJob,
            Map<String, List<Alert>> alertsByJob) {
        List<Label> sorted = new ArrayList<>(labels);
        sorted.sort(Comparator.comparingLong(Label::startTs)
                .thenComparing(Label::jobId)
                .thenComparing(Label::category));
        long start = sorted.stream().mapToLong(Label::startTs).min().orElseThrow();
        long end = sorted.stream().mapToLong(Label::endTs).max().orElseThrow();
        List<Phase> phases = new ArrayList<>();
        Alert first = null;
        for (Label l : sorted) {
            int windows = (int) outcomesByJob.getOrDefault(l.jobId(), List.of()).stream()
                    .filter(o -> l.overlaps(o.jobId(), o.windowStart(), o.windowEnd()))
                    .count();
            int overlapping = 0;
            EnumSet<Category> named = EnumSet.noneOf(Category.class);
            for (Alert a : alertsByJob.getOrDefault(l.jobId(), List.of())) {
                if (l.overlaps(a.getJobId(), start(a), end(a))) {
                    overlapping++;
                    named.addAll(a.getCategories());
                    if (first == null || earlier(a, first)) {
                        first = a;
                    }
                }
            }
            phases.add(new Phase(
                    l, windows, overlapping, overlapping > 0, named.contains(l.category()), List.copyOf(named)));
        }
        boolean categoryRight = phases.stream().allMatch(Phase::categoryRight);
        if (first == null) {
            return new LabelledIncident(name, phases, start, end, false, false, null, null, null);
        }
        long ttd = end(first) - start;
        long windowMs = end(first) - start(first);
        int ttdWindows = (int) ((ttd + windowMs - 1) / windowMs);
        return new LabelledIncident(
                name, phases, start, end, true, categoryRight, first.getIncidentId(), ttd, ttdWindows);
    }

    private static boolean earlier(Alert a, Alert b) {
        int c = Long.compare(end(a), end(b));
        return c < 0 || (c == 0 && a.getAlertId().compareTo(b.getAlertId()) < 0);
    }

    private static boolean overlapsAny(List<Label> labels, String job, long start, long end) {
        if (labels == null) {
            return false;
        }
        for (Label l : labels) {
            if (l.overlaps(job, start, end)) {
                return true;
            }
        }
        return false;
    }

    private static long start(Alert a) {
        return a.getWindowStart().toEpochMilli();
    }

    private static long end(Alert a) {
        return a.getWindowEnd().toEpochMilli();
    }
}
