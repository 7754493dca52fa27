package io.vigil.pipeline.detect;

import io.vigil.records.Alert;
import io.vigil.records.Assignment;

/**
 * What the incident lifecycle receives per job, on one keyed stream: a flagged window (as its own alert), or an
 * assignment event of the job (a STOP closes its incident). One is set.
 */
public class IncidentInput {
    public Alert window;
    public Assignment assignment;

    public IncidentInput() {}

    static IncidentInput of(Alert window) {
        IncidentInput in = new IncidentInput();
        in.window = window;
        return in;
    }

    static IncidentInput of(Assignment assignment) {
        IncidentInput in = new IncidentInput();
        in.assignment = assignment;
        return in;
    }

    String jobId() {
        return window != null ? window.getJobId() : assignment.getJobId();
    }
}
