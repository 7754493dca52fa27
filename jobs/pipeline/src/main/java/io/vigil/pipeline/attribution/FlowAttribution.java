package io.vigil.pipeline.attribution;

import io.vigil.models.features.JobFlow;
import io.vigil.models.features.NetworkScope;
import io.vigil.pipeline.ingest.DeadLetters;
import io.vigil.records.DeadLetter;
import io.vigil.records.Flow;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import io.vigil.records.json.JsonRecordCodec;
import java.time.Duration;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Attributes flows to jobs in two keyed steps. Keyed by source address, a flow whose originator is a
 * job's pod becomes that job's outbound flow. Then, keyed by destination address, a flow whose responder
 * is a job's pod becomes that job's inbound flow (a notebook's SSH session, or one job reaching into
 * another). A flow between two jobs' pods counts for both. A flow that no job owns at either end is a
 * dead letter with reason {@code unattributed}.
 */
public final class FlowAttribution extends Attribution<FlowLookup, JobFlow> {
    private static final long serialVersionUID = 1L;

    /** Flows that still need the destination step. */
    public static final OutputTag<FlowLookup> BY_DESTINATION = new OutputTag<>("flows-by-destination", FlowLookup.TYPE);

    public enum End {
        SOURCE,
        DESTINATION
    }

    private final End end;
    private final NetworkScope scope;
    private transient JsonRecordCodec<Flow> json;

    public FlowAttribution(End end, NetworkScope scope, long retentionMs, int maxWaiting, Duration stateTtl) {
        super(retentionMs, maxWaiting, stateTtl, FlowLookup.TYPE);
        this.end = end;
        this.scope = scope;
    }

    /** The key of a flow in this step: its source or destination address. */
    public static String key(FlowLookup lookup, End end) {
        return end == End.SOURCE ? lookup.flow.getSrcIp() : lookup.flow.getDstIp();
    }

    @Override
    protected long eventTime(FlowLookup record) {
        return record.flow.getTs().toEpochMilli();
    }

    @Override
    protected String presetJob(FlowLookup record) {
        // An exporter that knows the job reports it on the source side only: the step by destination
        // still looks for another job at the far end.
        return end == End.SOURCE ? record.flow.getJobId() : null;
    }

    @Override
    protected boolean mayBeOwned(FlowLookup record) {
        // Pods have internal addresses: an external address is nobody's pod, so there is nothing to wait
        // for. A flow its source's job already has does not wait for the far end either: most internal
        // destinations are services (mirrors, storage), not pods, and waiting would hold every such flow.
        if (end == End.DESTINATION && record.ownedBySource) {
            return false;
        }
        return scope.isInternal(end == End.SOURCE ? record.flow.getSrcIp() : record.flow.getDstIp());
    }

    @Override
    protected void attributed(FlowLookup record, String jobId, Context ctx, Collector<JobFlow> out) {
        if (end == End.SOURCE) {
            out.collect(JobFlow.of(record.flow, jobId, true, scope));
            if (scope.isInternal(record.flow.getDstIp())) {
                ctx.output(BY_DESTINATION, new FlowLookup(record.flow, true));
            }
        } else {
            out.collect(JobFlow.of(record.flow, jobId, false, scope));
        }
    }

    @Override
    protected void unowned(FlowLookup record, Context ctx, Collector<JobFlow> out) {
        if (end == End.SOURCE) {
            if (scope.isInternal(record.flow.getDstIp())) {
                ctx.output(BY_DESTINATION, new FlowLookup(record.flow, false));
            } else {
                ctx.output(DeadLetters.TAG, unattributed(record.flow));
            }
        } else if (!record.ownedBySource) {
            ctx.output(DeadLetters.TAG, unattributed(record.flow));
        }
    }

    private DeadLetter unattributed(Flow flow) {
        if (json == null) {
            json = JsonRecordCodec.of(RecordType.FLOW);
        }
        return DeadLetter.newBuilder()
                .setRecordType(RecordType.FLOW.name())
                .setReason(RejectReason.UNATTRIBUTED.code())
                .setField(null)
                .setDetail("no job owned " + flow.getSrcIp() + " or " + flow.getDstIp() + " at " + flow.getTs())
                .setSource("attribution")
                .setEventTs(flow.getTs())
                .setOriginalText(json.encode(flow))
                .setOriginalBytes(null)
                .build();
    }
}
