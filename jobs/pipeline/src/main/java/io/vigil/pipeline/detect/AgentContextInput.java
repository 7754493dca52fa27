package io.vigil.pipeline.detect;

import io.vigil.models.features.JobFlow;
import io.vigil.records.AgentEvent;
import io.vigil.records.Alert;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;

/**
 * What {@link AgentContext} receives per job, on one keyed stream: an alert (an incident's transition), one tool
 * call of the job's agents, or a sighting (a flow to a remote endpoint, a GPU process) whose first time may anchor
 * an alert. One of {@link #alert}, {@link #call} or {@link #seen} is set.
 */
public class AgentContextInput {
    public String jobId;
    public Alert alert;
    public AgentEvent call;
    /** A sighting's key: {@code ip|port} of a remote endpoint, or {@code gpu|name} of a GPU process. */
    public String seen;

    public long seenTs;
    /** A sighting's kind: each has its own budget per minute, so a sweep's probes never crowd out the rest. */
    public SightingKind kind;

    /** What a sighting is of. */
    public enum SightingKind {
        /** A remote endpoint that answered: an external host the job reached (a tunnel's, a pool's, a drop's). */
        ENDPOINT,
        /** A remote endpoint that did not answer: a probe, as a scan makes by the thousand. */
        PROBE,
        /** A process on the job's GPUs. */
        PROCESS
    }

    public AgentContextInput() {}

    static AgentContextInput of(Alert alert) {
        AgentContextInput in = new AgentContextInput();
        in.jobId = alert.getJobId();
        in.alert = alert;
        return in;
    }

    static AgentContextInput of(AgentEvent call) {
        AgentContextInput in = new AgentContextInput();
        in.jobId = call.getJobId();
        in.call = call;
        return in;
    }

    /** A flow that may be suspicious: to an external address, or unanswered. */
    static boolean mayAnchor(JobFlow f) {
        return f.external || f.respPkts() == 0;
    }

    static AgentContextInput of(JobFlow f) {
        AgentContextInput in = new AgentContextInput();
        in.jobId = f.jobId;
        in.seen = endpoint(f.remoteIp, f.remotePort);
        in.seenTs = f.startTs;
        in.kind = f.respPkts() == 0 ? SightingKind.PROBE : SightingKind.ENDPOINT;
        return in;
    }

    /** The sighting of one process of an attributed sample. */
    static AgentContextInput of(GpuSample s, GpuProcess p) {
        AgentContextInput in = new AgentContextInput();
        in.jobId = s.getJobId();
        in.seen = process(p.getName());
        in.seenTs = s.getTs().toEpochMilli();
        in.kind = SightingKind.PROCESS;
        return in;
    }

    static String endpoint(String ip, int port) {
        return ip + "|" + port;
    }

    /** The remote address of an {@link #endpoint} key. */
    static String endpointIp(String endpoint) {
        return endpoint.substring(0, endpoint.lastIndexOf('|'));
    }

    /** The remote port of an {@link #endpoint} key. */
    static int endpointPort(String endpoint) {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf('|') + 1));
    }

    static String process(String name) {
        return "gpu|" + name;
    }

    String jobId() {
        return jobId;
    }
}
