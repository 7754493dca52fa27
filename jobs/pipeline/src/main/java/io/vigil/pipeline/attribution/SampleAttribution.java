package io.vigil.pipeline.attribution;

import io.vigil.pipeline.serde.RecordTypes;
import io.vigil.records.GpuSample;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/**
 * Attributes GPU samples to the job that held the GPU ({@code node}, index) at the sample's time.
 *
 * <p>A GPU no job holds is not an error: idle GPUs report too. An idle one (no utilisation, no process)
 * is counted ({@code idleUnassignedSamples}) and goes no further. A busy one is exactly what GPU
 * diversion looks like, so it is scored as the pseudo-job {@code unassigned@<node>} rather than dropped.
 */
public final class SampleAttribution extends Attribution<GpuSample, GpuSample> {
    private static final long serialVersionUID = 1L;

    /** Job id under which busy GPUs that no job holds are scored. */
    public static String unassignedJob(String node) {
        return "unassigned@" + node;
    }

    private transient Counter idleUnassigned;

    public SampleAttribution(long retentionMs, int maxWaiting, Duration stateTtl) {
        super(retentionMs, maxWaiting, stateTtl, RecordTypes.GPU_SAMPLE);
    }

    /** The key of a sample, and of an assignment's GPU: node and GPU index. */
    public static String key(String node, int gpu) {
        return node + "#" + gpu;
    }

    @Override
    protected long eventTime(GpuSample record) {
        return record.getTs().toEpochMilli();
    }

    @Override
    protected String presetJob(GpuSample record) {
        return record.getJobId();
    }

    @Override
    protected void attributed(GpuSample record, String jobId, Context ctx, Collector<GpuSample> out) {
        // The sample is this operator's own (it came over the network or out of its state, and nothing else
        // holds it): naming the job in place saves an Avro deep copy per sample.
        record.setJobId(jobId);
        out.collect(record);
    }

    @Override
    public void open(OpenContext openContext) {
        super.open(openContext);
        // registered here, not with the first idle sample: scraped (at 0) from the start
        idleUnassigned = getRuntimeContext().getMetricGroup().counter("idleUnassignedSamples");
    }

    @Override
    protected void unowned(GpuSample record, Context ctx, Collector<GpuSample> out) {
        boolean busy = record.getUtil() > 0 || !record.getProcesses().isEmpty();
        if (busy) {
            record.setJobId(unassignedJob(record.getNode()));
            out.collect(record);
        } else {
            idleUnassigned.inc();
        }
    }
}
