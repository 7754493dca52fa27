package io.vigil.pipeline.detect;

import static io.vigil.pipeline.detect.IncidentsTest.JOB;
import static io.vigil.pipeline.detect.IncidentsTest.MINUTE;
import static io.vigil.pipeline.detect.IncidentsTest.at;
import static io.vigil.pipeline.detect.IncidentsTest.window;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Category;
import io.vigil.records.IncidentState;
import io.vigil.records.Severity;
import io.vigil.records.TransitionCause;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The incident lifecycle on Flink's harness: transitions in event time whatever the arrival order and the
 * watermarks, and nothing of a job left a window after its STOP or its incident's close.
 */
class IncidentLifecycleHarnessTest {
    /** Close after 3 quiet windows; an update at least every 10 minutes. */
    static final Incidents.Rules RULES = IncidentsTest.RULES;

    KeyedOneInputStreamOperatorTestHarness<String, IncidentInput, Alert> harness;

    @BeforeEach
    void open() throws Exception {
        harness = harness();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    /** An opened harness. */
    static KeyedOneInputStreamOperatorTestHarness<String, IncidentInput, Alert> harness() throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new IncidentLifecycle(RULES), IncidentInput::jobId, Types.STRING);
    }

    /** What goes in: a flagged window or an assignment, each at its own event time. */
    record In(Alert window, Assignment assignment) {
        long ts() {
            return window != null
                    ? window.getWindowEnd().toEpochMilli() - 1
                    : assignment.getTs().toEpochMilli();
        }

        void sendTo(KeyedOneInputStreamOperatorTestHarness<String, IncidentInput, Alert> h) throws Exception {
            h.processElement(
                    new StreamRecord<>(window != null ? IncidentInput.of(window) : IncidentInput.of(assignment), ts()));
        }
    }

    static In tunnel(int minute) {
        return new In(window(minute, 0.8, Severity.HIGH, Category.REVERSE_TUNNEL), null);
    }

    static In mining(int minute) {
        return new In(window(minute, 0.9, Severity.CRITICAL, Category.CRYPTO_MINING, Category.REVERSE_TUNNEL), null);
    }

    static In assignment(AssignmentEvent event, long ts) {
        return new In(
                null,
                Assignment.newBuilder()
                        .setTs(Instant.ofEpochMilli(ts))
                        .setEvent(event)
                        .setJobId(JOB)
                        .setNode("n")
                        .setPod("p")
                        .setIp("10.0.0.1")
                        .setGpus(List.of())
                        .setLabels(null)
                        .build());
    }

    void send(In... inputs) throws Exception {
        for (In in : inputs) {
            in.sendTo(harness);
        }
    }

    void watermark(long ts) throws Exception {
        harness.processWatermark(new Watermark(ts));
    }

    List<Alert> transitions() {
        return harness.extractOutputValues();
    }

    List<Alert> flaggedWindows() {
        var side = harness.getSideOutput(IncidentLifecycle.FLAGGED_WINDOWS);
        return side == null
                ? List.of()
                : side.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void flaggedWindowsOpenUpdateAndCloseAnIncident() throws Exception {
        send(tunnel(2), tunnel(3), mining(4));
        assertThat(transitions()).as("each waits for the watermark").isEmpty();

        watermark(at(5) - 1);
        assertThat(transitions())
                .extracting(Alert::getIncidentState)
                .containsExactly(IncidentState.OPEN, IncidentState.UPDATE);
        assertThat(transitions().get(1).getJoinedCategories()).containsExactly(Category.CRYPTO_MINING);
        assertThat(transitions().get(1).getTransitionCauses())
                .containsExactly(TransitionCause.CATEGORY_JOINED, TransitionCause.SEVERITY_ROSE);
        assertThat(flaggedWindows())
                .extracting(Alert::getIncidentId)
                .containsExactly(
                        Alerts.incidentId(JOB, at(2)), Alerts.incidentId(JOB, at(2)), Alerts.incidentId(JOB, at(2)));

        watermark(at(8) - 2);
        assertThat(transitions()).hasSize(2);
        watermark(at(8) - 1); // the third quiet window [7, 8) is complete
        assertThat(transitions()).hasSize(3);
        Alert close = transitions().get(2);
        assertThat(close.getIncidentState()).isEqualTo(IncidentState.CLOSE);
        assertThat(close.getTransitionCauses()).containsExactly(TransitionCause.QUIET);
        assertThat(close.getClosedAt()).isEqualTo(Instant.ofEpochMilli(at(8)));
        assertThat(close.getFlaggedWindows()).isEqualTo(3);
        assertThat(close.getIncidentCategories()).containsExactly(Category.REVERSE_TUNNEL, Category.CRYPTO_MINING);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aFlaggedWindowWithinTheQuietWindowsCarriesTheIncidentOn() throws Exception {
        send(tunnel(2), tunnel(5));
        watermark(at(20));
        assertThat(transitions())
                .extracting(Alert::getIncidentState)
                .containsExactly(IncidentState.OPEN, IncidentState.CLOSE);
        assertThat(transitions().get(1).getClosedAt()).isEqualTo(Instant.ofEpochMilli(at(9)));
        assertThat(transitions().get(1).getFlaggedWindows()).isEqualTo(2);
    }

    @Test
    void aStopClosesTheIncidentAndNothingOfTheJobIsLeftAWindowAfterIt() throws Exception {
        long stop = at(3) + 20_000;
        send(assignment(AssignmentEvent.START, at(0)), tunnel(2), tunnel(3), assignment(AssignmentEvent.STOP, stop));
        watermark(at(4) - 1);
        assertThat(transitions())
                .extracting(Alert::getIncidentState)
                .containsExactly(IncidentState.OPEN, IncidentState.CLOSE);
        Alert close = transitions().get(1);
        assertThat(close.getTransitionCauses()).containsExactly(TransitionCause.JOB_STOPPED);
        assertThat(close.getClosedAt()).isEqualTo(Instant.ofEpochMilli(at(4)));
        assertThat(close.getAlertId()).isEqualTo(Alerts.transitionId(JOB, at(2), IncidentState.CLOSE, at(4)));
        // where the job ran: its pod, from its START, in each transition (the STOP came after the windows)
        assertThat(transitions())
                .allSatisfy(t -> assertThat(t.getPlacements())
                        .extracting(p -> p.getPod() + "@" + p.getNode())
                        .containsExactly("p@n"));

        watermark(stop + MINUTE - 1);
        assertThat(harness.numKeyedStateEntries())
                .as("the STOP is kept a window")
                .isPositive();
        watermark(stop + MINUTE);
        assertThat(harness.numKeyedStateEntries()).isZero();
        // the closes the flagged windows set for their quiet windows are still to fire, and find nothing
        watermark(at(4) + 3 * MINUTE - 2);
        assertThat(harness.numEventTimeTimers()).isOne();
        watermark(at(4) + 3 * MINUTE - 1);
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(transitions()).hasSize(2);
    }

    @Test
    void aRestartWithinTheStopsWindowKeepsTheIncidentOpen() throws Exception {
        send(tunnel(2), assignment(AssignmentEvent.STOP, at(3) + 10_000));
        send(assignment(AssignmentEvent.START, at(3) + 40_000), tunnel(4));
        watermark(at(6));
        assertThat(transitions()).extracting(Alert::getIncidentState).containsExactly(IncidentState.OPEN);
        watermark(at(8) - 1);
        assertThat(transitions())
                .extracting(Alert::getIncidentState)
                .containsExactly(IncidentState.OPEN, IncidentState.CLOSE);
        assertThat(transitions().get(1).getTransitionCauses()).containsExactly(TransitionCause.QUIET);
    }

    /**
     * A story with a restart, a stop that closes, a quiet spell that closes and one that does not, told three
     * ways: in time order with a watermark after each record (a running job); every record first and the end of
     * time after (a replay in BATCH mode); assignments first, as a fast partition would bring them, then the
     * windows, watermarks jumping.
     */
    @Test
    void theSameStoryGivesTheSameTransitionsWhateverTheArrivalOrderAndWatermarks() throws Exception {
        List<In> story = List.of(
                assignment(AssignmentEvent.START, at(0)),
                tunnel(2),
                tunnel(3),
                tunnel(6), // two quiet windows: the same incident
                mining(7),
                assignment(AssignmentEvent.STOP, at(8) + 5_000),
                assignment(AssignmentEvent.START, at(8) + 30_000), // a restart within the window
                tunnel(8),
                tunnel(15), // six quiet windows before: a new incident
                assignment(AssignmentEvent.STOP, at(16) + 1),
                assignment(AssignmentEvent.START, at(18)), // stopped for two windows
                tunnel(18),
                tunnel(40),
                assignment(AssignmentEvent.STOP, at(50))); // its pod's state ends a window later

        List<Alert> running = new ArrayList<>();
        List<Alert> flagged = new ArrayList<>();
        for (In in : story) {
            in.sendTo(harness);
            watermark(in.ts());
        }
        watermark(Long.MAX_VALUE);
        running.addAll(transitions());
        flagged.addAll(flaggedWindows());

        harness.close();
        harness = harness();
        for (In in : story) {
            in.sendTo(harness);
        }
        watermark(Long.MAX_VALUE);
        assertThat(transitions()).as("all at the end of time").isEqualTo(running);
        assertThat(flaggedWindows()).isEqualTo(flagged);

        harness.close();
        harness = harness();
        List<In> assignmentsFirst = new ArrayList<>(story);
        assignmentsFirst.sort(Comparator.comparing((In in) -> in.window() != null));
        for (In in : assignmentsFirst) {
            in.sendTo(harness);
            if (in.window() != null && in.ts() > at(10)) {
                watermark(in.ts() - 5 * MINUTE);
            }
        }
        watermark(Long.MAX_VALUE);
        assertThat(transitions()).as("assignments early, watermarks jumping").isEqualTo(running);

        assertThat(running)
                .extracting(a -> a.getIncidentState() + " " + (a.getWindowEnd().toEpochMilli() - at(0)) / MINUTE + " "
                        + a.getTransitionCauses())
                .containsExactly(
                        "OPEN 3 []",
                        "UPDATE 8 [CATEGORY_JOINED, SEVERITY_ROSE]",
                        "CLOSE 9 [QUIET]",
                        "OPEN 16 []",
                        "CLOSE 16 [JOB_STOPPED]",
                        "OPEN 19 []",
                        "CLOSE 19 [QUIET]",
                        "OPEN 41 []",
                        "CLOSE 41 [QUIET]");
        assertThat(running.get(4).getClosedAt()).isEqualTo(Instant.ofEpochMilli(at(17)));
        // each names the pod, which ran in every flagged window (the restarts kept it)
        assertThat(running).allSatisfy(a -> assertThat(a.getPlacements()).hasSize(1));
        assertThat(running.stream().map(Alert::getAlertId).distinct()).hasSize(running.size());
        assertThat(flagged).hasSize(8);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }
}
