package io.vigil.pipeline.detect;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.FilterFunction;

/**
 * Lets through the first sighting of each (job, endpoint or process, minute) this instance sees (one instance per
 * kind of sighting and subtask, chained where the records are attributed), so that the
 * shuffle to {@link AgentContext} carries one per minute rather than every flow and sample. In memory, bounded
 * ({@link #CAPACITY}, least recently seen forgotten first), not checkpointed: what it forgets, or loses in a
 * restart, is sent again, and {@link AgentContext} keeps the earliest anyway.
 */
final class FirstSightings implements FilterFunction<AgentContextInput> {
    private static final long serialVersionUID = 1L;
    static final int CAPACITY = 65_536;

    private transient Map<String, Long> sent;

    @Override
    public boolean filter(AgentContextInput in) {
        if (in.seen == null) {
            return true;
        }
        if (sent == null) {
            sent = new LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                    return size() > CAPACITY;
                }
            };
        }
        String key = in.jobId + "|" + in.seen + "|" + Math.floorDiv(in.seenTs, 60_000L);
        Long before = sent.get(key);
        if (before != null && before <= in.seenTs) {
            return false;
        }
        sent.put(key, in.seenTs);
        return true;
    }
}
