package io.vigil.models.features;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one job exchanged with one remote address in one window: the per-job entry of a
 * {@link DestinationAccumulator}. A Flink POJO; its port map is bounded by {@link #MAX_PORTS}.
 */
public class ContactStats {
    /** Distinct service ports kept per (job, remote address, window). More than this many is a port scan anyway. */
    public static final int MAX_PORTS = 64;

    /** Order of ports: most bytes, then most flows, then the lower port number. */
    static final Comparator<Map.Entry<Integer, PortStats>> PORT_ORDER = Comparator
            .comparingLong((Map.Entry<Integer, PortStats> e) -> e.getValue().bytes).reversed()
            .thenComparing(Comparator.comparingLong((Map.Entry<Integer, PortStats> e) -> e.getValue().flows).reversed())
            .thenComparingInt(Map.Entry::getKey);

    public long flows;
    /** Flow reports of connections the job opened. */
    public long outboundFlows;
    public long bytesOut;
    public long bytesIn;
    public long pktsOut;
    public long pktsIn;
    /** Flow reports of connections the job opened that were never answered ({@link ConnStates#unanswered}). */
    public long unanswered;
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
        flows++;
        bytesOut += f.bytesOut;
        bytesIn += f.bytesIn;
        pktsOut += f.pktsOut;
        pktsIn += f.pktsIn;
        if (f.outbound) {
            outbound = true;
            outboundFlows++;
        } else {
            inbound = true;
        }
        if (f.unansweredAttempt()) {
            unanswered++;
        }
        if (f.longLived()) {
            longLivedFlows++;
        }
        longestDurationMs = Math.max(longestDurationMs, f.durationMs());
        int port = f.servicePort();
        PortStats stats = ports.get(port);
        if (stats != null) {
            stats.add(1, f.bytesOut + f.bytesIn, f.protocol);
        } else if (ports.size() < MAX_PORTS) {
            ports.put(port, new PortStats(1, f.bytesOut + f.bytesIn, f.protocol));
        } else {
            portOverflowFlows++;
        }
    }

    /** Adds the other's counters to these. Exact below {@link #MAX_PORTS}; above, the ports with most bytes stay. */
    public void merge(ContactStats other) {
        flows += other.flows;
        outboundFlows += other.outboundFlows;
        bytesOut += other.bytesOut;
        bytesIn += other.bytesIn;
        pktsOut += other.pktsOut;
        pktsIn += other.pktsIn;
        unanswered += other.unanswered;
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

    public ContactStats copy() {
        ContactStats c = new ContactStats();
        c.merge(this);
        return c;
    }

    public long bytes() {
        return bytesOut + bytesIn;
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
        return flows == c.flows && outboundFlows == c.outboundFlows && bytesOut == c.bytesOut && bytesIn == c.bytesIn
                && pktsOut == c.pktsOut && pktsIn == c.pktsIn && unanswered == c.unanswered
                && portOverflowFlows == c.portOverflowFlows && longLivedFlows == c.longLivedFlows
                && longestDurationMs == c.longestDurationMs && outbound == c.outbound && inbound == c.inbound
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
