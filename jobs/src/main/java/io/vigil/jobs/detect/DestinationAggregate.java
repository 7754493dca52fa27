package io.vigil.jobs.detect;

import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.JobFlow;
import org.apache.flink.api.common.functions.AggregateFunction;

/** Folds one remote address's flows of a window into per-job contact statistics, as they arrive. */
final class DestinationAggregate implements AggregateFunction<JobFlow, DestinationAccumulator, DestinationAccumulator> {
    private static final long serialVersionUID = 1L;

    @Override
    public DestinationAccumulator createAccumulator() {
        return new DestinationAccumulator();
    }

    @Override
    public DestinationAccumulator add(JobFlow flow, DestinationAccumulator acc) {
        acc.add(flow);
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
