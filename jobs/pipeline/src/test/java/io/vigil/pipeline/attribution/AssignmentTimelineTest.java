package io.vigil.pipeline.attribution;

import static io.vigil.pipeline.attribution.AttributionHarnessTest.BEGINNING;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.ONE_MINUTE_LATER;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.POD_IP;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.TWO_MINUTES_LATER;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.start;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.stop;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
}
