package io.vigil.pipeline.detect;

import io.vigil.models.features.DestinationAccumulator;
import org.apache.flink.api.common.functions.AggregateFunction;

/** Folds the jobs' contacts with one remote address in a window, as the per-job windows ask about them. */
final class DestinationAggregate
        implements AggregateFunction<DestinationAccumulator, DestinationAccumulator, DestinationAccumulator> {
    private static final long serialVersionUID = 1L;

    @Override
    public DestinationAccumulator createAccumulator() {
        return new DestinationAccumulator();
    }

    @Override
    public DestinationAccumulator add(DestinationAccumulator asked, DestinationAccumulator acc) {
        acc.merge(asked);
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
