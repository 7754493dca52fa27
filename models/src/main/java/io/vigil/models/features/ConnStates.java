package io.vigil.models.features;

import java.util.Locale;
import java.util.Set;

/**
 * What Zeek's {@code conn_state} says about a connection, from the originator's side.
 *
 * <p>Unanswered: the responder never took part in a handshake.
 * <ul>
 *   <li>{@code S0} attempt seen, no reply; {@code REJ} attempt rejected (RST to the SYN);</li>
 *   <li>{@code RSTOS0} the originator sent a SYN then a RST, no SYN-ACK seen (a half-open scan probe);</li>
 *   <li>{@code SH} the originator sent a SYN then a FIN, no SYN-ACK seen;</li>
 *   <li>{@code RSTRH}, {@code SHR} only the responder's side was seen (SYN-ACK then RST or FIN, no SYN):
 *       no exchange the originator can count as an answer;</li>
 *   <li>{@code OTH} (no SYN seen, midstream) only when the responder sent no packets.</li>
 * </ul>
 * Answered: {@code SF}, {@code S1}, {@code S2}, {@code S3}, {@code RSTO}, {@code RSTR} (a handshake
 * completed), and {@code OTH} with packets from the responder.
 * Without a state (exporters that have none: IPFIX, VPC flow logs), a TCP flow whose responder sent no
 * packets is unanswered; other protocols without a state are not judged (UDP and ICMP senders often expect
 * no reply: syslog, metrics, NTP broadcasts).
 */
public final class ConnStates {
    private ConnStates() {}

    /** A connection the exporter saw still open at the end of its report interval. */
    public static final String STILL_OPEN = "S1";

    /** A connection open at least this long is long-lived, whatever its state. */
    public static final long LONG_LIVED_MS = 5 * 60_000L;

    private static final Set<String> NEVER_ANSWERED = Set.of("S0", "REJ", "RSTOS0", "RSTRH", "SH", "SHR");

    /**
     * Whether the responder never answered this connection.
     *
     * @param connState Zeek conn_state, or null when the exporter has none
     * @param protocol protocol name (TCP, UDP, ...)
     * @param respPkts packets the responder sent in the report interval
     */
    public static boolean unanswered(String connState, String protocol, long respPkts) {
        if (connState == null || connState.isBlank()) {
            return "TCP".equalsIgnoreCase(protocol) && respPkts == 0;
        }
        String state = connState.strip().toUpperCase(Locale.ROOT);
        if (NEVER_ANSWERED.contains(state)) {
            return true;
        }
        return state.equals("OTH") && respPkts == 0;
    }

    /** Still open at the end of the report ({@code S1}), or open for {@link #LONG_LIVED_MS} or more. */
    public static boolean longLived(String connState, long durationMs) {
        return (connState != null && connState.strip().equalsIgnoreCase(STILL_OPEN)) || durationMs >= LONG_LIVED_MS;
    }
}
