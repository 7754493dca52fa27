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
 * Watermarks of one input split (a Kafka partition, a file): bounded out-of-orderness, and idle after a
 * while without records, so that a quiet split does not hold back event time.
 *
 * <p>How long "a while" is depends on what the split carries. Flows and GPU samples arrive all the time:
 * a silence is an outage, and the split should keep holding event time back for a long while (the
 * general idleness, 30 s by default), or its records come back late. The scheduler's assignments arrive a
 * few times an hour: each one makes its partition active again, at the assignment's time, and from then
 * on that partition holds every window back until it counts as idle once more. With the general
 * idleness that delayed every alert after each START or STOP by up to 30 s. So once a split has caught
 * up, a split whose last record was an assignment goes idle after its own, short timeout
 * ({@code assignmentIdleness}, 1 s by default). Until then the general idleness holds: a backlog (a
 * restart, a replay from Kafka) is read in polls that a busy machine may space more than a second apart,
 * and a split marked idle with assignments still unread would let the flows' watermark pass them, so
 * flows would find no owner. A split has caught up once it has been idle (everything in it was read), or
 * once it has been read for the general idleness since its first record: the scheduler's backlog is
 * small, and a busy scheduler whose partition is never silent for 30 s must not lose the short timeout.
 * The clock is the source's input-activity clock, which stands still while the source is back-pressured.
 */
final class InputWatermarks implements WatermarkGenerator<Received> {
    private final WatermarkGenerator<Received> watermarks;
    private final IdlenessTimer dataTimer;
    private final IdlenessTimer assignmentTimer;
    private boolean lastWasAssignment;
    /** Whether this split has caught up: it has been idle, or read for the general idleness. */
    private boolean caughtUp;

    private final RelativeClock clock;
    private final long idlenessNanos;
    /** When this split's first record came, by {@code clock}; -1 before. */
    private long firstRecordNanos = -1;

    private boolean idle;

    /**
     * @param idleness a split of flows or samples is idle after this long without records; zero: never
     * @param assignmentIdleness a split that has been idle before and whose last record was an assignment is idle
     *     after this long; zero: after {@code idleness}
     */
    InputWatermarks(Duration outOfOrderness, Duration idleness, Duration assignmentIdleness, RelativeClock clock) {
        this.watermarks = new BoundedOutOfOrdernessWatermarks<>(outOfOrderness);
        this.clock = clock;
        this.idlenessNanos = idleness.toNanos();
        this.dataTimer = idleness.isZero() ? null : new IdlenessTimer(clock, idleness);
        this.assignmentTimer = assignmentIdleness.isZero() ? null : new IdlenessTimer(clock, assignmentIdleness);
    }

    /** The strategy of every input source of the pipeline: these watermarks, timestamps from the records. */
    static WatermarkStrategy<Received> strategy(DetectSettings settings) {
        Duration outOfOrderness = settings.outOfOrderness();
        Duration idleness = settings.idleness();
        Duration assignmentIdleness = settings.assignmentIdleness();
        return WatermarkStrategy.<Received>forGenerator(context -> new InputWatermarks(
                        outOfOrderness, idleness, assignmentIdleness, context.getInputActivityClock()))
                .withTimestampAssigner((r, previous) -> r.eventTime());
    }

    /**
     * The strategy of a source whose splits can be paused (Kafka): as {@link #strategy}, and with split-level
     * watermark alignment unless {@code alignmentMaxDrift} is zero. Reading a backlog, a reader takes about a
     * megabyte per partition per fetch, hours of event time of sparse flows against minutes of dense samples;
     * without alignment every record ahead of the watermark waits in state. A split more than the drift ahead
     * of the slowest reader's watermark is paused. Idle splits do not hold it back: a reader's watermark is the
     * minimum over its active splits, and an all-idle reader reports the end of time. So an assignments partition
     * that is behind and silent pauses the flows only until it counts as idle, by its own activity clock (Flink
     * gives each split one), which stands still only while that split is paused or its task back-pressured.
     */
    static WatermarkStrategy<Received> alignedStrategy(DetectSettings settings) {
        WatermarkStrategy<Received> strategy = strategy(settings);
        return settings.alignmentMaxDrift().isZero()
                ? strategy
                : strategy.withWatermarkAlignment(ALIGNMENT_GROUP, settings.alignmentMaxDrift(), ALIGNMENT_UPDATE);
    }

    /** The inputs' alignment group: the one Kafka source of flows, samples and assignments. */
    private static final String ALIGNMENT_GROUP = "vigil-inputs";

    /**
     * How often readers report their watermarks and learn how far they may go: the slowest reader's watermark can
     * move at most one drift per update, so this caps how fast a backlog is read in event time (one drift per
     * second, Flink's default, held the bench's sparse 600 000-flow backlog to 180 times live pace: 181 s instead
     * of 31 s); at the pipeline's watermark interval (200 ms) the cap is five times higher.
     */
    private static final Duration ALIGNMENT_UPDATE = Duration.ofMillis(200);

    @Override
    public void onEvent(Received record, long timestamp, WatermarkOutput output) {
        watermarks.onEvent(record, timestamp, output);
        if (record.record() != null) {
            // a dead letter (or a file's counts) says nothing about what the split carries
            lastWasAssignment = record.assignment != null;
        }
        if (firstRecordNanos < 0) {
            firstRecordNanos = clock.relativeTimeNanos();
        }
        if (dataTimer != null) {
            dataTimer.activity();
        }
        if (assignmentTimer != null) {
            assignmentTimer.activity();
        }
        idle = false;
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        // both timers are asked every time, so that each measures the silence from its start
        boolean dataIdle = dataTimer != null && dataTimer.checkIfIdle();
        boolean assignmentIdle = assignmentTimer != null && assignmentTimer.checkIfIdle();
        if (!caughtUp
                && dataTimer != null
                && firstRecordNanos >= 0
                && clock.relativeTimeNanos() - firstRecordNanos > idlenessNanos) {
            caughtUp = true;
        }
        if (dataIdle || (caughtUp && lastWasAssignment && assignmentIdle)) {
            caughtUp = true;
            if (!idle) {
                output.markIdle();
                idle = true;
            }
        } else {
            watermarks.onPeriodicEmit(output);
        }
    }
}
