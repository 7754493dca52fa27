package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * UDP probing of the cluster from a pod, as nmap -sU does it: first the top UDP ports of one internal host,
 * datagrams tens of milliseconds to a second apart, then one port across a run of addresses of a pod network.
 * UDP has no handshake, so what comes back is all there is: a service that listens answers (DNS, NTP); a host
 * that is there and has nothing on the port says so with ICMP port unreachable (type 3, code 3), which Zeek
 * logs as a connection of its own, from the host to the pod, type and code in its ports; Linux sends those at
 * most one a second per destination after a burst of six ({@code net.ipv4.icmp_ratelimit}), so a fast probe
 * of many ports gets few; an address with no host, or a host that drops the datagram, stays silent.
 */
final class UdpScan implements Activity {
    /** nmap's most common UDP ports, in its order of frequency (nmap-services). */
    static final int[] TOP_PORTS = {
        631, 161, 137, 123, 138, 1434, 445, 135, 67, 53, 139, 500, 68, 520, 1900, 4500, 514, 49152, 162, 69, 5353, 111,
        49154, 1701, 998, 996, 997, 999, 3283, 49153, 1812, 136, 2222, 2049, 32768, 5060, 1025, 1433, 3456, 80, 20031,
        1026, 7, 1646, 1645, 593, 518, 2048, 626, 1027
    };
    /** Ports a sweep of a network tries one at a time: SNMP, IPMI, NetBIOS names, memcached. */
    static final int[] SWEEP_PORTS = {161, 623, 137, 11211};

    private record Probe(long t, String ip, int port) {}

    private final World world;
    private final Pod pod;
    private final Rng rng;
    private final Phase phase;
    private final List<Probe> probes = new ArrayList<>();
    private final String host;
    private int next;
    /** ICMP port unreachable the scanned host may still send: a burst of six, then one a second. */
    private double tokens = BURST;

    private long lastRefill;
    /**
     * The host's port unreachables of the vertical scan so far in the stretch being simulated: one ICMP connection
     * (Zeek keeps one per pair of hosts, type and code, until a minute passes without a message).
     */
    private long unreachableFirst = -1;

    private long unreachableLast;
    private int unreachables;

    static final int BURST = 6;

    /**
     * @param host the internal host whose top {@code ports} UDP ports are tried within {@code verticalMs}
     * @param sweepPrefix a /24 of pod addresses ({@code 10.244.N.}) of which {@code sweepHosts} are tried on one
     *     port within {@code sweepMs}, starting {@code gapMs} after the vertical scan
     */
    UdpScan(
            World world,
            Pod pod,
            Rng rng,
            Phase phase,
            String host,
            int ports,
            long start,
            long verticalMs,
            String sweepPrefix,
            int sweepPort,
            int sweepHosts,
            long gapMs,
            long sweepMs) {
        this.world = world;
        this.pod = pod;
        this.rng = rng;
        this.phase = phase;
        this.host = host;
        this.lastRefill = start;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < Math.min(ports, TOP_PORTS.length); i++) {
            order.add(TOP_PORTS[i]);
        }
        for (int p = 1; order.size() < ports && p < 1024; p++) {
            if (!order.contains(p)) {
                order.add(p);
            }
        }
        for (int i = order.size() - 1; i > 0; i--) { // nmap randomises the port order
            int j = rng.between(0, i);
            Integer x = order.get(i);
            order.set(i, order.get(j));
            order.set(j, x);
        }
        double gap = (double) verticalMs / order.size();
        for (int i = 0; i < order.size(); i++) {
            probes.add(new Probe(start + Math.round((i + rng.next()) * gap), host, order.get(i)));
        }
        long sweepStart = start + verticalMs + gapMs;
        double sweepGap = (double) sweepMs / sweepHosts;
        int first = rng.between(2, 254 - sweepHosts);
        for (int h = 0; h < sweepHosts; h++) {
            probes.add(new Probe(
                    sweepStart + Math.round((h + rng.next()) * sweepGap), sweepPrefix + (first + h), sweepPort));
        }
        probes.sort(Comparator.comparingLong(Probe::t));
    }

    int probeCount() {
        return probes.size();
    }

    @Override
    public void network(long from, long to) {
        while (next < probes.size() && probes.get(next).t < to) {
            Probe p = probes.get(next++);
            if (p.t >= from) {
                probe(p);
            }
        }
        flushUnreachables();
    }

    private void probe(Probe p) {
        long bytes = p.port == 53 || p.port == 123 || p.port == 161 ? rng.between(40, 60) : 0; // nmap's payloads
        if (answers(p.ip, p.port)) {
            world.outbound(
                    pod,
                    rng,
                    p.ip,
                    p.port,
                    "UDP",
                    p.t,
                    rng.between(1, 20),
                    "SF",
                    Traffic.fixed(new Counters(bytes, rng.between(48, 300), 1, 1)),
                    phase);
            return;
        }
        // nmap sends a silent port's datagram again after a while: one flow, two datagrams
        world.outbound(
                pod,
                rng,
                p.ip,
                p.port,
                "UDP",
                p.t,
                rng.between(800, 1_500),
                "S0",
                Traffic.fixed(new Counters(2 * bytes, 0, 2, 0)),
                phase);
        if (!p.ip.equals(host)) {
            if (world.podAt(p.ip, p.t) != null) { // a pod without the service, each refusing once
                world.icmpUnreachable(pod.node.name, p.ip, pod.ip, p.t + rng.between(1, 5), bytes, pod);
            }
            return;
        }
        refill(p.t);
        if (tokens >= 1) {
            tokens -= 1;
            if (unreachableFirst < 0) {
                unreachableFirst = p.t;
            }
            unreachableLast = p.t + 1;
            unreachables++;
        }
    }

    /** Whether a service of the host answers on the port. */
    private boolean answers(String ip, int port) {
        if (ip.equals(Addresses.RESOLVER)) {
            return port == 53;
        }
        if (Addresses.NTP.contains(ip)) {
            return port == 123;
        }
        return false;
    }

    private void refill(long t) {
        tokens = Math.min(BURST, tokens + (t - lastRefill) / 1000.0);
        lastRefill = t;
    }

    /** Sends the unreachables gathered in this stretch as one ICMP connection from the host. */
    private void flushUnreachables() {
        if (unreachables == 0) {
            return;
        }
        world.open(
                pod,
                pod.node.name,
                host,
                3,
                pod.ip,
                3,
                "ICMP",
                unreachableFirst,
                Math.max(unreachableFirst + 1, unreachableLast),
                "OTH",
                Traffic.fixed(new Counters(56L * unreachables, 0, unreachables, 0)),
                null);
        unreachables = 0;
        unreachableFirst = -1;
    }
}
