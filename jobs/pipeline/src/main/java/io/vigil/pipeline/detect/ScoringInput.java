package io.vigil.pipeline.detect;

import io.vigil.records.Assignment;

/**
 * What the scoring step receives per job, on one keyed stream: a window to score, an assignment event of the job (a
 * STOP ends its state), or a tool call of its agents (counted in the window it ends in, or the job's next one when it
 * comes after that fired). One is set. One stream rather than several because the model releases take the scoring
 * operator's other input.
 */
public class ScoringInput {
    public FeaturedWindow window;
    public Assignment assignment;
    public AgentCallInput call;

    public ScoringInput() {}

    static ScoringInput of(FeaturedWindow window) {
        ScoringInput in = new ScoringInput();
        in.window = window;
        return in;
    }

    static ScoringInput of(Assignment assignment) {
        ScoringInput in = new ScoringInput();
        in.assignment = assignment;
        return in;
    }

    static ScoringInput of(AgentCallInput call) {
        ScoringInput in = new ScoringInput();
        in.call = call;
        return in;
    }

    String jobId() {
        return window != null ? window.window.getJobId() : assignment != null ? assignment.getJobId() : call.jobId;
    }
}
