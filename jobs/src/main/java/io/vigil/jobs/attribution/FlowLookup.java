package io.vigil.jobs.attribution;

import io.vigil.records.Flow;

/** A flow on its way through attribution: first by its source address, then by its destination. */
public class FlowLookup {
    public Flow flow;
    /** Whether a job already owns the flow's source (so an unowned destination is no dead letter). */
    public boolean ownedBySource;

    public FlowLookup() {}

    public FlowLookup(Flow flow, boolean ownedBySource) {
        this.flow = flow;
        this.ownedBySource = ownedBySource;
    }
}
