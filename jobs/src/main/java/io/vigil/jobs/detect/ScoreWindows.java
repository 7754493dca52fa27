package io.vigil.jobs.detect;

import io.vigil.models.scoring.Verdict;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.JobWindow;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Scores each window of a job, emits every scored window, and turns flagged ones into alerts (a side
 * output). Consecutive flagged windows of the same category share an incident id.
 *
 * <p>State per job: the open incident. It is cleared a window after the job's STOP, or after
 * {@code jobIdleTimeout} without a window, whichever comes first.
 */
public final class ScoreWindows extends KeyedCoProcessFunction<String, FeaturedWindow, Assignment, JobWindow> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<Alert> ALERTS = new OutputTag<>("alerts") {};

    private final WindowScorer scorer;
    private final long windowMs;
    private final long retentionMs;
    private final long idleTimeoutMs;

    private transient ValueState<Incident> incident;
    private transient ValueState<Long> cleanupAt;
    private transient ValueState<Boolean> stopped;
    private transient Counter alerts;
    private transient Counter windows;

    public ScoreWindows(WindowScorer scorer, DetectSettings settings) {
        this.scorer = scorer;
        this.windowMs = settings.windowSize().toMillis();
        this.retentionMs = settings.retentionMs();
        this.idleTimeoutMs = settings.jobIdleTimeout().toMillis();
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
        incident = getRuntimeContext().getState(new ValueStateDescriptor<>("incident", TypeInformation.of(Incident.class)));
        cleanupAt = getRuntimeContext().getState(new ValueStateDescriptor<>("cleanup-at", Types.LONG));
        stopped = getRuntimeContext().getState(new ValueStateDescriptor<>("stopped", Types.BOOLEAN));
        alerts = getRuntimeContext().getMetricGroup().counter("alerts");
        windows = getRuntimeContext().getMetricGroup().counter("windowsScored");
    }

    @Override
    public void processElement1(FeaturedWindow featured, Context ctx, Collector<JobWindow> out) throws Exception {
        JobWindow window = featured.window;
        Verdict verdict = scorer.score(scorer.featureSet().fromMap(window.getFeatures()));
        String modelVersion = scorer.modelVersion();
        JobWindow scored = JobWindow.newBuilder(window)
                .setScore(verdict.score())
                .setThreshold(verdict.threshold())
                .setFlagged(verdict.flagged())
                .setCategories(verdict.categories())
                .setModelVersion(modelVersion)
                .build();
        windows.inc();
        out.collect(scored);

        long start = window.getWindowStart().toEpochMilli();
        long end = window.getWindowEnd().toEpochMilli();
        if (verdict.flagged()) {
            String category = Alerts.primaryCategory(verdict).name();
            Incident open = incident.value();
            if (open == null || !open.category.equals(category) || start > open.lastWindowEnd) {
                open = new Incident(Alerts.incidentId(window.getJobId(), start, category), category, end);
            } else {
                open.lastWindowEnd = end;
            }
            incident.update(open);
            alerts.inc();
            ctx.output(ALERTS, Alerts.of(scored, verdict, modelVersion, open.incidentId, featured.evidence));
        }
        if (stopped.value() == null) {
            scheduleCleanup(ctx, end + idleTimeoutMs);
        }
    }

    /**
     * A STOP brings the clean-up forward to a window after it (its last windows may still fire). A START
     * of the same job (a restart) cancels that: the job's history carries on.
     */
    @Override
    public void processElement2(Assignment event, Context ctx, Collector<JobWindow> out) throws Exception {
        long ts = event.getTs().toEpochMilli();
        if (event.getEvent() == AssignmentEvent.STOP) {
            stopped.update(true);
            scheduleCleanup(ctx, ts + retentionMs + windowMs);
        } else if (stopped.value() != null) {
            stopped.clear();
            scheduleCleanup(ctx, ts + idleTimeoutMs);
        }
    }

    /** Keeps one clean-up timer per job. */
    private void scheduleCleanup(Context ctx, long at) throws Exception {
        Long current = cleanupAt.value();
        if (current != null && current == at) {
            return;
        }
        if (current != null) {
            ctx.timerService().deleteEventTimeTimer(current);
        }
        ctx.timerService().registerEventTimeTimer(at);
        cleanupAt.update(at);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<JobWindow> out) {
        incident.clear();
        cleanupAt.clear();
        stopped.clear();
    }
}
