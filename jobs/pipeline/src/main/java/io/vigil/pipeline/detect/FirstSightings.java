package io.vigil.pipeline.detect;

import io.vigil.models.features.JobFlow;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * The first sighting of each (job, endpoint or process, minute) this instance sees (one instance per kind of
 * sighting and subtask, chained where the records are attributed), as the {@link AgentContext}'s input, so that the
 * shuffle to it carries one per minute rather than every flow and sample. In memory, bounded ({@link #CAPACITY},
 * least recently seen forgotten first), not checkpointed: what it forgets, or loses in a restart, is sent again, and
 * {@link AgentContext} keeps the earliest anyway. A record seen before is dropped before anything is made of it:
 * this runs for every flow that may anchor an alert and every GPU sample.
 */
final class FirstSightings {
    static final int CAPACITY = 65_536;

    /** What was seen: an endpoint (address and port) or a process (its name, port 0), of a job, in a minute. */
    private record Sighting(String jobId, String what, int port, long minute) {}

    private final Map<Sighting, Long> sent = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Sighting, Long> eldest) {
            return size() > CAPACITY;
        }
    };

    /** Whether this is the earliest sighting of {@code what} by {@code jobId} in its minute so far. */
    private boolean first(String jobId, String what, int port, long ts) {
        Sighting key = new Sighting(jobId, what, port, Math.floorDiv(ts, 60_000L));
        Long before = sent.get(key);
        if (before != null && before <= ts) {
            return false;
        }
        sent.put(key, ts);
        return true;
    }

    /** Of the remote endpoints of flows that may anchor an alert ({@link AgentContextInput#mayAnchor}). */
    static final class OfEndpoints implements FlatMapFunction<JobFlow, AgentContextInput> {
        private static final long serialVersionUID = 1L;
        private transient FirstSightings seen;

        @Override
        public void flatMap(JobFlow f, Collector<AgentContextInput> out) {
            if (seen == null) {
                seen = new FirstSightings();
            }
            if (seen.first(f.jobId, f.remoteIp, f.remotePort, f.startTs)) {
                out.collect(AgentContextInput.of(f));
            }
        }
    }

    /** Of the GPU processes of attributed samples. */
    static final class OfProcesses implements FlatMapFunction<GpuSample, AgentContextInput> {
        private static final long serialVersionUID = 1L;
        private transient FirstSightings seen;

        @Override
        public void flatMap(GpuSample s, Collector<AgentContextInput> out) {
            if (seen == null) {
                seen = new FirstSightings();
            }
            long ts = s.getTs().toEpochMilli();
            for (GpuProcess p : s.getProcesses()) {
                if (seen.first(s.getJobId(), p.getName(), 0, ts)) {
                    out.collect(AgentContextInput.of(s, p));
                }
            }
        }
    }
}
