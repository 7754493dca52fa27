package io.vigil.pipeline.detect;

import io.vigil.models.agents.AgentBehaviour;
import io.vigil.models.agents.CallBehaviour;
import io.vigil.models.features.NetworkScope;
import io.vigil.records.AgentEvent;

/**
 * One tool call as the scoring step keeps it until its job's window is scored: read at the edge into what its command
 * does ({@link CallBehaviour}, as bits) and how it ended, without the command text. A Flink POJO, for keyed state.
 */
public class AgentCallInput {
    public String jobId;
    public long ts;
    public long startTs;
    public String episodeId;
    public Long step;
    public int behaviours;
    public boolean network;
    public boolean failed;

    public AgentCallInput() {}

    static AgentCallInput of(AgentEvent event, NetworkScope scope) {
        AgentBehaviour.Call call = AgentBehaviour.call(event, scope);
        AgentCallInput in = new AgentCallInput();
        in.jobId = event.getJobId();
        in.ts = call.ts();
        in.startTs = call.startTs();
        in.episodeId = call.episodeId();
        in.step = call.step();
        in.behaviours = call.behaviours();
        in.network = call.network();
        in.failed = call.failed();
        return in;
    }

    AgentBehaviour.Call call() {
        return new AgentBehaviour.Call(ts, startTs, episodeId, step, behaviours, network, failed);
    }
}
