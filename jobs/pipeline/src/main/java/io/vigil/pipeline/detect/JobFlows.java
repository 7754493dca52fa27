package io.vigil.pipeline.detect;

import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.JobFlow;

/**
 * What the per-destination window reads: one attributed flow, or the flows of one remote address and window
 * already folded together on their way ({@link PreCombine}). One is set. A Flink POJO.
 */
public class JobFlows {
    public JobFlow flow;
    public DestinationAccumulator partial;

    public JobFlows() {}

    static JobFlows of(JobFlow flow) {
        JobFlows f = new JobFlows();
        f.flow = flow;
        return f;
    }

    static JobFlows of(DestinationAccumulator partial) {
        JobFlows f = new JobFlows();
        f.partial = partial;
        return f;
    }

    /** The key of the per-destination window. */
    String remoteIp() {
        return flow != null ? flow.remoteIp : partial.remoteIp;
    }
}
