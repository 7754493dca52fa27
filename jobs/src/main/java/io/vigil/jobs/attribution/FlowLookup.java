package io.vigil.jobs.attribution;

import io.vigil.jobs.serde.RecordTypes;
import io.vigil.records.Flow;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A flow on its way through attribution: first by its source address, then by its destination. Flink
 * (de)serializes it with {@link io.vigil.jobs.serde.FlowLookupSerializer}, at both shuffles and in the
 * attribution state where it waits.
 */
@TypeInfo(RecordTypes.FlowLookupFactory.class)
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
