package io.vigil.pipeline.ingest;

import io.vigil.pipeline.serde.RecordTypes;
import io.vigil.records.Flow;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns a connection's cumulative reports (Zeek's conn_long.log while it is open, then its conn.log record
 * when it closes) into per-interval flows, as Vigil's flow record means them: each report gives what was
 * added since the connection's previous report, so a tunnel held open for hours shows up in every window
 * it reports in, and the closing record adds only its last interval instead of counting the whole
 * connection again. A report with no earlier one (every ordinary conn.log line) passes unchanged.
 *
 * <p><b>Where the state lives: a keyed operator, keyed by the connection's uid.</b> Not a map in each file
 * reader: conn_long.log and conn.log are separate files (separate readers), and on Kafka a connection's
 * reports may land on different partitions. Keyed state is also checkpointed with the source offsets, so
 * after a restart the next report is subtracted from the last one counted before the checkpoint: nothing is
 * counted twice (a per-reader map would start empty and count the whole connection again). The state is
 * one small entry per open long connection (four counters and a time), dropped when the closing record
 * comes, or a day after the connection's last report (Zeek lost it, or the log was cut): event time, so a
 * replay drops it the same way.
 *
 * <p>Reports may come twice (an at-least-once shipper) or out of order: counters only ever grow, so the
 * difference is taken against the largest seen, never below zero, and a report that adds nothing at a time
 * already reported is dropped.
 */
public final class ConnectionIntervals extends KeyedProcessFunction<String, Received, Flow> {
    private static final long serialVersionUID = 1L;
    /** How long a connection's last counters are kept after its last report, ms of event time. */
    static final long FORGET_AFTER_MS = 24 * 3_600_000L;

    /** orig bytes, resp bytes, orig packets, resp packets, last report's end (ms) */
    private transient ValueState<long[]> last;

    /**
     * The intervals of the cumulative reports {@link SplitReceived} routed apart ({@link
     * SplitReceived#CUMULATIVE_FLOWS}), keyed by connection id. Every other flow passes straight on where it was read,
     * chained to its source: a union before the split would have cost every record an exchange.
     */
    public static SingleOutputStreamOperator<Flow> apply(DataStream<Received> cumulativeReports) {
        return cumulativeReports
                .keyBy(r -> r.connection)
                .process(new ConnectionIntervals())
                .returns(RecordTypes.FLOW)
                .uid("connection-intervals")
                .name("Cumulative reports to intervals");
    }

    @Override
    public void open(OpenContext openContext) {
        last = getRuntimeContext()
                .getState(new ValueStateDescriptor<>(
                        "last-report", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void processElement(Received r, Context ctx, Collector<Flow> out) throws Exception {
        Flow report = r.flow;
        long[] before = last.value();
        long end = report.getTs().toEpochMilli();
        Flow interval = interval(report, before);
        if (before != null) {
            ctx.timerService().deleteEventTimeTimer(before[4] + FORGET_AFTER_MS);
        }
        if (r.connectionOpen) {
            last.update(after(report, before));
            ctx.timerService()
                    .registerEventTimeTimer(Math.max(end, before == null ? end : before[4]) + FORGET_AFTER_MS);
        } else {
            last.clear();
        }
        if (interval != null) {
            out.collect(interval);
        }
    }

    /** The report as the interval since {@code before}, or null when it repeats a report already counted. */
    public static Flow interval(Flow report, long[] before) {
        if (before == null) {
            return report;
        }
        long origBytes = Math.max(0, report.getOrigBytes() - before[0]);
        long respBytes = Math.max(0, report.getRespBytes() - before[1]);
        long origPkts = Math.max(0, report.getOrigPkts() - before[2]);
        long respPkts = Math.max(0, report.getRespPkts() - before[3]);
        long end = report.getTs().toEpochMilli();
        if (end <= before[4] && origBytes == 0 && respBytes == 0 && origPkts == 0 && respPkts == 0) {
            return null; // a duplicate, or an older report arriving late: nothing new
        }
        return Flow.newBuilder(report)
                .setTs(Instant.ofEpochMilli(Math.max(end, before[4])))
                .setOrigBytes(origBytes)
                .setRespBytes(respBytes)
                .setOrigPkts(origPkts)
                .setRespPkts(respPkts)
                .build();
    }

    /** The largest counters and the latest end seen, with this report. */
    public static long[] after(Flow report, long[] before) {
        long[] now = {
            report.getOrigBytes(),
            report.getRespBytes(),
            report.getOrigPkts(),
            report.getRespPkts(),
            report.getTs().toEpochMilli()
        };
        if (before != null) {
            for (int i = 0; i < now.length; i++) {
                now[i] = Math.max(now[i], before[i]);
            }
        }
        return now;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Flow> out) throws Exception {
        long[] before = last.value();
        if (before != null && before[4] + FORGET_AFTER_MS <= timestamp) {
            last.clear();
        }
    }
}
