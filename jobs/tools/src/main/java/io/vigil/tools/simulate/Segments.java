package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.List;

/**
 * A workload's timeline of phases (rollout, training, a checkpoint, a notebook cell running), made up
 * lazily from its own random stream as time advances, so any part can be asked for in any order and
 * the answer is the same. Segments follow each other without overlap; gaps between them are allowed.
 */
final class Segments {
    /** One phase: [start, end) of some kind. */
    record Segment(long start, long end, int kind) {}

    /** Makes the segment after one that ended at {@code previousEnd}. */
    @FunctionalInterface
    interface Maker {
        Segment next(long previousEnd, int previousKind, Rng rng);
    }

    private final Rng rng;
    private final Maker maker;
    private final List<Segment> made = new ArrayList<>();

    Segments(Rng rng, Segment first, Maker maker) {
        this.rng = rng;
        this.maker = maker;
        made.add(first);
    }

    private void extendTo(long t) {
        Segment last = made.get(made.size() - 1);
        while (last.end <= t) {
            Segment next = maker.next(last.end, last.kind, rng);
            if (next.start < last.end || next.end <= next.start) {
                throw new IllegalStateException("segments must follow each other: " + last + " then " + next);
            }
            made.add(next);
            last = next;
        }
    }

    /** The segment covering {@code t}, or null in a gap or before the first. */
    Segment at(long t) {
        extendTo(t);
        int lo = 0;
        int hi = made.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Segment s = made.get(mid);
            if (t < s.start) {
                hi = mid - 1;
            } else if (t >= s.end) {
                lo = mid + 1;
            } else {
                return s;
            }
        }
        return null;
    }

    /** The kind at {@code t}, or -1 in a gap. */
    int kindAt(long t) {
        Segment s = at(t);
        return s == null ? -1 : s.kind;
    }

    /** Segments that start in [from, to). */
    List<Segment> startingIn(long from, long to) {
        extendTo(to);
        List<Segment> out = new ArrayList<>();
        for (int i = made.size() - 1; i >= 0; i--) {
            Segment s = made.get(i);
            if (s.start < from && s.end <= from) {
                break;
            }
            if (s.start >= from && s.start < to) {
                out.add(0, s);
            }
        }
        return out;
    }
}
