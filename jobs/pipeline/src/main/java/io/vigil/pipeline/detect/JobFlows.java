package io.vigil.pipeline.detect;

import io.vigil.models.features.JobContacts;
import io.vigil.models.features.JobFlow;

/**
 * What the per-job contacts window reads: one attributed flow, or the flows of one job and window already
 * folded together on their way ({@link PreCombine}). One is set. A Flink POJO.
 */
public class JobFlows {
    public JobFlow flow;
    public JobContacts partial;

    public JobFlows() {}

    static JobFlows of(JobFlow flow) {
        JobFlows f = new JobFlows();
        f.flow = flow;
        return f;
    }

    static JobFlows of(JobContacts partial) {
        JobFlows f = new JobFlows();
        f.partial = partial;
        return f;
    }

    /** The key of the per-job contacts window. */
    String jobId() {
        return flow != null ? flow.jobId : partial.jobId;
    }
}
