package io.vigil.pipeline.detect;

import io.vigil.models.features.Contact;
import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.DestinationHistory;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
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
 */
final class DestinationContacts extends ProcessWindowFunction<DestinationAccumulator, Contact, String, TimeWindow>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    private final long lookbackMs;
    private final long warmupMs;
    /** Start of the first window this subtask saw: how long the fleet has been watched. Operator state. */
    private transient long watchingSince;

    private transient ListState<Long> watchingSinceState;
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
        watchingSinceState = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("watching-since", Types.LONG));
        watchingSince = Long.MAX_VALUE; // transient fields are not initialised when Flink deserialises the function
        for (Long since : watchingSinceState.get()) {
            watchingSince = Math.min(watchingSince, since);
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        watchingSinceState.update(watchingSince == Long.MAX_VALUE ? List.of() : List.of(watchingSince));
    }

    @Override
    public void open(OpenContext openContext) {
        if (watchingSinceState == null) {
            watchingSince = Long.MAX_VALUE; // no state to restore from (not called through a stateful operator)
        }
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
        watchingSince = Math.min(watchingSince, ctx.window().getStart());
        if (end - watchingSince < warmupMs) {
            // popularity not known yet: no destination counts as rare
            jobsRecent = Math.max(jobsRecent, Contact.RARE_MAX_JOBS + 1);
        }
        for (Contact contact : acc.contacts(ctx.window().getStart(), end, jobsRecent)) {
            out.collect(contact);
        }
    }
}
