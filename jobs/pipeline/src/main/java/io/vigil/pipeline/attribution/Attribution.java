package io.vigil.pipeline.attribution;

import io.vigil.records.Assignment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Attributes records to the job that owned their address (an IP, a node's GPU) at the record's event
 * time, from the scheduler's assignments keyed the same way.
 *
 * <p>A record whose time a known hold covers is attributed at once. Otherwise it waits, in state, until
 * the watermark passes its time: by then every assignment up to that time has arrived (within the
 * out-of-orderness bound), so the answer is final. At most {@link #maxWaiting} records wait per address;
 * beyond that a record is decided at once. Holds are forgotten {@code retentionMs} after they end, and
 * an address with no holds and nothing waiting has no state at all.
 */
public abstract class Attribution<IN, OUT> extends KeyedCoProcessFunction<String, IN, Assignment, OUT> {
    private static final long serialVersionUID = 1L;

    private final long retentionMs;
    private final int maxWaiting;
    private final Duration stateTtl;
    private final TypeInformation<IN> inputType;

    private transient ValueState<AssignmentTimeline> timeline;
    /** Timelines read lately, per key, in the order read: see {@link #recentTimeline}. */
    private transient LinkedHashMap<String, Recent> recent;

    private transient long recentMs;
    private transient MapState<Long, List<IN>> waiting;
    private transient ValueState<Integer> waitingCount;
    private transient Counter attributed;
    private transient Counter waited;

    /**
     * @param retentionMs how long after a hold ends it is still consulted (records up to a window late)
     * @param maxWaiting records that may wait per address
     * @param stateTtl an address untouched this long (processing time) is forgotten: a job that never sent
     *     STOP on an address never reused would otherwise be kept for ever
     */
    protected Attribution(long retentionMs, int maxWaiting, Duration stateTtl, TypeInformation<IN> inputType) {
        this.retentionMs = retentionMs;
        this.maxWaiting = maxWaiting;
        this.stateTtl = stateTtl;
        this.inputType = inputType;
    }

    /** The record's event time, epoch ms. */
    protected abstract long eventTime(IN record);

    /** The job the record names itself (the exporter knew it), or null. */
    protected abstract String presetJob(IN record);

    /** Whether this record could be owned by any job at this key (else it is decided without waiting). */
    protected boolean mayBeOwned(IN record) {
        return true;
    }

    /** Emits the record attributed to {@code jobId}. */
    protected abstract void attributed(IN record, String jobId, Context ctx, Collector<OUT> out);

    /** No job owned the address at the record's time. */
    protected abstract void unowned(IN record, Context ctx, Collector<OUT> out);

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<AssignmentTimeline> timelineDescriptor =
                new ValueStateDescriptor<>("timeline", TypeInformation.of(AssignmentTimeline.class));
        timelineDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl)
                .setUpdateType(StateTtlConfig.UpdateType.OnReadAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        timeline = getRuntimeContext().getState(timelineDescriptor);
        recent = new LinkedHashMap<>();
        recentMs = Math.min(MAX_RECENT_MS, stateTtl.toMillis() / 10);
        waiting = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>("waiting", Types.LONG, new ListTypeInfo<>(inputType)));
        waitingCount = getRuntimeContext().getState(new ValueStateDescriptor<>("waiting-count", Types.INT));
        attributed = getRuntimeContext().getMetricGroup().counter("attributed");
        waited = getRuntimeContext().getMetricGroup().counter("attributionWaits");
    }

    @Override
    public void processElement1(IN record, Context ctx, Collector<OUT> out) throws Exception {
        String preset = presetJob(record);
        if (preset != null) {
            attributed.inc();
            attributed(record, preset, ctx, out);
            return;
        }
        long ts = eventTime(record);
        AssignmentTimeline known = recentTimeline(ctx);
        String owner = known == null ? null : known.ownerAt(ts);
        if (owner != null) {
            attributed.inc();
            attributed(record, owner, ctx, out);
            return;
        }
        Integer count = waitingCount.value();
        int n = count == null ? 0 : count;
        boolean watermarkPassed = ts <= ctx.timerService().currentWatermark();
        if (!mayBeOwned(record) || watermarkPassed || n >= maxWaiting) {
            unowned(record, ctx, out);
            return;
        }
        List<IN> atTs = waiting.get(ts);
        if (atTs == null) {
            atTs = new ArrayList<>(2);
            ctx.timerService().registerEventTimeTimer(ts);
        }
        atTs.add(record);
        waiting.put(ts, atTs);
        waitingCount.update(n + 1);
        waited.inc();
    }

    @Override
    public void processElement2(Assignment assignment, Context ctx, Collector<OUT> out) throws Exception {
        AssignmentTimeline known = timeline.value();
        if (known == null) {
            known = new AssignmentTimeline();
        }
        known.apply(assignment);
        timeline.update(known);
        recent.remove(ctx.getCurrentKey());
        long end = known.earliestEnd();
        if (end != Long.MAX_VALUE) {
            ctx.timerService().registerEventTimeTimer(end + retentionMs);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OUT> out) throws Exception {
        AssignmentTimeline known = timeline.value();
        List<IN> due = waiting.get(timestamp);
        if (due != null) {
            waiting.remove(timestamp);
            for (IN record : due) {
                String owner = known == null ? null : known.ownerAt(eventTime(record));
                if (owner != null) {
                    attributed.inc();
                    attributed(record, owner, ctx, out);
                } else {
                    unowned(record, ctx, out);
                }
            }
            Integer count = waitingCount.value();
            int left = (count == null ? 0 : count) - due.size();
            if (left > 0) {
                waitingCount.update(left);
            } else {
                waitingCount.clear();
            }
        }
        if (known != null) {
            // The timer's own time, not the watermark: one watermark may jump far ahead (a burst, the end
            // of a bounded input) and fire many timers; holds must be forgotten in event-time order, or
            // records waiting at later timers would find them gone.
            long horizon = timestamp - retentionMs;
            recent.remove(ctx.getCurrentKey());
            if (!known.forgetEndedBefore(horizon)) {
                timeline.clear();
            } else {
                timeline.update(known);
                long end = known.earliestEnd();
                if (end != Long.MAX_VALUE) {
                    ctx.timerService().registerEventTimeTimer(Math.max(end + retentionMs, timestamp + 1));
                }
            }
        }
        if (waitingCount.value() == null) {
            Iterator<Map.Entry<Long, List<IN>>> it = waiting.iterator();
            if (!it.hasNext()) {
                waiting.clear();
            }
        }
    }

    /** How long a timeline read from state is used again without reading it, at most, ms of processing time. */
    static final long MAX_RECENT_MS = 60_000;
    /** Timelines kept read at most, per subtask (a few MB): addresses with a job are what it holds. */
    static final int MAX_RECENT = 16_384;

    /** A timeline as read from state, and when. */
    private record Recent(AssignmentTimeline timeline, long readAt) {}

    /**
     * The current key's timeline, for reading only. Reading the state is a large part of what attributing
     * a record costs (with its TTL, every read rewrites the value; on RocksDB it also deserializes it), and
     * most records find the timeline their address's last record found. So a timeline read from state is
     * used again for {@code recentMs} (a
     * tenth of the TTL, at most a minute) of processing time, and dropped at once when this function
     * changes it. The state, and with it the TTL's clock, is still read at least once per {@code recentMs}
     * while an address has records: an address in use is never forgotten, and one no longer in use is
     * forgotten as before, give or take {@code recentMs}. Never changed through this reference: the
     * functions that change a timeline read it from state.
     */
    private AssignmentTimeline recentTimeline(Context ctx) throws Exception {
        String key = ctx.getCurrentKey();
        long now = ctx.timerService().currentProcessingTime();
        Recent hit = recent.get(key);
        if (hit != null && now - hit.readAt() < recentMs) {
            return hit.timeline();
        }
        AssignmentTimeline read = timeline.value();
        recent.remove(key);
        if (read == null) {
            // nobody's address (most sources of a scan, every external one): nothing to keep, and reading
            // an empty state rewrites no TTL
            return null;
        }
        recent.put(key, new Recent(read, now)); // at the end: the map stays in the order read
        for (Iterator<Recent> oldest = recent.values().iterator(); oldest.hasNext(); ) {
            if (now - oldest.next().readAt() < recentMs && recent.size() <= MAX_RECENT) {
                break;
            }
            oldest.remove();
        }
        return read;
    }
}
