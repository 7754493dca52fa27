package io.vigil.models.features;

import io.vigil.records.IpAddresses;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One job's flows of one window, per remote address: the accumulator of the per-job contacts window (keyed
 * by {@link JobFlow#jobId}), which turns them into {@link Contact}s and asks the fleet view about the few
 * whose popularity matters ({@link #split}). A Flink POJO.
 *
 * <p><b>Bounded by the job, not by the addresses it tries.</b> Exact counters ({@link ContactStats}) are kept
 * for at most {@link #MAX_REMOTES} remote addresses: those with most bytes (both ways), then by a hash of
 * the address ({@link #order}). A training job talks to its peers, stores and services: tens of addresses a minute, hundreds
 * for a large collective. Past the cap the job is sweeping or crawling, and the rest of its traffic is its
 * <em>long tail</em> ({@link #tail}): folded, one flow or one evicted address at a time, into the running
 * totals and distinct-host sketches of a {@link WindowAccumulator} ({@link WindowAccumulator#addTail}), which
 * count a sweep of a million addresses in the memory of one of a thousand. A sweep's probes carry no bytes,
 * so an upload or a session of the same job keeps its exact counters whatever the sweep's size.
 *
 * <p>{@link #add} and {@link #merge} may come in any order and grouping: below the cap, adding every flow to
 * one accumulator and merging partial accumulators give equal contacts (the counters are integer sums).
 * Past it, which addresses keep exact counters can depend on the order (an address's bytes grow as its flows
 * arrive), and an address evicted and met again may count its parts in the tail: its host counts once, its
 * failure is judged per part.
 */
public class JobContacts {
    /** Remote addresses with exact counters, per job and window (see the class doc). */
    public static final int MAX_REMOTES = 1024;
    /**
     * Contacts per job and window that the fleet view is asked about ({@link #split}): what bounds the state
     * keyed by remote address at jobs x windows x this, whatever the number of addresses a job tries. A job
     * reaches tens of external hosts a minute, a crawler a couple of hundred; past this many the rest count as
     * popular.
     */
    public static final int MAX_ASKED = 256;

    /** Keeps the address with more bytes, then the lower {@link #order}, then the lower text: a total order. */
    private static final Comparator<Map.Entry<String, Remote>> KEEP_FIRST = Comparator.comparingLong(
                    (Map.Entry<String, Remote> e) -> e.getValue().stats.bytes())
            .reversed()
            .thenComparingLong(e -> order(e.getKey()))
            .thenComparing(Map.Entry::getKey);

    private static final Comparator<Contact> MOST_BYTES =
            Comparator.comparingLong(Contact::bytes).reversed().thenComparing(c -> c.remoteIp);
    private static final Comparator<Contact> LONGEST = Comparator.comparingLong((Contact c) -> c.longestDurationMs)
            .reversed()
            .thenComparing(MOST_BYTES);

    /** The job; taken from the first flow or partial that names one. */
    public String jobId;
    /** Remote address to what the job exchanged with it: at most {@link #MAX_REMOTES}. */
    public Map<String, Remote> remotes = new HashMap<>();
    /** The job's long tail (class doc); null while every address has exact counters. */
    public WindowAccumulator tail;

    /**
     * The fewest bytes an address kept has had, at least (bytes only grow), with that address's order: a new
     * address that does not beat it goes to the tail without a look at every address kept. Not state: after a
     * restore it is found again.
     */
    private transient long keptFloorBytes = -1;

    private transient long keptFloorOrder;

    public JobContacts() {}

    /** @throws IllegalArgumentException if the flow is another job's */
    public void add(JobFlow flow) {
        adoptJob(flow.jobId);
        Remote kept = remotes.get(flow.remoteIp);
        if (kept != null) {
            kept.adopt(flow);
            kept.stats.add(flow);
            return;
        }
        Remote r = new Remote();
        r.adopt(flow);
        r.stats.add(flow);
        if (remotes.size() < MAX_REMOTES) {
            remotes.put(flow.remoteIp, r);
            return;
        }
        long order = order(flow.remoteIp);
        if (keptFloorBytes >= 0 && !beats(r.stats.bytes(), order, keptFloorBytes, keptFloorOrder)) {
            toTail(flow.remoteIp, r);
            return;
        }
        Map.Entry<String, Remote> last = lastKept();
        long lastBytes = last.getValue().stats.bytes();
        long lastOrder = order(last.getKey());
        if (beats(r.stats.bytes(), order, lastBytes, lastOrder)) {
            remotes.remove(last.getKey());
            toTail(last.getKey(), last.getValue());
            remotes.put(flow.remoteIp, r);
            keptFloorBytes = -1; // the new last one is not known
        } else {
            toTail(flow.remoteIp, r);
            keptFloorBytes = lastBytes;
            keptFloorOrder = lastOrder;
        }
    }

    /** Adds the other's flows to these (the other is left unchanged). */
    public void merge(JobContacts other) {
        adoptJob(other.jobId);
        for (Map.Entry<String, Remote> e : other.remotes.entrySet()) {
            Remote mine = remotes.get(e.getKey());
            if (mine == null) {
                remotes.put(e.getKey(), e.getValue().copy());
            } else {
                mine.merge(e.getValue());
            }
        }
        if (other.tail != null) {
            tail().merge(other.tail);
        }
        if (remotes.size() > MAX_REMOTES) {
            List<Map.Entry<String, Remote>> sorted = new ArrayList<>(remotes.entrySet());
            sorted.sort(KEEP_FIRST);
            for (Map.Entry<String, Remote> e : new ArrayList<>(sorted.subList(MAX_REMOTES, sorted.size()))) {
                remotes.remove(e.getKey());
                toTail(e.getKey(), e.getValue());
            }
        }
        keptFloorBytes = -1;
    }

    /** Flow reports folded here, kept and tail together. */
    public long flows() {
        long n = tail == null ? 0 : tail.flowCount();
        for (Remote r : remotes.values()) {
            n = Sums.add(n, r.stats.flows);
        }
        return n;
    }

    public boolean isEmpty() {
        return remotes.isEmpty() && tail == null;
    }

    /**
     * What the window hands on: the contacts the fleet view is asked about, each as a one-job
     * {@link DestinationAccumulator} for the window keyed by its address; and the job's partial window with all
     * the rest. Asked are the contacts whose popularity matters ({@link Contact#popularityMatters}: external hosts
     * the job reached), at most {@link #MAX_ASKED}: half with most bytes (an upload), the rest with the longest
     * connections (a session), then most bytes. The rest are folded with popularity unknown
     * ({@link Contact#UNKNOWN_POPULARITY}: never rare), and the tail as it is.
     *
     * @return the contacts to ask about (sorted by address) and the partial window, null if it holds nothing
     */
    public Split split(long windowStart, long windowEnd) {
        List<Contact> all = new ArrayList<>(remotes.size());
        for (Map.Entry<String, Remote> e : remotes.entrySet()) {
            Remote r = e.getValue();
            all.add(r.stats.contact(
                    jobId,
                    e.getKey(),
                    r.external,
                    r.metadataService,
                    r.remoteKind,
                    windowStart,
                    windowEnd,
                    1,
                    Contact.UNKNOWN_POPULARITY));
        }
        List<Contact> matter = all.stream().filter(Contact::popularityMatters).toList();
        Set<Contact> asked = new LinkedHashSet<>();
        matter.stream().sorted(MOST_BYTES).limit(MAX_ASKED / 2).forEach(asked::add);
        matter.stream()
                .sorted(LONGEST)
                .filter(c -> !asked.contains(c))
                .limit(MAX_ASKED - asked.size())
                .forEach(asked::add);
        List<DestinationAccumulator> toAsk = new ArrayList<>(asked.size());
        WindowAccumulator rest = null;
        if (tail != null) {
            rest = new WindowAccumulator();
            rest.merge(tail);
        }
        for (Contact c : all) {
            if (asked.contains(c)) {
                Remote r = remotes.get(c.remoteIp);
                toAsk.add(DestinationAccumulator.of(
                        jobId, c.remoteIp, r.external, r.metadataService, r.remoteKind, r.stats));
            } else {
                if (rest == null) {
                    rest = new WindowAccumulator();
                }
                rest.add(c);
            }
        }
        toAsk.sort(Comparator.comparing(d -> d.remoteIp));
        return new Split(toAsk, rest);
    }

    /** What {@link #split} hands on. */
    public record Split(List<DestinationAccumulator> ask, WindowAccumulator rest) {}

    private WindowAccumulator tail() {
        if (tail == null) {
            tail = new WindowAccumulator();
        }
        return tail;
    }

    private void toTail(String remoteIp, Remote r) {
        // the window's bounds are not known here and the tail keeps no contact: any will do
        tail().addTail(r.stats.contact(
                jobId, remoteIp, r.external, r.metadataService, r.remoteKind, 0, 0, 1, Contact.UNKNOWN_POPULARITY));
    }

    /** The address kept that the cap gives up first. */
    private Map.Entry<String, Remote> lastKept() {
        Map.Entry<String, Remote> last = null;
        for (Map.Entry<String, Remote> e : remotes.entrySet()) {
            if (last == null || KEEP_FIRST.compare(e, last) > 0) {
                last = e;
            }
        }
        return last;
    }

    /**
     * Where an address stands among those with as many bytes: its hash with the bits reversed. The distinct
     * counters of the tail read a hash's top bits; which addresses are kept must not depend on them, or the tail
     * would miss addresses from a few of the sketch's registers, and an empty register drags its count far down.
     */
    static long order(String remoteIp) {
        return Long.reverse(DistinctCounter.hash(remoteIp));
    }

    /** Whether (bytes, order) comes before the other in {@link #KEEP_FIRST} (ties of both: it does not). */
    private static boolean beats(long bytes, long order, long otherBytes, long otherOrder) {
        return bytes != otherBytes ? bytes > otherBytes : order < otherOrder;
    }

    private void adoptJob(String id) {
        if (id == null) {
            return;
        }
        if (jobId == null) {
            jobId = id;
        } else if (!jobId.equals(id)) {
            throw new IllegalArgumentException(
                    "job " + id + "'s flow in the contacts of job " + jobId + ": key the contacts window by job id");
        }
    }

    /** What the job exchanged with one remote address in the window, and what the address is. A Flink POJO. */
    public static class Remote {
        /** The address lies outside the cluster's internal ranges. */
        public boolean external;

        public boolean metadataService;
        /** What the address stands for; null reads as a unicast host. */
        public IpAddresses.Kind remoteKind;

        public ContactStats stats = new ContactStats();

        public Remote() {}

        void adopt(JobFlow f) {
            external |= f.external;
            metadataService |= f.metadataService;
            if (remoteKind == null) {
                remoteKind = f.remoteKind;
            }
        }

        void merge(Remote o) {
            external |= o.external;
            metadataService |= o.metadataService;
            if (remoteKind == null) {
                remoteKind = o.remoteKind;
            }
            stats.merge(o.stats);
        }

        Remote copy() {
            Remote c = new Remote();
            c.merge(this);
            return c;
        }
    }

    @Override
    public String toString() {
        return "JobContacts{" + jobId + " remotes=" + remotes.size() + (tail == null ? "" : " tail=" + tail) + "}";
    }
}
