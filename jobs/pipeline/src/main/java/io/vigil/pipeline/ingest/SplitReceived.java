package io.vigil.pipeline.ingest;

import io.vigil.pipeline.serde.RecordTypes;
import io.vigil.records.AgentEvent;
import io.vigil.records.Assignment;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits what the sources received by kind: flows (the main output), GPU samples, assignments and agent events (side
 * outputs), the dead letters of records that could not be decoded ({@link DeadLetters}), and what each
 * file's reader counted. The pipeline splits the assignments' and the context's sources with it; the flows and
 * samples are split where they are attributed ({@code ReadAndAttribute}), with the same counters. Counts what it received by kind as the Flink metrics {@code received.<kind>} ({@code
 * flow}, {@code gpu}, {@code assignment}, {@code agent_event}, {@code undecodable}): the records in of every input, whichever source
 * they came from.
 */
public final class SplitReceived extends ProcessFunction<Received, Flow> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<GpuSample> SAMPLES = new OutputTag<>("gpu-samples", RecordTypes.GPU_SAMPLE);
    public static final OutputTag<Assignment> ASSIGNMENTS = new OutputTag<>("assignments") {};
    /**
     * Flows that are cumulative reports of a long connection (Zeek's conn_long.log, then its closing conn.log
     * line), for {@link ConnectionIntervals} to turn into intervals; every other flow is the main output.
     */
    public static final OutputTag<Received> CUMULATIVE_FLOWS = new OutputTag<>("cumulative-flow-reports") {};

    public static final OutputTag<AgentEvent> AGENT_EVENTS = new OutputTag<>("agent-events") {};
    /** What each input file's reader counted ({@link InputStats}), once per file at its end. */
    public static final OutputTag<InputStats> INPUT_STATS = new OutputTag<>("input-stats") {};

    private transient Counter flows;
    private transient Counter samples;
    private transient Counter assignments;
    private transient Counter agentEvents;
    private transient Counter undecodable;

    @Override
    public void open(OpenContext openContext) {
        MetricGroup received = getRuntimeContext().getMetricGroup().addGroup("received");
        flows = received.counter("flow");
        samples = received.counter("gpu");
        assignments = received.counter("assignment");
        agentEvents = received.counter("agent_event");
        undecodable = received.counter("undecodable");
    }

    @Override
    public void processElement(Received received, Context ctx, Collector<Flow> out) {
        if (received.flow != null) {
            flows.inc();
            if (received.connection != null) {
                ctx.output(CUMULATIVE_FLOWS, received);
            } else {
                out.collect(received.flow);
            }
        } else if (received.sample != null) {
            samples.inc();
            ctx.output(SAMPLES, received.sample);
        } else if (received.assignment != null) {
            assignments.inc();
            ctx.output(ASSIGNMENTS, received.assignment);
        } else if (received.agentEvent != null) {
            agentEvents.inc();
            ctx.output(AGENT_EVENTS, received.agentEvent);
        } else if (received.deadLetter != null) {
            undecodable.inc();
            ctx.output(DeadLetters.TAG, received.deadLetter);
        } else if (received.stats != null) {
            ctx.output(INPUT_STATS, received.stats);
        }
    }
}
