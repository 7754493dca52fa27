package io.vigil.pipeline.detect;

import io.vigil.models.features.Contact;
import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.DestinationHistory;
import io.vigil.models.features.JobContacts;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Turns one remote address's window into one {@link Contact} per job, each knowing how many jobs talk to
 * that address: in this window, and over the lookback (the address's history is keyed state). That is
 * the fleet's view a single job cannot have: an experiment tracker half the fleet uses is not a tunnel.
 * It is asked only about the contacts whose popularity matters, at most {@link JobContacts#MAX_ASKED} per job
 * and window ({@link JobContacts#split}), so its state is bounded by jobs and windows, not by the addresses a
 * job tries: a sweep's unanswered probes never reach it.
 */
final class DestinationContacts extends ProcessWindowFunction<DestinationAccumulator, Contact, String, TimeWindow>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final long lookbackMs;
    private final long warmupMs;
    /** Since when the fleet has been watched: the first window here, or the earliest the asking windows saw. */
    private final FleetWatch watch = new FleetWatch();

    private transient ValueStateDescriptor<DestinationHistory> historyDescriptor;

    /**
     * @param warmup how long after the pipeline first sees traffic before any destination may be called rare:
     *     until then the fleet has not shown which destinations it shares (a fleet-wide object store's first
     *     upload would look like exfiltration)
     */
    DestinationContacts(Duration lookback, Duration warmup) {
        this.lookbackMs = lookback.toMillis();
        this.warmupMs = warmup.toMillis();
    }

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
        historyDescriptor =
                new ValueStateDescriptor<>("destination-history", TypeInformation.of(DestinationHistory.class));
        // Histories of addresses nobody contacts any more: event time cannot expire them (no timers in a
        // window function), so processing time does, at twice the lookback.
        historyDescriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(Duration.ofMillis(Math.max(2 * lookbackMs, 60_000)))
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build());
    }

    @Override
    public void process(String remoteIp, Context ctx, Iterable<DestinationAccumulator> windows, Collector<Contact> out)
            throws Exception {
        DestinationAccumulator acc = windows.iterator().next();
        ValueState<DestinationHistory> state = ctx.globalState().getState(historyDescriptor);
        DestinationHistory history = state.value();
        if (history == null) {
            history = new DestinationHistory();
        }
        long end = ctx.window().getEnd();
        int jobsRecent = history.record(acc.jobIds(), end, lookbackMs);
        history.prune(end, lookbackMs);
        if (history.isEmpty()) {
            state.clear();
        } else {
            state.update(history);
        }
        watch.seen(acc.watchingSince);
        if (end - watch.seen(ctx.window().getStart()) < warmupMs) {
            // popularity not known yet: no destination counts as rare
            jobsRecent = Math.max(jobsRecent, Contact.UNKNOWN_POPULARITY);
        }
        for (Contact contact : acc.contacts(ctx.window().getStart(), end, jobsRecent)) {
            out.collect(contact);
        }
    }
}
