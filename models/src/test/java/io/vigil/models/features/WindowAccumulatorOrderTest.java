package io.vigil.models.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.Fixtures;
import io.vigil.records.GpuSample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A window's features are the same to the last bit whatever order its samples arrive in. */
class WindowAccumulatorOrderTest {

    @Test
    void featuresDoNotDependOnTheOrderSamplesArriveIn() {
        List<GpuSample> samples = new ArrayList<>();
        Random values = new Random(3);
        for (int tick = 0; tick < 6; tick++) {
            for (int gpu = 0; gpu < 8; gpu++) {
                // values whose binary sums depend on the order they are added in
                samples.add(WindowScene.sample(Fixtures.NODE, gpu, Fixtures.BEGINNING.plusSeconds(10L * tick),
                        0.1 + values.nextDouble() * 0.8, values.nextDouble() * 0.7, "python"));
            }
        }
        double[] inOrder = fold(samples);
        for (int shuffle = 0; shuffle < 20; shuffle++) {
            List<GpuSample> other = new ArrayList<>(samples);
            Collections.shuffle(other, new Random(shuffle));
            assertThat(fold(other)).as("shuffle %d", shuffle).containsExactly(inOrder);
        }
    }

    private static double[] fold(List<GpuSample> samples) {
        WindowAccumulator acc = new WindowAccumulator();
        samples.forEach(acc::add);
        return acc.features(FeatureSet.V1);
    }
}
