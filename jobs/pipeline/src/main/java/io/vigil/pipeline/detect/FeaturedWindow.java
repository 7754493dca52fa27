package io.vigil.pipeline.detect;

import io.vigil.models.features.DistinctCounter;
import io.vigil.models.features.ScanMemory;
import io.vigil.records.Evidence;
import io.vigil.records.JobWindow;

/**
 * A job's window with its features (not yet scored), the evidence an alert would show, and the window's
 * failed targets, which the scoring step adds to the job's {@link ScanMemory} (null: none known).
 */
public class FeaturedWindow {
    public JobWindow window;
    public Evidence evidence;
    public DistinctCounter failedTargets;

    public FeaturedWindow() {}

    FeaturedWindow(JobWindow window, Evidence evidence) {
        this(window, evidence, null);
    }

    FeaturedWindow(JobWindow window, Evidence evidence, DistinctCounter failedTargets) {
        this.window = window;
        this.evidence = evidence;
        this.failedTargets = failedTargets;
    }
}
