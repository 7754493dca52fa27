package io.vigil.tools.simulate;

import io.vigil.records.Flow;
import java.time.Instant;

/**
 * One connection as a flow exporter sees it. It is reported when it closes and, while it stays open,
 * again each time the export interval has passed since its last report (an active timeout, as IPFIX
 * exporters do), with {@code conn_state} {@code S1} and the counters of that report's stretch only.
 * A connection shorter than the export interval is one report, with its final state.
 */
final class Conn {
    final Pod owner; // the pod whose life bounds the connection
    final String node; // the host whose exporter observes it
    final String srcIp;
    final int srcPort;
    final String dstIp;
    final int dstPort;
    final String protocol;
    private final long start;
    private long end;
    private String endState;
    private final Traffic traffic;
    final Phase phase; // null for benign activity
    private long reported; // end of the stretch last reported (or the start)
    private boolean closed;

    Conn(
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
        if (end < start) {
            throw new IllegalArgumentException("connection ends before it starts");
        }
        this.owner = owner;
        this.node = node;
        this.srcIp = srcIp;
        this.srcPort = srcPort;
        this.dstIp = dstIp;
        this.dstPort = dstPort;
        this.protocol = protocol;
        this.start = start;
        this.end = end;
        this.endState = endState;
        this.traffic = traffic;
        this.phase = phase;
        this.reported = start;
    }

    long start() {
        return start;
    }

    long end() {
        return end;
    }

    boolean closed() {
        return closed;
    }

    /** Ends the connection earlier than planned (its pod stopped, the peer went away). */
    void cut(long at, String state) {
        if (at < end) {
            end = Math.max(at, start);
            endState = state;
        }
    }

    private static Counters closing(String state) {
        return switch (state) {
            case "RSTO" -> new Counters(0, 0, 1, 0);
            case "RSTR" -> new Counters(0, 0, 0, 1);
            default -> new Counters(0, 0, 2, 2);
        };
    }

    /** Emits this connection's reports whose time falls in [from, to). */
    void advance(long from, long to, long exportMs, Output out) {
        if (closed) {
            return;
        }
        if (reported + exportMs < from) { // opened before the simulated span: skip the reports before it
            reported += ((from - reported) / exportMs) * exportMs;
        }
        while (true) {
            long next = reported + exportMs;
            if (end <= next) {
                if (end < to) {
                    if (end >= from) {
                        report(reported, end, endState, out);
                    }
                    closed = true;
                }
                return;
            }
            if (next >= to) {
                return;
            }
            if (next >= from) {
                report(reported, next, "S1", out);
            }
            reported = next;
        }
    }

    private void report(long a, long b, String state, Output out) {
        Counters c = traffic.between(this, a, b);
        if (!"S1".equals(state) && "TCP".equals(protocol) && !(traffic instanceof Traffic.Fixed)) {
            c = c.plus(closing(state)); // the FINs (or the reset) that end it
        }
        Flow flow = new Flow(
                Instant.ofEpochMilli(b),
                Instant.ofEpochMilli(start),
                node,
                null,
                srcIp,
                dstIp,
                srcPort,
                dstPort,
                protocol,
                c.origBytes(),
                c.respBytes(),
                c.origPkts(),
                c.respPkts(),
                state);
        out.flow(flow, phase);
    }
}
