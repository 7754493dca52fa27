package io.vigil.pipeline.ingest;

import io.vigil.pipeline.serde.RecordTypes;
import io.vigil.records.AgentEvent;
import io.vigil.records.Assignment;
import io.vigil.records.DeadLetter;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.agents.AgentCommands;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What a source hands to the pipeline: one decoded input record, or the dead letter saying why it could
 * not be used. Decoding happens inside the source so that event time, and so watermarks, are known per
 * Kafka partition or file. Exactly one of the record fields is set (flow, sample, assignment, agent event, dead letter,
 * or a file's {@link InputStats} at its end). A Flink POJO: flows and samples use the hand-written
 * serializers ({@link RecordTypes}), assignments and dead letters Flink's Avro serializer.
 */
public class Received {
    @TypeInfo(RecordTypes.FlowFactory.class)
    public Flow flow;

    @TypeInfo(RecordTypes.GpuSampleFactory.class)
    public GpuSample sample;

    public Assignment assignment;
    /** An agent's tool call, its command already masked and cut ({@link AgentCommands}). */
    public AgentEvent agentEvent;

    public DeadLetter deadLetter;
    /** What a file's reader counted, sent once at its end; never a record. */
    public InputStats stats;
    /**
     * For a flow whose counters count from its connection's start (Zeek): the connection's id, else null.
     * {@link ConnectionIntervals} turns such flows into per-interval counts.
     */
    public String connection;
    /** Whether more reports of {@link #connection} may follow (an interim conn_long record). */
    public boolean connectionOpen;

    public Received() {}

    public static Received of(InputStats stats) {
        Received r = new Received();
        r.stats = stats;
        return r;
    }

    public static Received of(Object record) {
        Received r = new Received();
        if (record instanceof Flow f) {
            r.flow = f;
        } else if (record instanceof GpuSample s) {
            r.sample = s;
        } else if (record instanceof Assignment a) {
            r.assignment = a;
        } else if (record instanceof AgentEvent e) {
            // every source makes its records here: the one place a command's secrets are masked before
            // anything keeps or sends it on
            r.agentEvent = AgentCommands.atEdge(e);
        } else if (record instanceof DeadLetter d) {
            r.deadLetter = d;
        } else {
            throw new IllegalArgumentException("not an input record: " + record.getClass());
        }
        return r;
    }

    /** The record's event time, or Long.MIN_VALUE for a dead letter (which must not move watermarks). */
    public long eventTime() {
        if (flow != null) {
            return flow.getTs().toEpochMilli();
        }
        if (sample != null) {
            return sample.getTs().toEpochMilli();
        }
        if (assignment != null) {
            return assignment.getTs().toEpochMilli();
        }
        if (agentEvent != null) {
            return agentEvent.getTs().toEpochMilli();
        }
        return Long.MIN_VALUE;
    }

    /** The input record (flow, sample, assignment or agent event), or null for a dead letter. */
    public Object record() {
        return flow != null ? flow : sample != null ? sample : assignment != null ? assignment : agentEvent;
    }
}
