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
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.InputSelectable;
import org.apache.flink.streaming.api.operators.InputSelection;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Attributes records where they are read (first input, forward from the reader) against every assignment
 * (second input, broadcast to every subtask), in event time; what attributing means is the {@link Attribution}'s.
 *
 * <p>State, all operator state (no keys): the timelines of every address, the same in every subtask (broadcast
 * state: restored whole into each subtask whatever the parallelism); and the records waiting for the watermark,
 * in a list (split among the subtasks on a restore at another parallelism: each subtask has every timeline, so
 * any of them can decide any record). A timeline is forgotten {@code retentionMs} after its last hold ends, in
 * event time, as the watermark passes; an address whose job never sends STOP keeps one hold until the address is
 * given to another job (bounded by the addresses the cluster has, not by time).
 */
public class AttributionOperator<IN, OUT> extends AbstractStreamOperator<OUT>
        implements TwoInputStreamOperator<IN, Assignment, OUT>, Attribution.Context<IN, OUT> {
    private static final long serialVersionUID = 1L;

    static final MapStateDescriptor<String, AssignmentTimeline> TIMELINES =
            new MapStateDescriptor<>("timelines", Types.STRING, TypeInformation.of(AssignmentTimeline.class));

    private final Attribution<IN, OUT> attribution;
    private final TypeInformation<IN> inputType;
    private final long retentionMs;
    private final int maxWaiting;

    private transient Map<String, AssignmentTimeline> timelines;
    /** When (event time) to look at an address's timeline again, to forget the holds that ended. */
    private transient TreeMap<Long, Set<String>> cleanUps;
    /** Records waiting for the watermark, by their time. */
    private transient TreeMap<Long, List<IN>> waiting;

    private transient Map<String, Integer> waitingPerAddress;
    private transient int waitingCount;
    private transient long watermark;
    private transient long timestamp;
    private transient boolean hasTimestamp;
    private transient StreamRecord<OUT> reuse;
    private transient BroadcastState<String, AssignmentTimeline> timelineState;
    private transient ListState<IN> waitingState;
    private transient Counter attributed;
    private transient Counter waited;

    /**
     * @param retentionMs how long after a hold ends it is still consulted (records up to a window late)
     * @param maxWaiting records that may wait per address (and subtask)
     */
    public AttributionOperator(
            Attribution<IN, OUT> attribution, TypeInformation<IN> inputType, long retentionMs, int maxWaiting) {
        this.attribution = attribution;
        this.inputType = inputType;
        this.retentionMs = retentionMs;
        this.maxWaiting = maxWaiting;
    }

    /**
     * The operator for the job's execution mode. In BATCH mode there are no watermarks before the end of input,
     * so the assignments are read whole first: every record then finds every hold its address ever had, as a
     * keyed replay's records found the holds before them.
     */
    public static <IN, OUT> AttributionOperator<IN, OUT> of(
            Attribution<IN, OUT> attribution,
            TypeInformation<IN> inputType,
            long retentionMs,
            int maxWaiting,
            boolean batch) {
        return batch
                ? new AssignmentsFirst<>(attribution, inputType, retentionMs, maxWaiting)
                : new AttributionOperator<>(attribution, inputType, retentionMs, maxWaiting);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        timelines = new HashMap<>();
        cleanUps = new TreeMap<>();
        waiting = new TreeMap<>();
        waitingPerAddress = new HashMap<>();
        watermark = Long.MIN_VALUE;
        timelineState = context.getOperatorStateStore().getBroadcastState(TIMELINES);
        waitingState = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("waiting", inputType));
        for (Map.Entry<String, AssignmentTimeline> restored : timelineState.entries()) {
            timelines.put(restored.getKey(), restored.getValue());
            scheduleCleanUp(restored.getKey(), restored.getValue(), Long.MIN_VALUE);
        }
        for (IN record : waitingState.get()) {
            hold(record, attribution.waitingOn(record), attribution.eventTime(record));
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        reuse = new StreamRecord<>(null);
        attributed = getMetricGroup().counter("attributed");
        waited = getMetricGroup().counter("attributionWaits");
        attribution.open(getMetricGroup());
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        timelineState.clear();
        timelineState.putAll(timelines);
        List<IN> all = new ArrayList<>(waitingCount);
        for (List<IN> atTs : waiting.values()) {
            all.addAll(atTs);
        }
        waitingState.update(all);
    }

    @Override
    public void processElement1(StreamRecord<IN> element) {
        hasTimestamp = element.hasTimestamp();
        timestamp = hasTimestamp ? element.getTimestamp() : 0;
        attribution.arrived(element.getValue(), this);
    }

    @Override
    public void processElement2(StreamRecord<Assignment> element) {
        Assignment assignment = element.getValue();
        for (String address : attribution.addresses(assignment)) {
            AssignmentTimeline timeline = timelines.computeIfAbsent(address, a -> new AssignmentTimeline());
            timeline.apply(assignment);
            scheduleCleanUp(address, timeline, Long.MIN_VALUE);
        }
    }

    /**
     * Decides the records the watermark has passed, in event-time order, then forgets the holds that ended more
     * than the retention before it; then passes the watermark on (after the records it let go).
     */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
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
        super.processWatermark(mark);
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
            output.collect(reuse.replace(out, timestamp));
        } else {
            reuse.replace(out);
            reuse.eraseTimestamp();
            output.collect(reuse);
        }
    }

    @Override
    public <X> void emit(OutputTag<X> tag, X value) {
        output.collect(tag, hasTimestamp ? new StreamRecord<>(value, timestamp) : new StreamRecord<>(value));
    }

    /** Addresses with a timeline (tests). */
    int addresses() {
        return timelines.size();
    }

    /** Records waiting (tests). */
    int waitingRecords() {
        return waitingCount;
    }

    /**
     * BATCH mode: the assignments first, whole (there is no checkpointing in BATCH mode, which an operator that
     * chooses its input does not allow).
     */
    static final class AssignmentsFirst<IN, OUT> extends AttributionOperator<IN, OUT>
            implements InputSelectable, BoundedMultiInput {
        private static final long serialVersionUID = 1L;

        private transient boolean assignmentsRead;

        AssignmentsFirst(Attribution<IN, OUT> attribution, TypeInformation<IN> inputType, long retentionMs, int max) {
            super(attribution, inputType, retentionMs, max);
        }

        @Override
        public InputSelection nextSelection() {
            return assignmentsRead ? InputSelection.ALL : InputSelection.SECOND;
        }

        @Override
        public void endInput(int inputId) {
            if (inputId == 2) {
                assignmentsRead = true;
            }
        }
    }
}
