package io.vigil.pipeline.detect;

import io.vigil.pipeline.ingest.Received;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.Watermark;
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

    private final long outOfOrdernessMs;
    /** How far this split's watermark moves before it is emitted on a record, ms; 0: only periodically. */
    private final long eagerStepMs;
    /** The highest timestamp seen, and the last watermark emitted (periodically or on a record). */
    private long maxTimestamp = Long.MIN_VALUE;

    private long emittedWatermark = Long.MIN_VALUE;

    /**
     * @param idleness a split of flows or samples is idle after this long without records; zero: never
     * @param assignmentIdleness a split that has been idle before and whose last record was an assignment is idle
     *     after this long; zero: after {@code idleness}
     */
    InputWatermarks(Duration outOfOrderness, Duration idleness, Duration assignmentIdleness, RelativeClock clock) {
        this(outOfOrderness, idleness, assignmentIdleness, Duration.ZERO, clock);
    }

    /**
     * @param eagerStep zero: the watermark is emitted periodically only; else also on a record, as soon as it has
     *     moved this far since it was last emitted (see {@link #alignedStrategy}); live, between two periodic
     *     emits, it never moves that far; nonzero only with alignment, which also makes a split that has read
     *     nothing emit {@link #BEFORE_ANY_RECORD}
     */
    InputWatermarks(
            Duration outOfOrderness,
            Duration idleness,
            Duration assignmentIdleness,
            Duration eagerStep,
            RelativeClock clock) {
        this.watermarks = new BoundedOutOfOrdernessWatermarks<>(outOfOrderness);
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.eagerStepMs = eagerStep.toMillis();
        this.clock = clock;
        this.idlenessNanos = idleness.toNanos();
        this.dataTimer = idleness.isZero() ? null : new IdlenessTimer(clock, idleness);
        this.assignmentTimer = assignmentIdleness.isZero() ? null : new IdlenessTimer(clock, assignmentIdleness);
    }

    /** The strategy of every input source of the pipeline: these watermarks, timestamps from the records. */
    static WatermarkStrategy<Received> strategy(DetectSettings settings) {
        return strategy(settings, Duration.ZERO);
    }

    private static WatermarkStrategy<Received> strategy(DetectSettings settings, Duration eagerStep) {
        Duration outOfOrderness = settings.outOfOrderness();
        Duration idleness = settings.idleness();
        Duration assignmentIdleness = settings.assignmentIdleness();
        return WatermarkStrategy.<Received>forGenerator(context -> new InputWatermarks(
                        outOfOrderness, idleness, assignmentIdleness, eagerStep, context.getInputActivityClock()))
                .withTimestampAssigner((r, previous) -> r.eventTime());
    }

    /**
     * The strategy of a source whose splits can be paused (Kafka): as {@link #strategy}, and with split-level
     * watermark alignment unless {@code alignmentMaxDrift} is zero. Reading a backlog, every record ahead of the
     * slowest split's watermark waits in state; a split whose watermark is more than the drift ahead of the slowest
     * reader's is paused (Flink's {@code SourceOperator}: the Kafka consumer stops returning its records). Idle
     * splits do not hold it back: a reader's watermark is the minimum over its active splits, and an all-idle
     * reader reports the end of time. So an assignments partition that is behind and silent pauses the flows only
     * until it counts as idle, by its own activity clock (Flink gives each split one), which stands still only while
     * that split is paused or its task back-pressured.
     *
     * <p>What a split reads past the drift before it is paused: Flink compares a split's watermark with the allowed
     * maximum when the watermark is emitted, and a periodic watermark comes every 200 ms, in which a reader catching up
     * hands on thousands of records (hours of a small fleet's event time). So with alignment a split's watermark is
     * also emitted on a record once it has moved by the out-of-orderness (at least a second): a split is paused within
     * that much event time of the limit, a few watermarks per drift more. What the reader had already polled when it
     * pauses still goes out (the batch being handed on and the fetcher's queue, a few polls of
     * {@code input.max.poll.records} each).
     */
    static WatermarkStrategy<Received> alignedStrategy(DetectSettings settings) {
        if (settings.alignmentMaxDrift().isZero()) {
            return strategy(settings);
        }
        Duration eagerStep =
                settings.outOfOrderness().compareTo(MIN_EAGER_STEP) < 0 ? MIN_EAGER_STEP : settings.outOfOrderness();
        return strategy(settings, eagerStep)
                .withWatermarkAlignment(ALIGNMENT_GROUP, settings.alignmentMaxDrift(), ALIGNMENT_UPDATE);
    }

    /** The smallest step of a watermark emitted on a record: with no out-of-orderness, not one per record. */
    private static final Duration MIN_EAGER_STEP = Duration.ofSeconds(1);

    /** The inputs' alignment group: the one Kafka source of flows, samples and assignments. */
    private static final String ALIGNMENT_GROUP = "vigil-inputs";

    /**
     * How often readers report their watermarks and learn how far they may go: the slowest reader's watermark can
     * move at most one drift per update, so this caps how fast a backlog is read in event time (drift / update: at
     * the default 60 s drift and the pipeline's watermark interval of 200 ms, 300 times live pace; Flink's default of
     * 1 s would cap it at 60 times).
     */
    private static final Duration ALIGNMENT_UPDATE = Duration.ofMillis(200);

    @Override
    public void onEvent(Received record, long timestamp, WatermarkOutput output) {
        watermarks.onEvent(record, timestamp, output);
        if (timestamp > maxTimestamp) {
            maxTimestamp = timestamp;
            long watermark = maxTimestamp - outOfOrdernessMs - 1;
            if (eagerStepMs > 0
                    && (emittedWatermark == Long.MIN_VALUE || watermark - emittedWatermark >= eagerStepMs)) {
                // as the periodic emit would say: a split past the alignment's limit is paused now, not 200 ms on
                output.emitWatermark(new Watermark(watermark));
                emittedWatermark = watermark;
            }
        }
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
        } else if (maxTimestamp == Long.MIN_VALUE && eagerStepMs > 0) {
            // aligned, and nothing read yet (an empty partition, or its first fetch still to come): see
            // BEFORE_ANY_RECORD
            output.emitWatermark(BEFORE_ANY_RECORD);
        } else {
            watermarks.onPeriodicEmit(output);
            if (maxTimestamp != Long.MIN_VALUE) {
                emittedWatermark = maxTimestamp - outOfOrdernessMs - 1;
            }
        }
    }

    /**
     * The watermark of an aligned split that has read nothing yet. Flink's {@code SourceOperator} reports a reader's
     * watermark to the alignment only once it has one, i.e. once every active split of the reader has emitted one
     * (the minimum over them is undefined before), and until the first report it allows a reader to read to the end
     * of time. A split that never emits (an empty partition: four partitions of flows and four nodes need not map one
     * to one) so left its reader, and through it the others, reading unaligned until the split went idle, a general
     * idleness of wall time in which a backlog fills state with everything read ahead. Below every record, this
     * watermark gives the reader a defined minimum from the first periodic emit: the other splits are paused a drift
     * past it until the empty split has its first record or goes idle. The downstream watermark cannot move in that
     * time anyway (an active split without records holds it back); what the start pays is the alignment's round trip
     * and the reading of what came meanwhile once the split is idle (the first three windows of the bench's latency
     * phase came 1.5 s later, BENCHMARKS.md), against 22.6 MB of records read ahead on a 100 000-flow backlog.
     */
    private static final Watermark BEFORE_ANY_RECORD = new Watermark(Long.MIN_VALUE + 1);
}
