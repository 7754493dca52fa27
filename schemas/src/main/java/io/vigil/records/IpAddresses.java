package io.vigil.records;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Parses IP address text strictly and without ever touching DNS: dotted-quad IPv4 (no leading zeros,
 * no short forms) and IPv6 in any RFC 4291 text form, with an optional zone (fe80::1%eth0); and says
 * what kind of address it is ({@link #kind}): the one place that decides which addresses name a single
 * host a job can talk to, and which are broadcast, multicast, link-local, loopback or unspecified.
 */
public final class IpAddresses {
    private IpAddresses() {}

    /**
     * What an address stands for, from the address alone (the directed broadcast of a configured
     * network is the caller's to add: it depends on the network's prefix).
     */
    public enum Kind {
        /** One host: a possible destination, and a possible scan target. */
        UNICAST,
        /**
         * A cloud instance metadata service ({@link #METADATA_SERVICES}): link-local or in a shared range,
         * but one host, and one that hands out the node's credentials, so asking it is a signal.
         */
        METADATA_SERVICE,
        /** 127/8, ::1: never leaves the host; a flow exporter that reports it saw the host talk to itself. */
        LOOPBACK,
        /** 0/8, :: : "no address yet" (DHCP discovery from 0.0.0.0), never a destination. */
        UNSPECIFIED,
        /** 169.254/16, fe80::/10: one link only (ARP-adjacent autoconfiguration, neighbour discovery). */
        LINK_LOCAL,
        /** 224/4, ff00::/8: a group (mDNS 224.0.0.251, SSDP 239.255.255.250, ff02::fb), not a host. */
        MULTICAST,
        /** 255.255.255.255, x.x.x.255 of a private range, a network's directed broadcast: every host of a link. */
        BROADCAST;

        /**
         * Whether the address names one host that a job can exchange traffic with: only such addresses
         * count as destinations (internal or external) and as scan targets. Traffic to a group, to every
         * host of a link or to no host at all is LAN chatter (service discovery, DHCP, NetBIOS), whatever
         * its volume.
         */
        public boolean isHost() {
            return this == UNICAST || this == METADATA_SERVICE;
        }
    }

    /**
     * The instance metadata services: 169.254.169.254 (AWS, GCP, Azure, OCI and most others),
     * fd00:ec2::254 (AWS over IPv6) and 100.100.100.200 (Alibaba Cloud ECS).
     */
    public static final List<String> METADATA_SERVICES = List.of("169.254.169.254", "fd00:ec2::254", "100.100.100.200");

    private static final List<byte[]> METADATA_BYTES =
            METADATA_SERVICES.stream().map(IpAddresses::parse).toList();

    /** The kind of the address in the text; text that is not an address is {@link Kind#UNICAST} (kept under scrutiny). */
    public static Kind kind(String text) {
        byte[] address = parse(text);
        return address == null ? Kind.UNICAST : kind(address);
    }

    /**
     * The kind of a 4- or 16-byte address. IPv4: 0/8 unspecified, 127/8 loopback, 169.254/16 link-local,
     * 224/4 multicast, 255.255.255.255 and the last address of every /24 in the RFC 1918 ranges
     * (10/8, 172.16/12, 192.168/16) broadcast: LANs and pod networks are /24s or larger, and a host
     * numbered x.x.x.255 inside a private range is rare enough that its traffic is better read as
     * broadcast than as a host. IPv6: :: unspecified, ::1 loopback, fe80::/10 link-local, ff00::/8
     * multicast (IPv6 has no broadcast). The metadata services win over link-local.
     */
    public static Kind kind(byte[] address) {
        for (byte[] metadata : METADATA_BYTES) {
            if (Arrays.equals(metadata, address)) {
                return Kind.METADATA_SERVICE;
            }
        }
        if (address.length == 4) {
            int a = address[0] & 0xff;
            int b = address[1] & 0xff;
            int d = address[3] & 0xff;
            if (a == 0) {
                return Kind.UNSPECIFIED;
            }
            if (a == 127) {
                return Kind.LOOPBACK;
            }
            if (a == 169 && b == 254) {
                return Kind.LINK_LOCAL;
            }
            if (a >= 224 && a <= 239) {
                return Kind.MULTICAST;
            }
            if ((a == 255 && b == 255 && (address[2] & 0xff) == 255 && d == 255) || (d == 255 && isPrivate(a, b))) {
                return Kind.BROADCAST;
            }
            return Kind.UNICAST;
        }
        if (address.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + address.length);
        }
        int first = address[0] & 0xff;
        if (first == 0xff) {
            return Kind.MULTICAST;
        }
        if (first == 0xfe && (address[1] & 0xc0) == 0x80) {
            return Kind.LINK_LOCAL;
        }
        boolean zeroHead = true;
        for (int i = 0; i < 15; i++) {
            zeroHead &= address[i] == 0;
        }
        if (zeroHead && address[15] == 0) {
            return Kind.UNSPECIFIED;
        }
        if (zeroHead && address[15] == 1) {
            return Kind.LOOPBACK;
        }
        return Kind.UNICAST;
    }

    /** RFC 1918: 10/8, 172.16/12, 192.168/16. */
    private static boolean isPrivate(int a, int b) {
        return a == 10 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168);
    }

    /** The address as 4 or 16 bytes, or null if the text is not an IP address. */
    public static byte[] parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) {
            return null;
        }
        int zone = text.indexOf('%');
        String address = zone < 0 ? text : text.substring(0, zone);
        if (address.indexOf(':') < 0) {
            return zone < 0 ? parseIpv4(address) : null; // zones belong to IPv6 only
        }
        return parseIpv6(address, zone < 0 ? null : text.substring(zone + 1));
    }

    public static boolean isValid(String text) {
        return parse(text) != null;
    }

    private static byte[] parseIpv4(String text) {
        byte[] out = new byte[4];
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || part == 4) {
                    return null;
                }
                out[part++] = (byte) value;
                value = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (digits > 0 && value == 0) {
                    return null; // leading zero: ambiguous (octal in some parsers)
                }
                value = value * 10 + (c - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return part == 4 ? out : null;
    }

    private static byte[] parseIpv6(String address, String zone) {
        if (zone != null && zone.isEmpty()) {
            return null;
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            boolean ok =
                    c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!ok) {
                return null;
            }
        }
        int lastColon = address.lastIndexOf(':');
        if (address.indexOf('.', lastColon) >= 0 && parseIpv4(address.substring(lastColon + 1)) == null) {
            return null; // the embedded IPv4 part (::ffff:10.0.0.1) follows the same strict rules
        }
        // The text holds a ':' and starts with a hex digit or ':', so the JDK parses it as an IPv6
        // literal and never resolves it as a host name.
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            return bytes;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
