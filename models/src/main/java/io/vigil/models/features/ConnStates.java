package io.vigil.models.features;

import java.util.Locale;
import java.util.Set;

/**
 * What Zeek's {@code conn_state} says about a connection, from the originator's side: the one place that
 * decides whether a TCP connection attempt failed.
 *
 * <p>A <b>failed handshake</b>: the responder never took part in a TCP handshake, or took part and nothing
 * else was exchanged.
 * <ul>
 *   <li>{@code S0} attempt seen, no reply; {@code REJ} attempt rejected (RST to the SYN);</li>
 *   <li>{@code RSTOS0} the originator sent a SYN then a RST, no SYN-ACK seen (a half-open scan probe);</li>
 *   <li>{@code SH} the originator sent a SYN then a FIN, no SYN-ACK seen;</li>
 *   <li>{@code RSTRH}, {@code SHR} only the responder's side was seen (SYN-ACK then RST or FIN, no SYN):
 *       no exchange the originator can count as an answer;</li>
 *   <li>each of these only when the responder sent no payload: Zeek's own scan policy counted a connection
 *       failed only if "data not sent in any direction" (policy/misc/scan.zeek, {@code is_failed_conn}), and a
 *       record in which the responder sent data is the middle or end of a connection whose handshake the sensor
 *       did not see, not a refusal (Zeek before 3.2.1 wrote {@code RSTOS0} for midstream records with no SYN at
 *       all, zeek/zeek#1164, fixed by #1166; {@code RSTRH} is a responder's data and RST whose SYN came before
 *       the capture). The responder's payload only: VPC flow logs give a rejected SYN's header bytes as the
 *       source's bytes;</li>
 *   <li>{@code RSTO}, {@code RSTR} without a byte of payload either way: the handshake completed and was
 *       torn down at once (a connect scan of an open port, a service that resets strangers);</li>
 *   <li>{@code OTH} (no SYN seen, midstream) only when the responder sent no packets.</li>
 * </ul>
 * Answered: {@code SF}, {@code S1}, {@code S2}, {@code S3}, {@code RSTO} and {@code RSTR} with payload, and
 * {@code OTH} with packets from the responder. Without a state (IPFIX, VPC flow logs), a TCP flow whose
 * responder sent no packets failed; exporters that write each direction as its own record (goflow2, VPC)
 * report the reply separately, which the per-destination view takes into account ({@link ContactStats}).
 *
 * <p>Only TCP has a handshake. UDP has none: a UDP "connection" Zeek logs as {@code S0} is one-way traffic,
 * and one-way is how much UDP works (SSDP and mDNS announcements, NTP, syslog, metrics, replies to a
 * multicast query), so UDP is never a failed attempt. ICMP echo requests are judged by their reply
 * ({@link Icmp}); ICMP errors are never attempts.
 */
public final class ConnStates {
    private ConnStates() {}

    /** A connection the exporter saw still open at the end of its report interval. */
    public static final String STILL_OPEN = "S1";

    /** A connection open at least this long is long-lived, whatever its state. */
    public static final long LONG_LIVED_MS = 5 * 60_000L;

    private static final Set<String> NEVER_ANSWERED = Set.of("S0", "REJ", "RSTOS0", "RSTRH", "SH", "SHR");
    private static final Set<String> TORN_DOWN = Set.of("RSTO", "RSTR");

    /**
     * Whether a TCP connection attempt failed (see the class doc).
     *
     * @param connState Zeek conn_state, or null when the exporter has none
     * @param respPkts packets the responder sent in the report interval
     * @param respBytes bytes of payload the responder sent in the report interval
     * @param payloadBytes bytes of payload both ways in the report interval
     */
    public static boolean failedHandshake(String connState, long respPkts, long respBytes, long payloadBytes) {
        if (connState == null || connState.isBlank()) {
            return respPkts == 0;
        }
        String state = connState.strip().toUpperCase(Locale.ROOT);
        if (NEVER_ANSWERED.contains(state)) {
            return respPkts == 0 || respBytes == 0;
        }
        if (TORN_DOWN.contains(state)) {
            return payloadBytes == 0;
        }
        return state.equals("OTH") && respPkts == 0;
    }

    /** Whether the exporter gave no state: its verdict rests on packet counts alone (see {@link ContactStats}). */
    public static boolean stateless(String connState) {
        return connState == null || connState.isBlank();
    }

    /** Still open at the end of the report ({@code S1}), or open for {@link #LONG_LIVED_MS} or more. */
    public static boolean longLived(String connState, long durationMs) {
        return (connState != null && connState.strip().equalsIgnoreCase(STILL_OPEN)) || durationMs >= LONG_LIVED_MS;
    }
}
