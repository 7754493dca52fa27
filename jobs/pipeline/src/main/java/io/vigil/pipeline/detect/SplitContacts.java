package io.vigil.pipeline.detect;

import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.JobContacts;
import io.vigil.pipeline.serde.DestinationAccumulatorSerializer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Hands on one job's contacts of a window ({@link JobContacts#split}): the few whose popularity matters to
 * the fleet view, keyed by remote address ({@link #ASK_FLEET}); everything else, the long tail included,
 * straight to the job's window as one partial. So what the fleet view holds is bounded per job and window,
 * whatever the number of addresses a job tries.
 */
final class SplitContacts extends ProcessWindowFunction<JobContacts, JobSignal, String, TimeWindow>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** One job's contact with one address, for the per-destination window. */
    static final OutputTag<DestinationAccumulator> ASK_FLEET =
            new OutputTag<>("ask-fleet", DestinationAccumulatorSerializer.TYPE);

    /**
     * Since when this sees traffic, told to the per-destination window with each question: its warm-up runs from
     * the pipeline's first traffic, not from the first contact it is asked about.
     */
    private final FleetWatch watch = new FleetWatch();

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        watch.initialize(context);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        watch.snapshot();
    }

    @Override
    public void open(OpenContext openContext) {
        watch.open();
    }

    @Override
    public void process(String jobId, Context ctx, Iterable<JobContacts> windows, Collector<JobSignal> out) {
        long watchingSince = watch.seen(ctx.window().getStart());
        JobContacts.Split split = windows.iterator()
                .next()
                .split(ctx.window().getStart(), ctx.window().getEnd());
        for (DestinationAccumulator ask : split.ask()) {
            ask.watchingSince = watchingSince;
            ctx.output(ASK_FLEET, ask);
        }
        if (split.rest() != null) {
            out.collect(JobSignal.of(split.rest()));
        }
    }
}
