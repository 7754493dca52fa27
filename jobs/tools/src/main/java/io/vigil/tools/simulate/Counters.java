package io.vigil.tools.simulate;

/**
 * What one flow report counts, originator to responder and back, the way Zeek counts it: bytes are
 * payload bytes, packets are every packet, pure ACKs included.
 */
record Counters(long origBytes, long respBytes, long origPkts, long respPkts) {
    static final Counters NONE = new Counters(0, 0, 0, 0);

    /** Standard Ethernet MSS, for anything that leaves the cluster. */
    static final int MSS = 1448;
    /** Jumbo-frame MSS of the cluster fabric (storage, NCCL). */
    static final int JUMBO_MSS = 8948;

    /**
     * A TCP exchange of this much payload each way: data segments of at most {@code mss}, about one ACK
     * per two segments the other way, at least one packet each way when anything moved.
     */
    static Counters tcp(long origBytes, long respBytes, int mss) {
        long origSegments = segments(origBytes, mss);
        long respSegments = segments(respBytes, mss);
        long origPkts = origSegments + (respSegments + 1) / 2;
        long respPkts = respSegments + (origSegments + 1) / 2;
        if (origBytes + respBytes > 0) {
            origPkts = Math.max(1, origPkts);
            respPkts = Math.max(1, respPkts);
        }
        return new Counters(origBytes, respBytes, origPkts, respPkts);
    }

    /** A short TCP connection: {@link #tcp} plus the handshake and the close (3 + 2 packets each way). */
    static Counters tcpSession(long origBytes, long respBytes, int mss) {
        Counters c = tcp(origBytes, respBytes, mss);
        return new Counters(c.origBytes, c.respBytes, c.origPkts + 3, c.respPkts + 2);
    }

    /** Small messages each way, one packet each plus the other side's ACKs. */
    static Counters messages(long origMessages, long origBytes, long respMessages, long respBytes) {
        return new Counters(
                origBytes, respBytes, origMessages + (respMessages + 1) / 2, respMessages + (origMessages + 1) / 2);
    }

    static long segments(long bytes, int mss) {
        return bytes <= 0 ? 0 : (bytes + mss - 1) / mss;
    }

    Counters plus(Counters o) {
        return new Counters(
                origBytes + o.origBytes, respBytes + o.respBytes, origPkts + o.origPkts, respPkts + o.respPkts);
    }

    /** The part of these totals that falls between fractions {@code from} and {@code to} of the connection. */
    Counters slice(double from, double to) {
        return new Counters(
                part(origBytes, from, to),
                part(respBytes, from, to),
                part(origPkts, from, to),
                part(respPkts, from, to));
    }

    private static long part(long total, double from, double to) {
        return Math.round(total * clamp(to)) - Math.round(total * clamp(from));
    }

    private static double clamp(double f) {
        return Math.max(0.0, Math.min(1.0, f));
    }
}
