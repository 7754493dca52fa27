package io.vigil.pipeline.attribution;

import io.vigil.models.features.JobFlow;
import io.vigil.pipeline.ingest.DeadLetters;
import io.vigil.pipeline.ingest.InputStats;
import io.vigil.pipeline.ingest.Received;
import io.vigil.pipeline.ingest.SplitReceived;
import io.vigil.pipeline.serde.RecordTypes;
import io.vigil.records.Assignment;
import io.vigil.records.GpuSample;
import java.io.Serializable;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * What a reader's attribution does with what its sources read, whichever operator holds it ({@link
 * AttributeWhereRead} chained to a Kafka source, {@link ReadAndAttribute} after file sources): records split by kind,
 * flows attributed to the main output, GPU samples to {@link #SAMPLES}, Zeek's cumulative reports to {@link
 * SplitReceived#CUMULATIVE_FLOWS}, the sources' dead letters and a file's counts to their side outputs; assignments
 * applied to the timelines of both. State: the flows' and the samples' {@link AttributionState}, as operator state.
 *
 * <p>Counts what it received by kind as the Flink metrics {@code received.flow}, {@code received.gpu} and {@code
 * received.undecodable} (the assignments are counted where they are read once, {@link SplitReceived}); and {@code
 * attributed} and {@code attributionWaits}, flows and samples together.
 */
final class ReaderAttribution {
    /** GPU samples, attributed (or scored as {@code unassigned@<node>}). */
    static final OutputTag<GpuSample> SAMPLES = new OutputTag<>("attributed-gpu-samples", RecordTypes.GPU_SAMPLE);

    /** What a reader's attribution is made of, as the operators carry it. */
    record Settings(FlowAttribution flows, SampleAttribution samples, long retentionMs, int maxWaiting)
            implements Serializable {}

    private final Settings settings;
    private final AttributionState<FlowLookup, JobFlow> flows;
    private final AttributionState<GpuSample, GpuSample> samples;
    private final StreamRecord<FlowLookup> lookup = new StreamRecord<>(null);
    private final StreamRecord<GpuSample> sample = new StreamRecord<>(null);
    private Output<StreamRecord<JobFlow>> output;
    private Counter flowsReceived;
    private Counter samplesReceived;
    private Counter undecodable;

    ReaderAttribution(Settings settings) {
        this.settings = settings;
        this.flows = new AttributionState<>(settings.flows(), settings.retentionMs(), settings.maxWaiting());
        this.samples = new AttributionState<>(settings.samples(), settings.retentionMs(), settings.maxWaiting());
    }

    void initialize(OperatorStateStore store) throws Exception {
        flows.initialize(store, "flow-timelines", "waiting-flows", FlowLookup.TYPE);
        samples.initialize(store, "gpu-timelines", "waiting-gpu-samples", RecordTypes.GPU_SAMPLE);
    }

    void open(MetricGroup metrics, Output<StreamRecord<JobFlow>> operatorOutput) {
        this.output = operatorOutput;
        MetricGroup received = metrics.addGroup("received");
        flowsReceived = received.counter("flow");
        samplesReceived = received.counter("gpu");
        undecodable = received.counter("undecodable");
        Counter attributed = metrics.counter("attributed");
        Counter waited = metrics.counter("attributionWaits");
        flows.open(AttributionState.Emitter.to(output), attributed, waited);
        samples.open(
                new AttributionState.Emitter<>() {
                    @Override
                    public void emit(StreamRecord<GpuSample> record) {
                        output.collect(SAMPLES, record);
                    }

                    @Override
                    public <X> void emit(OutputTag<X> tag, StreamRecord<X> record) {
                        output.collect(tag, record);
                    }
                },
                attributed,
                waited);
        settings.flows().open(metrics);
        settings.samples().open(metrics);
    }

    void snapshot() throws Exception {
        flows.snapshot();
        samples.snapshot();
    }

    /**
     * One record a source read. {@code assignmentsReadOnceElsewhere}: the source reads every assignment in every
     * reader for the timelines only, and an undecodable one is the dead letter of the read that feeds the per-job
     * stages; else a source of flows and samples decodes nothing but those.
     */
    void received(StreamRecord<Received> element, boolean assignmentsReadOnceElsewhere) {
        Received received = element.getValue();
        if (received.flow != null) {
            flowsReceived.inc();
            if (received.connection != null) {
                output.collect(SplitReceived.CUMULATIVE_FLOWS, element);
            } else {
                flows.arrived(at(lookup, new FlowLookup(received.flow, false), element));
            }
        } else if (received.sample != null) {
            samplesReceived.inc();
            samples.arrived(at(sample, received.sample, element));
        } else if (received.assignment != null && assignmentsReadOnceElsewhere) {
            apply(received.assignment);
        } else if (received.deadLetter != null) {
            if (assignmentsReadOnceElsewhere && "assignment".contentEquals(received.deadLetter.getRecordType())) {
                return;
            }
            undecodable.inc();
            output.collect(DeadLetters.TAG, new StreamRecord<>(received.deadLetter, element.getTimestamp()));
        } else if (received.stats != null) {
            output.collect(
                    SplitReceived.INPUT_STATS, new StreamRecord<InputStats>(received.stats, element.getTimestamp()));
        } else {
            // tool calls have a source of their own
            throw new IllegalStateException("not a flow, GPU sample or assignment: " + received.record());
        }
    }

    void apply(Assignment assignment) {
        flows.apply(assignment);
        samples.apply(assignment);
    }

    /** Decides the records the watermark has passed; the operator passes it on after this. */
    void advance(long watermark) {
        flows.advance(watermark);
        samples.advance(watermark);
    }

    private static <T> StreamRecord<T> at(StreamRecord<T> reuse, T value, StreamRecord<?> as) {
        if (as.hasTimestamp()) {
            return reuse.replace(value, as.getTimestamp());
        }
        reuse.replace(value);
        reuse.eraseTimestamp();
        return reuse;
    }
}
