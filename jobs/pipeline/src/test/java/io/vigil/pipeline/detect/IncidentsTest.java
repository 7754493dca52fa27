package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Evidence;
import io.vigil.records.IncidentState;
import io.vigil.records.Severity;
import io.vigil.records.TransitionCause;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The rules of an incident's life, without Flink. */
class IncidentsTest {
    static final long MINUTE = 60_000;
    static final long T0 = Instant.parse("2026-02-10T09:00:00Z").toEpochMilli();
    static final String JOB = "rl-agent";
    /** Close after 3 quiet windows; an update at least every 10 minutes. */
    static final Incidents.Rules RULES = new Incidents.Rules(MINUTE, 3, 10 * MINUTE);

    /** The flagged window [minute, minute + 1) of the job. */
    static Alert window(int minute, double score, Severity severity, Category... categories) {
        return Alert.newBuilder()
                .setAlertId("w" + minute)
                .setIncidentId("")
                .setJobId(JOB)
                .setWindowStart(Instant.ofEpochMilli(T0 + minute * MINUTE))
                .setWindowEnd(Instant.ofEpochMilli(T0 + (minute + 1) * MINUTE))
                .setScore(score)
                .setThreshold(0.5)
                .setSeverity(severity)
                .setCategories(List.of(categories))
                .setModelVersion("m")
                .setReasons(List.of())
                .setEvidence(new Evidence(List.of(), List.of(), 0L, 0L, 0L))
                .build();
    }

    static Alert tunnel(int minute) {
        return window(minute, 0.8, Severity.HIGH, Category.REVERSE_TUNNEL);
    }

    static long at(int minute) {
        return T0 + minute * MINUTE;
    }

    @Test
    void aFlaggedWindowOpensAnIncidentNamedByItsJobAndFirstWindow() {
        Alert open = Incidents.open(window(2, 0.8, Severity.HIGH, Category.REVERSE_TUNNEL, Category.UNKNOWN));

        assertThat(open.getIncidentState()).isEqualTo(IncidentState.OPEN);
        assertThat(open.getIncidentId()).isEqualTo(Alerts.incidentId(JOB, at(2)));
        assertThat(open.getAlertId()).isEqualTo(Alerts.transitionId(JOB, at(2), IncidentState.OPEN, at(3)));
        assertThat(open.getFirstWindowStart()).isEqualTo(Instant.ofEpochMilli(at(2)));
        assertThat(open.getLastWindowEnd()).isEqualTo(Instant.ofEpochMilli(at(3)));
        assertThat(open.getFlaggedWindows()).isOne();
        assertThat(open.getPeakScore()).isEqualTo(0.8);
        assertThat(open.getPeakSeverity()).isEqualTo(Severity.HIGH);
        assertThat(open.getIncidentCategories()).containsExactly(Category.REVERSE_TUNNEL);
        assertThat(open.getJoinedCategories()).containsExactly(Category.REVERSE_TUNNEL);
        assertThat(open.getTransitionCauses()).isEmpty();
        assertThat(open.getClosedAt()).isNull();
        // the window's own fields are the alert's
        assertThat(open.getScore()).isEqualTo(0.8);
        assertThat(open.getWindowStart()).isEqualTo(Instant.ofEpochMilli(at(2)));
    }

    @Test
    void theSameWindowAgainIsNoNews() {
        Alert open = Incidents.open(tunnel(2));

        Incidents.Step step = Incidents.add(open, at(3), tunnel(3), RULES);

        assertThat(step.update()).isNull();
        assertThat(step.incident().getFlaggedWindows()).isEqualTo(2);
        assertThat(step.incident().getLastWindowEnd()).isEqualTo(Instant.ofEpochMilli(at(4)));
        assertThat(step.incident().getIncidentId()).isEqualTo(open.getIncidentId());
    }

    @Test
    void aCategoryJoiningIsAnUpdateThatNamesIt() {
        Alert open = Incidents.open(tunnel(2));

        Incidents.Step step = Incidents.add(
                open, at(3), window(7, 0.7, Severity.HIGH, Category.CRYPTO_MINING, Category.REVERSE_TUNNEL), RULES);

        Alert update = step.update();
        assertThat(update.getIncidentState()).isEqualTo(IncidentState.UPDATE);
        assertThat(update.getTransitionCauses()).containsExactly(TransitionCause.CATEGORY_JOINED);
        assertThat(update.getJoinedCategories()).containsExactly(Category.CRYPTO_MINING);
        assertThat(update.getIncidentCategories()).containsExactly(Category.REVERSE_TUNNEL, Category.CRYPTO_MINING);
        assertThat(update.getAlertId()).isEqualTo(Alerts.transitionId(JOB, at(2), IncidentState.UPDATE, at(8)));
        assertThat(update.getIncidentId()).isEqualTo(open.getIncidentId());
        assertThat(update.getPeakScore()).as("the peak stays").isEqualTo(0.8);
        assertThat(update.getScore()).as("the window's own").isEqualTo(0.7);
    }

    @Test
    void unknownNeverJoinsAndGivesWayToTheFirstKnownCategory() {
        Alert open = Incidents.open(window(2, 0.6, Severity.LOW, Category.UNKNOWN));
        assertThat(open.getIncidentCategories()).containsExactly(Category.UNKNOWN);

        Incidents.Step still = Incidents.add(open, at(3), window(3, 0.6, Severity.LOW, Category.UNKNOWN), RULES);
        assertThat(still.update()).isNull();

        Incidents.Step known =
                Incidents.add(still.incident(), at(3), window(4, 0.6, Severity.LOW, Category.NETWORK_SCAN), RULES);
        assertThat(known.update().getJoinedCategories()).containsExactly(Category.NETWORK_SCAN);
        assertThat(known.update().getIncidentCategories()).containsExactly(Category.NETWORK_SCAN);

        Incidents.Step unknownAgain =
                Incidents.add(known.incident(), at(5), window(5, 0.6, Severity.LOW, Category.UNKNOWN), RULES);
        assertThat(unknownAgain.update()).isNull();
        assertThat(unknownAgain.incident().getIncidentCategories()).containsExactly(Category.NETWORK_SCAN);
    }

    @Test
    void aRisingSeverityIsAnUpdateAndAFallingOneIsNot() {
        Alert open = Incidents.open(window(2, 0.6, Severity.MEDIUM, Category.NETWORK_SCAN));

        Incidents.Step rose =
                Incidents.add(open, at(3), window(3, 0.9, Severity.CRITICAL, Category.NETWORK_SCAN), RULES);
        assertThat(rose.update().getTransitionCauses()).containsExactly(TransitionCause.SEVERITY_ROSE);
        assertThat(rose.update().getPeakSeverity()).isEqualTo(Severity.CRITICAL);

        Incidents.Step fell =
                Incidents.add(rose.incident(), at(4), window(4, 0.6, Severity.MEDIUM, Category.NETWORK_SCAN), RULES);
        assertThat(fell.update()).isNull();
        assertThat(fell.incident().getPeakSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(fell.incident().getPeakScore()).isEqualTo(0.9);
    }

    @Test
    void anIncidentThatGoesOnIsToldAgainEveryUpdateInterval() {
        Alert incident = Incidents.open(tunnel(0));
        long toldAt = at(1);
        List<Integer> updatedAt = new ArrayList<>();
        for (int m = 1; m < 25; m++) {
            Incidents.Step step = Incidents.add(incident, toldAt, tunnel(m), RULES);
            incident = step.incident();
            if (step.update() != null) {
                assertThat(step.update().getTransitionCauses()).containsExactly(TransitionCause.ONGOING);
                updatedAt.add(m);
                toldAt = at(m + 1);
            }
        }
        // told at the end of minute 1; again at the first window ending 10 minutes later, and so on
        assertThat(updatedAt).containsExactly(10, 20);
        assertThat(incident.getFlaggedWindows()).isEqualTo(25);
    }

    @Test
    void noPeriodicUpdateWithAnIntervalOfZero() {
        Incidents.Rules rules = new Incidents.Rules(MINUTE, 3, 0);
        Incidents.Step step = Incidents.add(Incidents.open(tunnel(0)), at(1), tunnel(600), rules);
        assertThat(step.update()).isNull();
    }

    @Test
    void anIncidentClosesAfterItsQuietWindows() {
        Alert open = Incidents.open(tunnel(2));

        Incidents.Closing closing = Incidents.closing(open, new TreeMap<>(), RULES);

        assertThat(closing).isEqualTo(new Incidents.Closing(at(6), TransitionCause.QUIET));
        Alert close = Incidents.close(open, closing);
        assertThat(close.getIncidentState()).isEqualTo(IncidentState.CLOSE);
        assertThat(close.getTransitionCauses()).containsExactly(TransitionCause.QUIET);
        assertThat(close.getClosedAt()).isEqualTo(Instant.ofEpochMilli(at(6)));
        assertThat(close.getAlertId()).isEqualTo(Alerts.transitionId(JOB, at(2), IncidentState.CLOSE, at(6)));
        assertThat(close.getIncidentId()).isEqualTo(open.getIncidentId());
        assertThat(close.getLastWindowEnd()).isEqualTo(Instant.ofEpochMilli(at(3)));
        assertThat(close.getJoinedCategories()).isEmpty();
        assertThat(close.getIncidentCategories()).containsExactly(Category.REVERSE_TUNNEL);
    }

    @Test
    void aStopClosesAtTheEndOfItsWindow() {
        Alert open = Incidents.open(tunnel(2));

        assertThat(Incidents.closing(open, events(at(3) + 20_000, true), RULES))
                .isEqualTo(new Incidents.Closing(at(4), TransitionCause.JOB_STOPPED));
        assertThat(Incidents.closing(open, events(at(2) + 30_000, true), RULES))
                .as("a STOP in the incident's last window: its data came before the STOP")
                .isEqualTo(new Incidents.Closing(at(3), TransitionCause.JOB_STOPPED));
        assertThat(Incidents.closing(open, events(at(5) + 1, true), RULES))
                .as("a STOP whose window ends with the quiet ones: stopped is the better reason")
                .isEqualTo(new Incidents.Closing(at(6), TransitionCause.JOB_STOPPED));
        assertThat(Incidents.closing(open, events(at(6), true), RULES))
                .as("a STOP after the quiet windows")
                .isEqualTo(new Incidents.Closing(at(6), TransitionCause.QUIET));
        assertThat(Incidents.closing(open, events(at(1) + 59_999, true), RULES))
                .as("a STOP before the incident's last window: the job came back")
                .isEqualTo(new Incidents.Closing(at(6), TransitionCause.QUIET));
    }

    @Test
    void aStartWithinTheStopsWindowIsARestartThatLosesNothing() {
        Alert open = Incidents.open(tunnel(2));
        NavigableMap<Long, Boolean> restart = events(at(3) + 10_000, true, at(3) + 50_000, false);
        NavigableMap<Long, Boolean> later = events(at(3) + 10_000, true, at(4) + 1, false);
        NavigableMap<Long, Boolean> sameInstant = events(at(3) + 10_000, false);

        assertThat(Incidents.closing(open, restart, RULES).cause()).isEqualTo(TransitionCause.QUIET);
        assertThat(Incidents.closing(open, later, RULES))
                .isEqualTo(new Incidents.Closing(at(4), TransitionCause.JOB_STOPPED));
        assertThat(Incidents.closing(open, sameInstant, RULES).cause()).isEqualTo(TransitionCause.QUIET);
    }

    @Test
    void theSameStoryGivesTheSameIds() {
        Alert a = Incidents.close(Incidents.open(tunnel(2)), new Incidents.Closing(at(6), TransitionCause.QUIET));
        Alert b = Incidents.close(Incidents.open(tunnel(2)), new Incidents.Closing(at(6), TransitionCause.QUIET));
        assertThat(a).isEqualTo(b);
        assertThat(Incidents.open(tunnel(2)).getAlertId())
                .isNotEqualTo(a.getAlertId())
                .isNotEqualTo(Incidents.open(tunnel(3)).getAlertId());
    }

    /** Assignment events: time, then true for a STOP or false for a START, repeated. */
    static NavigableMap<Long, Boolean> events(Object... timeAndStop) {
        NavigableMap<Long, Boolean> events = new TreeMap<>();
        for (int i = 0; i < timeAndStop.length; i += 2) {
            events.put((Long) timeAndStop[i], (Boolean) timeAndStop[i + 1]);
        }
        return events;
    }
}
