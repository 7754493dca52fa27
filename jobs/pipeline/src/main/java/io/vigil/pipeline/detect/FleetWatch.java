package io.vigil.pipeline.detect;

import java.io.Serializable;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;

/**
 * Since when the pipeline has watched the fleet: the start of the earliest window a function has seen or been
 * told of, for the destination warm-up. Union operator state: a restore, at any parallelism, takes the earliest
 * any subtask knew.
 */
final class FleetWatch implements Serializable {
    private static final long serialVersionUID = 1L;

    private transient ListState<Long> state;
    private transient long since = Long.MAX_VALUE;

    /** From the function's {@code initializeState}. */
    void initialize(FunctionInitializationContext context) throws Exception {
        state = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("watching-since", Types.LONG));
        since = Long.MAX_VALUE; // transient fields are not initialised when Flink deserialises the function
        for (Long s : state.get()) {
            since = Math.min(since, s);
        }
    }

    /** From the function's {@code snapshotState}. */
    void snapshot() throws Exception {
        state.update(since == Long.MAX_VALUE ? List.of() : List.of(since));
    }

    /** From the function's {@code open}: without state to restore from (not called through a stateful operator). */
    void open() {
        if (state == null) {
            since = Long.MAX_VALUE;
        }
    }

    /** Takes in a window start seen, or a time told; returns the earliest known, epoch ms. */
    long seen(long windowStart) {
        since = Math.min(since, windowStart);
        return since;
    }
}
