package io.vigil.pipeline.detect;

import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.IncidentState;
import io.vigil.records.Severity;
import io.vigil.records.TransitionCause;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;

/**
 * The life of an incident, without Flink: which flagged window opens one, which changes it enough to say so,
 * and when it closes. An incident is held as an {@link Alert}: its latest flagged window (score, reasons,
 * evidence) with the incident's fields (first and last window, peak, categories so far); each transition told
 * is that alert with the transition's state, causes and id.
 *
 * <ul>
 *   <li><b>Open</b>: a flagged window of a job that has no open incident.
 *   <li><b>Update</b>, at a flagged window of the open incident: a category joined (a known one the incident had
 *       not named; UNKNOWN never joins), the severity rose above its peak, or, with neither, the last alert was
 *       {@code updateIntervalMs} or more before the window's end.
 *   <li><b>Close</b>, whichever comes first: {@code quietWindows} windows after its last flagged window (quiet or
 *       missing windows: a job that sends nothing is quiet too), or the end of the window a STOP of the job falls
 *       in, unless a START of the job follows within that window (a restart that loses no window).
 * </ul>
 *
 * Everything follows from the flagged windows and the job's assignments with their event times, never from the
 * order they arrive in, so a replay and a recovered run tell the same transitions with the same ids.
 */
public final class Incidents {
    private Incidents() {}

    /**
     * @param windowMs the window size
     * @param quietWindows windows in a row without a flagged one that close an incident
     * @param updateIntervalMs the longest an incident goes on without an alert, in event time; 0 never
     */
    public record Rules(long windowMs, int quietWindows, long updateIntervalMs) implements Serializable {
        public Rules {
            if (windowMs <= 0 || quietWindows < 1 || updateIntervalMs < 0) {
                throw new IllegalArgumentException("bad incident rules: window " + windowMs + " ms, " + quietWindows
                        + " quiet windows, update every " + updateIntervalMs + " ms");
            }
        }

        public static Rules of(DetectSettings settings) {
            return new Rules(
                    settings.windowSize().toMillis(),
                    settings.incidentQuietWindows(),
                    settings.incidentUpdateInterval().toMillis());
        }

        /** The end of the window that holds this instant. */
        long windowEnd(long ts) {
            return Math.floorDiv(ts, windowMs) * windowMs + windowMs;
        }
    }

    /** An incident after a flagged window: as it stands now, and the UPDATE to tell, or null when none is due. */
    public record Step(Alert incident, Alert update) {}

    /** When and why an open incident closes, unless another flagged window comes before. */
    public record Closing(long at, TransitionCause cause) {}

    /** The incident a flagged window opens: its OPEN alert, which is also how the incident stands. */
    public static Alert open(Alert window) {
        List<Category> categories = known(window.getCategories());
        if (categories.isEmpty()) {
            categories = List.of(Category.UNKNOWN);
        }
        long first = window.getWindowStart().toEpochMilli();
        long end = window.getWindowEnd().toEpochMilli();
        return Alert.newBuilder(window)
                .setAlertId(Alerts.transitionId(window.getJobId(), first, IncidentState.OPEN, end))
                .setIncidentId(Alerts.incidentId(window.getJobId(), first))
                .setIncidentState(IncidentState.OPEN)
                .setTransitionCauses(List.of())
                .setFirstWindowStart(window.getWindowStart())
                .setLastWindowEnd(window.getWindowEnd())
                .setClosedAt(null)
                .setFlaggedWindows(1)
                .setPeakScore(window.getScore())
                .setPeakSeverity(window.getSeverity())
                .setIncidentCategories(categories)
                .setJoinedCategories(categories)
                .build();
    }

    /**
     * A flagged window of the open incident.
     *
     * @param toldAt the end of the window of the incident's last alert
     */
    public static Step add(Alert incident, long toldAt, Alert window, Rules rules) {
        List<Category> categories = new ArrayList<>(incident.getIncidentCategories());
        List<Category> joined = new ArrayList<>();
        for (Category c : known(window.getCategories())) {
            if (!categories.contains(c)) {
                joined.add(c);
            }
        }
        if (!joined.isEmpty()) {
            categories.remove(Category.UNKNOWN);
            categories.addAll(joined);
        }
        Severity peakSeverity = incident.getPeakSeverity();
        boolean rose = window.getSeverity().compareTo(peakSeverity) > 0;
        long end = window.getWindowEnd().toEpochMilli();
        List<TransitionCause> causes = new ArrayList<>();
        if (!joined.isEmpty()) {
            causes.add(TransitionCause.CATEGORY_JOINED);
        }
        if (rose) {
            causes.add(TransitionCause.SEVERITY_ROSE);
        }
        if (causes.isEmpty() && rules.updateIntervalMs() > 0 && end - toldAt >= rules.updateIntervalMs()) {
            causes.add(TransitionCause.ONGOING);
        }
        long first = incident.getFirstWindowStart().toEpochMilli();
        Alert now = Alert.newBuilder(window)
                .setAlertId(Alerts.transitionId(window.getJobId(), first, IncidentState.UPDATE, end))
                .setIncidentId(incident.getIncidentId())
                .setIncidentState(IncidentState.UPDATE)
                .setTransitionCauses(causes)
                .setFirstWindowStart(incident.getFirstWindowStart())
                .setLastWindowEnd(window.getWindowEnd())
                .setClosedAt(null)
                .setFlaggedWindows(incident.getFlaggedWindows() + 1)
                .setPeakScore(Math.max(incident.getPeakScore(), window.getScore()))
                .setPeakSeverity(rose ? window.getSeverity() : peakSeverity)
                .setIncidentCategories(categories)
                .setJoinedCategories(joined)
                .build();
        return new Step(now, causes.isEmpty() ? null : now);
    }

    /**
     * When the open incident closes if no flagged window comes first: {@code quietWindows} after its last flagged
     * window, or at the end of the window of a STOP that no START within that window cancels (one at or after the
     * incident's last flagged window), whichever is earlier; a STOP wins a tie.
     *
     * @param assignments the job's assignment events by event time: true a STOP, false a START. Those before the
     *     returned time are all there (the watermark passed them); later ones may be missing and do not matter.
     */
    public static Closing closing(Alert incident, NavigableMap<Long, Boolean> assignments, Rules rules) {
        long lastEnd = incident.getLastWindowEnd().toEpochMilli();
        long quiet = lastEnd + rules.quietWindows() * rules.windowMs();
        // a STOP from the last flagged window on: its window ends at or after the incident's last
        for (var e : assignments.tailMap(lastEnd - rules.windowMs(), true).entrySet()) {
            long stop = e.getKey();
            long end = rules.windowEnd(stop);
            if (end > quiet) {
                break;
            }
            if (e.getValue() && !restartedWithin(assignments, stop, end)) {
                return new Closing(end, TransitionCause.JOB_STOPPED);
            }
        }
        return new Closing(quiet, TransitionCause.QUIET);
    }

    private static boolean restartedWithin(NavigableMap<Long, Boolean> assignments, long stop, long end) {
        for (boolean isStop : assignments.subMap(stop, true, end, false).values()) {
            if (!isStop) {
                return true;
            }
        }
        return false;
    }

    /** The CLOSE alert: the incident as it stood at its last flagged window, closed at {@code closing}. */
    public static Alert close(Alert incident, Closing closing) {
        long first = incident.getFirstWindowStart().toEpochMilli();
        return Alert.newBuilder(incident)
                .setAlertId(Alerts.transitionId(incident.getJobId(), first, IncidentState.CLOSE, closing.at()))
                .setIncidentState(IncidentState.CLOSE)
                .setTransitionCauses(List.of(closing.cause()))
                .setClosedAt(Instant.ofEpochMilli(closing.at()))
                .setJoinedCategories(List.of())
                .build();
    }

    /** A flagged window as it went into the incident: its own alert, with the incident's id. */
    public static Alert member(Alert window, Alert incident) {
        return Alert.newBuilder(window).setIncidentId(incident.getIncidentId()).build();
    }

    private static List<Category> known(List<Category> categories) {
        List<Category> known = new ArrayList<>();
        for (Category c : categories) {
            if (c != Category.UNKNOWN && !known.contains(c)) {
                known.add(c);
            }
        }
        return known;
    }
}
