package io.vigil.pipeline.attribution;

import io.vigil.models.features.JobFlow;
import io.vigil.models.features.NetworkScope;
import io.vigil.pipeline.ingest.DeadLetters;
import io.vigil.records.Assignment;
import io.vigil.records.DeadLetter;
import io.vigil.records.Flow;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import io.vigil.records.json.JsonRecordCodec;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Attributes flows to jobs by both ends, source first. A flow whose originator is a job's pod becomes that
 * job's outbound flow; a flow whose responder is a job's pod becomes that job's inbound flow (a notebook's SSH
 * session, or one job reaching into another). A flow between two jobs' pods counts for both. A flow that no
 * job owns at either end is a dead letter with reason {@code unattributed}.
 *
 * <p>Waiting: a flow from an internal address no known hold covers waits on its source; once its source is
 * known to be nobody's, a flow to an internal address no known hold covers waits on its destination (marked
 * {@link FlowLookup#waitsOnDestination}). A flow its source's job already has does not wait for the far end:
 * most internal destinations are services (mirrors, storage), not pods, and waiting would hold every such flow.
 */
public final class FlowAttribution extends Attribution<FlowLookup, JobFlow> {
    private static final long serialVersionUID = 1L;

    private final NetworkScope scope;
    private transient JsonRecordCodec<Flow> json;

    public FlowAttribution(NetworkScope scope) {
        this.scope = scope;
    }

    @Override
    protected long eventTime(FlowLookup record) {
        return record.flow.getTs().toEpochMilli();
    }

    @Override
    protected List<String> addresses(Assignment assignment) {
        return List.of(assignment.getIp());
    }

    @Override
    protected String waitingOn(FlowLookup record) {
        return record.waitsOnDestination ? record.flow.getDstIp() : record.flow.getSrcIp();
    }

    @Override
    protected void arrived(FlowLookup record, Context<FlowLookup, JobFlow> ctx) {
        Flow flow = record.flow;
        long ts = flow.getTs().toEpochMilli();
        // An exporter that knows the job reports it on the source side only: the far end may be another job's.
        String owner = flow.getJobId();
        if (owner == null) {
            owner = ctx.ownerAt(flow.getSrcIp(), ts);
        }
        if (owner != null) {
            ctx.emit(JobFlow.of(flow, owner, true, scope));
            destination(record, ts, true, ctx);
        } else if (scope.isInternal(flow.getSrcIp()) && ctx.mayWait(flow.getSrcIp(), ts)) {
            // Pods have internal addresses: an external address is nobody's pod, nothing to wait for.
            ctx.await(record, flow.getSrcIp(), ts);
        } else {
            destination(record, ts, false, ctx);
        }
    }

    @Override
    protected void decide(FlowLookup record, Context<FlowLookup, JobFlow> ctx) {
        long ts = record.flow.getTs().toEpochMilli();
        if (record.waitsOnDestination) {
            destination(record, ts, false, ctx);
            return;
        }
        String owner = ctx.ownerAt(record.flow.getSrcIp(), ts);
        if (owner != null) {
            ctx.emit(JobFlow.of(record.flow, owner, true, scope));
        }
        destination(record, ts, owner != null, ctx);
    }

    /** The far end, once the source is decided. */
    private void destination(FlowLookup record, long ts, boolean ownedBySource, Context<FlowLookup, JobFlow> ctx) {
        Flow flow = record.flow;
        if (!scope.isInternal(flow.getDstIp())) {
            if (!ownedBySource) {
                ctx.emit(DeadLetters.TAG, unattributed(flow));
            }
            return;
        }
        String owner = ctx.ownerAt(flow.getDstIp(), ts);
        if (owner != null) {
            ctx.emit(JobFlow.of(flow, owner, false, scope));
        } else if (ownedBySource) {
            return; // a service the source's job talks to
        } else if (ctx.mayWait(flow.getDstIp(), ts)) {
            record.waitsOnDestination = true;
            ctx.await(record, flow.getDstIp(), ts);
        } else {
            ctx.emit(DeadLetters.TAG, unattributed(flow));
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
                .setDetail("no job owned " + flow.getSrcIp() + " or " + flow.getDstIp() + " at " + iso(flow.getTs()))
                .setSource("attribution")
                .setEventTs(flow.getTs())
                .setOriginalText(json.encode(flow))
                .setOriginalBytes(null)
                .build();
    }

    /** The last second {@link #iso} writes itself: 9999-12-31T23:59:59Z. */
    private static final long LAST_FOUR_DIGIT_SECOND = 253_402_300_799L;

    /**
     * {@link Instant#toString()}, without its formatter: every unattributed flow's dead letter names its time, and
     * on a fleet most flows can be a host's own (a tenth of the readers' CPU went to this and the flow's JSON).
     * Years 1970 to 9999 only; other times are {@code Instant}'s own.
     */
    static String iso(Instant t) {
        long second = t.getEpochSecond();
        if (second < 0 || second > LAST_FOUR_DIGIT_SECOND) {
            return t.toString();
        }
        LocalDateTime d = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(30);
        digits(b, d.getYear(), 4).append('-');
        digits(b, d.getMonthValue(), 2).append('-');
        digits(b, d.getDayOfMonth(), 2).append('T');
        digits(b, d.getHour(), 2).append(':');
        digits(b, d.getMinute(), 2).append(':');
        digits(b, d.getSecond(), 2);
        int nano = t.getNano();
        if (nano > 0) { // as ISO_INSTANT: milli, micro or nano digits, as many groups of three as it takes
            b.append('.');
            if (nano % 1_000_000 == 0) {
                digits(b, nano / 1_000_000, 3);
            } else if (nano % 1_000 == 0) {
                digits(b, nano / 1_000, 6);
            } else {
                digits(b, nano, 9);
            }
        }
        return b.append('Z').toString();
    }

    /** {@code value}'s last {@code width} digits, zero-padded (every value here fits its width). */
    private static StringBuilder digits(StringBuilder b, int value, int width) {
        int unit = 1;
        for (int i = 1; i < width; i++) {
            unit *= 10;
        }
        for (; unit > 0; unit /= 10) {
            b.append((char) ('0' + value / unit % 10));
        }
        return b;
    }
}
