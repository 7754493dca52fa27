package io.vigil.pipeline.detect;

import io.vigil.models.features.JobContacts;
import org.apache.flink.api.common.functions.AggregateFunction;

/** Folds one job's flows of a window (or partial sums of them) into its contacts per remote address, as they arrive. */
final class JobContactsAggregate implements AggregateFunction<JobFlows, JobContacts, JobContacts> {
    private static final long serialVersionUID = 1L;

    @Override
    public JobContacts createAccumulator() {
        return new JobContacts();
    }

    @Override
    public JobContacts add(JobFlows flows, JobContacts acc) {
        if (flows.flow != null) {
            acc.add(flows.flow);
        } else {
            acc.merge(flows.partial);
        }
        return acc;
    }

    @Override
    public JobContacts getResult(JobContacts acc) {
        return acc;
    }

    @Override
    public JobContacts merge(JobContacts a, JobContacts b) {
        a.merge(b);
        return a;
    }
}
