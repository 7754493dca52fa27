package io.vigil.pipeline.detect;

import io.vigil.models.features.WindowAccumulator;
import org.apache.flink.api.common.functions.AggregateFunction;

/** Folds a job's contacts and GPU samples of one window (or partial sums of them) into its running feature sums, as they arrive. */
final class JobWindowAggregate implements AggregateFunction<JobSignal, WindowAccumulator, WindowAccumulator> {
    private static final long serialVersionUID = 1L;

    @Override
    public WindowAccumulator createAccumulator() {
        return new WindowAccumulator();
    }

    @Override
    public WindowAccumulator add(JobSignal signal, WindowAccumulator acc) {
        if (signal.contact != null) {
            acc.add(signal.contact);
        } else if (signal.sample != null) {
            acc.add(signal.sample);
        } else {
            acc.merge(signal.partial);
        }
        return acc;
    }

    @Override
    public WindowAccumulator getResult(WindowAccumulator acc) {
        return acc;
    }

    @Override
    public WindowAccumulator merge(WindowAccumulator a, WindowAccumulator b) {
        a.merge(b);
        return a;
    }
}
