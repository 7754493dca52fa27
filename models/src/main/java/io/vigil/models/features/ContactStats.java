package io.vigil.models.features;

import io.vigil.records.IpAddresses;
import java.util.ArrayList;
import java.util.Arrays;
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
 * count as flows and bytes only: they open nothing, in either direction, and are no answer of a service.
 *
 * <p><b>UDP.</b> A datagram gets an answer or it does not, and one-way UDP is how metrics, logs and traces
 * travel, so a UDP flow is judged here, per host, never alone ({@link #udp()}). The job's datagrams to a
 * service port of the host ({@link JobFlow#udpProbe}) are answered when the host sent packets back on their
 * flow. They are <em>refused</em> when the host said nothing listens: a destination unreachable from the host
 * itself (ICMP 3/3 port unreachable to a closed UDP port, which Zeek logs as a connection of its own from the
 * host to the job, type and code in the ports). conn.log does not say which datagram an ICMP message quotes, so
 * they are matched by number: as many of the unanswered ports are refused as the host sent unreachables (hosts
 * rate-limit them, so a fast probe of many ports gets only some). A port neither answered nor refused is
 * <em>silent</em>: one such port is a one-way protocol as often as a probe, so it is judged only in numbers:
 * here when the host was silent on {@value #UDP_SILENT_JUDGED} or more ports, which no one-way sender uses
 * towards one host; across hosts when as many were silent on one port ({@link Contact#silentPorts} carries
 * them to the window, {@link WindowAccumulator}). Answered
 * and refused datagrams are attempts, refused ones failed attempts, like a TCP SYN answered or reset.
 */
public class ContactStats {
    /** Distinct service ports kept per (job, remote address, window). More than this many is a port scan anyway. */
    public static final int MAX_PORTS = 64;

    /**
     * Silent UDP targets from which they count as failed: this many ports of one host, or hosts on one port
     * ({@link WindowAccumulator}). One-way protocols go to a collector or two on a service port or three
     * (metrics, traces, logs: statsd 8125, a tracing agent's 6831, syslog 514); a probe goes to many.
     */
    public static final int UDP_SILENT_JUDGED = 4;

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
    /** Packets of ICMP errors the remote sent: no answer of a service, so not counted as one. */
    public long errorPktsIn;
    /** Bytes of ICMP errors the remote sent (the datagrams they quote): not payload of a service. */
    public long errorBytesIn;
    /** Destination unreachable messages the remote sent the job ({@link JobFlow#unreachableFromRemote}), in packets. */
    public long unreachables;
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
            errorPktsIn = Sums.add(errorPktsIn, f.pktsIn);
            errorBytesIn = Sums.add(errorBytesIn, f.bytesIn);
            if (f.unreachableFromRemote()) {
                unreachables = Sums.add(unreachables, Math.max(1, f.pktsIn));
            }
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
        if (stats == null && (ports.size() < MAX_PORTS || makeRoomFor(port, bytes))) {
            stats = new PortStats(0, 0, f.protocol);
            ports.put(port, stats);
        }
        if (stats != null) {
            stats.add(1, bytes, f.protocol);
            stats.addAttempts(attempt, failed, stateless);
            if (f.udpProbe()) {
                boolean answered = f.respPkts() > 0;
                stats.addUdp(1, answered ? 1 : 0, !answered && ConnStates.stateless(f.connState) ? 1 : 0);
            }
        } else {
            portOverflowFlows++;
        }
    }

    /**
     * With every port slot taken, drops the port that ranks last ({@link #PORT_ORDER}) if a new port's first flow
     * ranks before it, and says whether it did; the dropped port's flows go to {@link #portOverflowFlows}. So the
     * ports kept are the ones {@link #merge} keeps, not the first to arrive: a scan's evidence names the same ports
     * however its flows were ordered or grouped on the way (one flow per port: the lowest ports).
     */
    private boolean makeRoomFor(int port, long bytes) {
        Map.Entry<Integer, PortStats> last = null;
        for (Map.Entry<Integer, PortStats> e : ports.entrySet()) {
            if (last == null || PORT_ORDER.compare(e, last) > 0) {
                last = e;
            }
        }
        if (last == null || PORT_ORDER.compare(Map.entry(port, new PortStats(1, bytes, null)), last) >= 0) {
            return false;
        }
        portOverflowFlows += last.getValue().flows;
        ports.remove(last.getKey());
        return true;
    }

    /** The remote sent the job nothing but ICMP errors, if anything: no service of it answered at all. */
    public boolean remoteSilent() {
        return pktsIn - errorPktsIn <= 0;
    }

    /** Failed attempts that stand: stateless verdicts only when the remote sent the job no packets (class doc). */
    public long failedAttempts() {
        return remoteSilent() ? unanswered : unanswered - statelessUnanswered;
    }

    /** Attempts: TCP and ICMP echo ones, and the UDP datagrams {@code udp} judged ({@link #udp()}). */
    public long judgedAttempts(UdpVerdict udp) {
        return attempts + udp.attempts();
    }

    /** Failed attempts that stand ({@link #failedAttempts()}), and refused or silent UDP ({@link #udp()}). */
    public long judgedFailures(UdpVerdict udp) {
        return failedAttempts() + udp.failures();
    }

    /** Ports (sorted) where the job made attempts: TCP, ICMP echo, and UDP answered or failed ({@link #udp()}). */
    public int[] attemptPorts(UdpVerdict udp) {
        return ports.entrySet().stream()
                .filter(e -> e.getValue().attempts > 0
                        || Arrays.binarySearch(udp.answeredPorts(), e.getKey()) >= 0
                        || Arrays.binarySearch(udp.failedPorts(), e.getKey()) >= 0)
                .mapToInt(Map.Entry::getKey)
                .sorted()
                .toArray();
    }

    /**
     * Ports (sorted) where the job's attempts failed and none was answered ({@link PortStats#failedService}), or its UDP
     * datagrams were refused or silent in numbers ({@link #udp()}).
     */
    public int[] failedPorts(UdpVerdict udp) {
        boolean silent = remoteSilent();
        return ports.entrySet().stream()
                .filter(e ->
                        e.getValue().failedService(silent) || Arrays.binarySearch(udp.failedPorts(), e.getKey()) >= 0)
                .mapToInt(Map.Entry::getKey)
                .sorted()
                .toArray();
    }

    /**
     * What the job's UDP datagrams to this host came to (see the class doc): the ports answered, the ports
     * failed (refused, or silent on {@value #UDP_SILENT_JUDGED} or more ports), the ports silent and not
     * judged, each sorted; and the datagrams' flow reports on judged ports and on failed ones.
     */
    public UdpVerdict udp() {
        boolean silentRemote = remoteSilent();
        List<Integer> answered = new ArrayList<>();
        List<Integer> unanswered = new ArrayList<>();
        for (Map.Entry<Integer, PortStats> e : ports.entrySet()) {
            PortStats p = e.getValue();
            if (p.udpAnswered > 0) {
                answered.add(e.getKey());
            } else if (p.udpUnanswered(silentRemote)) {
                unanswered.add(e.getKey());
            }
        }
        answered.sort(null);
        unanswered.sort(null);
        int failedCount = unanswered.size() >= UDP_SILENT_JUDGED
                ? unanswered.size()
                : (int) Math.min(unanswered.size(), unreachables);
        // which ports the unreachables quote is not in the log: the lowest ports stand for them (the count is what
        // matters)
        List<Integer> failed = unanswered.subList(0, failedCount);
        List<Integer> silent = unanswered.subList(failedCount, unanswered.size());
        long attempts = 0;
        long failures = 0;
        for (int port : answered) {
            attempts += ports.get(port).udpProbes;
        }
        for (int port : failed) {
            attempts += ports.get(port).udpProbes;
            failures += ports.get(port).udpProbes;
        }
        return new UdpVerdict(toArray(answered), toArray(failed), toArray(silent), attempts, failures);
    }

    /** What {@link #udp()} made of the job's UDP datagrams to one host. */
    public record UdpVerdict(int[] answeredPorts, int[] failedPorts, int[] silentPorts, long attempts, long failures) {}

    private static int[] toArray(List<Integer> ports) {
        return ports.stream().mapToInt(Integer::intValue).toArray();
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
        errorPktsIn = Sums.add(errorPktsIn, other.errorPktsIn);
        errorBytesIn = Sums.add(errorBytesIn, other.errorBytesIn);
        unreachables = Sums.add(unreachables, other.unreachables);
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
                mine.addUdp(e.getValue().udpProbes, e.getValue().udpAnswered, e.getValue().udpStatelessSilent);
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
        UdpVerdict udp = udp();
        c.attempts = judgedAttempts(udp);
        c.unanswered = judgedFailures(udp);
        c.attemptPorts = attemptPorts(udp);
        c.failedPorts = failedPorts(udp);
        c.silentPorts = udp.silentPorts();
        c.bytesOut = bytesOut;
        c.bytesIn = bytesIn;
        c.errorBytesIn = errorBytesIn;
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
                && errorPktsIn == c.errorPktsIn
                && errorBytesIn == c.errorBytesIn
                && unreachables == c.unreachables
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
