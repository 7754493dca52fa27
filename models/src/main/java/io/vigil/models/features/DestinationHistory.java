package io.vigil.models.features;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which jobs talked to one remote address, and when last: the keyed state (per remote address) behind
 * {@link Contact#jobsRecent}, the fleet's view of how popular an address is. A Flink POJO.
 *
 * <p>Per window: {@link #record} the window's jobs, then {@link #prune} to the lookback, then clear the
 * state when {@link #isEmpty()}. At most {@link #MAX_JOBS} jobs are remembered; beyond, the ones seen
 * longest ago are forgotten first. An address more than {@code MAX_JOBS} jobs use is popular anyway.
 */
public class DestinationHistory {
    /** Jobs remembered per remote address. */
    public static final int MAX_JOBS = 1024;

    private static final Comparator<Map.Entry<String, Long>> OLDEST_FIRST = Comparator.comparingLong(
                    (Map.Entry<String, Long> e) -> e.getValue())
            .thenComparing(Map.Entry::getKey);

    /** Job id to the end (epoch ms) of the last window in which it talked to this address. */
    public Map<String, Long> lastSeen = new HashMap<>();

    public DestinationHistory() {}

    /**
     * Remembers that these jobs talked to the address in the window ending at {@code windowEnd}.
     *
     * @return distinct jobs seen in {@code [windowEnd - lookbackMs, windowEnd]}, these included. (A job
     *     last seen in a later window, when windows arrive out of order, counts as recent too: it is a
     *     user of the address around this time.)
     */
    public int record(Collection<String> jobIds, long windowEnd, long lookbackMs) {
        for (String jobId : jobIds) {
            lastSeen.merge(jobId, windowEnd, Math::max);
        }
        long since = windowEnd - lookbackMs;
        int recent = 0;
        for (long seen : lastSeen.values()) {
            if (seen >= since) {
                recent++;
            }
        }
        recent = Math.max(recent, new HashSet<>(jobIds).size());
        if (lastSeen.size() > MAX_JOBS) {
            List<Map.Entry<String, Long>> sorted = new ArrayList<>(lastSeen.entrySet());
            sorted.sort(OLDEST_FIRST);
            for (Map.Entry<String, Long> e : new ArrayList<>(sorted.subList(0, sorted.size() - MAX_JOBS))) {
                lastSeen.remove(e.getKey());
            }
        }
        return recent;
    }

    /** Forgets jobs last seen before {@code now - lookbackMs}. */
    public void prune(long now, long lookbackMs) {
        long since = now - lookbackMs;
        lastSeen.values().removeIf(seen -> seen < since);
    }

    /** Nothing remembered: the operator can clear the state. */
    public boolean isEmpty() {
        return lastSeen.isEmpty();
    }

    /** When every job here falls out of the lookback (epoch ms), for a clean-up timer; Long.MIN_VALUE when empty. */
    public long expiresAt(long lookbackMs) {
        if (lastSeen.isEmpty()) {
            return Long.MIN_VALUE;
        }
        return lastSeen.values().stream().mapToLong(Long::longValue).max().getAsLong() + lookbackMs;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DestinationHistory h && Objects.equals(lastSeen, h.lastSeen);
    }

    @Override
    public int hashCode() {
        return lastSeen.hashCode();
    }

    @Override
    public String toString() {
        return "DestinationHistory" + lastSeen;
    }
}
