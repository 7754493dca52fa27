package io.vigil.models.detectors;

import smile.math.MathEx;
import smile.stat.distribution.GaussianDistribution;

/**
 * Puts Smile 3.1.1's random numbers into a known state before a tree is grown, so that one seed grows one
 * tree. Two things hold state: {@link MathEx}'s generator, which is per thread and takes a seed; and the
 * shared standard {@link GaussianDistribution}, whose {@code rand()} makes normal numbers in pairs and keeps
 * the second for its next call. Whether a number is kept cannot be asked, but it can be seen: a call that
 * hands out the kept number draws nothing from {@link MathEx}. So: seed, call {@code rand()}, and if that
 * drew from the generator (a new pair, one now kept), call it once more to take the kept one. Either way
 * nothing is kept afterwards, and the generator is seeded again.
 *
 * <p>Training must not share the process with other code that draws from the shared Gaussian at the same
 * time; Vigil trains in its own command.
 */
final class SmileRandom {
    private SmileRandom() {}

    static void reset(long seed) {
        GaussianDistribution gaussian = GaussianDistribution.getInstance();
        MathEx.setSeed(seed);
        double first = MathEx.random();
        MathEx.setSeed(seed);
        gaussian.rand();
        boolean drewNewPair = MathEx.random() != first;
        if (drewNewPair) {
            gaussian.rand();
        }
        MathEx.setSeed(seed);
    }
}
