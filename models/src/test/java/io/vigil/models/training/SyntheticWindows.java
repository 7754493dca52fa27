package io.vigil.models.training;

import static io.vigil.models.features.FeatureSet.*;

import io.vigil.models.features.FeatureSet;
import io.vigil.records.Category;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Windows of {@link FeatureSet#V2} made up directly as feature values, for fast model tests: training jobs
 * that each have their own level of traffic and GPU work with minute-to-minute noise, and incident windows
 * that look the way the feature docs say each kind of misuse does (a hashing miner on some GPUs with a rare
 * pool connection, an interactive tunnel to a rare host over SSH, a sweep of the internal network, a large
 * upload to a rare host). Deterministic in the seed.
 */
public final class SyntheticWindows {
    public static final FeatureSet SET = FeatureSet.CURRENT;
    public static final long T0 = 1_771_027_200_000L; // 2026-02-14T00:00:00Z
    public static final long MINUTE = 60_000L;

    private final Random random;

    public SyntheticWindows(long seed) {
        this.random = new Random(seed);
    }

    /** The levels one benign training job runs at. */
    public record Job(
            double flows,
            double externalHosts,
            double bytesOut,
            double bytesIn,
            double internalHosts,
            double gpus,
            double sm,
            double tensor,
            double dram) {}

    public Job job() {
        return new Job(
                between(200, 3000),
                between(2, 8),
                between(1e5, 2e7),
                between(1e5, 5e7),
                between(4, 32),
                pick(1, 2, 4, 8, 8, 16),
                between(0.5, 0.9),
                between(0.25, 0.6),
                between(0.2, 0.6));
    }

    /** One benign minute of the job. */
    public double[] benign(Job job) {
        double[] x = new double[SET.size()];
        set(x, FLOWS, log1p(job.flows * noise(0.15)));
        set(x, EXTERNAL_HOSTS, log1p(Math.round(job.externalHosts * noise(0.2))));
        set(x, EXTERNAL_BYTES_OUT, log1p(job.bytesOut * noise(0.3)));
        set(x, EXTERNAL_BYTES_IN, log1p(job.bytesIn * noise(0.3)));
        set(x, EXTERNAL_INBOUND_HOSTS, 0);
        // Now and then a call to an address no other job uses: a small API request.
        if (random.nextDouble() < 0.03) {
            set(x, RARE_EXTERNAL_HOSTS, log1p(1));
            set(x, RARE_EXTERNAL_BYTES_OUT, log1p(between(500, 5000)));
            set(x, RARE_EXTERNAL_UPLOAD_RATIO, between(0.2, 0.5));
        }
        set(x, INTERNAL_HOSTS, log1p(Math.round(job.internalHosts * noise(0.05))));
        set(x, FAILED_ATTEMPT_RATIO, random.nextDouble() < 0.1 ? between(0, 0.05) : 0);
        set(x, GPU_COUNT, log1p(job.gpus));
        set(x, GPU_TELEMETRY, 1);
        double sm = clamp(job.sm * noise(0.05));
        double tensor = clamp(job.tensor * noise(0.05));
        set(x, GPU_UTIL, clamp(between(0.85, 0.99)));
        set(x, SM_ACTIVE, sm);
        set(x, TENSOR_ACTIVE, tensor);
        set(x, DRAM_ACTIVE, clamp(job.dram * noise(0.05)));
        set(x, SM_WITHOUT_TENSOR, clamp(1 - tensor / sm));
        set(x, TENSOR_RATIO_SPREAD, between(0, 0.08));
        set(x, PROCESS_NAMES, log1p(1));
        return x;
    }

    /** A minute of the job with {@code category} going on in it. */
    public double[] incident(Job job, Category category) {
        double[] x = benign(job);
        switch (category) {
            case CRYPTO_MINING -> {
                double share = between(0.25, 0.5);
                set(x, HASHING_GPU_FRACTION, share);
                set(x, HASHING_DIVERGENCE, between(0.7, 1));
                set(x, TENSOR_RATIO_SPREAD, between(0.8, 1));
                set(x, SM_WITHOUT_TENSOR, clamp(1 - (1 - value(x, SM_WITHOUT_TENSOR)) * (1 - share)));
                set(x, TENSOR_ACTIVE, clamp(value(x, TENSOR_ACTIVE) * (1 - share)));
                set(x, PROCESS_NAMES, log1p(2));
                set(x, ODD_PROCESS_GPU_FRACTION, share);
                set(x, MINER_PROCESS, random.nextBoolean() ? 1 : 0);
                set(x, RARE_EXTERNAL_HOSTS, log1p(1));
                set(x, RARE_LONG_LIVED_HOSTS, log1p(1));
                set(x, RARE_LONGEST_MINUTES, log1p(between(5, 120)));
                set(x, RARE_INTERACTIVITY, between(0.6, 0.9));
                set(x, RARE_EXTERNAL_BYTES_OUT, log1p(between(2e4, 2e5)));
                set(x, RARE_EXTERNAL_UPLOAD_RATIO, between(0.4, 0.6));
            }
            case REVERSE_TUNNEL -> {
                set(x, RARE_EXTERNAL_HOSTS, log1p(1));
                set(x, RARE_LONG_LIVED_HOSTS, log1p(1));
                set(x, RARE_LONGEST_MINUTES, log1p(between(5, 120)));
                set(x, RARE_INTERACTIVITY, between(0.7, 0.95));
                set(x, RARE_SSH_FLOWS, log1p(between(2, 12)));
                set(x, RARE_EXTERNAL_BYTES_OUT, log1p(between(1e4, 1e5)));
                set(x, RARE_EXTERNAL_UPLOAD_RATIO, between(0.45, 0.6));
            }
            case NETWORK_SCAN -> {
                double hosts = between(30, 200);
                set(x, INTERNAL_HOSTS, log1p(hosts + Math.expm1(value(x, INTERNAL_HOSTS))));
                set(x, FAILED_HOSTS, log1p(hosts * between(0.8, 1)));
                set(x, FAILED_ATTEMPT_RATIO, between(0.6, 0.95));
                set(x, FAILED_PORTS_ONE_HOST, log1p(between(16, 64)));
                set(x, FAILED_HOSTS_ONE_PORT, log1p(hosts * between(0.5, 0.8)));
                set(x, METADATA_SERVICE_FLOWS, random.nextBoolean() ? log1p(2) : 0);
                set(x, FLOWS, log1p(Math.expm1(value(x, FLOWS)) + hosts * 3));
            }
            case EXFILTRATION -> {
                double bytes = between(5e7, 5e8);
                set(x, RARE_EXTERNAL_HOSTS, log1p(1));
                set(x, RARE_EXTERNAL_BYTES_OUT, log1p(bytes));
                set(x, RARE_EXTERNAL_UPLOAD_RATIO, between(0.95, 1));
                set(x, EXTERNAL_BYTES_OUT, log1p(Math.expm1(value(x, EXTERNAL_BYTES_OUT)) + bytes));
            }
            default -> throw new IllegalArgumentException("no synthetic " + category);
        }
        return x;
    }

    /** A job's windows, one a minute from {@code start}; windows {@code from} to {@code to} (exclusive) have the incident. */
    public List<LabelledWindow> jobWindows(
            String dataset, String jobId, long start, int minutes, Category incident, int from, int to) {
        Job job = job();
        List<LabelledWindow> out = new ArrayList<>(minutes);
        for (int m = 0; m < minutes; m++) {
            long windowStart = start + m * MINUTE;
            boolean during = incident != null && m >= from && m < to;
            out.add(new LabelledWindow(
                    dataset,
                    jobId,
                    windowStart,
                    windowStart + MINUTE,
                    during ? incident(job, incident) : benign(job),
                    during ? incident : null,
                    during ? dataset + "-" + incident.name().toLowerCase() : null));
        }
        return out;
    }

    /**
     * A dataset: {@code benignJobs} jobs of {@code minutes} windows each, and one job per category given with that
     * incident from minute 30 to 45.
     */
    public List<LabelledWindow> dataset(String name, int benignJobs, int minutes, Category... incidents) {
        List<LabelledWindow> out = new ArrayList<>();
        for (int j = 0; j < benignJobs; j++) {
            out.addAll(jobWindows(name, "job-" + j, T0, minutes, null, 0, 0));
        }
        for (int k = 0; k < incidents.length; k++) {
            out.addAll(jobWindows(name, "job-incident-" + k, T0, minutes, incidents[k], 30, 45));
        }
        return out;
    }

    public static double value(double[] x, String feature) {
        return x[SET.index(feature)];
    }

    public static void set(double[] x, String feature, double value) {
        x[SET.index(feature)] = value;
    }

    private double between(double low, double high) {
        return low + random.nextDouble() * (high - low);
    }

    private double pick(double... values) {
        return values[random.nextInt(values.length)];
    }

    private double noise(double relative) {
        return Math.max(0, 1 + relative * random.nextGaussian());
    }

    private static double log1p(double v) {
        return Math.log1p(Math.max(0, v));
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
