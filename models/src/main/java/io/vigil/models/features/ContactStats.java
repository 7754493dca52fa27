package io.vigil.models.features;

import io.vigil.records.IpAddresses;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one job exchanged with one remote address in one window: the per-job entry of a
 * {@link DestinationAccumulator}. A Flink POJO; its port map is bounded by {@link #MAX_PORTS}; its sums
 * saturate ({@link Sums}).
 *
 * <p><b>Attempts.</b> The job's connection attempts ({@link JobFlow#attempt}) and those that failed are
 * counted per port and in all. A failure judged without a connection state (a TCP flow whose responder sent
 * no packets, from IPFIX or VPC flow logs) is kept apart: exporters that write each direction as its own
 * record show the reply as another flow, from the remote, so such a failure stands only if the remote sent
 * the job no packets at all in the window ({@link #failedAttempts()}). ICMP errors ({@link JobFlow#icmpError})
 * count as flows and bytes only: they open nothing, in either direction.
 */
public class ContactStats {
    /** Distinct service ports kept per (job, remote address, window). More than this many is a port scan anyway. */
    public static final int MAX_PORTS = 64;

    /** Order of ports: most bytes, then most flows, then the lower port number. */
    static final Comparator<Map.Entry<Integer, PortStats>> PORT_ORDER = Comparator.comparingLong(
                    (Map.Entry<Integer, PortStats> e) -> e.getValue().bytes)
            .reversed()
            .thenComparing(Comparator.comparingLong((Map.Entry<Integer, PortStats> e) -> e.getValue().flows)
                    .reversed())
            .thenComparingInt(Map.Entry::getKey);

    public long flows;
    /** Flow reports of connections the job opened. */
    public long outboundFlows;

    public long bytesOut;
    public long bytesIn;
    public long pktsOut;
    public long pktsIn;
    /** Connection attempts the job made ({@link JobFlow#attempt}). */
    public long attempts;
    /** Attempts that failed ({@link JobFlow#failedAttempt}); see {@link #failedAttempts()} for the ones that stand. */
    public long unanswered;
    /** Of {@link #unanswered}, the ones judged without a connection state. */
    public long statelessUnanswered;
    /** ICMP error messages, either way. */
    public long icmpErrors;
    /** Service port ({@link JobFlow#servicePort()}) to its counters; at most {@link #MAX_PORTS}. */
    public Map<Integer, PortStats> ports = new HashMap<>();
    /** Flow reports on ports beyond {@link #MAX_PORTS}: counted in the totals, not in {@link #ports}. */
    public long portOverflowFlows;
    /** Flow reports of long-lived connections ({@link ConnStates#longLived}). */
    public long longLivedFlows;

    public long longestDurationMs;
    /** The job opened at least one of these connections. */
    public boolean outbound;
    /** The remote opened at least one of these connections. */
    public boolean inbound;

    public ContactStats() {}

    public void add(JobFlow f) {
        flows = Sums.add(flows, 1);
        bytesOut = Sums.add(bytesOut, f.bytesOut);
        bytesIn = Sums.add(bytesIn, f.bytesIn);
        pktsOut = Sums.add(pktsOut, f.pktsOut);
        pktsIn = Sums.add(pktsIn, f.pktsIn);
        if (f.icmpError()) {
            icmpErrors++;
            return;
        }
        if (f.outbound) {
            outbound = true;
            outboundFlows++;
        } else {
            inbound = true;
        }
        long attempt = 0;
        long failed = 0;
        long stateless = 0;
        if (f.attempt()) {
            attempt = 1;
            attempts++;
            if (f.failedAttempt()) {
                failed = 1;
                unanswered++;
                if (ConnStates.stateless(f.connState)) {
                    stateless = 1;
                    statelessUnanswered++;
                }
            }
        }
        if (f.longLived()) {
            longLivedFlows++;
        }
        longestDurationMs = Math.max(longestDurationMs, f.durationMs());
        int port = f.servicePort();
        long bytes = Sums.add(f.bytesOut, f.bytesIn);
        PortStats stats = ports.get(port);
        if (stats == null && ports.size() < MAX_PORTS) {
            stats = new PortStats(0, 0, f.protocol);
            ports.put(port, stats);
        }
        if (stats != null) {
            stats.add(1, bytes, f.protocol);
            stats.addAttempts(attempt, failed, stateless);
        } else {
            portOverflowFlows++;
        }
    }

    /** Failed attempts that stand: stateless verdicts only when the remote sent the job no packets (class doc). */
    public long failedAttempts() {
        return pktsIn > 0 ? unanswered - statelessUnanswered : unanswered;
    }

    /** Ports (sorted) where the job made attempts. */
    public int[] attemptPorts() {
        return ports.entrySet().stream()
                .filter(e -> e.getValue().attempts > 0)
                .mapToInt(Map.Entry::getKey)
                .sorted()
                .toArray();
    }

    /** Ports (sorted) where most of the job's attempts failed ({@link PortStats#mostlyFailed}). */
    public int[] failedPorts() {
        boolean silent = pktsIn == 0;
        return ports.entrySet().stream()
                .filter(e -> e.getValue().mostlyFailed(silent))
                .mapToInt(Map.Entry::getKey)
                .sorted()
                .toArray();
    }

    /** Adds the other's counters to these. Exact below {@link #MAX_PORTS}; above, the ports with most bytes stay. */
    public void merge(ContactStats other) {
        flows = Sums.add(flows, other.flows);
        outboundFlows += other.outboundFlows;
        bytesOut = Sums.add(bytesOut, other.bytesOut);
        bytesIn = Sums.add(bytesIn, other.bytesIn);
        pktsOut = Sums.add(pktsOut, other.pktsOut);
        pktsIn = Sums.add(pktsIn, other.pktsIn);
        attempts += other.attempts;
        unanswered += other.unanswered;
        statelessUnanswered += other.statelessUnanswered;
        icmpErrors += other.icmpErrors;
        longLivedFlows += other.longLivedFlows;
        longestDurationMs = Math.max(longestDurationMs, other.longestDurationMs);
        outbound |= other.outbound;
        inbound |= other.inbound;
        portOverflowFlows += other.portOverflowFlows;
        for (Map.Entry<Integer, PortStats> e : other.ports.entrySet()) {
            PortStats mine = ports.get(e.getKey());
            if (mine == null) {
                ports.put(e.getKey(), e.getValue().copy());
            } else {
                mine.add(e.getValue().flows, e.getValue().bytes, e.getValue().protocol);
                mine.addAttempts(e.getValue().attempts, e.getValue().failed, e.getValue().statelessFailed);
            }
        }
        if (ports.size() > MAX_PORTS) {
            List<Map.Entry<Integer, PortStats>> sorted = new ArrayList<>(ports.entrySet());
            sorted.sort(PORT_ORDER);
            for (Map.Entry<Integer, PortStats> dropped : sorted.subList(MAX_PORTS, sorted.size())) {
                portOverflowFlows += dropped.getValue().flows;
                ports.remove(dropped.getKey());
            }
        }
    }

    /**
     * This exchange as the {@link Contact} of job {@code jobId} with the remote address, in the window, with the
     * address's popularity.
     */
    Contact contact(
            String jobId,
            String remoteIp,
            boolean external,
            boolean metadataService,
            IpAddresses.Kind remoteKind,
            long windowStart,
            long windowEnd,
            int jobsThisWindow,
            int jobsRecent) {
        Contact c = new Contact();
        c.jobId = jobId;
        c.windowStart = windowStart;
        c.windowEnd = windowEnd;
        c.remoteIp = remoteIp;
        c.external = external;
        c.metadataService = metadataService;
        c.remoteKind = remoteKind;
        c.topPort = topPort();
        c.distinctPorts = ports.size();
        c.protocol = protocol();
        c.outbound = outbound;
        c.inbound = inbound;
        c.flows = flows;
        c.outboundFlows = outboundFlows;
        c.attempts = attempts;
        c.unanswered = failedAttempts();
        c.attemptPorts = attemptPorts();
        c.failedPorts = failedPorts();
        c.bytesOut = bytesOut;
        c.bytesIn = bytesIn;
        c.pktsOut = pktsOut;
        c.pktsIn = pktsIn;
        c.longLivedFlows = longLivedFlows;
        c.longestDurationMs = longestDurationMs;
        c.jobsThisWindow = jobsThisWindow;
        c.jobsRecent = Math.max(jobsRecent, jobsThisWindow);
        return c;
    }

    public ContactStats copy() {
        ContactStats c = new ContactStats();
        c.merge(this);
        return c;
    }

    public long bytes() {
        return Sums.add(bytesOut, bytesIn);
    }

    /** The port with most bytes (then most flows, then the lowest); 0 when none is known. */
    public int topPort() {
        return ports.entrySet().stream().min(PORT_ORDER).map(Map.Entry::getKey).orElse(0);
    }

    /** The protocol of {@link #topPort()}; empty when none is known. */
    public String protocol() {
        PortStats top = ports.get(topPort());
        return top == null || top.protocol == null ? "" : top.protocol;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ContactStats c)) {
            return false;
        }
        return flows == c.flows
                && outboundFlows == c.outboundFlows
                && bytesOut == c.bytesOut
                && bytesIn == c.bytesIn
                && pktsOut == c.pktsOut
                && pktsIn == c.pktsIn
                && unanswered == c.unanswered
                && attempts == c.attempts
                && statelessUnanswered == c.statelessUnanswered
                && icmpErrors == c.icmpErrors
                && portOverflowFlows == c.portOverflowFlows
                && longLivedFlows == c.longLivedFlows
                && longestDurationMs == c.longestDurationMs
                && outbound == c.outbound
                && inbound == c.inbound
                && Objects.equals(ports, c.ports);
    }

    @Override
    public int hashCode() {
        return Objects.hash(flows, bytesOut, bytesIn, unanswered, ports);
    }

    @Override
    public String toString() {
        return "ContactStats{flows=" + flows + " out=" + bytesOut + " in=" + bytesIn + " unanswered=" + unanswered
                + " ports=" + ports + " longLived=" + longLivedFlows + "}";
    }
}
