package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Placement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PlacementsTest {
    static final long MINUTE = 60_000;

    static Assignment event(AssignmentEvent event, String pod, String node, long ts, Integer... gpus) {
        return Assignment.newBuilder()
                .setTs(Instant.ofEpochMilli(ts))
                .setEvent(event)
                .setJobId("job")
                .setNode(node)
                .setPod(pod)
                .setIp("10.0.0." + pod.length())
                .setGpus(List.of(gpus))
                .setLabels(null)
                .build();
    }

    static Map<String, List<Assignment>> byPod(Assignment... events) {
        Map<String, List<Assignment>> byPod = new TreeMap<>();
        for (Assignment a : events) {
            byPod.computeIfAbsent(a.getPod(), p -> new ArrayList<>()).add(a);
        }
        return byPod;
    }

    static List<String> during(Map<String, List<Assignment>> byPod, long start) {
        return Placements.during(byPod, start, start + MINUTE).stream()
                .map(p -> p.getPod() + "@" + p.getNode() + p.getGpus())
                .toList();
    }

    @Test
    void aPodRunsFromItsStartUntilTheWindowOfItsStop() {
        var byPod = byPod(
                event(AssignmentEvent.START, "a", "n1", 0, 0, 1),
                event(AssignmentEvent.STOP, "a", "n1", 5 * MINUTE + 10),
                event(AssignmentEvent.START, "b", "n2", 3 * MINUTE + 30_000, 4));

        assertThat(during(byPod, 2 * MINUTE)).containsExactly("a@n1[0, 1]");
        assertThat(during(byPod, 3 * MINUTE)).containsExactly("a@n1[0, 1]", "b@n2[4]");
        assertThat(during(byPod, 5 * MINUTE)).as("stopped within it").containsExactly("a@n1[0, 1]", "b@n2[4]");
        assertThat(during(byPod, 6 * MINUTE)).containsExactly("b@n2[4]");
    }

    @Test
    void aDualStackPodIsPlacedAtItsLowerAddressWhicheverOfItsStartsCameFirst() {
        Assignment v4 = event(AssignmentEvent.START, "a", "n1", 0, 0);
        Assignment v6 = Assignment.newBuilder(v4).setIp("fd00:10:10::c").build();
        for (var byPod : List.of(byPod(v4, v6), byPod(v6, v4))) {
            assertThat(Placements.during(byPod, 0, MINUTE))
                    .singleElement()
                    .satisfies(p -> assertThat(p.getIp()).isEqualTo(v4.getIp()));
        }
    }

    @Test
    void keepHoldsTheDualStackStartThatPlacesThePodWhicheverCameLast() {
        Assignment v4 = event(AssignmentEvent.START, "a", "n1", 0, 0);
        Assignment v6 = Assignment.newBuilder(v4).setIp("fd00:10:10::c").build();
        for (List<Assignment> arrived : List.of(List.of(v4, v6), List.of(v6, v4))) {
            assertThat(Placements.keep(arrived, 2 * MINUTE)).containsExactly(v4);
        }
    }

    @Test
    void arrivalOrderDoesNotMatterAndARestartMovesThePod() {
        var byPod = byPod(
                event(AssignmentEvent.START, "a", "n3", 10 * MINUTE, 2),
                event(AssignmentEvent.STOP, "a", "n1", 4 * MINUTE),
                event(AssignmentEvent.START, "a", "n1", 0, 0));

        assertThat(during(byPod, 2 * MINUTE)).containsExactly("a@n1[0]");
        assertThat(during(byPod, 7 * MINUTE)).isEmpty();
        assertThat(during(byPod, 11 * MINUTE)).containsExactly("a@n3[2]");
    }

    @Test
    void keepHoldsOnlyWhatAWindowToComeCanNeed() {
        Assignment start = event(AssignmentEvent.START, "a", "n1", 0);
        Assignment stop = event(AssignmentEvent.STOP, "a", "n1", 5 * MINUTE);
        Assignment again = event(AssignmentEvent.START, "a", "n2", 6 * MINUTE);

        assertThat(Placements.keep(List.of(stop, start), 2 * MINUTE)).containsExactly(start, stop);
        assertThat(Placements.keep(List.of(start, stop), 5 * MINUTE))
                .as("stopped: forget the pod")
                .isEmpty();
        assertThat(Placements.keep(List.of(start, stop, again), 7 * MINUTE)).containsExactly(again);
        List<Placement> none = Placements.during(Map.of(), 0, MINUTE);
        assertThat(none).isEmpty();
    }
}
