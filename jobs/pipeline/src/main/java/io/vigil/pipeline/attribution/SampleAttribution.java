package io.vigil.pipeline.attribution;

import io.vigil.records.Assignment;
import io.vigil.records.GpuSample;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Attributes GPU samples to the job that held the GPU ({@code node}, index) at the sample's time.
 *
 * <p>A GPU no job holds is not an error: idle GPUs report too. An idle one (no utilisation, no process)
 * is counted ({@code idleUnassignedSamples}) and goes no further. A busy one is exactly what GPU
 * diversion looks like, so it is scored as the pseudo-job {@code unassigned@<node>} rather than dropped.
 */
public final class SampleAttribution extends Attribution<GpuSample, GpuSample> {
    private static final long serialVersionUID = 1L;

    private transient Counter idleUnassigned;

    @Override
    protected void open(MetricGroup metrics) {
        // registered here, not with the first idle sample: scraped (at 0) from the start
        idleUnassigned = metrics.counter("idleUnassignedSamples");
    }

    /** Job id under which busy GPUs that no job holds are scored. */
    public static String unassignedJob(String node) {
        return "unassigned@" + node;
    }

    /** The address of a GPU: node and GPU index. */
    public static String key(String node, int gpu) {
        return node + "#" + gpu;
    }

    @Override
    protected long eventTime(GpuSample record) {
        return record.getTs().toEpochMilli();
    }

    @Override
    protected List<String> addresses(Assignment assignment) {
        List<String> gpus = new ArrayList<>(assignment.getGpus().size());
        for (Integer gpu : assignment.getGpus()) {
            gpus.add(key(assignment.getNode(), gpu));
        }
        return gpus;
    }

    @Override
    protected String waitingOn(GpuSample record) {
        return key(record.getNode(), record.getGpu());
    }

    @Override
    protected void arrived(GpuSample record, Context<GpuSample, GpuSample> ctx) {
        if (record.getJobId() != null) {
            ctx.emit(record);
            return;
        }
        String gpu = key(record.getNode(), record.getGpu());
        long ts = record.getTs().toEpochMilli();
        String owner = ctx.ownerAt(gpu, ts);
        if (owner != null) {
            attributed(record, owner, ctx);
        } else if (ctx.mayWait(gpu, ts)) {
            ctx.await(record, gpu, ts);
        } else {
            unowned(record, ctx);
        }
    }

    @Override
    protected void decide(GpuSample record, Context<GpuSample, GpuSample> ctx) {
        String owner = ctx.ownerAt(waitingOn(record), record.getTs().toEpochMilli());
        if (owner != null) {
            attributed(record, owner, ctx);
        } else {
            unowned(record, ctx);
        }
    }

    private static void attributed(GpuSample record, String jobId, Context<GpuSample, GpuSample> ctx) {
        // The sample is this operator's own (its reader decoded it for this record alone, or it came over the
        // network or out of state, and nothing else holds it): naming the job in place saves a deep copy per sample.
        record.setJobId(jobId);
        ctx.emit(record);
    }

    private void unowned(GpuSample record, Context<GpuSample, GpuSample> ctx) {
        boolean busy = record.getUtil() > 0 || !record.getProcesses().isEmpty();
        if (busy) {
            record.setJobId(unassignedJob(record.getNode()));
            ctx.emit(record);
        } else {
            idleUnassigned.inc();
        }
    }
}
