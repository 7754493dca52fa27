package io.vigil.models.features;

import java.util.Locale;

/**
 * What an ICMP or ICMPv6 flow report is, from its type. Zeek logs each ICMP exchange as a "connection" whose
 * originator sent the first message, with the type in the originator's port and the code in the responder's
 * (the Flow schema keeps them there). Exporters that give no type (VPC flow logs write 0) read as type 0,
 * which is neither an error nor a request below, so such flows are never judged.
 *
 * <ul>
 *   <li><b>Errors</b> (ICMP 3 unreachable, 4 source quench, 5 redirect, 11 time exceeded, 12 parameter
 *       problem; ICMPv6 1 unreachable, 2 packet too big, 3 time exceeded, 4 parameter problem) are a host's
 *       or router's answer to some other packet: a port unreachable sent back to an SSDP or DNS reply that
 *       arrived after its socket closed. Whoever sends one opened nothing, and whoever receives one was not
 *       contacted by its sender: an error is never a connection attempt, a scan target or a destination.</li>
 *   <li><b>Echo requests</b> (ICMP 8, ICMPv6 128) are attempts like a TCP SYN: answered by an echo reply or
 *       not. Many unanswered echo requests to distinct hosts are a ping sweep.</li>
 * </ul>
 */
public final class Icmp {
    private Icmp() {}

    /** Whether the (upper-case) protocol name is ICMP or ICMPv6. */
    public static boolean isIcmp(String protocol) {
        return protocol != null
                && (protocol.equals("ICMP") || protocol.toUpperCase(Locale.ROOT).equals("ICMPV6"));
    }

    /**
     * Whether an ICMP flow is ICMPv6: by its protocol name, or, where an exporter says "ICMP" for both (Zeek
     * before its adapter fixed that), by its address family.
     */
    public static boolean isV6(String protocol, String remoteIp) {
        return protocol.toUpperCase(Locale.ROOT).equals("ICMPV6") || (remoteIp != null && remoteIp.indexOf(':') >= 0);
    }

    /** An error message (see the class doc). */
    public static boolean isError(int type, boolean v6) {
        return v6 ? type >= 1 && type <= 4 : type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    }

    /**
     * A destination unreachable message (ICMP 3, ICMPv6 1), any code: the datagram it quotes was not delivered.
     * Sent by the probed host itself it says the host is there and nothing takes the datagram: code 3 (ICMPv6 4),
     * port unreachable, is how a host answers a UDP datagram to a closed port; a host's own firewall rejecting
     * it says so with code 3 too (iptables' default REJECT) or with administratively prohibited (13; ICMPv6 1).
     */
    public static boolean isUnreachable(int type, boolean v6) {
        return v6 ? type == 1 : type == 3;
    }

    /** An echo request: a probe for whether the host is there. */
    public static boolean isEchoRequest(int type, boolean v6) {
        return v6 ? type == 128 : type == 8;
    }
}
