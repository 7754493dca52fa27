package io.vigil.pipeline.attribution;

import io.vigil.records.Assignment;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.InputSelectable;
import org.apache.flink.streaming.api.operators.InputSelection;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Attributes records (first input) against every assignment (second input, broadcast to every subtask), in event
 * time; what attributing means is the {@link Attribution}'s, what is kept is the {@link AttributionState}'s. The
 * inputs' own readers attribute in {@link ReadAndAttribute}, chained to the sources; this operator attributes what
 * needed a step between (Zeek's long connections, turned into intervals by connection).
 */
public class AttributionOperator<IN, OUT> extends AbstractStreamOperator<OUT>
        implements TwoInputStreamOperator<IN, Assignment, OUT> {
    private static final long serialVersionUID = 1L;

    private final Attribution<IN, OUT> attribution;
    private final TypeInformation<IN> inputType;
    private final long retentionMs;
    private final int maxWaiting;

    private transient AttributionState<IN, OUT> state;

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
        state = new AttributionState<>(attribution, retentionMs, maxWaiting);
        state.initialize(context.getOperatorStateStore(), "timelines", "waiting", inputType);
    }

    @Override
    public void open() throws Exception {
        super.open();
        state.open(
                AttributionState.Emitter.to(output),
                getMetricGroup().counter("attributed"),
                getMetricGroup().counter("attributionWaits"));
        attribution.open(getMetricGroup());
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        state.snapshot();
    }

    @Override
    public void processElement1(StreamRecord<IN> element) {
        state.arrived(element);
    }

    @Override
    public void processElement2(StreamRecord<Assignment> element) {
        state.apply(element.getValue());
    }

    /** Decides the records the watermark has passed, then passes the watermark on (after the records it let go). */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        state.advance(mark.getTimestamp());
        super.processWatermark(mark);
    }

    /** Addresses with a timeline (tests). */
    int addresses() {
        return state.addresses();
    }

    /** Records waiting (tests). */
    int waitingRecords() {
        return state.waitingRecords();
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
