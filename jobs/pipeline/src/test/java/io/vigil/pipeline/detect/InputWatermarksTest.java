package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.pipeline.ingest.Received;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.DeadLetter;
import io.vigil.records.Flow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

class InputWatermarksTest {
    private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(10);
    private static final Duration IDLENESS = Duration.ofSeconds(30);
    private static final Duration ASSIGNMENT_IDLENESS = Duration.ofSeconds(1);
    private static final Duration PERIOD = Duration.ofMillis(50);

    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final Output output = new Output();

    @Test
    void aSplitOfFlowsHoldsEventTimeBackThroughAShortSilence() {
        InputWatermarks watermarks = generator(ASSIGNMENT_IDLENESS);
        watermarks.onEvent(flow(100_000), 100_000, output);

        quiet(watermarks, Duration.ofSeconds(5));

        assertThat(output.idle).isFalse();
        assertThat(output.last).isEqualTo(100_000 - OUT_OF_ORDERNESS.toMillis() - 1);
    }

    @Test
    void aSplitOfFlowsGoesIdleAfterTheGeneralIdleness() {
        InputWatermarks watermarks = generator(ASSIGNMENT_IDLENESS);
        watermarks.onEvent(flow(100_000), 100_000, output);

        quiet(watermarks, IDLENESS.plusSeconds(1));

        assertThat(output.idle).isTrue();
    }

    @Test
    void aBacklogOfAssignmentsHoldsEventTimeBackAsLongAsFlowsDo() {
        // a restart: the first assignments of the split, and a busy machine spaces the next poll seconds apart
        InputWatermarks watermarks = generator(ASSIGNMENT_IDLENESS);
        watermarks.onEvent(assignment(100_000), 100_000, output);

        quiet(watermarks, Duration.ofSeconds(5));

        assertThat(output.idle).isFalse();
        assertThat(output.last).isEqualTo(100_000 - OUT_OF_ORDERNESS.toMillis() - 1);
    }

    @Test
    void aSplitOfAssignmentsThatHasCaughtUpGoesIdleAfterItsOwnShortIdleness() {
        InputWatermarks watermarks = caughtUpOnAssignments();

        watermarks.onEvent(assignment(400_000), 400_000, output);
        quiet(watermarks, ASSIGNMENT_IDLENESS.dividedBy(2));
        assertThat(output.idle).isFalse();
        quiet(watermarks, ASSIGNMENT_IDLENESS);
        assertThat(output.idle).isTrue();
    }

    @Test
    void aBusySchedulersSplitCatchesUpAfterTheGeneralIdlenessWithoutEverBeingSilentThatLong() {
        InputWatermarks watermarks = generator(ASSIGNMENT_IDLENESS);
        long ts = 100_000;
        // an event every 5 s, for longer than the general idleness: never silent that long
        for (int i = 0; i < 8; i++) {
            watermarks.onEvent(assignment(ts), ts, output);
            quiet(watermarks, Duration.ofSeconds(4));
            if (i < 5) {
                assertThat(output.idle)
                        .as("event %d, not caught up yet: 4 s of quiet are not idle", i)
                        .isFalse();
            }
            ts += 5_000;
        }

        watermarks.onEvent(assignment(ts), ts, output);
        quiet(watermarks, ASSIGNMENT_IDLENESS.multipliedBy(2));

        assertThat(output.idle).isTrue();
    }

    @Test
    void anAssignmentMakesAnIdleSplitActiveAgainAtItsTime() {
        InputWatermarks watermarks = caughtUpOnAssignments();

        watermarks.onEvent(assignment(400_000), 400_000, output);
        quiet(watermarks, PERIOD);

        assertThat(output.idle).isFalse();
        assertThat(output.last).isEqualTo(400_000 - OUT_OF_ORDERNESS.toMillis() - 1);
    }

    @Test
    void aDeadLetterDoesNotChangeWhatTheSplitCarries() {
        InputWatermarks watermarks = caughtUpOnAssignments();
        watermarks.onEvent(assignment(400_000), 400_000, output);
        watermarks.onEvent(deadLetter(), Long.MIN_VALUE, output);

        quiet(watermarks, ASSIGNMENT_IDLENESS.multipliedBy(2));

        assertThat(output.idle).isTrue();
    }

    @Test
    void aSplitOfFlowsThatHasBeenIdleKeepsTheGeneralIdleness() {
        InputWatermarks watermarks = generator(ASSIGNMENT_IDLENESS);
        watermarks.onEvent(flow(100_000), 100_000, output);
        quiet(watermarks, IDLENESS.plusSeconds(1));

        watermarks.onEvent(flow(400_000), 400_000, output);
        quiet(watermarks, Duration.ofSeconds(5));

        assertThat(output.idle).isFalse();
    }

    @Test
    void zeroAssignmentIdlenessTakesTheGeneralOne() {
        InputWatermarks watermarks = generator(Duration.ZERO);
        watermarks.onEvent(assignment(100_000), 100_000, output);
        quiet(watermarks, IDLENESS.plusSeconds(1));
        watermarks.onEvent(assignment(400_000), 400_000, output);

        quiet(watermarks, Duration.ofSeconds(5));
        assertThat(output.idle).isFalse();
        quiet(watermarks, IDLENESS);
        assertThat(output.idle).isTrue();
    }

    @Test
    void zeroIdlenessNeverGoesIdle() {
        InputWatermarks watermarks = new InputWatermarks(OUT_OF_ORDERNESS, Duration.ZERO, Duration.ZERO, clock);
        watermarks.onEvent(flow(100_000), 100_000, output);

        quiet(watermarks, Duration.ofMinutes(10));

        assertThat(output.idle).isFalse();
    }

    @Test
    void withoutAnEagerStepTheWatermarkWaitsForThePeriodicEmit() {
        InputWatermarks watermarks = generator(ASSIGNMENT_IDLENESS);
        watermarks.onEvent(flow(100_000), 100_000, output);
        watermarks.onEvent(flow(900_000), 900_000, output);

        assertThat(output.emitted).isEmpty();
    }

    @Test
    void withAnEagerStepTheWatermarkIsEmittedOnARecordOnceItHasMovedThatFar() {
        // reading a backlog with alignment: a split past the allowed drift is paused on the record that takes it there
        InputWatermarks watermarks =
                new InputWatermarks(OUT_OF_ORDERNESS, IDLENESS, ASSIGNMENT_IDLENESS, OUT_OF_ORDERNESS, clock);
        long lag = OUT_OF_ORDERNESS.toMillis() + 1;

        watermarks.onEvent(flow(100_000), 100_000, output);
        watermarks.onEvent(flow(105_000), 105_000, output); // 5 s on: not yet
        watermarks.onEvent(flow(104_000), 104_000, output); // out of order: never moves it
        watermarks.onEvent(flow(110_000), 110_000, output); // 10 s on
        watermarks.onEvent(deadLetter(), Long.MIN_VALUE, output);
        watermarks.onEvent(flow(500_000), 500_000, output);

        assertThat(output.emitted).containsExactly(100_000 - lag, 110_000 - lag, 500_000 - lag);
        quiet(watermarks, PERIOD);
        assertThat(output.last).isEqualTo(500_000 - lag);
    }

    @Test
    void liveTheEagerStepIsMeasuredFromThePeriodicWatermarkSoItAddsNone() {
        InputWatermarks watermarks =
                new InputWatermarks(OUT_OF_ORDERNESS, IDLENESS, ASSIGNMENT_IDLENESS, OUT_OF_ORDERNESS, clock);
        watermarks.onEvent(flow(100_000), 100_000, output);
        int first = output.emitted.size();
        // a record per second of event time, a periodic emit between each two: 30 s on, nothing but periodic emits
        for (long ts = 101_000; ts <= 130_000; ts += 1_000) {
            watermarks.onEvent(flow(ts), ts, output);
            int before = output.emitted.size();
            watermarks.onPeriodicEmit(output);
            assertThat(output.emitted).hasSize(before + 1);
        }
        assertThat(output.emitted).hasSize(first + 30);
    }

    @Test
    void anAlignedSplitThatHasReadNothingHasAWatermarkBelowEveryRecordSoItsReaderIsAligned() {
        // an empty partition: without a watermark of its own, its reader would report none and read unaligned
        InputWatermarks watermarks =
                new InputWatermarks(OUT_OF_ORDERNESS, IDLENESS, ASSIGNMENT_IDLENESS, OUT_OF_ORDERNESS, clock);
        quiet(watermarks, PERIOD);
        assertThat(output.last).isEqualTo(Long.MIN_VALUE + 1);
        assertThat(output.idle).isFalse();

        // its first record moves it at once; and a split that stays empty goes idle as any other
        watermarks.onEvent(flow(100_000), 100_000, output);
        assertThat(output.last).isEqualTo(100_000 - OUT_OF_ORDERNESS.toMillis() - 1);
        InputWatermarks empty =
                new InputWatermarks(OUT_OF_ORDERNESS, IDLENESS, ASSIGNMENT_IDLENESS, OUT_OF_ORDERNESS, clock);
        Output other = new Output();
        for (long t = 0; t <= IDLENESS.plusSeconds(1).toMillis(); t += PERIOD.toMillis()) {
            empty.onPeriodicEmit(other);
            clock.advanceTime(PERIOD);
        }
        assertThat(other.idle).isTrue();
        assertThat(other.emitted).containsOnly(Long.MIN_VALUE + 1);
    }

    @Test
    void anUnalignedSplitThatHasReadNothingHasNoWatermark() {
        InputWatermarks watermarks = generator(ASSIGNMENT_IDLENESS);
        quiet(watermarks, PERIOD);
        assertThat(output.emitted).containsOnly(Long.MIN_VALUE); // no watermark, as Flink counts one
    }

    /** A split whose assignments were all read: it went idle after the general idleness. */
    private InputWatermarks caughtUpOnAssignments() {
        InputWatermarks watermarks = generator(ASSIGNMENT_IDLENESS);
        watermarks.onEvent(assignment(100_000), 100_000, output);
        quiet(watermarks, IDLENESS.plusSeconds(1));
        assertThat(output.idle).isTrue();
        return watermarks;
    }

    private InputWatermarks generator(Duration assignmentIdleness) {
        return new InputWatermarks(OUT_OF_ORDERNESS, IDLENESS, assignmentIdleness, clock);
    }

    /** Periodic emits, as the source calls them, over {@code length} without records. */
    private void quiet(InputWatermarks watermarks, Duration length) {
        for (long t = 0; t <= length.toMillis(); t += PERIOD.toMillis()) {
            watermarks.onPeriodicEmit(output);
            clock.advanceTime(PERIOD);
        }
    }

    private static Received flow(long ts) {
        return Received.of(Flow.newBuilder()
                .setTs(Instant.ofEpochMilli(ts))
                .setStartTs(Instant.ofEpochMilli(ts))
                .setNode("n1")
                .setSrcIp("10.0.0.1")
                .setDstIp("10.0.0.2")
                .setSrcPort(1)
                .setDstPort(2)
                .setProtocol("tcp")
                .setOrigBytes(1)
                .setRespBytes(1)
                .setOrigPkts(1)
                .setRespPkts(1)
                .build());
    }

    private static Received assignment(long ts) {
        return Received.of(Assignment.newBuilder()
                .setTs(Instant.ofEpochMilli(ts))
                .setEvent(AssignmentEvent.START)
                .setJobId("job")
                .setNode("n1")
                .setPod("pod")
                .setIp("10.0.0.1")
                .setGpus(List.of(0))
                .build());
    }

    private static Received deadLetter() {
        return Received.of(DeadLetter.newBuilder()
                .setRecordType("ASSIGNMENT")
                .setReason("undecodable")
                .setField(null)
                .setDetail("corrupt")
                .setSource("vigil.assignments/0@7")
                .setEventTs(null)
                .setOriginalText(null)
                .setOriginalBytes(null)
                .build());
    }

    /** What the split's output was told last. */
    private static final class Output implements WatermarkOutput {
        final List<Long> emitted = new ArrayList<>();
        long last = Long.MIN_VALUE;
        boolean idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            emitted.add(watermark.getTimestamp());
            last = watermark.getTimestamp();
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }
}
