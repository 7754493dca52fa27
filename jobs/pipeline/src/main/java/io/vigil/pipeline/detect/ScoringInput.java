package io.vigil.pipeline.detect;

import io.vigil.records.Assignment;

/**
 * What the scoring step receives per job, on one keyed stream: a window to score, or an assignment event
 * of the job (a STOP ends its state). One is set. One stream rather than two because the model releases
 * take the scoring operator's other input.
 */
public class ScoringInput {
    public FeaturedWindow window;
    public Assignment assignment;

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

    String jobId() {
        return window != null ? window.window.getJobId() : assignment.getJobId();
    }
}
