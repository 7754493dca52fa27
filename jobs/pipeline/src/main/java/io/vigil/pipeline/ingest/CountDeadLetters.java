package io.vigil.pipeline.ingest;

import io.vigil.records.DeadLetter;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Counts every dead letter, whichever stage refused it, as the Flink metric
 * {@code deadletters.<record type>.<reason>} (e.g. {@code deadletters.flow.bad_ip}), on its way to the sink; and
 * all of them as {@code deadLetters}, there from the start (at 0) so that a rate over it is never missing.
 */
public final class CountDeadLetters extends RichMapFunction<DeadLetter, DeadLetter> {
    private static final long serialVersionUID = 1L;

    private transient MetricGroup group;
    private transient Counter all;
    private transient Map<String, Counter> counters;

    @Override
    public void open(OpenContext openContext) {
        all = getRuntimeContext().getMetricGroup().counter("deadLetters");
        group = getRuntimeContext().getMetricGroup().addGroup("deadletters");
        counters = new HashMap<>();
    }

    @Override
    public DeadLetter map(DeadLetter d) {
        all.inc();
        counters.computeIfAbsent(
                        d.getRecordType() + "." + d.getReason(),
                        k -> group.addGroup(d.getRecordType()).counter(d.getReason()))
                .inc();
        return d;
    }
}
