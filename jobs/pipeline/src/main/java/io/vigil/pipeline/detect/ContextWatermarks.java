package io.vigil.pipeline.detect;

import io.vigil.pipeline.ingest.Received;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.eventtime.WatermarksWithIdleness.IdlenessTimer;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Watermarks of a context input split (the agents' tool calls): bounded out-of-orderness while records come, and
 * idle after {@link #QUIET} without any ({@link #FIRST_RECORD_WAIT} before its first), whatever {@code
 * watermark.idleness.ms} says.
 *
 * <p>Why not the inputs' idleness: tool calls are context, whose watermarks reach one stage only ({@link
 * AgentContext}), and that stage tells the alerts. Flows and samples arrive all the time, and a silence of theirs is an outage worth
 * waiting out; tool calls come in bursts, from some jobs only, and a topic or partition without any is the normal
 * case. Held to the inputs' idleness (30 s, or never with 0) an empty partition would hold every alert back, since
 * a split that never had a record emits no watermark of its own. So a quiet split is idle at once, by the input
 * activity clock (which stands still while the source is back-pressured); while calls flow, their watermarks still
 * let the alerts wait for calls in flight. The price: a call read after the alert it belongs to was told (its topic
 * lagging the flows by more than {@link AgentContext#CALL_GRACE_MS}) is not named on it, and is counted
 * ({@code agentContext.callsAfterTheirAlerts}); its incident's next transition names it. Detection itself never
 * waits for tool calls: they are a source of their own ({@link DetectPipeline.Inputs#context}); the scoring step,
 * which counts them into their job's windows ({@link ScoreWindows}), reads them on an input that is idle in event
 * time.
 */
final class ContextWatermarks implements WatermarkGenerator<Received> {
    /** How long a context split that has had records may be quiet before it counts as idle. */
    static final Duration QUIET = Duration.ofSeconds(1);
    /**
     * How long a context split without any record yet counts as active: its reader's first poll (the consumer's
     * start, finding the offsets) may take seconds on a loaded machine, and calls it has not read yet would come after
     * their alerts. An empty partition delays alerts by this much once, when the job starts.
     */
    static final Duration FIRST_RECORD_WAIT = Duration.ofSeconds(10);

    private final WatermarkGenerator<Received> watermarks;
    private final IdlenessTimer quiet;
    private final IdlenessTimer firstRecordWait;
    private boolean hadRecord;
    private boolean idle;

    ContextWatermarks(Duration outOfOrderness, RelativeClock clock) {
        this.watermarks = new BoundedOutOfOrdernessWatermarks<>(outOfOrderness);
        this.quiet = new IdlenessTimer(clock, QUIET);
        this.firstRecordWait = new IdlenessTimer(clock, FIRST_RECORD_WAIT);
    }

    /** The strategy of every context source: these watermarks, timestamps from the records. */
    static WatermarkStrategy<Received> strategy(DetectSettings settings) {
        Duration outOfOrderness = settings.outOfOrderness();
        return WatermarkStrategy.<Received>forGenerator(
                        context -> new ContextWatermarks(outOfOrderness, context.getInputActivityClock()))
                .withTimestampAssigner((r, previous) -> r.eventTime());
    }

    @Override
    public void onEvent(Received record, long timestamp, WatermarkOutput output) {
        watermarks.onEvent(record, timestamp, output);
        quiet.activity();
        hadRecord = true;
        idle = false;
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (hadRecord ? quiet.checkIfIdle() : firstRecordWait.checkIfIdle()) {
            if (!idle) {
                output.markIdle();
                idle = true;
            }
        } else {
            watermarks.onPeriodicEmit(output);
        }
    }
}
