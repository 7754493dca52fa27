package io.vigil.pipeline.detect;

import io.vigil.models.features.DestinationAccumulator;
import org.apache.flink.api.common.functions.AggregateFunction;

/** Folds one remote address's flows of a window (or partial sums of them) into per-job contact statistics, as they arrive. */
final class DestinationAggregate
        implements AggregateFunction<JobFlows, DestinationAccumulator, DestinationAccumulator> {
    private static final long serialVersionUID = 1L;

    @Override
    public DestinationAccumulator createAccumulator() {
        return new DestinationAccumulator();
    }

    @Override
    public DestinationAccumulator add(JobFlows flows, DestinationAccumulator acc) {
        if (flows.flow != null) {
            acc.add(flows.flow);
        } else {
            acc.merge(flows.partial);
        }
        return acc;
    }

    @Override
    public DestinationAccumulator getResult(DestinationAccumulator acc) {
        return acc;
    }

    @Override
    public DestinationAccumulator merge(DestinationAccumulator a, DestinationAccumulator b) {
        a.merge(b);
        return a;
    }
}
