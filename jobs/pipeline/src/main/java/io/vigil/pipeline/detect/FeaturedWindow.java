package io.vigil.pipeline.detect;

import io.vigil.records.Evidence;
import io.vigil.records.JobWindow;

/** A job's window with its features (not yet scored) and the evidence an alert would show. */
public class FeaturedWindow {
    public JobWindow window;
    public Evidence evidence;

    public FeaturedWindow() {}

    FeaturedWindow(JobWindow window, Evidence evidence) {
        this.window = window;
        this.evidence = evidence;
    }
}
