package io.vigil.pipeline.detect;

import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Placement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a job ran during a window, from its assignment events, without Flink: the pods (node, IP, GPUs) an
 * incident's alerts name, so an analyst (and a SIEM's resources) sees which hosts and GPUs to look at. Event time
 * decides, never arrival: a pod ran in a window when its last event before the window's end is a START, or a STOP
 * within the window.
 */
public final class Placements {
    private Placements() {}

    /**
     * @param byPod each pod's assignment events (any order)
     * @return the pods that ran in [start, end), by pod name
     */
    public static List<Placement> during(Map<String, List<Assignment>> byPod, long start, long end) {
        Map<String, Placement> ran = new TreeMap<>();
        for (List<Assignment> events : byPod.values()) {
            Assignment last = lastBefore(events, end);
            if (last == null) {
                continue;
            }
            boolean running = last.getEvent() == AssignmentEvent.START;
            boolean stoppedWithin = !running && last.getTs().toEpochMilli() >= start;
            Assignment placed = running ? last : lastStartBefore(events, end);
            if ((running || stoppedWithin) && placed != null) {
                ran.put(
                        placed.getPod(),
                        Placement.newBuilder()
                                .setPod(placed.getPod())
                                .setNode(placed.getNode())
                                .setIp(placed.getIp())
                                .setGpus(new ArrayList<>(placed.getGpus()))
                                .build());
            }
        }
        return new ArrayList<>(ran.values());
    }

    /** The window's alert with where the job ran during it. */
    public static Alert placed(Alert window, Map<String, List<Assignment>> byPod) {
        return Alert.newBuilder(window)
                .setPlacements(during(
                        byPod,
                        window.getWindowStart().toEpochMilli(),
                        window.getWindowEnd().toEpochMilli()))
                .build();
    }

    /**
     * What of a pod's events still matters once no window ends at or before {@code limit} is to come: the events
     * after it, and the last one at or before it if that is a START (the pod still runs). Empty: forget the pod.
     */
    public static List<Assignment> keep(List<Assignment> events, long limit) {
        // in LATER's order, so that of a dual-stack pod's two STARTs at one instant the one kept is the one
        // lastBefore would choose, whichever arrived last
        List<Assignment> sorted = new ArrayList<>(events);
        sorted.sort(LATER);
        List<Assignment> kept = new ArrayList<>();
        Assignment lastBefore = null;
        for (Assignment a : sorted) {
            if (a.getTs().toEpochMilli() <= limit) {
                lastBefore = a;
            } else {
                kept.add(a);
            }
        }
        if (lastBefore != null && lastBefore.getEvent() == AssignmentEvent.START) {
            kept.add(0, lastBefore);
        }
        return kept;
    }

    /**
     * The last event before {@code end}; of events at one instant, a START (a restart goes on), and of STARTs at
     * one instant (a dual-stack pod's addresses) the lowest address: never the order they arrived in.
     */
    private static Assignment lastBefore(List<Assignment> events, long end) {
        Assignment last = null;
        for (Assignment a : events) {
            if (a.getTs().toEpochMilli() < end && (last == null || LATER.compare(a, last) > 0)) {
                last = a;
            }
        }
        return last;
    }

    private static Assignment lastStartBefore(List<Assignment> events, long end) {
        Assignment last = null;
        for (Assignment a : events) {
            if (a.getEvent() == AssignmentEvent.START
                    && a.getTs().toEpochMilli() < end
                    && (last == null || LATER.compare(a, last) > 0)) {
                last = a;
            }
        }
        return last;
    }

    /** Which of two events counts as the later: by time, then START over STOP, then the lower address. */
    private static final Comparator<Assignment> LATER = Comparator.comparingLong(
                    (Assignment a) -> a.getTs().toEpochMilli())
            .thenComparing(a -> a.getEvent() == AssignmentEvent.START)
            .thenComparing(Assignment::getIp, Comparator.nullsFirst(Comparator.<String>reverseOrder()));
}
