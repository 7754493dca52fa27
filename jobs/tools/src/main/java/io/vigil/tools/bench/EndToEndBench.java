package io.vigil.tools.bench;

import com.sun.management.OperatingSystemMXBean;
import io.vigil.broker.EmbeddedKafka;
import io.vigil.models.features.Contact;
import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.features.JobContacts;
import io.vigil.models.features.JobFlow;
import io.vigil.models.features.NetworkScope;
import io.vigil.models.features.WindowAccumulator;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.pipeline.DetectJob;
import io.vigil.pipeline.detect.DetectPipeline;
import io.vigil.pipeline.detect.DetectSettings;
import io.vigil.pipeline.files.DatasetFiles;
import io.vigil.pipeline.files.DatasetRecords;
import io.vigil.pipeline.kafka.KafkaEnds;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Decoded;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.JobWindow;
import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.LocalRun;
import io.vigil.tools.replay.Replay;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The end-to-end benchmark: how fast the real detect job goes on the real broker, against the limit of
 * the same work in one plain Java loop. Phases, each timed on its own:
 * <ol>
 *   <li>preload: the dataset, repeated and shifted in time until it holds the asked number of flows,
 *       into fresh topics (not timed as pipeline work);</li>
 *   <li>pipeline: {@code detect} on a mini-cluster reads the topics to their end (bounded), checkpointing
 *       every 10 s; records per second, per core;</li>
 *   <li>limit: one thread decodes the same bytes and folds the same features (attribution by a map,
 *       per-job contacts, per-destination and per-job windows, features, score); the pipeline as a share of it;</li>
 *   <li>floor (on request, with the pipeline): after each measured run, Flink reads the same flow and GPU topics
 *       with detect's consumer and runtime settings and discards every message: what a pipeline on Flink and Kafka
 *       pays before its first operator, which the limit loop does not; with the loop, the least any such pipeline
 *       could take;</li>
 *   <li>replay: the dataset once from its files in BATCH mode; times real time;</li>
 *   <li>sweep (on request): the state a destination sweep leaves, {@link SweepBench};</li>
 *   <li>fleet (on request): the dataset once, as it is (an hour of a simulated fleet of thousands of nodes), through
 *       detect as the pipeline phase runs it: the time to read it, records per CPU-second, and the largest checkpoint
 *       per operator, per job and per destination address.</li>
 * </ol>
 */
public final class EndToEndBench {

    /**
     * @param phases which phases to run (the limit loop always follows the pipeline: it needs its bytes)
     * @param warmup whether the pipeline runs once, unmeasured, before the measured run
     */
    /**
     * @param delivery the latency phase's output.delivery
     * @param checkpointMs the latency phase's checkpoint interval (the pipeline phase's is its own)
     * @param alignmentMaxDriftMs the pipeline and latency phases' watermark.alignment.max-drift-ms (0: alignment off)
     * @param inputMaxPollRecords the pipeline phase's input.max.poll.records
     * @param rounds the pipeline phase's measured runs, each a fresh job over the same topics; its figures are those of
     *     the run that took least CPU, as the limit loop's are its fastest run's
     * @param baselineFlows 0, or the flows of a short run before each round, over topics of their own: the pipeline's
     *     marginal CPU per record between the two is what a long-running job pays, without a job's start and end
     */
    public record Options(
            Replay.Dataset dataset,
            long flows,
            int parallelism,
            Set<Phase> phases,
            boolean warmup,
            SweepBench.Options sweep,
            String delivery,
            long checkpointMs,
            long alignmentMaxDriftMs,
            int inputMaxPollRecords,
            int rounds,
            long baselineFlows) {
        public Options {
            if (rounds < 1) {
                throw new IllegalArgumentException("the pipeline phase needs at least one round, not " + rounds);
            }
            if (phases.contains(Phase.FLOOR) && !phases.contains(Phase.PIPELINE)) {
                throw new IllegalArgumentException("the floor phase runs with the pipeline phase: name both");
            }
            if (phases.contains(Phase.FLOOR) && alignmentMaxDriftMs > 0) {
                // aligned, detect runs unbounded and is stopped after a checkpoint has every record: a floor read to
                // the end offsets would not compare with it
                throw new IllegalArgumentException("the floor phase compares with an unaligned pipeline only");
            }
            if (baselineFlows < 0 || (baselineFlows > 0 && baselineFlows >= flows)) {
                throw new IllegalArgumentException(
                        "the baseline needs fewer flows than the measured run (" + flows + "), not " + baselineFlows);
            }
        }

        public Options(Replay.Dataset dataset, long flows, int parallelism) {
            this(
                    dataset,
                    flows,
                    parallelism,
                    Phase.DEFAULT,
                    true,
                    SweepBench.Options.DEFAULTS,
                    VigilConfig.defaults().getString(VigilConfig.OUTPUT_DELIVERY),
                    VigilConfig.defaults().getLong(VigilConfig.CHECKPOINT_INTERVAL_MS),
                    VigilConfig.defaults().getLong(VigilConfig.ALIGNMENT_MAX_DRIFT_MS),
                    VigilConfig.defaults().getInt(VigilConfig.INPUT_MAX_POLL_RECORDS),
                    1,
                    0);
        }
    }

    /** The bench's phases that can be run on their own. */
    public enum Phase {
        /** The preloaded topics through detect, then the same bytes through the plain Java loop. */
        PIPELINE,
        /** The dataset streamed live, windows timed to their commit. */
        LATENCY,
        /** The dataset once from its files in BATCH mode. */
        REPLAY,
        /** The dataset streamed live, without and with one job sweeping many addresses: state and alerts. */
        SWEEP,
        /** The dataset once, not repeated, through detect: time, CPU and state per job and per destination. */
        FLEET,
        /** With the pipeline: the same topics read by Flink and discarded, after each of its measured runs. */
        FLOOR;

        /** The phases run when none are named: the sweep and the fleet only on request (they take long). */
        public static final Set<Phase> DEFAULT = EnumSet.of(PIPELINE, LATENCY, REPLAY);

        /** A phase by its name in any case. */
        public static Phase parse(String name) {
            for (Phase p : values()) {
                if (p.name().equalsIgnoreCase(name.strip())) {
                    return p;
                }
            }
            throw new IllegalArgumentException(
                    "no bench phase '" + name + "'; phases: pipeline, latency, replay, sweep, fleet, floor");
        }
    }

    private final Options options;
    private final WindowScorer scorer;
    private final PrintStream out;

    public EndToEndBench(Options options, WindowScorer scorer, PrintStream out) {
        this.options = options;
        this.scorer = scorer;
        this.out = out;
    }

    /** Runs every phase; returns the figures by name (also printed). */
    public Map<String, Object> run() throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        int cores = Runtime.getRuntime().availableProcessors();
        result.put("cores", cores);
        result.put("parallelism", options.parallelism());
        if (options.phases().contains(Phase.PIPELINE)) {
            result.putAll(pipelineAndLimit());
        }
        if (options.phases().contains(Phase.LATENCY)) {
            out.println(
                    "latency: the dataset streamed live (paced), windows timed from the watermark to their commit ...");
            result.putAll(latency());
        }
        if (options.phases().contains(Phase.REPLAY)) {
            out.println("replay: the dataset once from its files, BATCH mode ...");
            double[] replay = replay();
            result.put("replay_dataset_hours", round(replay[0] / 3_600_000.0));
            result.put("replay_seconds", round(replay[1]));
            result.put("replay_times_real_time", Math.round(replay[0] / 1000.0 / replay[1]));
        }
        if (options.phases().contains(Phase.SWEEP)) {
            result.putAll(new SweepBench(options.dataset(), options.sweep(), options.parallelism(), scorer, out).run());
        }
        if (options.phases().contains(Phase.FLEET)) {
            result.putAll(fleet());
        }
        result.forEach((k, v) -> out.printf("  %-32s %s%n", k, v));
        return result;
    }

    /** The preloaded topics through detect on the mini-cluster, then the same bytes through the limit loop. */
    private Map<String, Object> pipelineAndLimit() throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        Preloaded preloaded = pipeline(options.flows(), true, options.rounds(), result);
        limitLoop(preloaded, result);
        return result;
    }

    /**
     * The dataset once, as it is, through detect as {@link #pipeline} runs it; with the jobs and destination
     * addresses in it, the largest checkpoint's state of each operator per job, and that of the per-destination
     * operator per distinct destination address of the flows (an upper bound on the addresses it keys). Keys
     * start with {@code fleet_}.
     */
    private Map<String, Object> fleet() throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        Preloaded preloaded = pipeline(Long.MAX_VALUE, false, 1, figures);
        figures.remove("pipeline_flows_per_s_per_core");
        figures.put("dataset_hours", round(span(options.dataset()) / 3_600_000.0));
        figures.put("destinations", preloaded.destinations);
        Map<String, Object> perJob = new LinkedHashMap<>();
        preloaded.measured.largest().bytesByOperator().forEach((operator, bytes) -> {
            long total = bytes[0] + bytes[1];
            perJob.put(operator, preloaded.jobs == 0 ? 0 : total / preloaded.jobs);
        });
        figures.put("largest_checkpoint_state_per_job_by_operator", perJob);
        long[] destinationWindows =
                preloaded.measured.largest().bytesByOperator().getOrDefault(DESTINATION_WINDOWS, new long[2]);
        figures.put(
                "destination_windows_state_per_destination",
                preloaded.destinations == 0
                        ? 0
                        : (destinationWindows[0] + destinationWindows[1]) / preloaded.destinations);
        Map<String, Object> result = new LinkedHashMap<>();
        figures.forEach((k, v) -> result.put("fleet_" + k, v));
        return result;
    }

    /**
     * Preloads {@code flows} flows of the dataset (repeated and shifted in time if {@code repeat}, else at most the
     * dataset once) and runs detect over them, measured; puts the figures in {@code result}.
     */
    private Preloaded pipeline(long flows, boolean repeat, int rounds, Map<String, Object> result) throws Exception {
        Path checkpoints = Files.createTempDirectory("vigil-bench-checkpoints-");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            VigilConfig config = measuredConfig(kafka, "vigil-bench", checkpoints);
            KafkaTopics.createAll(config);
            result.put("alignment_max_drift_ms", options.alignmentMaxDriftMs());
            // With alignment the job runs unbounded and is cancelled once it has checkpointed every record: a bounded
            // Kafka source fails when alignment pauses a partition that has just reached its end (FLINK-39728, not
            // fixed in connector 5.0.0-2.2). That adds up to one checkpoint interval (10 s) at the end.
            boolean bounded = options.alignmentMaxDriftMs() == 0;
            result.put("input_max_poll_records", config.inputMaxPollRecords(bounded));

            if (repeat) {
                out.printf(
                        "preloading %,d flows (and their GPU samples and assignments) from %s ...%n",
                        flows, options.dataset().path());
            } else {
                out.printf(
                        "preloading the dataset once (flows, GPU samples, assignments) from %s ...%n",
                        options.dataset().path());
            }
            Preloaded preloaded = preload(config, flows, repeat);
            result.put("flows", preloaded.flows);
            result.put("samples", preloaded.samples);
            result.put("assignments", preloaded.assignments);
            long baselineFlows = repeat ? options.baselineFlows() : 0;
            Preloaded baseline = null;
            List<Double> baselineSteady = new ArrayList<>();
            if (baselineFlows > 0) {
                out.printf("preloading the baseline's %,d flows onto topics of their own ...%n", baselineFlows);
                VigilConfig baselineTopics = baselineConfig(kafka, "vigil-bench-baseline", checkpoints);
                KafkaTopics.createAll(baselineTopics);
                baseline = preload(baselineTopics, baselineFlows, true);
            }

            if (options.warmup()) {
                // the same job once before, unmeasured, as JMH warms up: in a 20-second run the JIT compiler
                // otherwise takes a quarter of the CPU, which a long-running job pays once
                out.println("warm-up: detect once over the same topics, not measured ...");
                Path warmupCheckpoints = Files.createTempDirectory("vigil-bench-warmup-");
                try {
                    StreamExecutionEnvironment warmup = LocalRun.environment(options.parallelism());
                    DetectJob.prepare(
                            warmup,
                            LocalRun.config(kafka, "vigil-bench-warmup", 10_000, warmupCheckpoints, Map.of()),
                            scorer,
                            true);
                    warmup.execute("vigil bench warm-up");
                } finally {
                    LocalRun.deleteQuietly(warmupCheckpoints);
                }
            }
            // Each round is a fresh job over the same topics (its own consumer group, transactions and checkpoints).
            // A swing of this machine only ever adds CPU time (BENCHMARKS.md), so the round that took least is the
            // figure it moved least: the flat figures are that round's, as the limit loop's are its fastest run's.
            Run best = null;
            Map<String, Object> bestFigures = null;
            CheckpointSizes largest = CheckpointSizes.NONE;
            long largestFiles = 0;
            // every round's times and CPU by kind of thread, in order: what the machine's swing falls on
            Map<String, List<Object>> byRound = new LinkedHashMap<>();
            boolean floor = repeat && options.phases().contains(Phase.FLOOR);
            List<Double> floorSteady = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                if (rounds > 1) {
                    out.printf("round %d of %d%n", round + 1, rounds);
                }
                if (baseline != null) {
                    baselineSteady.add(baseline(kafka, round, bounded, baseline));
                }
                Map<String, Object> figures = new LinkedHashMap<>();
                out.println("pipeline: detect on the mini-cluster, reading the topics to their end ...");
                Run measured;
                Path roundCheckpoints = Files.createTempDirectory("vigil-bench-checkpoints-");
                try {
                    String group = round == 0 ? "vigil-bench" : "vigil-bench-" + (round + 1);
                    VigilConfig roundConfig = measuredConfig(kafka, group, roundCheckpoints);
                    measured = measure(this::detectJob, roundConfig, roundCheckpoints, bounded, preloaded, figures);
                } finally {
                    LocalRun.deleteQuietly(roundCheckpoints);
                }
                if (floor) {
                    floorSteady.add(floor(kafka, round, preloaded));
                }
                figures.forEach((key, value) -> {
                    if (value instanceof Number
                            && (key.equals("pipeline_seconds")
                                    || key.equals("pipeline_checkpoints_completed")
                                    || key.startsWith("pipeline_cpu_seconds"))) {
                        byRound.computeIfAbsent(key + "_by_round", k -> new ArrayList<>())
                                .add(value);
                    }
                });
                if (measured.largest().total() > largest.total()) {
                    largest = measured.largest();
                }
                largestFiles = Math.max(largestFiles, (Long) figures.get("largest_checkpoint_bytes"));
                if (best == null || measured.cpuSecondsSteady() < best.cpuSecondsSteady()) {
                    best = measured;
                    bestFigures = figures;
                }
            }
            result.putAll(bestFigures);
            if (floor) {
                // least against least, as for the rounds
                preloaded.floorCpuSecondsSteady = Collections.min(floorSteady);
                result.put("floor_cpu_seconds_steady_by_round", floorSteady);
                result.put("floor_cpu_seconds_steady", preloaded.floorCpuSecondsSteady);
            }
            if (rounds > 1) {
                // state does not depend on the machine's swing: the largest of every round
                result.put("largest_checkpoint_bytes", largestFiles);
                result.put("checkpoint_bytes_per_job", preloaded.jobs == 0 ? 0 : largestFiles / preloaded.jobs);
                result.put("largest_checkpoint_state_bytes", largest.total());
                result.put("largest_checkpoint_state_by_operator", largest.byOperator());
                result.put("pipeline_rounds", rounds);
                result.putAll(byRound);
            }
            if (baseline != null) {
                // a job's start and end (deploying its tasks, opening models and producers, the last checkpoint)
                // cost the same whatever it reads: the difference between the two runs is what each record costs
                // a job that runs for weeks (BENCHMARKS.md). Least against least, as for the rounds.
                double baselineLeast = Collections.min(baselineSteady);
                double records = preloaded.flows + preloaded.samples + preloaded.assignments;
                double baselineRecords = baseline.flows + baseline.samples + baseline.assignments;
                result.put("baseline_flows", baseline.flows);
                result.put("baseline_records", Math.round(baselineRecords));
                result.put("baseline_cpu_seconds_steady_by_round", baselineSteady);
                double marginal = best.cpuSecondsSteady() - baselineLeast;
                result.put("pipeline_cpu_seconds_marginal", round(marginal));
                preloaded.cpuSecondsMarginalPerRecord = marginal / (records - baselineRecords);
                result.put(
                        "pipeline_records_per_cpu_s_marginal", Math.round(1 / preloaded.cpuSecondsMarginalPerRecord));
            }
            // the least round's times, and the largest checkpoint of any round
            preloaded.measured = new Run(
                    best.seconds(),
                    best.cpuSeconds(),
                    best.cpuSecondsWithoutBroker(),
                    best.cpuSecondsSteady(),
                    largest);
            return preloaded;
        } finally {
            LocalRun.deleteQuietly(checkpoints);
        }
    }

    /** The measured runs' settings: the bench's alignment and poll size, checkpoints every 10 s. */
    private VigilConfig measuredConfig(EmbeddedKafka kafka, String name, Path checkpoints) {
        return LocalRun.config(
                kafka,
                name,
                10_000,
                checkpoints,
                Map.of(
                        VigilConfig.ALIGNMENT_MAX_DRIFT_MS,
                        Long.toString(options.alignmentMaxDriftMs()),
                        VigilConfig.INPUT_MAX_POLL_RECORDS,
                        Integer.toString(options.inputMaxPollRecords())));
    }

    /** The baseline's settings: as the measured runs', over input topics of its own. */
    private VigilConfig baselineConfig(EmbeddedKafka kafka, String name, Path checkpoints) {
        VigilConfig measured = measuredConfig(kafka, name, checkpoints);
        Map<String, String> topics = new HashMap<>();
        for (Topic topic : List.of(Topic.FLOWS, Topic.GPU, Topic.ASSIGNMENTS)) {
            topics.put(topic.nameSetting(), measured.topic(topic) + ".baseline");
        }
        return measured.with(topics);
    }

    /** One run of detect over the baseline's topics; its steady CPU seconds. */
    private double baseline(EmbeddedKafka kafka, int round, boolean bounded, Preloaded baseline) throws Exception {
        out.println("baseline: detect over the baseline's topics ...");
        Path checkpoints = Files.createTempDirectory("vigil-bench-checkpoints-");
        try {
            VigilConfig config = baselineConfig(kafka, "vigil-bench-baseline-" + (round + 1), checkpoints);
            return round(measure(this::detectJob, config, checkpoints, bounded, baseline, new LinkedHashMap<>())
                    .cpuSecondsSteady());
        } finally {
            LocalRun.deleteQuietly(checkpoints);
        }
    }

    /**
     * One run of Flink reading the preloaded flow and GPU topics and discarding every message (the floor phase), in a
     * consumer group of its own; its steady CPU seconds, counted as the pipeline's are.
     */
    private double floor(EmbeddedKafka kafka, int round, Preloaded preloaded) throws Exception {
        out.println("floor: Flink reads the same topics and discards them ...");
        Path checkpoints = Files.createTempDirectory("vigil-bench-checkpoints-");
        try {
            VigilConfig config = measuredConfig(kafka, "vigil-bench-floor-" + (round + 1), checkpoints);
            return round(measure(EndToEndBench::floorJob, config, checkpoints, true, preloaded, new LinkedHashMap<>())
                    .cpuSecondsSteady());
        } finally {
            LocalRun.deleteQuietly(checkpoints);
        }
    }

    /** Detect over the topics of {@code config}, as the job runs on a cluster. */
    private void detectJob(StreamExecutionEnvironment env, VigilConfig config, boolean bounded) {
        DetectJob.prepare(env, config, scorer, bounded);
    }

    /**
     * Detect's runtime settings (checkpoints, watermark interval, buffer timeout) and its own input source over its
     * flow and GPU topics, read to their end, each message discarded with nothing decoded: watermarks on the messages'
     * own timestamps, so that the runtime does the periodic work it does for detect.
     */
    private static void floorJob(StreamExecutionEnvironment env, VigilConfig config, boolean bounded) {
        DetectJob.configure(env, config);
        KafkaSource<byte[]> topics = KafkaEnds.inputSource(
                config,
                List.of(config.topic(Topic.FLOWS), config.topic(Topic.GPU)),
                KafkaRecordDeserializationSchema.valueOnly(ByteArrayDeserializer.class),
                bounded,
                null);
        env.fromSource(
                        topics,
                        WatermarkStrategy.<byte[]>forBoundedOutOfOrderness(Duration.ofSeconds(5)),
                        "Flow and GPU topics")
                .sinkTo(new Discard<>())
                .name("Discard");
    }

    /** Builds a job on a configured environment: detect, or the floor's. */
    @FunctionalInterface
    private interface MeasuredJob {
        void build(StreamExecutionEnvironment env, VigilConfig config, boolean bounded);
    }

    /**
     * One measured run of a job over the preloaded topics, to their end; puts its figures in {@code result} and
     * returns its times.
     */
    private Run measure(
            MeasuredJob measuredJob,
            VigilConfig config,
            Path checkpoints,
            boolean bounded,
            Preloaded preloaded,
            Map<String, Object> result)
            throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        StreamExecutionEnvironment env = LocalRun.environment(options.parallelism());
        result.put("pipeline_bounded", bounded);
        measuredJob.build(env, config, bounded);
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        ThreadCpu threadCpu = ThreadCpu.start();
        VmCpu vmCpu = VmCpu.start();
        JobClient job = env.executeAsync("vigil bench");
        CompletableFuture<Void> read = bounded
                ? new CompletableFuture<>()
                : CompletableFuture.runAsync(() -> {
                    try {
                        LocalRun.awaitRead(config, Duration.ofHours(6));
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                });
        // a finished job discards its checkpoints: watch their size while it runs
        long checkpointBytes = 0;
        CheckpointSizes largest = CheckpointSizes.NONE;
        CheckpointSizes latest = CheckpointSizes.NONE;
        long checkpointsCompleted = 0;
        var done = job.getJobExecutionResult();
        while (!done.isDone() && !read.isDone()) {
            latest = CheckpointSizes.ofLatest(checkpoints, latest);
            checkpointBytes = Math.max(checkpointBytes, latest.files());
            checkpointsCompleted = Math.max(checkpointsCompleted, latest.checkpoint());
            if (latest.total() > largest.total()) {
                largest = latest;
            }
            threadCpu.poll();
            Thread.sleep(250);
        }
        if (read.isDone()) {
            read.get();
            job.cancel().get();
        } else {
            read.cancel(false);
            done.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
        Map<VmCpu.Kind, Double> vm = vmCpu.since();
        threadCpu.poll();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        double records = preloaded.flows + preloaded.samples + preloaded.assignments;
        result.put("pipeline_seconds", round(seconds));
        result.put("pipeline_flows_per_s", Math.round(preloaded.flows / seconds));
        result.put(
                "pipeline_flows_per_s_per_core",
                Math.round(preloaded.flows / seconds / Math.min(cores, options.parallelism())));
        result.put("pipeline_samples_per_s", Math.round(preloaded.samples / seconds));
        result.put("pipeline_records_per_s", Math.round(records / seconds));
        // CPU time of this JVM (Flink, and the embedded broker serving it): a per-core figure that other
        // work on a shared machine does not skew the way it skews wall time
        result.put("pipeline_cpu_seconds", round(cpuSeconds));
        result.put("pipeline_flows_per_cpu_s", Math.round(preloaded.flows / cpuSeconds));
        result.put("pipeline_records_per_cpu_s", Math.round(records / cpuSeconds));
        // the same CPU by kind of thread: the embedded broker's is a cost a deployment pays on other machines
        // (and the limit loop, reading bytes from memory, pays none of it); what no Java thread accounts for
        // is GC, the JIT compiler and threads that ended between polls
        Map<ThreadCpu.Kind, Double> byKind = threadCpu.byKind();
        double inThreads = 0;
        for (var kind : byKind.entrySet()) {
            result.put("pipeline_cpu_seconds_" + kind.getKey().label, round(kind.getValue()));
            inThreads += kind.getValue();
        }
        result.put("pipeline_cpu_seconds_gc_jit_unaccounted", round(cpuSeconds - inThreads));
        // ... of which the JIT compilers and the garbage collector, where /proc tells (Linux)
        for (var kind : vm.entrySet()) {
            result.put("pipeline_cpu_seconds_" + kind.getKey().label, round(kind.getValue()));
        }
        double withoutBroker = cpuSeconds - byKind.get(ThreadCpu.Kind.BROKER);
        result.put("pipeline_cpu_seconds_without_broker", round(withoutBroker));
        result.put("pipeline_records_per_cpu_s_without_broker", Math.round(records / withoutBroker));
        result.put("pipeline_cpu_seconds_by_thread", threadCpu.byName(25));
        result.put("heap_used_after_mb", heap / (1024 * 1024));
        result.put("largest_checkpoint_bytes", checkpointBytes);
        // how many checkpoints the measured run took (the latest one's number): at 10 s a run of 10 to 15 s takes
        // none, one or two, and those of an unaligned backlog cost the async thread 0 to 0.9 CPU-s, a swing
        // between otherwise equal runs (BENCHMARKS.md)
        result.put("pipeline_checkpoints_completed", checkpointsCompleted);
        result.put("jobs", preloaded.jobs);
        result.put("checkpoint_bytes_per_job", preloaded.jobs == 0 ? 0 : checkpointBytes / preloaded.jobs);
        result.put("largest_checkpoint_state_bytes", largest.total());
        result.put("largest_checkpoint_state_by_operator", largest.byOperator());
        // steady state: what a long-running job pays per record, without the compilation a minute's run still
        // does (a new job's call sites; it levels off at ~11 CPU-s however long the run), the broker, and this
        // bench's own thread (it watches the job's threads and checkpoints; a deployment has no such observer)
        double steady = withoutBroker - vm.get(VmCpu.Kind.JIT) - byKind.get(ThreadCpu.Kind.BENCH);
        result.put("pipeline_cpu_seconds_steady", round(steady));
        result.put("pipeline_records_per_cpu_s_steady", Math.round(records / steady));
        return new Run(seconds, cpuSeconds, withoutBroker, steady, largest);
    }

    /** The bytes of the pipeline's run through the limit loop, and the pipeline as a share of it. */
    private void limitLoop(Preloaded preloaded, Map<String, Object> result) {
        int cores = Runtime.getRuntime().availableProcessors();
        double seconds = preloaded.measured.seconds();
        double cpuSeconds = preloaded.measured.cpuSeconds();
        double records = preloaded.flows + preloaded.samples + preloaded.assignments;
        out.println("limit: the same bytes and features in one plain Java loop ...");
        // the fastest of a few runs: the first also warms up the JIT, which the pipeline had time to do
        double[] limit = {Double.MAX_VALUE, Double.MAX_VALUE, 0};
        List<Double> byRun = new ArrayList<>();
        for (int run = 0; run < LIMIT_RUNS; run++) {
            double[] one = limit(preloaded);
            byRun.add(round(one[1] + one[2]));
            if (one[1] < limit[1]) {
                limit = one;
            }
        }
        double limitSeconds = limit[0];
        double limitCpuSeconds = limit[1];
        double limitGcSeconds = limit[2];
        result.put("limit_seconds", round(limitSeconds));
        result.put("limit_records_per_s", Math.round(records / limitSeconds));
        result.put("limit_flows_per_s", Math.round(preloaded.flows / limitSeconds));
        result.put("limit_cpu_seconds", round(limitCpuSeconds));
        result.put("limit_records_per_cpu_s", Math.round(records / limitCpuSeconds));
        // the pipeline's throughput per core as a share of the single-threaded limit
        result.put(
                "pipeline_per_core_vs_limit",
                round((records / seconds / Math.min(cores, options.parallelism())) / (records / limitSeconds)));
        // the same per CPU-second: records per CPU-second of the pipeline over those of the limit loop
        result.put("pipeline_per_cpu_vs_limit", round(limitCpuSeconds / cpuSeconds));
        // the same without the embedded broker's threads (GC and JIT stay charged to the pipeline)
        result.put(
                "pipeline_per_cpu_vs_limit_without_broker",
                round(limitCpuSeconds / preloaded.measured.cpuSecondsWithoutBroker()));
        // steady state on both sides: the pipeline without the broker, the JIT and the bench's thread, the limit
        // loop charged its own garbage collection (its thread's CPU time alone leaves the collector out, as the
        // pipeline's does not)
        result.put("limit_cpu_seconds_gc", round(limitGcSeconds));
        // every run's thread and collector CPU, in order: the spread between runs of the same loop on the same bytes
        // is what this machine adds to any one figure (the ratio uses the run whose thread took least)
        result.put("limit_cpu_seconds_with_gc_by_run", byRun);
        result.put(
                "pipeline_per_cpu_vs_limit_steady",
                round((limitCpuSeconds + limitGcSeconds) / preloaded.measured.cpuSecondsSteady()));
        if (preloaded.floorCpuSecondsSteady > 0) {
            // the least a pipeline on Flink and Kafka could take: reading the topics, and the loop's work
            double floorPlusLoop = preloaded.floorCpuSecondsSteady + limitCpuSeconds + limitGcSeconds;
            result.put("floor_plus_limit_cpu_seconds", round(floorPlusLoop));
            result.put(
                    "pipeline_vs_floor_plus_limit_steady",
                    round(floorPlusLoop / preloaded.measured.cpuSecondsSteady()));
        }
        if (preloaded.cpuSecondsMarginalPerRecord > 0) {
            // the loop's CPU per record (its start is negligible) over the pipeline's beyond the baseline
            result.put(
                    "pipeline_per_cpu_vs_limit_marginal",
                    round((limitCpuSeconds + limitGcSeconds) / records / preloaded.cpuSecondsMarginalPerRecord));
        }
    }

    /**
     * One measured run: wall and CPU seconds; CPU less the embedded broker's threads; and less the JIT compilers' too
     * (zero where /proc cannot tell) and this bench's own thread; its largest checkpoint.
     */
    private record Run(
            double seconds,
            double cpuSeconds,
            double cpuSecondsWithoutBroker,
            double cpuSecondsSteady,
            CheckpointSizes largest) {}

    /** The bytes as they were put on the topics, for the limit loop to decode again; and how detect read them. */
    private static final class Preloaded {
        final List<byte[]> flowMessages = new ArrayList<>();
        final List<byte[]> sampleMessages = new ArrayList<>();
        final List<byte[]> assignmentMessages = new ArrayList<>();
        long flows;
        long samples;
        long assignments;
        int jobs;
        /** Distinct destination addresses of the flows (counted only when the dataset is not repeated). */
        int destinations;
        /** The round the figures are taken from (the least), with the largest checkpoint of any round. */
        Run measured;
        /** Steady CPU seconds per record beyond the baseline's (0: no baseline). */
        double cpuSecondsMarginalPerRecord;
        /** The floor phase's least steady CPU seconds over the same topics (0: not run). */
        double floorCpuSecondsSteady;
    }

    /**
     * Puts {@code flows} flows of the dataset on the topics, with their samples and assignments: the dataset repeated
     * and shifted in time if {@code repeat}, else once at most, its bytes kept only for the limit loop (repeated).
     */
    private Preloaded preload(VigilConfig config, long flows, boolean repeat) throws IOException {
        Preloaded p = new Preloaded();
        Map<RecordType<?>, String> topics = Map.of(
                RecordType.FLOW,
                config.topic(Topic.FLOWS),
                RecordType.GPU,
                config.topic(Topic.GPU),
                RecordType.ASSIGNMENT,
                config.topic(Topic.ASSIGNMENTS));
        Map<RecordType<?>, RecordFraming<SpecificRecord>> framings = new HashMap<>();
        long span = span(options.dataset()) + 60_000;
        Set<String> jobs = new HashSet<>();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            Set<String> destinations = new HashSet<>();
            for (int copy = 0; p.flows < flows && (repeat || copy == 0); copy++) {
                long shift = copy * span;
                try (DatasetRecords records = new DatasetRecords(
                        options.dataset().path(), options.dataset().formats())) {
                    for (DatasetRecords.Timed r = records.next(); r != null && p.flows < flows; r = records.next()) {
                        String topic = topics.get(r.type());
                        if (topic == null) {
                            continue; // agent events: context, not part of this workload (as in the figures so far)
                        }
                        SpecificRecord record = shifted(r.record(), shift);
                        @SuppressWarnings("unchecked")
                        RecordFraming<SpecificRecord> framing =
                                framings.computeIfAbsent(r.type(), t -> (RecordFraming<SpecificRecord>)
                                        (RecordFraming<?>) Framings.forTopic(t, topics.get(t), null));
                        byte[] bytes = framing.encode(record);
                        Object node =
                                record.get(record.getSchema().getField("node").pos());
                        producer.send(new ProducerRecord<>(
                                topic, null, r.ts() + shift, node.toString().getBytes(StandardCharsets.UTF_8), bytes));
                        if (r.type() == RecordType.FLOW) {
                            p.flows++;
                            if (repeat) {
                                p.flowMessages.add(bytes);
                            } else {
                                destinations.add(((Flow) record).getDstIp());
                            }
                        } else if (r.type() == RecordType.GPU) {
                            p.samples++;
                            if (repeat) {
                                p.sampleMessages.add(bytes);
                            }
                        } else {
                            p.assignments++;
                            p.assignmentMessages.add(bytes);
                            jobs.add(((Assignment) record).getJobId());
                        }
                    }
                }
            }
            p.destinations = destinations.size();
        }
        p.jobs = jobs.size();
        return p;
    }

    /** A copy of a record moved later in time (copies of the dataset follow each other). */
    private static SpecificRecord shifted(SpecificRecord r, long shift) {
        if (shift == 0) {
            return r;
        }
        if (r instanceof Flow f) {
            return Flow.newBuilder(f)
                    .setTs(f.getTs().plusMillis(shift))
                    .setStartTs(f.getStartTs().plusMillis(shift))
                    .build();
        }
        if (r instanceof GpuSample s) {
            return GpuSample.newBuilder(s).setTs(s.getTs().plusMillis(shift)).build();
        }
        Assignment a = (Assignment) r;
        return Assignment.newBuilder(a).setTs(a.getTs().plusMillis(shift)).build();
    }

    /** The uid of detect's per-destination operator (DetectPipeline). */
    private static final String DESTINATION_WINDOWS = "destination-windows";

    /** Runs of the limit loop; the fastest counts. */
    static final int LIMIT_RUNS = 3;

    /** CPU time of this whole JVM so far, ns. */
    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * The same work without Flink or Kafka, in one thread: decode, attribute, fold, feature, score.
     * Returns {wall seconds, CPU seconds of this thread, CPU seconds of the garbage collector meanwhile}.
     */
    private double[] limit(Preloaded p) {
        long start = System.nanoTime();
        VmCpu vmCpu = VmCpu.start();
        long cpuStart = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        RecordFraming<Flow> flows = Framings.forTopic(RecordType.FLOW, "f", null);
        RecordFraming<GpuSample> samples = Framings.forTopic(RecordType.GPU, "g", null);
        RecordFraming<Assignment> assignments = Framings.forTopic(RecordType.ASSIGNMENT, "a", null);
        NetworkScope scope = NetworkScope.defaults();
        Map<String, String> jobByIp = new HashMap<>();
        Map<String, String> jobByGpu = new HashMap<>();
        for (byte[] m : p.assignmentMessages) {
            Decoded<Assignment> d = assignments.decode(m);
            if (d.isAccepted() && d.record().getEvent() == AssignmentEvent.START) {
                jobByIp.put(d.record().getIp(), d.record().getJobId());
                for (int gpu : d.record().getGpus()) {
                    jobByGpu.put(d.record().getNode() + "#" + gpu, d.record().getJobId());
                }
            }
        }
        long window = 60_000;
        Map<String, JobContacts> jobContacts = new HashMap<>();
        Map<String, WindowAccumulator> jobWindows = new HashMap<>();
        for (byte[] m : p.flowMessages) {
            Decoded<Flow> d = flows.decode(m);
            if (!d.isAccepted()) {
                continue;
            }
            Flow f = d.record();
            long w = f.getTs().toEpochMilli() / window;
            String src = jobByIp.get(f.getSrcIp());
            if (src != null) {
                jobContacts
                        .computeIfAbsent(w + "|" + src, k -> new JobContacts())
                        .add(JobFlow.of(f, src, true, scope));
            }
            String dst = jobByIp.get(f.getDstIp());
            if (dst != null) {
                jobContacts
                        .computeIfAbsent(w + "|" + dst, k -> new JobContacts())
                        .add(JobFlow.of(f, dst, false, scope));
            }
        }
        for (byte[] m : p.sampleMessages) {
            Decoded<GpuSample> d = samples.decode(m);
            if (!d.isAccepted()) {
                continue;
            }
            GpuSample s = d.record();
            String job = jobByGpu.get(s.getNode() + "#" + s.getGpu());
            if (job != null) {
                jobWindows
                        .computeIfAbsent(job + "|" + s.getTs().toEpochMilli() / window, k -> new WindowAccumulator())
                        .add(s);
            }
        }
        Map<String, DestinationAccumulator> destinations = new HashMap<>();
        for (Map.Entry<String, JobContacts> e : jobContacts.entrySet()) {
            long w = Long.parseLong(e.getKey().substring(0, e.getKey().indexOf('|')));
            JobContacts.Split split = e.getValue().split(w * window, (w + 1) * window);
            if (split.rest() != null) {
                jobWindows
                        .computeIfAbsent(e.getValue().jobId + "|" + w, k -> new WindowAccumulator())
                        .merge(split.rest());
            }
            for (DestinationAccumulator asked : split.ask()) {
                destinations
                        .computeIfAbsent(w + "|" + asked.remoteIp, k -> new DestinationAccumulator())
                        .merge(asked);
            }
        }
        for (Map.Entry<String, DestinationAccumulator> e : destinations.entrySet()) {
            long w = Long.parseLong(e.getKey().substring(0, e.getKey().indexOf('|')));
            for (Contact c : e.getValue()
                    .contacts(
                            w * window, (w + 1) * window, e.getValue().jobIds().size())) {
                jobWindows
                        .computeIfAbsent(c.jobId + "|" + w, k -> new WindowAccumulator())
                        .add(c);
            }
        }
        double sum = 0;
        for (WindowAccumulator acc : jobWindows.values()) {
            sum += scorer.score(acc.features(FeatureSet.CURRENT)).score();
        }
        if (sum < 0) {
            throw new IllegalStateException(); // keeps the work observable
        }
        return new double[] {
            (System.nanoTime() - start) / 1e9,
            (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart) / 1e9,
            vmCpu.since().get(VmCpu.Kind.GC)
        };
    }

    /**
     * Streams the dataset once at a pace (event time running {@value #LATENCY_SPEED}x wall time) and times
     * each scored window from the moment the watermark could pass its end (the first record at or after
     * end + out-of-orderness was sent) to the moment a read_committed consumer sees it. Windows go through
     * the same transactional sink and commit as alerts, and there are many more of them.
     */
    private Map<String, Object> latency() throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        Path checkpoints = Files.createTempDirectory("vigil-bench-latency-");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            VigilConfig config = LocalRun.config(
                    kafka,
                    "vigil-bench-latency",
                    options.checkpointMs(),
                    checkpoints,
                    Map.of(
                            // at 60x an idle partition's default 30 s would be half an hour of event time
                            VigilConfig.IDLENESS_MS,
                            "2000",
                            VigilConfig.OUTPUT_DELIVERY,
                            options.delivery(),
                            VigilConfig.ALIGNMENT_MAX_DRIFT_MS,
                            Long.toString(options.alignmentMaxDriftMs())));
            result.put("latency_output_delivery", options.delivery());
            result.put("latency_alignment_max_drift_ms", options.alignmentMaxDriftMs());
            result.put("latency_checkpoint_interval_ms", options.checkpointMs());
            KafkaTopics.createAll(config);
            StreamExecutionEnvironment env = LocalRun.environment(options.parallelism());
            DetectJob.prepare(env, config, scorer, false);
            JobClient job = env.executeAsync("vigil bench latency");
            // the state of a job at live pace (not of a backlog read at full speed): the per-job figure
            AtomicReference<CheckpointSizes> largest = new AtomicReference<>(CheckpointSizes.NONE);
            var checkpointWatch = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "bench-checkpoint-sizes");
                t.setDaemon(true);
                return t;
            });
            checkpointWatch.scheduleWithFixedDelay(
                    () -> {
                        CheckpointSizes latest = CheckpointSizes.ofLatest(checkpoints);
                        largest.accumulateAndGet(latest, (a, b) -> b.total() > a.total() ? b : a);
                    },
                    500,
                    500,
                    TimeUnit.MILLISECONDS);

            long ooo = config.getLong(VigilConfig.OUT_OF_ORDERNESS_MS);
            // sim second -> wall nanos when the first record at or after it was sent
            TreeMap<Long, Long> sentAt = new TreeMap<>();
            List<Long> latenciesMs = Collections.synchronizedList(new ArrayList<>());
            List<Long> writtenMs = Collections.synchronizedList(new ArrayList<>());
            // the job's start is not its steady state: the first windows wait for its deployment, the JIT and, where a
            // partition is empty, its idleness (the alignment holds the other readers until it counts as idle)
            long first = DatasetRecords.telemetrySpan(
                    options.dataset().path(), options.dataset().formats())[0];
            long steadyFrom = first + LATENCY_START_UP.toMillis();
            List<Long> steadyMs = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean running = new AtomicBoolean(true);
            // committed: what an alert consumer sees; written: when the sink wrote it (before the checkpoint
            // that commits it), so the difference is the price of exactly-once
            Thread consumer =
                    windowWatcher(config, "read_committed", sentAt, ooo, running, latenciesMs, steadyFrom, steadyMs);
            Thread writtenWatcher = windowWatcher(
                    config, "read_uncommitted", sentAt, ooo, running, writtenMs, steadyFrom, new ArrayList<>());
            consumer.start();
            writtenWatcher.start();

            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
            props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
            Map<RecordType<?>, String> topics = Map.of(
                    RecordType.FLOW,
                    config.topic(Topic.FLOWS),
                    RecordType.GPU,
                    config.topic(Topic.GPU),
                    RecordType.ASSIGNMENT,
                    config.topic(Topic.ASSIGNMENTS));
            try (KafkaProducer<byte[], byte[]> producer =
                            new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
                    DatasetRecords records = new DatasetRecords(
                            options.dataset().path(), options.dataset().formats())) {
                long wallStart = System.nanoTime();
                for (DatasetRecords.Timed r = records.next(); r != null; r = records.next()) {
                    if (topics.get(r.type()) == null) {
                        continue; // agent events, as in the preload: the latency figures so far were without them
                    }
                    long due = wallStart + (long) (Math.max(0, r.ts() - first) / LATENCY_SPEED * 1_000_000);
                    long wait = due - System.nanoTime();
                    if (wait > 1_000_000) {
                        producer.flush();
                        Thread.sleep(wait / 1_000_000);
                    }
                    @SuppressWarnings("unchecked")
                    RecordFraming<SpecificRecord> framing = (RecordFraming<SpecificRecord>)
                            (RecordFraming<?>) Framings.forTopic(r.type(), topics.get(r.type()), null);
                    // keyed by node, as the collectors key them: each node's partition advances its watermark
                    // steadily (unkeyed, the producer fills one partition at a time and the others hold the
                    // watermark back until they count as idle)
                    Object node = r.record()
                            .get(r.record().getSchema().getField("node").pos());
                    producer.send(new ProducerRecord<>(
                            topics.get(r.type()),
                            null,
                            r.ts(),
                            node.toString().getBytes(StandardCharsets.UTF_8),
                            framing.encode(r.record())));
                    synchronized (sentAt) {
                        sentAt.putIfAbsent(r.ts() / 1000, System.nanoTime());
                    }
                }
            }
            Thread.sleep(5_000);
            running.set(false);
            consumer.join(5_000);
            writtenWatcher.join(5_000);
            checkpointWatch.shutdownNow();
            job.cancel().get();
            List<Long> sorted = new ArrayList<>(latenciesMs);
            Collections.sort(sorted);
            result.put("latency_windows_measured", sorted.size());
            result.put("latency_p50_ms", percentile(sorted, 0.50));
            result.put("latency_p99_ms", percentile(sorted, 0.99));
            result.put("latency_max_ms", sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1));
            List<Long> steady = new ArrayList<>(steadyMs);
            Collections.sort(steady);
            result.put("latency_after_start_windows_measured", steady.size());
            result.put("latency_after_start_p50_ms", percentile(steady, 0.50));
            result.put("latency_after_start_p99_ms", percentile(steady, 0.99));
            List<Long> written = new ArrayList<>(writtenMs);
            Collections.sort(written);
            result.put("latency_written_p50_ms", percentile(written, 0.50));
            result.put("latency_written_p99_ms", percentile(written, 0.99));
            result.put("live_largest_checkpoint_state_bytes", largest.get().total());
            result.put(
                    "live_largest_checkpoint_state_by_operator", largest.get().byOperator());
        } finally {
            LocalRun.deleteQuietly(checkpoints);
        }
        return result;
    }

    /**
     * Reads the windows topic with the given isolation level and times each window from the moment its end
     * could pass ({@code sentAt}: sim second to wall nanos) to the moment it is read.
     */
    private static Thread windowWatcher(
            VigilConfig config,
            String isolation,
            TreeMap<Long, Long> sentAt,
            long ooo,
            AtomicBoolean running,
            List<Long> latenciesMs,
            long steadyFromMs,
            List<Long> steadyMs) {
        RecordFraming<JobWindow> windows = Framings.forTopic(RecordType.WINDOW, config.topic(Topic.WINDOWS), null);
        return new Thread(
                () -> {
                    Properties p = new Properties();
                    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
                    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
                    try (var c = new KafkaConsumer<byte[], byte[]>(
                            p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                        String topic = config.topic(Topic.WINDOWS);
                        var partitions = c.partitionsFor(topic).stream()
                                .map(i -> new TopicPartition(topic, i.partition()))
                                .toList();
                        c.assign(partitions);
                        while (running.get()) {
                            for (var r : c.poll(Duration.ofMillis(50))) {
                                long now = System.nanoTime();
                                Decoded<JobWindow> w = windows.decode(r.value());
                                if (!w.isAccepted()) {
                                    continue;
                                }
                                Long due;
                                synchronized (sentAt) {
                                    var e = sentAt.ceilingEntry(
                                            (w.record().getWindowEnd().toEpochMilli() + ooo) / 1000);
                                    due = e == null ? null : e.getValue();
                                }
                                if (due != null) {
                                    latenciesMs.add((now - due) / 1_000_000);
                                    if (w.record().getWindowEnd().toEpochMilli() > steadyFromMs) {
                                        steadyMs.add((now - due) / 1_000_000);
                                    }
                                }
                            }
                        }
                    }
                },
                "bench-latency-" + isolation);
    }

    /** Event time runs this much faster than wall time in the latency phase. */
    static final double LATENCY_SPEED = 60;

    /**
     * The windows of the stream's first minutes of event time (5 s of wall time at {@value #LATENCY_SPEED}x) are the
     * job's start, reported apart ({@code latency_after_start_*} leaves them out, {@code latency_p99_ms} has them).
     */
    static final Duration LATENCY_START_UP = Duration.ofMinutes(5);

    private static long percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    }

    /** Replays the dataset from its files in BATCH mode; returns {dataset span ms, wall seconds}. */
    private double[] replay() throws Exception {
        StreamExecutionEnvironment env = LocalRun.environment(options.parallelism());
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        DetectPipeline.build(
                env,
                DetectSettings.defaults(),
                scorer,
                DatasetFiles.inputs(
                        List.of(options.dataset().path()), options.dataset().formats()),
                new DetectPipeline.Outputs(new Discard<>(), new Discard<>(), new Discard<>()));
        long start = System.nanoTime();
        env.execute("vigil bench replay");
        return new double[] {span(options.dataset()), (System.nanoTime() - start) / 1e9};
    }

    /** A sink that drops what it gets: the benchmark measures the pipeline, not a file system. */
    static final class Discard<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) {}

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    private static long span(Replay.Dataset dataset) throws IOException {
        long[] span = DatasetRecords.telemetrySpan(dataset.path(), dataset.formats());
        return span[1] - span[0];
    }

    private static double round(double d) {
        return Math.round(d * 100) / 100.0;
    }
}
