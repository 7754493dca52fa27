package io.vigil.models.features;

/**
 * Counter arithmetic that saturates instead of wrapping. Byte and packet counts come from outside (an
 * exporter, or whoever writes to the flow topic), and two counts near 2^63 must not add up to a negative
 * number or a small one: an exfiltration that wraps {@code external_bytes_out} back to 0 would hide itself.
 * Inputs are counts, so below 0 is read as 0.
 */
public final class Sums {
    private Sums() {}

    /** {@code a + b}, at most {@link Long#MAX_VALUE}; negative inputs count as 0. */
    public static long add(long a, long b) {
        long x = Math.max(0, a);
        long y = Math.max(0, b);
        return x > Long.MAX_VALUE - y ? Long.MAX_VALUE : x + y;
    }
}
