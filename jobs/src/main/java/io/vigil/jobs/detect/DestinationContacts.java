package io.vigil.jobs.detect;

import io.vigil.models.features.Contact;
import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.DestinationHistory;
import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Turns one remote address's window into one {@link Contact} per job, each knowing how many jobs talk to
 * that address: in this window, and over the lookback (the address's history is keyed state). That is
 * the fleet's view a single job cannot have: an experiment tracker half the fleet uses is not a tunnel.
 */
final class DestinationContacts extends ProcessWindowFunction<DestinationAccumulator, Contact, String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final long lookbackMs;
    private transient ValueStateDescriptor<DestinationHistory> historyDescriptor;

    DestinationContacts(Duration lookback) {
        this.lookbackMs = lookback.toMillis();
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
        historyDescriptor = new ValueStateDescriptor<>("destination-history", TypeInformation.of(DestinationHistory.class));
        // Histories of addresses nobody contacts any more: event time cannot expire them (no timers in a
        // window function), so processing time does, at twice the lookback.
        historyDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(Math.max(2 * lookbackMs, 60_000)))
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
        for (Contact contact : acc.contacts(ctx.window().getStart(), end, jobsRecent)) {
            out.collect(contact);
        }
    }
}
