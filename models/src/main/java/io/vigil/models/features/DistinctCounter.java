package io.vigil.models.features;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How many distinct items (addresses) were seen, in bounded memory: exact up to {@value #EXACT_MAX} items
 * (their 64-bit hashes, sorted), then a HyperLogLog sketch (Flajolet et al., 2007) of {@value #REGISTERS}
 * one-byte registers, about 4.6% standard error, with linear counting while most registers are empty. A
 * sweep of a million addresses costs this counter 512 bytes, as a sweep of a hundred does. A Flink POJO.
 *
 * <p>Adding an item twice counts it once, and {@link #add} and {@link #merge} may come in any order and
 * grouping: the state is a function of the set of items seen (the exact hashes, or the registers, which are
 * the maximum over items), so partial counters merge to what one counter would hold. Past the exact range
 * the count is never below {@value #EXACT_MAX} + 1, which it is known to exceed.
 */
public class DistinctCounter {
    /** Items counted exactly. */
    public static final int EXACT_MAX = 64;

    static final int PRECISION = 9;
    static final int REGISTERS = 1 << PRECISION;

    /** Hashes of the items, sorted and distinct, while {@link #registers} is null. */
    public long[] hashes = new long[0];
    /** HyperLogLog registers once more than {@link #EXACT_MAX} items were seen; null before. */
    public byte[] registers;

    public DistinctCounter() {}

    public void add(String item) {
        addHash(hash(item));
    }

    void addHash(long h) {
        if (registers != null) {
            update(registers, h);
            return;
        }
        int i = Arrays.binarySearch(hashes, h);
        if (i >= 0) {
            return;
        }
        int at = -i - 1;
        long[] grown = new long[hashes.length + 1];
        System.arraycopy(hashes, 0, grown, 0, at);
        grown[at] = h;
        System.arraycopy(hashes, at, grown, at + 1, hashes.length - at);
        hashes = grown;
        if (hashes.length > EXACT_MAX) {
            toSketch();
        }
    }

    /** Adds the other's items to these (the other is left unchanged). */
    public void merge(DistinctCounter other) {
        if (other.registers == null) {
            for (long h : other.hashes) {
                addHash(h);
            }
            return;
        }
        if (registers == null) {
            toSketch();
        }
        for (int i = 0; i < REGISTERS; i++) {
            registers[i] = (byte) Math.max(registers[i], other.registers[i]);
        }
    }

    /** Whether nothing was counted. */
    public boolean isEmpty() {
        return registers == null && hashes.length == 0;
    }

    /** Bytes {@link #writeTo} writes: a kind byte, then the hashes (count and values) or the registers. */
    public int byteSize() {
        return registers == null ? 1 + 1 + Long.BYTES * hashes.length : 1 + REGISTERS;
    }

    /** Writes the counter ({@link #byteSize()} bytes); {@link #readFrom} reads it back equal. */
    public void writeTo(ByteBuffer out) {
        if (registers == null) {
            out.put((byte) 0).put((byte) hashes.length);
            for (long h : hashes) {
                out.putLong(h);
            }
        } else {
            out.put((byte) 1).put(registers);
        }
    }

    /** @throws IllegalArgumentException when the bytes are not a counter {@link #writeTo} wrote (nothing is trusted) */
    public static DistinctCounter readFrom(ByteBuffer in) {
        try {
            DistinctCounter c = new DistinctCounter();
            byte kind = in.get();
            if (kind == 0) {
                int n = Byte.toUnsignedInt(in.get());
                if (n > EXACT_MAX) {
                    throw new IllegalArgumentException(n + " exact items, at most " + EXACT_MAX);
                }
                long[] hashes = new long[n];
                for (int i = 0; i < n; i++) {
                    hashes[i] = in.getLong();
                    if (i > 0 && hashes[i] <= hashes[i - 1]) {
                        throw new IllegalArgumentException("exact items not sorted and distinct");
                    }
                }
                c.hashes = hashes;
            } else if (kind == 1) {
                byte[] registers = new byte[REGISTERS];
                in.get(registers);
                for (byte r : registers) {
                    if (r < 0 || r > 64 - PRECISION + 1) {
                        throw new IllegalArgumentException("register " + r + " out of range");
                    }
                }
                c.registers = registers;
            } else {
                throw new IllegalArgumentException("kind " + kind);
            }
            return c;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated", e);
        }
    }

    public DistinctCounter copy() {
        DistinctCounter c = new DistinctCounter();
        c.hashes = hashes.clone();
        c.registers = registers == null ? null : registers.clone();
        return c;
    }

    /** Distinct items: exact up to {@link #EXACT_MAX}, estimated beyond. */
    public long count() {
        if (registers == null) {
            return hashes.length;
        }
        double sum = 0;
        int empty = 0;
        for (byte r : registers) {
            sum += Math.scalb(1.0, -r);
            empty += r == 0 ? 1 : 0;
        }
        double m = REGISTERS;
        double estimate = 0.7213 / (1 + 1.079 / m) * m * m / sum;
        if (estimate <= 2.5 * m && empty > 0) {
            estimate = m * Math.log(m / empty);
        }
        return Math.max(EXACT_MAX + 1, Math.round(estimate));
    }

    private void toSketch() {
        registers = new byte[REGISTERS];
        for (long h : hashes) {
            update(registers, h);
        }
        hashes = new long[0];
    }

    private static void update(byte[] registers, long h) {
        int index = (int) (h >>> (64 - PRECISION));
        int rank = Math.min(Long.numberOfLeadingZeros(h << PRECISION), 64 - PRECISION) + 1;
        if (rank > registers[index]) {
            registers[index] = (byte) rank;
        }
    }

    /** A 64-bit hash of the text: FNV-1a over its UTF-8 bytes, then SplitMix64's finaliser to spread the bits. */
    static long hash(String item) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (item == null ? "" : item).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DistinctCounter d
                && Arrays.equals(hashes, d.hashes)
                && Arrays.equals(registers, d.registers);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(hashes) + Arrays.hashCode(registers);
    }

    @Override
    public String toString() {
        return "DistinctCounter{" + count() + (registers == null ? " exact}" : " estimated}");
    }
}
