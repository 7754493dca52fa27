package io.vigil.pipeline.detect;

import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Incidents with a lifecycle, per job, after scoring: the job's flagged windows (each an alert of its own, from
 * {@link ScoreWindows}) and its assignments in, the incident's transitions out, each an {@link Alert} (OPEN,
 * UPDATE, CLOSE, as {@link Incidents} decides). Every flagged window also goes out on {@link #FLAGGED_WINDOWS}
 * with the id of the incident it joined (replay's backtest and report read it; {@code detect} does not send it
 * anywhere: {@code vigil.windows} has every window).
 *
 * <p>Event time decides, never arrival: a flagged window waits until the watermark passes it (it is then
 * processed in time order with the closes due before it), and a STOP is told from a restart by the assignment
 * events of its window, which have all arrived by then. So a recovered run, and a replay in BATCH mode (where
 * timers fire only at the end of each job's input), tell the same transitions, with the same ids. Every timer
 * is set when a record arrives, never when one fires (BATCH mode ignores those): each flagged window sets the
 * close its quiet windows would bring, each STOP the close at its window's end; one that finds the incident
 * gone on, or closed, does nothing.
 *
 * <p>Each alert names where the job ran in its window (pods, nodes, GPUs: {@link Placements}), from the job's
 * assignment events per pod, the last of each before a window still to come kept while the pod runs.
 *
 * <p>State per job, bounded: flagged windows waiting for the watermark (normally none or one), the job's
 * assignment events of the last window, its pods' events (one per running pod, a STOP's a window longer), the open incident (its latest flagged window with the incident's
 * fields, a few kilobytes with the evidence) and when it was last told. Each ends on its own: a waiting window
 * at the watermark, an assignment event a window after its time, the incident when it closes. A job's STOP
 * closes its incident at the end of that window, so no state of the job is left a window after its STOP (a pod
 * whose STOP never comes is held as its START, one entry, until it does); its last timers are those its flagged windows set for their quiet windows, which fire and find nothing.
 *
 * <p>Metrics: {@code incidentsOpened}, {@code incidentsUpdated}, {@code incidentsClosed}.
 */
public final class IncidentLifecycle extends KeyedProcessFunction<String, IncidentInput, Alert> {
    private static final long serialVersionUID = 1L;

    /** Every flagged window, with the id of the incident it joined. */
    public static final OutputTag<Alert> FLAGGED_WINDOWS = new OutputTag<>("flagged-windows") {};

    private final Incidents.Rules rules;

    /** Flagged windows waiting for the watermark, by window end. */
    private transient MapState<Long, Alert> waiting;
    /** The job's assignment events by event time: true a STOP, false a START. */
    private transient MapState<Long, Boolean> assignments;
    /** The job's assignment events per pod, as much as {@link Placements} needs to name where it ran. */
    private transient MapState<String, List<Assignment>> pods;
    /** The open incident, as it stands at its latest flagged window. */
    private transient ValueState<Alert> incident;
    /** The end of the window of the open incident's last alert. */
    private transient ValueState<Long> toldAt;

    private transient Counter opened;
    private transient Counter updated;
    private transient Counter closed;

    public IncidentLifecycle(Incidents.Rules rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext openContext) {
        TypeInformation<Alert> alert = TypeInformation.of(Alert.class);
        waiting = getRuntimeContext().getMapState(new MapStateDescriptor<>("waiting", Types.LONG, alert));
        assignments =
                getRuntimeContext().getMapState(new MapStateDescriptor<>("assignments", Types.LONG, Types.BOOLEAN));
        pods = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>(
                        "pods", Types.STRING, Types.LIST(TypeInformation.of(Assignment.class))));
        incident = getRuntimeContext().getState(new ValueStateDescriptor<>("incident", alert));
        toldAt = getRuntimeContext().getState(new ValueStateDescriptor<>("told-at", Types.LONG));
        opened = getRuntimeContext().getMetricGroup().counter("incidentsOpened");
        updated = getRuntimeContext().getMetricGroup().counter("incidentsUpdated");
        closed = getRuntimeContext().getMetricGroup().counter("incidentsClosed");
    }

    @Override
    public void processElement(IncidentInput input, Context ctx, Collector<Alert> out) throws Exception {
        if (input.window != null) {
            long end = input.window.getWindowEnd().toEpochMilli();
            waiting.put(end, input.window);
            ctx.timerService().registerEventTimeTimer(end - 1); // the window's own timestamp
            // the close its quiet windows bring if it is the incident's last flagged window
            ctx.timerService().registerEventTimeTimer(end + rules.quietWindows() * rules.windowMs() - 1);
            return;
        }
        Assignment a = input.assignment;
        long ts = a.getTs().toEpochMilli();
        boolean stop = a.getEvent() == AssignmentEvent.STOP;
        Boolean before = assignments.get(ts);
        assignments.put(ts, stop && (before == null || before)); // a STOP and a START at one instant: it goes on
        List<Assignment> podEvents = pods.get(a.getPod());
        List<Assignment> updated = podEvents == null ? new ArrayList<>() : new ArrayList<>(podEvents);
        updated.add(a);
        pods.put(a.getPod(), updated);
        if (stop) {
            ctx.timerService().registerEventTimeTimer(rules.windowEnd(ts) - 1);
        }
        ctx.timerService().registerEventTimeTimer(ts + rules.windowMs()); // when it no longer matters
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        List<Long> due = new ArrayList<>();
        for (Long end : waiting.keys()) {
            if (end - 1 <= timestamp) {
                due.add(end);
            }
        }
        due.sort(null);
        NavigableMap<Long, Boolean> events = events();
        for (long end : due) {
            Alert window = Placements.placed(waiting.get(end), podEvents());
            waiting.remove(end);
            Alert open = incident.value();
            if (open != null) {
                Incidents.Closing closing = Incidents.closing(open, events, rules);
                if (closing.at() <= window.getWindowStart().toEpochMilli()) {
                    close(open, closing, out);
                    open = null;
                }
            }
            if (open == null) {
                open = Incidents.open(window);
                out.collect(open);
                opened.inc();
                toldAt.update(end);
            } else {
                Incidents.Step step = Incidents.add(open, toldAt.value(), window, rules);
                open = step.incident();
                if (step.update() != null) {
                    out.collect(step.update());
                    updated.inc();
                    toldAt.update(end);
                }
            }
            incident.update(open);
            ctx.output(FLAGGED_WINDOWS, Incidents.member(window, open));
        }
        Alert open = incident.value();
        if (open != null) {
            Incidents.Closing closing = Incidents.closing(open, events, rules);
            if (closing.at() - 1 <= timestamp) {
                close(open, closing, out);
            }
        }
        forgetAssignmentsBefore(timestamp - rules.windowMs());
        forgetPodEventsBefore(timestamp - rules.windowMs());
    }

    private Map<String, List<Assignment>> podEvents() throws Exception {
        Map<String, List<Assignment>> byPod = new TreeMap<>();
        for (Map.Entry<String, List<Assignment>> e : pods.entries()) {
            byPod.put(e.getKey(), e.getValue());
        }
        return byPod;
    }

    /** A window still to come starts after {@code limit}: a pod's older events matter only as its last state. */
    private void forgetPodEventsBefore(long limit) throws Exception {
        for (Map.Entry<String, List<Assignment>> e : podEvents().entrySet()) {
            List<Assignment> kept = Placements.keep(e.getValue(), limit);
            if (kept.isEmpty()) {
                pods.remove(e.getKey());
            } else if (kept.size() != e.getValue().size()) {
                pods.put(e.getKey(), kept);
            }
        }
    }

    private void close(Alert open, Incidents.Closing closing, Collector<Alert> out) throws Exception {
        out.collect(Incidents.close(open, closing));
        closed.inc();
        incident.clear();
        toldAt.clear();
    }

    private NavigableMap<Long, Boolean> events() throws Exception {
        NavigableMap<Long, Boolean> events = new TreeMap<>();
        for (Map.Entry<Long, Boolean> e : assignments.entries()) {
            events.put(e.getKey(), e.getValue());
        }
        return events;
    }

    /**
     * An assignment event matters until every STOP it could cancel or be has had its window end: a window after
     * its time.
     */
    private void forgetAssignmentsBefore(long limit) throws Exception {
        List<Long> old = new ArrayList<>();
        for (Long ts : assignments.keys()) {
            if (ts <= limit) {
                old.add(ts);
            }
        }
        for (Long ts : old) {
            assignments.remove(ts);
        }
    }
}
