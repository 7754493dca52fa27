package io.vigil.bench;

import io.vigil.models.features.Contact;
import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.features.JobContacts;
import io.vigil.models.features.JobFlow;
import io.vigil.models.features.WindowAccumulator;
import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.records.GpuSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * The pipeline's per-record and per-window work without Flink: folding flows into per-destination
 * contacts, folding contacts and GPU samples into a job's window, computing its features, scoring it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FeatureBenchmark {
    private List<JobFlow> flows;
    private List<GpuSample> samples;
    private List<Contact> contacts;
    private WindowAccumulator window;
    private double[] features;
    private IndicatorScorer scorer;

    @Setup
    public void setUp() {
        flows = BenchData.jobFlows(BenchData.flows());
        samples = BenchData.samples();
        Map<String, DestinationAccumulator> byRemote = new HashMap<>();
        for (JobFlow f : flows) {
            byRemote.computeIfAbsent(f.remoteIp, k -> new DestinationAccumulator())
                    .add(f);
        }
        contacts = new ArrayList<>();
        byRemote.values().forEach(acc -> contacts.addAll(acc.contacts(0, 60_000, 2)));
        window = new WindowAccumulator();
        contacts.stream().filter(c -> c.jobId.equals("job-0")).forEach(window::add);
        samples.stream().filter(s -> s.getJobId().equals("job-0")).forEach(window::add);
        scorer = new IndicatorScorer();
        features = window.features(FeatureSet.CURRENT);
    }

    /** Per flow: the per-destination fold (one accumulator per remote address, as keyed state would be). */
    @Benchmark
    @OperationsPerInvocation(BenchData.N)
    public Object flowIntoDestination() {
        Map<String, DestinationAccumulator> byRemote = new HashMap<>();
        for (JobFlow f : flows) {
            byRemote.computeIfAbsent(f.remoteIp, k -> new DestinationAccumulator())
                    .add(f);
        }
        return byRemote;
    }

    /** Per flow: the per-job fold the pipeline does first (one accumulator per job, as keyed state would be). */
    @Benchmark
    @OperationsPerInvocation(BenchData.N)
    public Object flowIntoJobContacts() {
        Map<String, JobContacts> byJob = new HashMap<>();
        for (JobFlow f : flows) {
            byJob.computeIfAbsent(f.jobId, k -> new JobContacts()).add(f);
        }
        return byJob;
    }

    /** Per GPU sample: the fold into its job's window (one accumulator per job, as keyed state would be). */
    @Benchmark
    @OperationsPerInvocation(BenchData.N)
    public Object sampleIntoWindow() {
        Map<String, WindowAccumulator> byJob = new HashMap<>();
        for (GpuSample s : samples) {
            byJob.computeIfAbsent(s.getJobId(), k -> new WindowAccumulator()).add(s);
        }
        return byJob;
    }

    /** Per window: features from the accumulated sums. */
    @Benchmark
    public double[] windowFeatures() {
        return window.features(FeatureSet.CURRENT);
    }

    /** Per window: the indicator scorer. */
    @Benchmark
    public void scoreWindow(Blackhole bh) {
        bh.consume(scorer.score(features));
    }
}
