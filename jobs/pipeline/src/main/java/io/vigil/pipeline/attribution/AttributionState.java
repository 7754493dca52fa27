package io.vigil.pipeline.attribution;

import io.vigil.records.Assignment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * One kind of record's attribution inside an operator ({@link AttributionOperator}, {@link ReadAndAttribute}): the
 * timelines of every address, the records waiting for the watermark, and their clean-up as the watermark passes.
 *
 * <p>State, all operator state (no keys): the timelines, the same in every subtask (broadcast state: restored whole
 * into each subtask whatever the parallelism); and the records waiting, in a list (split among the subtasks on a
 * restore at another parallelism: each subtask has every timeline, so any of them can decide any record). A timeline
 * is forgotten {@code retentionMs} after its last hold ends, in event time, as the watermark passes; an address whose
 * job never sends STOP keeps one hold until the address is given to another job (bounded by the addresses the
 * cluster has, not by time).
 */
final class AttributionState<IN, OUT> implements Attribution.Context<IN, OUT> {
    /** Where the operator sends what this attribution decides. */
    interface Emitter<OUT> {
        void emit(StreamRecord<OUT> record);

        <X> void emit(OutputTag<X> tag, StreamRecord<X> record);

        /** An operator's output: the records attributed to its main output, the rest to their side outputs. */
        static <OUT> Emitter<OUT> to(Output<StreamRecord<OUT>> output) {
            return new Emitter<>() {
                @Override
                public void emit(StreamRecord<OUT> record) {
                    output.collect(record);
                }

                @Override
                public <X> void emit(OutputTag<X> tag, StreamRecord<X> record) {
                    output.collect(tag, record);
                }
            };
        }
    }

    private final Attribution<IN, OUT> attribution;
    private final long retentionMs;
    private final int maxWaiting;

    private Map<String, AssignmentTimeline> timelines;
    /** When (event time) to look at an address's timeline again, to forget the holds that ended. */
    private TreeMap<Long, Set<String>> cleanUps;
    /** Records waiting for the watermark, by their time. */
    private TreeMap<Long, List<IN>> waiting;

    private Map<String, Integer> waitingPerAddress;
    private int waitingCount;
    private long watermark;
    private long timestamp;
    private boolean hasTimestamp;
    private StreamRecord<OUT> reuse;
    private BroadcastState<String, AssignmentTimeline> timelineState;
    private ListState<IN> waitingState;
    private Emitter<OUT> emitter;
    private Counter attributed;
    private Counter waited;

    AttributionState(Attribution<IN, OUT> attribution, long retentionMs, int maxWaiting) {
        this.attribution = attribution;
        this.retentionMs = retentionMs;
        this.maxWaiting = maxWaiting;
    }

    /** The timelines' state under this name (one per attribution in an operator). */
    static MapStateDescriptor<String, AssignmentTimeline> timelines(String name) {
        return new MapStateDescriptor<>(name, Types.STRING, TypeInformation.of(AssignmentTimeline.class));
    }

    /** Restores the timelines and waiting records from state named {@code timelinesName}, {@code waitingName}. */
    void initialize(OperatorStateStore store, String timelinesName, String waitingName, TypeInformation<IN> inputType)
            throws Exception {
        timelines = new HashMap<>();
        cleanUps = new TreeMap<>();
        waiting = new TreeMap<>();
        waitingPerAddress = new HashMap<>();
        watermark = Long.MIN_VALUE;
        timelineState = store.getBroadcastState(timelines(timelinesName));
        waitingState = store.getListState(new ListStateDescriptor<>(waitingName, inputType));
        for (Map.Entry<String, AssignmentTimeline> restored : timelineState.entries()) {
            timelines.put(restored.getKey(), restored.getValue());
            scheduleCleanUp(restored.getKey(), restored.getValue(), Long.MIN_VALUE);
        }
        for (IN record : waitingState.get()) {
            hold(record, attribution.waitingOn(record), attribution.eventTime(record));
        }
    }

    /** Once the operator opens: where decisions go, and the counters it shows. */
    void open(Emitter<OUT> emitter, Counter attributed, Counter waited) {
        this.emitter = emitter;
        this.attributed = attributed;
        this.waited = waited;
        reuse = new StreamRecord<>(null);
    }

    void snapshot() throws Exception {
        timelineState.clear();
        timelineState.putAll(timelines);
        List<IN> all = new ArrayList<>(waitingCount);
        for (List<IN> atTs : waiting.values()) {
            all.addAll(atTs);
        }
        waitingState.update(all);
    }

    /** A record as read: attributed, decided unowned, or held for the watermark. */
    void arrived(StreamRecord<IN> element) {
        hasTimestamp = element.hasTimestamp();
        timestamp = hasTimestamp ? element.getTimestamp() : 0;
        attribution.arrived(element.getValue(), this);
    }

    /** An assignment: the holds of every address it names. */
    void apply(Assignment assignment) {
        for (String address : attribution.addresses(assignment)) {
            AssignmentTimeline timeline = timelines.computeIfAbsent(address, a -> new AssignmentTimeline());
            timeline.apply(assignment);
            scheduleCleanUp(address, timeline, Long.MIN_VALUE);
        }
    }

    /**
     * Decides the records the watermark has passed, in event-time order, then forgets the holds that ended more
     * than the retention before it. The operator passes the watermark on after this (after the records it let go).
     */
    void advance(long mark) {
        watermark = Math.max(watermark, mark);
        while (!waiting.isEmpty() && waiting.firstKey() <= watermark) {
            Map.Entry<Long, List<IN>> due = waiting.pollFirstEntry();
            hasTimestamp = true;
            timestamp = due.getKey();
            for (IN record : due.getValue()) {
                release(attribution.waitingOn(record));
                attribution.decide(record, this);
            }
        }
        while (!cleanUps.isEmpty() && cleanUps.firstKey() <= watermark) {
            Map.Entry<Long, Set<String>> due = cleanUps.pollFirstEntry();
            for (String address : due.getValue()) {
                AssignmentTimeline timeline = timelines.get(address);
                if (timeline == null) {
                    continue;
                }
                // The clean-up's own time, not the watermark: holds are forgotten in event-time order, as
                // the records that waited were decided.
                if (!timeline.forgetEndedBefore(due.getKey() - retentionMs)) {
                    timelines.remove(address);
                } else {
                    scheduleCleanUp(address, timeline, due.getKey() + 1);
                }
            }
        }
    }

    private void scheduleCleanUp(String address, AssignmentTimeline timeline, long notBefore) {
        long end = timeline.earliestEnd();
        if (end != Long.MAX_VALUE) {
            cleanUps.computeIfAbsent(Math.max(end + retentionMs, notBefore), t -> new LinkedHashSet<>())
                    .add(address);
        }
    }

    @Override
    public String ownerAt(String address, long ts) {
        AssignmentTimeline timeline = timelines.get(address);
        return timeline == null ? null : timeline.ownerAt(ts);
    }

    @Override
    public boolean mayWait(String address, long ts) {
        return ts > watermark && waitingPerAddress.getOrDefault(address, 0) < maxWaiting;
    }

    @Override
    public void await(IN record, String address, long ts) {
        hold(record, address, ts);
        waited.inc();
    }

    private void hold(IN record, String address, long ts) {
        waiting.computeIfAbsent(ts, t -> new ArrayList<>(2)).add(record);
        waitingPerAddress.merge(address, 1, Integer::sum);
        waitingCount++;
    }

    private void release(String address) {
        waitingPerAddress.computeIfPresent(address, (a, n) -> n > 1 ? n - 1 : null);
        waitingCount--;
    }

    @Override
    public void emit(OUT out) {
        attributed.inc();
        if (hasTimestamp) {
            emitter.emit(reuse.replace(out, timestamp));
        } else {
            reuse.replace(out);
            reuse.eraseTimestamp();
            emitter.emit(reuse);
        }
    }

    @Override
    public <X> void emit(OutputTag<X> tag, X value) {
        emitter.emit(tag, hasTimestamp ? new StreamRecord<>(value, timestamp) : new StreamRecord<>(value));
    }

    /** Addresses with a timeline (tests). */
    int addresses() {
        return timelines.size();
    }

    /** Records waiting (tests). */
    int waitingRecords() {
        return waitingCount;
    }
}
