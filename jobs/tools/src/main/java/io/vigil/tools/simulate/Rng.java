package io.vigil.tools.simulate;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded random stream. Every entity of a simulation (a job's phases, a job's network, a GPU's noise,
 * an incident) draws from its own stream, derived from the run's seed and a stable name, so what one
 * entity does never depends on how many draws another made: the benign background of a seed stays the
 * same whether or not incidents are injected.
 */
final class Rng {
    private final SplittableRandom random;

    private Rng(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The stream named {@code name} of the run with this seed. */
    static Rng of(long seed, String name) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return new Rng(mix(h ^ mix(seed)));
    }

    /** SplitMix64's finaliser: a well-spread 64-bit value from any input. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1). */
    double next() {
        return random.nextDouble();
    }

    /** Uniform in [lo, hi). */
    double uniform(double lo, double hi) {
        return lo + (hi - lo) * random.nextDouble();
    }

    /** Uniform integer in [lo, hi], both included. */
    int between(int lo, int hi) {
        return lo + random.nextInt(hi - lo + 1);
    }

    /** Uniform long in [lo, hi], both included. */
    long betweenLong(long lo, long hi) {
        return lo + random.nextLong(hi - lo + 1);
    }

    /** Milliseconds uniform in [loSeconds, hiSeconds). */
    long seconds(double loSeconds, double hiSeconds) {
        return Math.round(uniform(loSeconds, hiSeconds) * 1000.0);
    }

    /** Milliseconds uniform in [loMinutes, hiMinutes). */
    long minutes(double loMinutes, double hiMinutes) {
        return Math.round(uniform(loMinutes, hiMinutes) * 60_000.0);
    }

    boolean chance(double p) {
        return random.nextDouble() < p;
    }

    double gaussian() {
        return random.nextGaussian();
    }

    /** Log-normal factor with median 1: multiplies a quantity by e^(sigma·N(0,1)). */
    double jitter(double sigma) {
        return Math.exp(sigma * random.nextGaussian());
    }

    /** Poisson-distributed count with this mean (normal approximation above 30). */
    int poisson(double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean > 30) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
        }
        double limit = Math.exp(-mean);
        double p = random.nextDouble();
        int k = 0;
        while (p > limit) {
            p *= random.nextDouble();
            k++;
        }
        return k;
    }

    <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    int pick(int... items) {
        return items[random.nextInt(items.length)];
    }

    /** Hex digits, for names and UUIDs. */
    String hex(int digits) {
        StringBuilder b = new StringBuilder(digits);
        for (int i = 0; i < digits; i++) {
            b.append(Character.forDigit(random.nextInt(16), 16));
        }
        return b.toString();
    }

    /** A client's ephemeral port, in Linux's default range. */
    int ephemeralPort() {
        return between(32768, 60999);
    }
}
