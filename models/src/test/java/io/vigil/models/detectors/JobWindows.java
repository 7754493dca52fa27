package io.vigil.models.detectors;

import io.vigil.models.features.FeatureSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Crafted {@link FeatureSet#V2} windows for the detector tests: a training job's typical window, with
 * a little noise, and the changes of the stories under test.
 */
public final class JobWindows {
    public static final FeatureSet V1 = FeatureSet.CURRENT;

    /** log1p of a count or byte total, as V2 holds them. */
    public static double count(double n) {
        return Math.log1p(n);
    }

    /** A data-parallel training job on 8 GPUs: busy tensor cores, NCCL peers, logs and a bucket outside. */
    public static Map<String, Double> trainingJob() {
        Map<String, Double> w = new LinkedHashMap<>();
        for (String name : V1.names()) {
            w.put(name, 0.0);
        }
        w.put(FeatureSet.FLOWS, count(2000));
        w.put(FeatureSet.EXTERNAL_HOSTS, count(2));
        w.put(FeatureSet.EXTERNAL_BYTES_OUT, count(1e6));
        w.put(FeatureSet.EXTERNAL_BYTES_IN, count(2e7));
        w.put(FeatureSet.INTERNAL_HOSTS, count(16));
        w.put(FeatureSet.GPU_COUNT, count(8));
        w.put(FeatureSet.GPU_TELEMETRY, 1.0);
        w.put(FeatureSet.GPU_UTIL, 0.95);
        w.put(FeatureSet.SM_ACTIVE, 0.80);
        w.put(FeatureSet.TENSOR_ACTIVE, 0.60);
        w.put(FeatureSet.DRAM_ACTIVE, 0.50);
        w.put(FeatureSet.SM_WITHOUT_TENSOR, 0.25);
        w.put(FeatureSet.TENSOR_RATIO_SPREAD, 0.05);
        w.put(FeatureSet.PROCESS_NAMES, count(1));
        return w;
    }

    /** The same job computing in FP32: GPUs as busy, tensor cores idle. Legitimate, and common in a fleet. */
    public static Map<String, Double> fp32Job() {
        Map<String, Double> w = trainingJob();
        w.put(FeatureSet.TENSOR_ACTIVE, 0.03);
        w.put(FeatureSet.SM_WITHOUT_TENSOR, 0.96);
        w.put(FeatureSet.TENSOR_RATIO_SPREAD, 0.0);
        return w;
    }

    /** A window of {@code profile}: noise on the measured values (fractions stay in [0, 1], counts non-negative). */
    public static double[] window(Map<String, Double> profile, Random random) {
        double[] x = V1.fromMap(profile);
        for (int i = 0; i < x.length; i++) {
            String name = V1.names().get(i);
            if (x[i] == 0
                    || name.equals(FeatureSet.GPU_COUNT)
                    || name.equals(FeatureSet.GPU_TELEMETRY)
                    || name.equals(FeatureSet.PROCESS_NAMES)) {
                continue; // absent stays absent; the job's GPUs and processes do not flicker
            }
            boolean fraction = !V1.features().get(i).doc().startsWith("log1p(");
            double noisy = x[i] + random.nextGaussian() * (fraction ? 0.02 : 0.1);
            x[i] = fraction ? Math.min(1, Math.max(0, noisy)) : Math.max(0, noisy);
        }
        return x;
    }

    /** A window of {@code profile} with some features changed. */
    public static double[] window(Map<String, Double> profile, Random random, Map<String, Double> changes) {
        Map<String, Double> changed = new LinkedHashMap<>(profile);
        changed.putAll(changes);
        return window(changed, random);
    }

    /** Benign windows across a fleet: training jobs of several sizes, and FP32 jobs. */
    public static double[][] fleet(Random random) {
        double[][] windows = new double[400][];
        for (int w = 0; w < windows.length; w++) {
            Map<String, Double> job = w % 4 == 3 ? fp32Job() : trainingJob();
            double scale = 1 + (w % 5); // jobs of 8 to 40 GPUs talk more
            job.put(FeatureSet.FLOWS, count(2000 * scale));
            job.put(FeatureSet.INTERNAL_HOSTS, count(16 * scale));
            job.put(FeatureSet.GPU_COUNT, count(8 * scale));
            job.put(FeatureSet.EXTERNAL_BYTES_OUT, count(1e6 * scale * scale));
            windows[w] = window(job, random);
        }
        return windows;
    }

    private JobWindows() {}
}
