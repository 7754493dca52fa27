package io.vigil.models.features;

import io.vigil.records.IpAddresses;
import java.io.Serializable;
import java.util.Arrays;

/**
 * One IPv4 or IPv6 range: the network's bytes (host bits cleared) and the prefix length. Parsed strictly
 * ({@link IpAddresses#parse}: no DNS, no zones); an address without a prefix is that one host.
 */
public final class Cidr implements Serializable {
    private static final long serialVersionUID = 1L;

    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /** @throws IllegalArgumentException naming what is wrong with the text */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("not a CIDR range: '" + text + "'");
        }
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] address = addressText.indexOf('%') >= 0 ? null : IpAddresses.parse(addressText);
        if (address == null) {
            throw new IllegalArgumentException("not a CIDR range: '" + text + "' (bad address)");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String prefixText = trimmed.substring(slash + 1);
            if (!prefixText.matches("[0-9]{1,3}")) {
                throw new IllegalArgumentException("not a CIDR range: '" + text + "' (bad prefix length)");
            }
            prefix = Integer.parseInt(prefixText);
            if (prefix > bits) {
                throw new IllegalArgumentException(
                        "not a CIDR range: '" + text + "' (prefix longer than " + bits + " bits)");
            }
        }
        byte[] network = address.clone();
        for (int bit = prefix; bit < bits; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return new Cidr(network, prefix);
    }

    /** Whether the address text lies in the range; text that is not an address does not. */
    public boolean contains(String ip) {
        byte[] address = IpAddresses.parse(ip);
        return address != null && contains(address);
    }

    /** Whether the 4- or 16-byte address lies in the range; one of the other family does not. */
    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address[full] & mask) == (network[full] & 0xff);
    }

    /** The range's IPv4 directed broadcast address (all host bits set), for ranges of /30 or wider. */
    public boolean isBroadcast(byte[] address) {
        if (network.length != 4 || prefix > 30 || !contains(address)) {
            return false;
        }
        for (int bit = prefix; bit < 32; bit++) {
            if ((address[bit / 8] & (0x80 >>> (bit % 8))) == 0) {
                return false;
            }
        }
        return true;
    }

    /** The prefix length: 0 for a range that holds every address of its family. */
    public int prefix() {
        return prefix;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && prefix == other.prefix && Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefix;
    }

    @Override
    public String toString() {
        return NetworkScope.format(network) + "/" + prefix;
    }
}
