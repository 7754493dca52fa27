package io.vigil.bench;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.model.ModelArtifact;
import io.vigil.models.model.VigilModel;
import io.vigil.models.scoring.JobHistory;
import io.vigil.models.scoring.Verdict;
import io.vigil.models.training.LabelledWindow;
import io.vigil.models.training.Trainer;
import io.vigil.records.Category;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Scoring one window with a trained model (issue #5's goal: at most 50 µs for the detectors together): each
 * detector alone, and the combined model as the pipeline calls it (score, then update the job's history).
 * The model is trained in {@code @Setup} on synthetic {@link FeatureSet#CURRENT} windows ({@link #windows}): 4
 * datasets of 10 jobs of 2 hours, one minute a window, with mining, tunnel, scan and exfiltration incidents.
 * The windows scored are {@value #N} others, of several jobs, each with a history of 30 windows, so that the
 * per-job model is past its warm-up and branches vary as they would.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ModelBenchmark {
    static final int N = 256;

    private VigilModel model;
    private double[][] features;
    private JobHistory[] histories;

    @Setup
    public void setUp() {
        Random random = new Random(1);
        List<LabelledWindow> training = new ArrayList<>();
        Category[] kinds = {
            Category.CRYPTO_MINING, Category.REVERSE_TUNNEL, Category.NETWORK_SCAN, Category.EXFILTRATION
        };
        for (int d = 0; d < 4; d++) {
            for (int j = 0; j < 10; j++) {
                Category incident = j == 0 ? kinds[d] : j == 1 ? kinds[(d + 1) % 4] : null;
                training.addAll(windows(random, "ds-" + d, "job-" + j, 120, incident));
            }
        }
        model = Trainer.train(FeatureSet.CURRENT, training, Trainer.Options.defaults(), line -> {});
        // a model is written only as its artifact (its parts are not Java-serializable: a forged object graph is
        // never read), so that is the size to report
        System.out.println("\nmodel " + model.modelVersion() + ": " + ModelArtifact.toBytes(model).length
                + " bytes as its artifact\n"
                + model.trainingSummary() + "\n" + model.metrics());

        features = new double[N][];
        histories = new JobHistory[N];
        int jobs = N / 8;
        for (int j = 0; j < jobs; j++) {
            List<LabelledWindow> job =
                    windows(random, "held-out", "job-" + j, 38, j % 4 == 0 ? kinds[j / 4 % 4] : null);
            JobHistory history = JobHistory.empty();
            for (int m = 0; m < 30; m++) {
                double[] x = job.get(m).features();
                history = model.update(history, x, model.score(x, history));
            }
            for (int k = 0; k < 8; k++) {
                features[j * 8 + k] = job.get(30 + k).features();
                histories[j * 8 + k] = history;
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void fleetDetector(Blackhole bh) {
        for (double[] x : features) {
            bh.consume(model.fleet().score(x));
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void jobDetector(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(model.job().score(features[i], histories[i]));
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void supervisedDetector(Blackhole bh) {
        for (double[] x : features) {
            bh.consume(model.supervised().probabilities(x));
        }
    }

    /** Everything {@code VigilModel.score} does: the three detectors, the rules, calibration, categories, reasons. */
    @Benchmark
    @OperationsPerInvocation(N)
    public void combinedScore(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(model.score(features[i], histories[i]));
        }
    }

    /** What the pipeline does per window: score, then the job's next history. */
    @Benchmark
    @OperationsPerInvocation(N)
    public void combinedScoreAndUpdate(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            Verdict verdict = model.score(features[i], histories[i]);
            bh.consume(model.update(histories[i], features[i], verdict));
        }
    }

    /**
     * One job's windows as V1 features: its own level of traffic and GPU work with noise, an occasional call to a
     * rare address, and the incident (if any) from the middle third on.
     */
    static List<LabelledWindow> windows(Random random, String dataset, String jobId, int minutes, Category incident) {
        FeatureSet set = FeatureSet.CURRENT;
        double flows = 200 + random.nextDouble() * 2800;
        double bytesOut = 1e5 + random.nextDouble() * 2e7;
        double internal = 4 + random.nextInt(28);
        double gpus = new int[] {1, 2, 4, 8, 16}[random.nextInt(5)];
        double sm = 0.5 + 0.4 * random.nextDouble();
        double tensor = 0.25 + 0.35 * random.nextDouble();
        List<LabelledWindow> out = new ArrayList<>(minutes);
        for (int m = 0; m < minutes; m++) {
            double[] x = new double[set.size()];
            double s = clamp(sm * (1 + 0.05 * random.nextGaussian()));
            double t = clamp(tensor * (1 + 0.05 * random.nextGaussian()));
            set(x, FeatureSet.FLOWS, Math.log1p(flows * (1 + 0.15 * random.nextGaussian())));
            set(x, FeatureSet.EXTERNAL_HOSTS, Math.log1p(2 + random.nextInt(6)));
            set(x, FeatureSet.EXTERNAL_BYTES_OUT, Math.log1p(bytesOut * (1 + 0.3 * Math.abs(random.nextGaussian()))));
            set(
                    x,
                    FeatureSet.EXTERNAL_BYTES_IN,
                    Math.log1p(bytesOut * 2 * (1 + 0.3 * Math.abs(random.nextGaussian()))));
            set(x, FeatureSet.INTERNAL_HOSTS, Math.log1p(internal));
            set(x, FeatureSet.GPU_COUNT, Math.log1p(gpus));
            set(x, FeatureSet.GPU_TELEMETRY, 1);
            set(x, FeatureSet.GPU_UTIL, 0.85 + 0.14 * random.nextDouble());
            set(x, FeatureSet.SM_ACTIVE, s);
            set(x, FeatureSet.TENSOR_ACTIVE, t);
            set(x, FeatureSet.DRAM_ACTIVE, clamp(0.4 * (1 + 0.05 * random.nextGaussian())));
            set(x, FeatureSet.SM_WITHOUT_TENSOR, clamp(1 - t / s));
            set(x, FeatureSet.TENSOR_RATIO_SPREAD, 0.08 * random.nextDouble());
            set(x, FeatureSet.PROCESS_NAMES, Math.log1p(1));
            if (random.nextDouble() < 0.03) {
                set(x, FeatureSet.RARE_EXTERNAL_HOSTS, Math.log1p(1));
                set(x, FeatureSet.RARE_EXTERNAL_BYTES_OUT, Math.log1p(500 + 4500 * random.nextDouble()));
                set(x, FeatureSet.RARE_EXTERNAL_UPLOAD_RATIO, 0.2 + 0.3 * random.nextDouble());
            }
            boolean during = incident != null && m >= minutes / 3 && m < 2 * minutes / 3;
            if (during) {
                switch (incident) {
                    case CRYPTO_MINING -> {
                        set(x, FeatureSet.HASHING_GPU_FRACTION, 0.25 + 0.25 * random.nextDouble());
                        set(x, FeatureSet.HASHING_DIVERGENCE, 0.7 + 0.3 * random.nextDouble());
                        set(x, FeatureSet.TENSOR_RATIO_SPREAD, 0.8 + 0.2 * random.nextDouble());
                        set(x, FeatureSet.ODD_PROCESS_GPU_FRACTION, 0.25 + 0.25 * random.nextDouble());
                        set(x, FeatureSet.PROCESS_NAMES, Math.log1p(2));
                        set(x, FeatureSet.RARE_EXTERNAL_HOSTS, Math.log1p(1));
                        set(x, FeatureSet.RARE_LONG_LIVED_HOSTS, Math.log1p(1));
                        set(x, FeatureSet.RARE_INTERACTIVITY, 0.6 + 0.3 * random.nextDouble());
                    }
                    case REVERSE_TUNNEL -> {
                        set(x, FeatureSet.RARE_EXTERNAL_HOSTS, Math.log1p(1));
                        set(x, FeatureSet.RARE_LONG_LIVED_HOSTS, Math.log1p(1));
                        set(x, FeatureSet.RARE_LONGEST_MINUTES, Math.log1p(5 + 100 * random.nextDouble()));
                        set(x, FeatureSet.RARE_INTERACTIVITY, 0.7 + 0.25 * random.nextDouble());
                        set(x, FeatureSet.RARE_SSH_FLOWS, Math.log1p(2 + 10 * random.nextDouble()));
                    }
                    case NETWORK_SCAN -> {
                        double hosts = 30 + 170 * random.nextDouble();
                        set(x, FeatureSet.INTERNAL_HOSTS, Math.log1p(internal + hosts));
                        set(x, FeatureSet.FAILED_HOSTS, Math.log1p(hosts * 0.9));
                        set(x, FeatureSet.FAILED_ATTEMPT_RATIO, 0.6 + 0.35 * random.nextDouble());
                        set(x, FeatureSet.FAILED_HOSTS_ONE_PORT, Math.log1p(hosts * 0.8));
                        set(x, FeatureSet.FAILED_PORTS_ONE_HOST, Math.log1p(16 + 48 * random.nextDouble()));
                    }
                    case EXFILTRATION -> {
                        set(x, FeatureSet.RARE_EXTERNAL_HOSTS, Math.log1p(1));
                        set(x, FeatureSet.RARE_EXTERNAL_BYTES_OUT, Math.log1p(5e7 + 4.5e8 * random.nextDouble()));
                        set(x, FeatureSet.RARE_EXTERNAL_UPLOAD_RATIO, 0.95 + 0.05 * random.nextDouble());
                    }
                    default -> throw new IllegalArgumentException(incident.name());
                }
            }
            long start = 1_771_027_200_000L + m * 60_000L;
            out.add(new LabelledWindow(
                    dataset,
                    jobId,
                    start,
                    start + 60_000,
                    x,
                    during ? incident : null,
                    during ? dataset + "-" + jobId : null));
        }
        return out;
    }

    private static void set(double[] x, String feature, double value) {
        x[FeatureSet.CURRENT.index(feature)] = value;
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
