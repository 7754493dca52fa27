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
                samples.add(WindowScene.sample(
                        Fixtures.NODE,
                        gpu,
                        Fixtures.BEGINNING.plusSeconds(10L * tick),
                        0.1 + values.nextDouble() * 0.8,
                        values.nextDouble() * 0.7,
                        "python"));
            }
        }
        double[] inOrder = fold(samples);
        for (int shuffle = 0; shuffle < 20; shuffle++) {
            List<GpuSample> other = new ArrayList<>(samples);
            Collections.shuffle(other, new Random(shuffle));
            assertThat(fold(other)).as("shuffle %d", shuffle).containsExactly(inOrder);
        }
    }

    @Test
    void aboveTheGpuCapTheSameGpusAreKeptWhateverTheOrderAndGrouping() {
        // a 64-GPU job (8 nodes x 8): twice the GPUs that get per-GPU sums; the miner on the last node's GPUs
        List<GpuSample> samples = new ArrayList<>();
        Random values = new Random(5);
        for (int tick = 0; tick < 3; tick++) {
            for (int node = 0; node < 8; node++) {
                for (int gpu = 0; gpu < 8; gpu++) {
                    samples.add(WindowScene.sample(
                            "gpu-node-" + node,
                            gpu,
                            Fixtures.BEGINNING.plusSeconds(10L * tick),
                            0.1 + values.nextDouble() * 0.8,
                            values.nextDouble() * 0.7,
                            node == 7 ? "xmrig" : "python"));
                }
            }
        }
        WindowAccumulator inOrder = new WindowAccumulator();
        samples.forEach(inOrder::add);
        assertThat(inOrder.gpus).hasSize(WindowAccumulator.MAX_GPUS);
        double[] expected = inOrder.features(FeatureSet.CURRENT);
        for (int shuffle = 0; shuffle < 20; shuffle++) {
            List<GpuSample> other = new ArrayList<>(samples);
            Collections.shuffle(other, new Random(shuffle));
            // folded into partials of a few samples each (as PreCombine sends them), then merged
            WindowAccumulator merged = new WindowAccumulator();
            for (int from = 0; from < other.size(); ) {
                int to = Math.min(other.size(), from + 1 + new Random(shuffle * 31L + from).nextInt(40));
                WindowAccumulator partial = new WindowAccumulator();
                other.subList(from, to).forEach(partial::add);
                merged.merge(partial);
                from = to;
            }
            assertThat(merged.gpus.keySet()).as("shuffle %d", shuffle).isEqualTo(inOrder.gpus.keySet());
            assertThat(merged.gpuOverflowSamples).isEqualTo(inOrder.gpuOverflowSamples);
            assertThat(merged.features(FeatureSet.CURRENT))
                    .as("shuffle %d", shuffle)
                    .containsExactly(expected);
        }
    }

    private static double[] fold(List<GpuSample> samples) {
        WindowAccumulator acc = new WindowAccumulator();
        samples.forEach(acc::add);
        return acc.features(FeatureSet.CURRENT);
    }
}
