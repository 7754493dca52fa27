package io.vigil.pipeline.attribution;

import io.vigil.models.features.JobFlow;
import io.vigil.pipeline.ingest.Received;
import io.vigil.pipeline.ingest.SplitReceived;
import io.vigil.records.Assignment;
import io.vigil.records.GpuSample;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractInput;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorV2;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.Input;
import org.apache.flink.streaming.api.operators.InputSelectable;
import org.apache.flink.streaming.api.operators.InputSelection;
import org.apache.flink.streaming.api.operators.MultipleInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Attribution where the records are read, from files and in BATCH mode: what each input source reads, split by kind,
 * and its flows and GPU samples attributed. Its first inputs are the input sources, one input each (tasks of their
 * own, one forward exchange before it); its last input is every assignment, read once and broadcast to every subtask
 * (in BATCH mode, no watermarks before the end of input, read whole first). Flows go on attributed ({@link
 * FlowAttribution}, the main output), GPU samples to {@link #SAMPLES} ({@link SampleAttribution}); what needs a step
 * between (Zeek's cumulative reports, {@link SplitReceived#CUMULATIVE_FLOWS}), the sources' dead letters and a file's
 * counts to their side outputs. On Kafka, {@link AttributeWhereRead} does the same chained to the source.
 *
 * <p>Counts what it received by kind as the Flink metrics {@code received.flow}, {@code received.gpu} and {@code
 * received.undecodable} (the assignments are counted where they are read, {@link SplitReceived}); and {@code
 * attributed} and {@code attributionWaits}, flows and samples together.
 */
public class ReadAndAttribute extends AbstractStreamOperatorV2<JobFlow>
        implements MultipleInputStreamOperator<JobFlow> {
    /** GPU samples, attributed (or scored as {@code unassigned@<node>}). */
    public static final OutputTag<GpuSample> SAMPLES = ReaderAttribution.SAMPLES;

    private final int inputs;
    private final ReaderAttribution attribution;

    ReadAndAttribute(StreamOperatorParameters<JobFlow> parameters, ReaderAttribution.Settings settings, int inputs) {
        super(parameters, inputs + 1);
        this.inputs = inputs;
        this.attribution = new ReaderAttribution(settings);
    }

    /**
     * The operator's factory; in BATCH mode it reads the assignments (the last input) whole first, as {@link
     * AttributionOperator.AssignmentsFirst} does.
     *
     * @param inputs the number of input sources (each its own input, the assignments after them)
     */
    public static AbstractStreamOperatorFactory<JobFlow> factory(
            FlowAttribution flows,
            SampleAttribution samples,
            long retentionMs,
            int maxWaiting,
            int inputs,
            boolean batch) {
        return new Factory(new ReaderAttribution.Settings(flows, samples, retentionMs, maxWaiting), inputs, batch);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        attribution.initialize(context.getOperatorStateStore());
    }

    @Override
    public void open() throws Exception {
        super.open();
        attribution.open(getMetricGroup(), output);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        attribution.snapshot();
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public List<Input> getInputs() {
        List<Input> all = new ArrayList<>(inputs + 1);
        for (int i = 1; i <= inputs; i++) {
            all.add(new AbstractInput<Received, JobFlow>(this, i) {
                @Override
                public void processElement(StreamRecord<Received> element) {
                    attribution.received(element, false);
                }
            });
        }
        all.add(new AbstractInput<Assignment, JobFlow>(this, inputs + 1) {
            @Override
            public void processElement(StreamRecord<Assignment> element) {
                attribution.apply(element.getValue());
            }
        });
        return all;
    }

    /** Decides the records the combined watermark has passed, then passes it on (after the records it let go). */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        attribution.advance(mark.getTimestamp());
        super.processWatermark(mark);
    }

    /** BATCH mode: the assignments (the last input) first, whole. */
    static final class AssignmentsFirst extends ReadAndAttribute implements InputSelectable, BoundedMultiInput {
        private final InputSelection assignmentsOnly;
        private boolean assignmentsDone;

        AssignmentsFirst(
                StreamOperatorParameters<JobFlow> parameters, ReaderAttribution.Settings settings, int inputs) {
            super(parameters, settings, inputs);
            assignmentsOnly = new InputSelection.Builder().select(inputs + 1).build();
        }

        @Override
        public InputSelection nextSelection() {
            return assignmentsDone ? InputSelection.ALL : assignmentsOnly;
        }

        @Override
        public void endInput(int inputId) {
            if (assignmentsOnly.isInputSelected(inputId)) {
                assignmentsDone = true;
            }
        }
    }

    private static final class Factory extends AbstractStreamOperatorFactory<JobFlow> {
        private static final long serialVersionUID = 1L;

        private final ReaderAttribution.Settings settings;
        private final int inputs;
        private final boolean batch;

        Factory(ReaderAttribution.Settings settings, int inputs, boolean batch) {
            this.settings = settings;
            this.inputs = inputs;
            this.batch = batch;
            setChainingStrategy(ChainingStrategy.HEAD);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T extends StreamOperator<JobFlow>> T createStreamOperator(
                StreamOperatorParameters<JobFlow> parameters) {
            return (T)
                    (batch
                            ? new AssignmentsFirst(parameters, settings, inputs)
                            : new ReadAndAttribute(parameters, settings, inputs));
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
            return batch ? AssignmentsFirst.class : ReadAndAttribute.class;
        }
    }
}
