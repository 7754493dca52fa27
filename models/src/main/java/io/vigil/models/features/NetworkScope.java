package io.vigil.models.features;

import io.vigil.records.IpAddresses;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which addresses belong to the cluster ("internal") and which lie outside it ("external"), and which one
 * is the cloud's instance metadata service. Immutable and serializable, so a Flink operator can hold one.
 *
 * <p>{@link #defaults()} holds every range that is never routed on the public internet: RFC 1918
 * (10/8, 172.16/12, 192.168/16), carrier-grade NAT 100.64/10 (which many Kubernetes overlays and clouds
 * use for pods and services), loopback 127/8 and ::1, link-local 169.254/16 and fe80::/10, and IPv6
 * unique-local fc00::/7. A cluster that owns public ranges, or wants fewer, lists its own with
 * {@link #of(List)} (exactly those ranges) or {@link #and(List)} (the defaults plus those).
 *
 * <p>An address that is not valid IP text is <b>external</b>: a range we cannot place must not be
 * whitelisted as part of the cluster, and treating it as outside keeps it under the stricter, fleet-rarity
 * scrutiny rather than hiding it. (The decoders refuse bad addresses upstream, so this is a last resort.)
 * IPv4-mapped IPv6 text ({@code ::ffff:10.0.0.1}) is read as its IPv4 address.
 *
 * <p>{@link #kind} says whether an address names one host at all ({@link IpAddresses#kind}, plus the
 * directed broadcast address of each internal IPv4 range): only hosts count as destinations, internal or
 * external, and as scan targets. Broadcast, multicast, link-local, loopback and unspecified addresses are
 * LAN chatter (SSDP to 239.255.255.250 is not an external destination), the metadata service excepted.
 */
public final class NetworkScope implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The ranges of {@link #defaults()}, as CIDR text. */
    public static final List<String> DEFAULT_INTERNAL_CIDRS = List.of(
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16", // RFC 1918
            "100.64.0.0/10", // RFC 6598 carrier-grade NAT
            "127.0.0.0/8",
            "169.254.0.0/16", // loopback, link-local
            "::1/128",
            "fc00::/7",
            "fe80::/10"); // IPv6 loopback, unique-local, link-local

    /**
     * The instance metadata services ({@link IpAddresses#METADATA_SERVICES}). They hand out the node's
     * credentials, which is why a workload that asks them is interesting.
     */
    public static final List<String> METADATA_SERVICES = IpAddresses.METADATA_SERVICES;

    private static final NetworkScope DEFAULTS = of(DEFAULT_INTERNAL_CIDRS);

    private final List<Cidr> internal;

    private NetworkScope(List<Cidr> internal) {
        this.internal = List.copyOf(internal);
    }

    /** The private, loopback, link-local and CGNAT ranges of IPv4 and IPv6 (see the class doc). */
    public static NetworkScope defaults() {
        return DEFAULTS;
    }

    /**
     * Exactly these ranges are internal. Each is CIDR text ({@code 10.0.0.0/8}, {@code fd00::/8}) or a
     * single address (a /32 or /128); host bits below the prefix are ignored.
     *
     * @throws IllegalArgumentException naming the first entry that is not a CIDR
     */
    public static NetworkScope of(List<String> internalCidrs) {
        Objects.requireNonNull(internalCidrs, "internalCidrs");
        List<Cidr> cidrs = new ArrayList<>(internalCidrs.size());
        for (String text : internalCidrs) {
            cidrs.add(Cidr.parse(text));
        }
        return new NetworkScope(cidrs);
    }

    /** These ranges and the ones this scope already has. */
    public NetworkScope and(List<String> moreInternalCidrs) {
        List<Cidr> cidrs = new ArrayList<>(internal);
        cidrs.addAll(of(moreInternalCidrs).internal);
        return new NetworkScope(cidrs);
    }

    /** Whether the address lies in one of the internal ranges; unparseable text is external (class doc). */
    public boolean isInternal(String ip) {
        return isInternalAddress(IpAddresses.parse(ip));
    }

    /** {@link #isInternal(String)} of an address already parsed ({@link IpAddresses#parse}; null: not an address). */
    public boolean isInternalAddress(byte[] address) {
        if (address == null) {
            return false;
        }
        for (Cidr cidr : internal) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    public boolean isExternal(String ip) {
        return !isInternal(ip);
    }

    /** Whether the address is a cloud instance metadata service ({@link #METADATA_SERVICES}). */
    public boolean isMetadataService(String ip) {
        return IpAddresses.kind(ip) == IpAddresses.Kind.METADATA_SERVICE;
    }

    /**
     * What the address stands for: {@link IpAddresses#kind}, and {@link IpAddresses.Kind#BROADCAST} for the
     * directed broadcast address (all host bits set) of each internal IPv4 range of /30 or wider. Text that
     * is not an address is {@link IpAddresses.Kind#UNICAST}, like an external host (see the class doc).
     */
    public IpAddresses.Kind kind(String ip) {
        return kindOfAddress(IpAddresses.parse(ip));
    }

    /** {@link #kind(String)} of an address already parsed ({@link IpAddresses#parse}; null: not an address). */
    public IpAddresses.Kind kindOfAddress(byte[] address) {
        if (address == null) {
            return IpAddresses.Kind.UNICAST;
        }
        IpAddresses.Kind kind = IpAddresses.kind(address);
        if (kind == IpAddresses.Kind.UNICAST) {
            for (Cidr cidr : internal) {
                if (cidr.isBroadcast(address)) {
                    return IpAddresses.Kind.BROADCAST;
                }
            }
        }
        return kind;
    }

    /** Whether the address names one host that can be a destination or a scan target ({@link #kind}). */
    public boolean isHost(String ip) {
        return kind(ip).isHost();
    }

    /** The internal ranges, as normalised CIDR text. */
    public List<String> cidrs() {
        return internal.stream().map(Cidr::toString).toList();
    }

    /**
     * One text per address, so that one host written two ways is one destination: IPv4 dotted-quad,
     * IPv6 in RFC 5952 form (lower case, zeros compressed), IPv4-mapped IPv6 as IPv4, any zone dropped.
     * Text that is not an address comes back as given.
     */
    public static String canonical(String ip) {
        return canonical(ip, IpAddresses.parse(ip));
    }

    /**
     * {@link #canonical(String)} of text already parsed ({@link IpAddresses#parse}; null: not an address). Text that
     * is already canonical is returned as it is, not formatted again: most addresses are, and this runs for every
     * attributed flow.
     */
    public static String canonical(String ip, byte[] address) {
        if (address == null) {
            return ip;
        }
        return address.length == 4 && isDottedQuad(ip, address) ? ip : format(address);
    }

    /** Whether {@code ip} is exactly the dotted decimal {@link #format} makes of this IPv4 address. */
    private static boolean isDottedQuad(String ip, byte[] address) {
        int at = 0;
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                if (at >= ip.length() || ip.charAt(at) != '.') {
                    return false;
                }
                at++;
            }
            int octet = address[i] & 0xff;
            int digits = octet >= 100 ? 3 : octet >= 10 ? 2 : 1;
            if (at + digits > ip.length()) {
                return false;
            }
            for (int d = digits - 1, rest = octet; d >= 0; d--, rest /= 10) {
                if (ip.charAt(at + d) != (char) ('0' + rest % 10)) {
                    return false;
                }
            }
            at += digits;
        }
        return at == ip.length();
    }

    static String format(byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "."
                    + (address[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // RFC 5952: only runs of two or more zero groups are compressed, the first longest
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkScope other && internal.equals(other.internal);
    }

    @Override
    public int hashCode() {
        return internal.hashCode();
    }

    @Override
    public String toString() {
        return "NetworkScope" + cidrs();
    }
}
