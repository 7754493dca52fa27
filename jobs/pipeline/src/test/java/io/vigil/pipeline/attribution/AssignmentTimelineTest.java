package io.vigil.pipeline.attribution;

import static io.vigil.pipeline.attribution.AttributionHarnessTest.BEGINNING;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.ONE_MINUTE_LATER;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.POD_IP;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.TWO_MINUTES_LATER;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.start;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.stop;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.Assignment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AssignmentTimelineTest {

    @Test
    void nobodyOwnsAnAddressBeforeItsFirstStart() {
        AssignmentTimeline t = new AssignmentTimeline();
        t.apply(start("job-a", POD_IP, ONE_MINUTE_LATER));
        assertThat(t.ownerAt(BEGINNING.toEpochMilli())).isNull();
        assertThat(t.ownerAt(ONE_MINUTE_LATER.toEpochMilli())).isEqualTo("job-a");
    }

    @Test
    void theStopEndsTheHoldExclusively() {
        AssignmentTimeline t = new AssignmentTimeline();
        t.apply(start("job-a", POD_IP, BEGINNING));
        t.apply(stop("job-a", POD_IP, ONE_MINUTE_LATER));
        assertThat(t.ownerAt(ONE_MINUTE_LATER.toEpochMilli() - 1)).isEqualTo("job-a");
        assertThat(t.ownerAt(ONE_MINUTE_LATER.toEpochMilli())).isNull();
    }

    @Test
    void theAnswerDoesNotDependOnTheOrderEventsArrive() {
        AssignmentTimeline inOrder = new AssignmentTimeline();
        AssignmentTimeline shuffled = new AssignmentTimeline();
        var events = List.of(
                start("job-a", POD_IP, BEGINNING),
                stop("job-a", POD_IP, ONE_MINUTE_LATER),
                start("job-b", POD_IP, TWO_MINUTES_LATER));
        events.forEach(inOrder::apply);
        for (int i = events.size() - 1; i >= 0; i--) {
            shuffled.apply(events.get(i));
        }
        for (long ts = BEGINNING.toEpochMilli() - 1000; ts < TWO_MINUTES_LATER.toEpochMilli() + 60_000; ts += 5_000) {
            assertThat(shuffled.ownerAt(ts)).as("at %d", ts).isEqualTo(inOrder.ownerAt(ts));
        }
    }

    @Test
    void forgetsHoldsThatEndedBeforeTheHorizon() {
        AssignmentTimeline t = new AssignmentTimeline();
        t.apply(start("job-a", POD_IP, BEGINNING));
        t.apply(start("job-b", POD_IP, ONE_MINUTE_LATER));
        assertThat(t.earliestEnd()).isEqualTo(ONE_MINUTE_LATER.toEpochMilli());
        assertThat(t.forgetEndedBefore(ONE_MINUTE_LATER.toEpochMilli())).isTrue();
        assertThat(t.starts).extracting(m -> m.jobId).containsExactly("job-b");
    }

    /**
     * An address reused many times, its events in any order, with ties: when the first hold ends and what a clean-up
     * keeps are what the definitions say (each hold ends at its job's first STOP at or after its START, or at the
     * next START, whichever is first), and the owner at every time is unchanged by a clean-up after that time.
     */
    @Test
    void cleanUpsKeepExactlyTheHoldsThatHaveNotEndedOnAnAddressReusedManyTimes() {
        for (int seed = 0; seed < 200; seed++) {
            Random random = new Random(seed);
            List<Assignment> events = new ArrayList<>();
            long ts = BEGINNING.toEpochMilli();
            for (int hold = 0; hold < 1 + random.nextInt(30); hold++) {
                ts += random.nextInt(3) * 1_000L; // a third of the STARTs tie with the one before
                String job = "job-" + random.nextInt(6); // jobs come back to the same address
                events.add(start(job, POD_IP, Instant.ofEpochMilli(ts)));
                if (random.nextBoolean()) {
                    events.add(stop(job, POD_IP, Instant.ofEpochMilli(ts + random.nextInt(4) * 1_000L)));
                }
            }
            Collections.shuffle(events, random);
            AssignmentTimeline t = new AssignmentTimeline();
            events.forEach(t::apply);
            long last = ts + 5_000;

            List<Long> ends = endsByDefinition(t);
            long earliestStop = t.stops.stream().mapToLong(m -> m.ts).min().orElse(Long.MAX_VALUE);
            assertThat(t.earliestEnd())
                    .as("seed %d", seed)
                    .isEqualTo(Math.min(ends.stream().mapToLong(e -> e).min().orElse(Long.MAX_VALUE), earliestStop));

            long horizon = BEGINNING.toEpochMilli() + random.nextInt((int) (last - BEGINNING.toEpochMilli()));
            List<String> kept = new ArrayList<>();
            for (int i = 0; i < t.starts.size(); i++) {
                if (ends.get(i) > horizon) {
                    kept.add(t.starts.get(i).jobId + "@" + t.starts.get(i).ts);
                }
            }
            List<String> owners = new ArrayList<>();
            for (long at = horizon + 1; at <= last; at += 500) {
                owners.add(t.ownerAt(at));
            }
            t.forgetEndedBefore(horizon);
            assertThat(t.starts)
                    .as("seed %d", seed)
                    .extracting(m -> m.jobId + "@" + m.ts)
                    .containsExactlyElementsOf(kept);
            assertThat(t.stops)
                    .as("seed %d", seed)
                    .allSatisfy(m -> assertThat(m.ts).isGreaterThan(horizon));
            List<String> after = new ArrayList<>();
            for (long at = horizon + 1; at <= last; at += 500) {
                after.add(t.ownerAt(at));
            }
            assertThat(after).as("seed %d", seed).isEqualTo(owners);
        }
    }

    /** Each hold's end, from the class's definition, one hold at a time. */
    private static List<Long> endsByDefinition(AssignmentTimeline t) {
        List<Long> ends = new ArrayList<>();
        for (int i = 0; i < t.starts.size(); i++) {
            AssignmentTimeline.Mark start = t.starts.get(i);
            long end = i + 1 < t.starts.size() ? t.starts.get(i + 1).ts : Long.MAX_VALUE;
            for (AssignmentTimeline.Mark stop : t.stops) {
                if (stop.jobId.equals(start.jobId) && stop.ts >= start.ts) {
                    end = Math.min(end, stop.ts);
                }
            }
            ends.add(end);
        }
        return ends;
    }
}
