package io.vigil.pipeline.attribution;

import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Which job owned one address (an IP, or a node's GPU) over event time, from the scheduler's START and
 * STOP events. Addresses are reused: the START of a later job ends the earlier job's hold even without a
 * STOP. So the owner at a record's time is the job of the latest START at or before it, unless a STOP
 * of that job came between. Events may arrive in any order: the answer depends only on the set of
 * events seen. A Flink POJO (keyed state).
 */
public class AssignmentTimeline {

    /** One scheduler event: a job's START or STOP on this address at {@code ts}. */
    public static class Mark {
        public String jobId;
        public long ts;

        public Mark() {}

        Mark(String jobId, long ts) {
            this.jobId = jobId;
            this.ts = ts;
        }
    }

    /** START events, sorted by time. */
    public List<Mark> starts = new ArrayList<>();
    /** STOP events, in arrival order. */
    public List<Mark> stops = new ArrayList<>();

    public AssignmentTimeline() {}

    public void apply(Assignment event) {
        Mark mark = new Mark(event.getJobId(), event.getTs().toEpochMilli());
        List<Mark> marks = event.getEvent() == AssignmentEvent.START ? starts : stops;
        for (Mark m : marks) {
            if (m.ts == mark.ts && m.jobId.equals(mark.jobId)) {
                return; // the same event again (a replayed or duplicated message)
            }
        }
        if (marks == starts) {
            int at = 0;
            while (at < starts.size() && starts.get(at).ts <= mark.ts) {
                at++;
            }
            starts.add(at, mark);
        } else {
            stops.add(mark);
        }
    }

    /** The job that owned the address at {@code ts}, or null. */
    public String ownerAt(long ts) {
        for (int i = starts.size() - 1; i >= 0; i--) {
            Mark start = starts.get(i);
            if (start.ts <= ts) {
                return ts < stopOf(start) ? start.jobId : null;
            }
        }
        return null;
    }

    /** The first STOP of the hold's job at or after the hold's START, or Long.MAX_VALUE. */
    private long stopOf(Mark start) {
        long stop = Long.MAX_VALUE;
        for (Mark m : stops) {
            if (m.jobId.equals(start.jobId) && m.ts >= start.ts) {
                stop = Math.min(stop, m.ts);
            }
        }
        return stop;
    }

    /** When the i-th hold ends: at its STOP, or at the next START, whichever comes first. */
    private long endOf(int i) {
        long end = stopOf(starts.get(i));
        if (i + 1 < starts.size()) {
            end = Math.min(end, starts.get(i + 1).ts);
        }
        return end;
    }

    /**
     * Forgets holds that ended at or before {@code horizon}, and STOPs at or before it (no hold still
     * kept can end there). Returns whether anything is left.
     */
    public boolean forgetEndedBefore(long horizon) {
        // A hold ends no later than the next START and no earlier than its own: every hold before the last START
        // at or before the horizon has ended, every hold after it is kept, and only that one needs its STOP looked
        // up. (Asking each hold for its STOP cost an address reused n times n² a clean-up.)
        int after = 0;
        while (after < starts.size() && starts.get(after).ts <= horizon) {
            after++;
        }
        int from = after > 0 && endOf(after - 1) > horizon ? after - 1 : after;
        starts = new ArrayList<>(starts.subList(from, starts.size()));
        stops.removeIf(m -> m.ts <= horizon);
        return !isEmpty();
    }

    /** The earliest time at which a hold ends or a STOP lies (for a clean-up timer), or Long.MAX_VALUE. */
    public long earliestEnd() {
        // the first hold ends first: it ends by the second START, and no later hold ends before its own START
        long earliest = starts.isEmpty() ? Long.MAX_VALUE : endOf(0);
        for (Mark m : stops) {
            earliest = Math.min(earliest, m.ts);
        }
        return earliest;
    }

    public boolean isEmpty() {
        return starts.isEmpty() && stops.isEmpty();
    }
}
