package io.vigil.records;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses IP address text strictly and without ever touching DNS: dotted-quad IPv4 (no leading zeros,
 * no short forms) and IPv6 in any RFC 4291 text form, with an optional zone (fe80::1%eth0).
 */
public final class IpAddresses {
    private IpAddresses() {}

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
            boolean ok = c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
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
