package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The simulated cluster while it runs: its span, its nodes, the connections open on it, and helpers that
 * open connections the way the workloads and incidents make them.
 */
final class World {
    final long seed;
    final long t0;
    final long end;
    final long exportMs;
    final long sampleMs;
    final List<Node> nodes = new ArrayList<>();
    private final List<Conn> conns = new ArrayList<>();
    /** Start of the stretch being simulated: nothing made now may be reported before it. */
    private long now = Long.MIN_VALUE;

    World(long seed, long t0, long end, long exportMs, long sampleMs, int nodeCount) {
        this.seed = seed;
        this.t0 = t0;
        this.end = end;
        this.exportMs = exportMs;
        this.sampleMs = sampleMs;
        for (int i = 0; i < nodeCount; i++) {
            nodes.add(new Node(i, seed, sampleMs));
        }
    }

    long span() {
        return end - t0;
    }

    /**
     * Opens a connection. One that would outlive its owner pod's processes is cut when they exit (their
     * sockets closed) or, failing that, when the pod stops (a reset from the side that went away); one that
     * would start after its owner's processes exited is not opened (null).
     */
    Conn open(
            Pod owner,
            String node,
            String srcIp,
            int srcPort,
            String dstIp,
            int dstPort,
            String protocol,
            long start,
            long end,
            String endState,
            Traffic traffic,
            Phase phase) {
        if (owner != null && (start >= Math.min(owner.end, owner.exitAt) || start < owner.start)) {
            return null;
        }
        Conn c = new Conn(owner, node, srcIp, srcPort, dstIp, dstPort, protocol, start, end, endState, traffic, phase);
        if (owner != null && owner.exitAt < end) {
            c.cut(owner.exitAt, "SF");
        } else if (owner != null && owner.end < end) {
            c.cut(owner.end, owner.addresses().contains(srcIp) ? "RSTO" : "RSTR");
        }
        if (c.end() < now) {
            if (c.end() < t0) {
                return c; // over before the span began: nobody sees it
            }
            throw new IllegalStateException("a connection ending at " + c.end() + " was opened after " + now
                    + " had been simulated; it would never be reported");
        }
        conns.add(c);
        return c;
    }

    /** A TCP (or UDP) connection from the pod to {@code dstIp}, seen by the pod's node. */
    Conn outbound(
            Pod pod,
            Rng rng,
            String dstIp,
            int dstPort,
            String protocol,
            long start,
            long durationMs,
            String endState,
            Traffic traffic,
            Phase phase) {
        long stop = durationMs == Long.MAX_VALUE ? Long.MAX_VALUE : start + Math.max(1, durationMs);
        return open(
                pod,
                pod.node.name,
                pod.ip,
                rng.ephemeralPort(),
                dstIp,
                dstPort,
                protocol,
                start,
                stop,
                endState,
                traffic,
                phase);
    }

    /** A connection from {@code srcIp} into the pod, seen by the pod's node. */
    Conn inbound(
            Pod pod,
            Rng rng,
            String srcIp,
            int dstPort,
            long start,
            long durationMs,
            String endState,
            Traffic traffic,
            Phase phase) {
        long stop = durationMs == Long.MAX_VALUE ? Long.MAX_VALUE : start + Math.max(1, durationMs);
        return open(
                pod,
                pod.node.name,
                srcIp,
                rng.ephemeralPort(),
                pod.ip,
                dstPort,
                "TCP",
                start,
                stop,
                endState,
                traffic,
                phase);
    }

    /** A short, complete TCP exchange (SF): {@code origBytes} up, {@code respBytes} down at about {@code mbPerSecond}. */
    Conn exchange(
            Pod pod,
            Rng rng,
            String dstIp,
            int dstPort,
            long start,
            long origBytes,
            long respBytes,
            double mbPerSecond,
            int mss,
            Phase phase) {
        double seconds = 0.02 + rng.uniform(0.01, 0.15) + (origBytes + respBytes) / (mbPerSecond * 1e6);
        return outbound(
                pod,
                rng,
                dstIp,
                dstPort,
                "TCP",
                start,
                Math.round(seconds * 1000),
                "SF",
                Traffic.fixed(Counters.tcpSession(origBytes, respBytes, mss)),
                phase);
    }

    /** A DNS lookup through the cluster resolver (UDP; Zeek calls an answered one SF). */
    Conn dns(Pod pod, Rng rng, long start, Phase phase) {
        long q = rng.between(34, 90);
        long a = q + rng.between(16, 180);
        return outbound(
                pod,
                rng,
                Addresses.KUBE_DNS,
                53,
                "UDP",
                start,
                rng.between(1, 6),
                "SF",
                Traffic.fixed(new Counters(q, a, 1, 1)),
                phase);
    }

    /**
     * A UDP datagram exchange between any two addresses, seen by {@code node}'s exporter: {@code answered}
     * gives SF with a reply of {@code respBytes}; otherwise S0, as Zeek logs a datagram that got no answer
     * (multicast and broadcast never do: the replies, if any, come from each host as their own flows).
     */
    Conn datagram(
            String node,
            String srcIp,
            int srcPort,
            String dstIp,
            int dstPort,
            long start,
            long origBytes,
            int origPkts,
            long respBytes,
            boolean answered,
            Rng rng) {
        long lasts = answered ? rng.between(1, 8) : (origPkts > 1 ? rng.between(500, 3_000) : 0);
        return open(
                null,
                node,
                srcIp,
                srcPort,
                dstIp,
                dstPort,
                "UDP",
                start,
                start + lasts,
                answered ? "SF" : "S0",
                Traffic.fixed(new Counters(origBytes, answered ? respBytes : 0, origPkts, answered ? origPkts : 0)),
                null);
    }

    /**
     * An ICMP error (destination unreachable) that {@code sender} sends back to {@code target}, as Zeek
     * logs it: a connection of its own, originated by the error's sender, with the ICMP type in the
     * source port and the code in the destination port (3/3 port unreachable in IPv4, 1/4 in ICMPv6), and
     * the quoted datagram as payload.
     */
    Conn icmpUnreachable(String node, String sender, String target, long start, long quotedBytes, Pod owner) {
        boolean v6 = sender.indexOf(':') >= 0;
        return open(
                owner,
                node,
                sender,
                v6 ? 1 : 3,
                target,
                v6 ? 4 : 3,
                "ICMP",
                start,
                start,
                "OTH",
                Traffic.fixed(new Counters(quotedBytes + (v6 ? 48 : 28), 0, 1, 0)),
                null);
    }

    /** A connection attempt that nobody answers (S0: SYN, retransmitted) or that is refused (REJ). */
    Conn unanswered(Pod pod, Rng rng, String dstIp, int dstPort, long start, boolean refused, Phase phase) {
        if (refused) {
            return outbound(
                    pod,
                    rng,
                    dstIp,
                    dstPort,
                    "TCP",
                    start,
                    rng.between(1, 4),
                    "REJ",
                    Traffic.fixed(new Counters(0, 0, 1, 1)),
                    phase);
        }
        int syns = rng.between(1, 3);
        long lasts = syns == 1 ? rng.between(1, 30) : (syns == 2 ? 1000 : 3000) + rng.between(0, 40);
        return outbound(
                pod, rng, dstIp, dstPort, "TCP", start, lasts, "S0", Traffic.fixed(new Counters(0, 0, syns, 0)), phase);
    }

    /** Starts simulating the stretch from {@code from}. */
    void begin(long from) {
        now = from;
    }

    /** {@code t}, or the start of the stretch being simulated if that is later (for a lookup just before a connection). */
    long notBefore(long t) {
        return Math.max(t, now);
    }

    /** Emits the reports of every open connection that fall in [from, to); forgets closed ones. */
    void advance(long from, long to, Output out) {
        for (Iterator<Conn> it = conns.iterator(); it.hasNext(); ) {
            Conn c = it.next();
            c.advance(from, to, exportMs, out);
            if (c.closed()) {
                it.remove();
            }
        }
    }

    /** The pod holding address {@code ip} at {@code t}, or null. */
    Pod podAt(String ip, long t) {
        for (Node n : nodes) {
            for (Pod p : n.pods) {
                if (p.ip.equals(ip) && p.aliveAt(t)) {
                    return p;
                }
            }
        }
        return null;
    }

    Node nodeByIp(String ip) {
        for (Node n : nodes) {
            if (n.ip.equals(ip)) {
                return n;
            }
        }
        return null;
    }
}
