package io.vigil.models.features;

import io.vigil.records.IpAddresses;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The flows of one remote address in one window, per job: the accumulator of the per-destination window
 * (keyed by {@link JobFlow#remoteIp}). A Flink POJO.
 *
 * <p>{@link #add} and {@link #merge} may be called in any order and grouping: below the caps, adding all
 * flows to one accumulator and merging partial accumulators give equal {@link #contacts}.
 *
 * <p><b>Cap.</b> At most {@link #MAX_JOBS} jobs are kept. More jobs than that talk to one address in one
 * minute only if it is a fleet-wide service (DNS, object store, tracker), which is popular whatever the exact
 * count. Beyond the cap the jobs with fewest bytes are dropped: they get no {@link Contact} for this address
 * this window, {@link Contact#jobsThisWindow} is then a lower bound, and {@link #droppedFlows} /
 * {@link #droppedBytes} count what was left out. (Which jobs are kept can then depend on arrival order.)
 */
public class DestinationAccumulator {
    /** Jobs kept per remote address and window (see the class doc). */
    public static final int MAX_JOBS = 4096;

    private static final Comparator<Map.Entry<String, ContactStats>> BIGGEST_FIRST = Comparator.comparingLong(
                    (Map.Entry<String, ContactStats> e) -> e.getValue().bytes())
            .reversed()
            .thenComparing(Map.Entry::getKey);

    /** The remote address all these flows share; null until the first flow. */
    public String remoteIp;

    public boolean external;
    public boolean metadataService;
    /** What the address stands for; null reads as a unicast host. */
    public IpAddresses.Kind remoteKind;
    /** Job id to what that job exchanged with the address. */
    public Map<String, ContactStats> jobs = new HashMap<>();
    /** Flow reports of jobs dropped by the cap. */
    public long droppedFlows;
    /** Bytes (both ways) of jobs dropped by the cap. */
    public long droppedBytes;

    public DestinationAccumulator() {}

    /** @throws IllegalArgumentException if the flow is for another remote address than the ones before */
    public void add(JobFlow flow) {
        adopt(flow.remoteIp, flow.external, flow.metadataService, flow.remoteKind);
        ContactStats stats = jobs.get(flow.jobId);
        if (stats == null) {
            if (jobs.size() >= MAX_JOBS) {
                Map.Entry<String, ContactStats> smallest =
                        jobs.entrySet().stream().max(BIGGEST_FIRST).orElseThrow();
                if (Sums.add(flow.bytesOut, flow.bytesIn) <= smallest.getValue().bytes()) {
                    droppedFlows++;
                    droppedBytes = Sums.add(droppedBytes, Sums.add(flow.bytesOut, flow.bytesIn));
                    return;
                }
                drop(smallest.getKey());
            }
            stats = new ContactStats();
            jobs.put(flow.jobId, stats);
        }
        stats.add(flow);
    }

    /** Adds the other's flows to these (the other is left unchanged). */
    public void merge(DestinationAccumulator other) {
        if (other.remoteIp != null) {
            adopt(other.remoteIp, other.external, other.metadataService, other.remoteKind);
        }
        droppedFlows = Sums.add(droppedFlows, other.droppedFlows);
        droppedBytes = Sums.add(droppedBytes, other.droppedBytes);
        for (Map.Entry<String, ContactStats> e : other.jobs.entrySet()) {
            ContactStats mine = jobs.get(e.getKey());
            if (mine == null) {
                jobs.put(e.getKey(), e.getValue().copy());
            } else {
                mine.merge(e.getValue());
            }
        }
        if (jobs.size() > MAX_JOBS) {
            List<Map.Entry<String, ContactStats>> sorted = new ArrayList<>(jobs.entrySet());
            sorted.sort(BIGGEST_FIRST);
            for (Map.Entry<String, ContactStats> e : new ArrayList<>(sorted.subList(MAX_JOBS, sorted.size()))) {
                drop(e.getKey());
            }
        }
    }

    /** The jobs that talked to this address in the window, sorted: what {@link DestinationHistory#record} wants. */
    public List<String> jobIds() {
        return jobs.keySet().stream().sorted().toList();
    }

    public boolean isEmpty() {
        return jobs.isEmpty();
    }

    /**
     * One contact per job, sorted by job id.
     *
     * @param jobsRecent distinct jobs over the lookback, from {@link DestinationHistory#record} (raised to
     *                   the jobs of this window if smaller)
     */
    public List<Contact> contacts(long windowStart, long windowEnd, int jobsRecent) {
        int jobsThisWindow = jobs.size();
        List<Contact> out = new ArrayList<>(jobs.size());
        for (String jobId : jobIds()) {
            ContactStats s = jobs.get(jobId);
            Contact c = new Contact();
            c.jobId = jobId;
            c.windowStart = windowStart;
            c.windowEnd = windowEnd;
            c.remoteIp = remoteIp;
            c.external = external;
            c.metadataService = metadataService;
            c.remoteKind = remoteKind;
            c.topPort = s.topPort();
            c.distinctPorts = s.ports.size();
            c.protocol = s.protocol();
            c.outbound = s.outbound;
            c.inbound = s.inbound;
            c.flows = s.flows;
            c.outboundFlows = s.outboundFlows;
            ContactStats.UdpVerdict udp = s.udp();
            c.attempts = s.judgedAttempts(udp);
            c.unanswered = s.judgedFailures(udp);
            c.attemptPorts = s.attemptPorts(udp);
            c.failedPorts = s.failedPorts(udp);
            c.silentPorts = udp.silentPorts();
            c.bytesOut = s.bytesOut;
            c.bytesIn = s.bytesIn;
            c.errorBytesIn = s.errorBytesIn;
            c.pktsOut = s.pktsOut;
            c.pktsIn = s.pktsIn;
            c.longLivedFlows = s.longLivedFlows;
            c.longestDurationMs = s.longestDurationMs;
            c.jobsThisWindow = jobsThisWindow;
            c.jobsRecent = Math.max(jobsRecent, jobsThisWindow);
            out.add(c);
        }
        return out;
    }

    private void adopt(String ip, boolean isExternal, boolean isMetadata, IpAddresses.Kind kind) {
        if (remoteIp == null) {
            remoteIp = ip;
        } else if (!remoteIp.equals(ip)) {
            throw new IllegalArgumentException("flows of " + ip + " in the window of " + remoteIp
                    + ": key the destination window by JobFlow.remoteIp");
        }
        external |= isExternal;
        metadataService |= isMetadata;
        if (remoteKind == null) {
            remoteKind = kind;
        }
    }

    private void drop(String jobId) {
        ContactStats dropped = jobs.remove(jobId);
        droppedFlows = Sums.add(droppedFlows, dropped.flows);
        droppedBytes = Sums.add(droppedBytes, dropped.bytes());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DestinationAccumulator d
                && external == d.external
                && metadataService == d.metadataService
                && remoteKind == d.remoteKind
                && droppedFlows == d.droppedFlows
                && droppedBytes == d.droppedBytes
                && Objects.equals(remoteIp, d.remoteIp)
                && Objects.equals(jobs, d.jobs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(remoteIp, jobs);
    }

    @Override
    public String toString() {
        return "DestinationAccumulator{" + remoteIp + " jobs=" + jobs.size() + " dropped=" + droppedFlows + "}";
    }
}
