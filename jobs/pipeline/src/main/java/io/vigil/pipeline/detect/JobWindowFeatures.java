package io.vigil.pipeline.detect;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.features.WindowAccumulator;
import io.vigil.records.JobWindow;
import java.time.Instant;
import java.util.List;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Computes a job-window's features (pure functions of models/) and keeps its evidence. */
final class JobWindowFeatures extends ProcessWindowFunction<WindowAccumulator, FeaturedWindow, String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final FeatureSet featureSet;
    private final int topDestinations;

    JobWindowFeatures(FeatureSet featureSet, int topDestinations) {
        this.featureSet = featureSet;
        this.topDestinations = topDestinations;
    }

    @Override
    public void process(String jobId, Context ctx, Iterable<WindowAccumulator> windows, Collector<FeaturedWindow> out) {
        WindowAccumulator acc = windows.iterator().next();
        JobWindow window = JobWindow.newBuilder()
                .setJobId(jobId)
                .setWindowStart(Instant.ofEpochMilli(ctx.window().getStart()))
                .setWindowEnd(Instant.ofEpochMilli(ctx.window().getEnd()))
                .setFeatureSet(featureSet.id())
                .setFeatures(featureSet.toMap(acc.features(featureSet)))
                .setFlowCount(acc.flowCount())
                .setSampleCount(acc.sampleCount())
                .setScore(null)
                .setThreshold(null)
                .setFlagged(false)
                .setCategories(List.of())
                .setModelVersion(null)
                .setLabel(null)
                .build();
        out.collect(new FeaturedWindow(window, acc.evidence(topDestinations), acc.failedTargets()));
    }
}
