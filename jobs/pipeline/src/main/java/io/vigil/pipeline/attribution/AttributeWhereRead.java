package io.vigil.pipeline.attribution;

import io.vigil.models.features.JobFlow;
import io.vigil.pipeline.ingest.Received;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * A reader's attribution chained to its Kafka source, in the source's own task ({@link ReaderAttribution}): the
 * source's every reader reads every assignment with its share of the flows and samples
 * ({@code EveryReaderSource}), so each flow is attributed by the thread that decoded it, with no exchange and no
 * serialization before it is folded per job and window. The assignments only build the timelines here; the pipeline
 * reads them once more for the per-job stages.
 */
public final class AttributeWhereRead extends AbstractStreamOperator<JobFlow>
        implements OneInputStreamOperator<Received, JobFlow> {
    private static final long serialVersionUID = 1L;

    private final ReaderAttribution.Settings settings;
    private transient ReaderAttribution attribution;

    public AttributeWhereRead(FlowAttribution flows, SampleAttribution samples, long retentionMs, int maxWaiting) {
        this.settings = new ReaderAttribution.Settings(flows, samples, retentionMs, maxWaiting);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        attribution = new ReaderAttribution(settings);
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
    public void processElement(StreamRecord<Received> element) {
        attribution.received(element, true);
    }

    /** Decides the records the watermark has passed, then passes it on (after the records it let go). */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        attribution.advance(mark.getTimestamp());
        super.processWatermark(mark);
    }
}
