package io.vigil.pipeline.detect;

import java.util.Arrays;

/**
 * A set of non-zero 64-bit fingerprints, open addressing in one long array: 8 to 16 bytes a record, no boxing.
 * What {@link PreCombine} remembers of a window's records to count a duplicate once.
 */
final class SeenFingerprints {
    private long[] slots = new long[64];
    private int size;

    /** Adds a fingerprint (not 0); false when it was already there. */
    boolean add(long fingerprint) {
        if (fingerprint == 0) {
            throw new IllegalArgumentException("0 is no fingerprint");
        }
        if ((size + 1) * 2 > slots.length) {
            grow();
        }
        int mask = slots.length - 1;
        for (int i = (int) mix(fingerprint) & mask; ; i = (i + 1) & mask) {
            if (slots[i] == fingerprint) {
                return false;
            }
            if (slots[i] == 0) {
                slots[i] = fingerprint;
                size++;
                return true;
            }
        }
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        size = 0;
        for (long f : old) {
            if (f != 0) {
                add(f);
            }
        }
    }

    /** A 64-bit mix (the finaliser of MurmurHash3), for fingerprints and their slots. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** Folds a string into a running fingerprint (64-bit FNV-1a over its chars, then mixed in). */
    static long with(long h, String s) {
        long f = 0xcbf29ce484222325L;
        if (s != null) {
            for (int i = 0; i < s.length(); i++) {
                f = (f ^ s.charAt(i)) * 0x100000001b3L;
            }
        }
        return with(h, f);
    }

    static long with(long h, long v) {
        return mix(h * 0x9E3779B97F4A7C15L + v);
    }

    @Override
    public String toString() {
        return "SeenFingerprints" + Arrays.toString(new int[] {size});
    }
}
