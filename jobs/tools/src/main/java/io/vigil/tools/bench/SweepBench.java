package io.vigil.tools.bench;

import io.vigil.broker.EmbeddedKafka;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.pipeline.DetectJob;
import io.vigil.pipeline.detect.Alerts;
import io.vigil.pipeline.files.DatasetRecords;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Category;
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
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CheckpointFailureManager;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * The state a destination sweep leaves in the detect job (issue #18: state is bounded under attack). A small
 * benign fleet (a dataset) is streamed live, at a pace, through the embedded broker into {@code detect} on a
 * mini-cluster with checkpoints every second, twice: as it is, and with one of its jobs sweeping
 * {@code addresses} distinct external addresses over {@code minutes} (one unanswered TCP SYN each, as an
 * exporter reports a connection attempt nobody answered). Each run records its largest checkpoint (its state
 * per operator, read from the checkpoint's metadata, and its files on disk) and the alerts it committed; the
 * sweep run also what it said about the sweeping job. Live, not a backlog read at full speed: a backlog
 * holds windows open ahead of the watermark, which is not what a running job keeps.
 */
public final class SweepBench {

    /**
     * @param addresses distinct addresses the sweeping job tries, one each
     * @param minutes over how long
     * @param speed event time per wall time while streaming
     * @param port the service port swept
     */
    public record Options(long addresses, int minutes, double speed, int port) {
        public static final Options DEFAULTS = new Options(1_000_000, 60, 20, 22);

        public Options {
            if (addresses < 1 || addresses > MAX_ADDRESSES) {
                throw new IllegalArgumentException("sweep addresses must be 1 to " + MAX_ADDRESSES + ": " + addresses);
            }
            if (minutes < 1 || speed <= 0) {
                throw new IllegalArgumentException("sweep minutes and speed must be positive");
            }
        }
    }

    /** The swept addresses are 11.0.0.0 upwards: public, unicast, and in no default internal range. */
    static final long MAX_ADDRESSES = 1L << 24;

    private static final long FIRST_ADDRESS = 11L << 24;
    /** Event time between clock ticks on every flow and sample partition (as the demo does, and why), ms. */
    private static final long TICK_MS = 5_000;

    private static final String CLOCK_NODE = "vigil-bench-clock";
    /** Event time streamed before the sweep (the fleet's windows in full swing) and after it (its last windows close). */
    private static final long LEAD_MS = 5 * 60_000L;

    private static final long TAIL_MS = 3 * 60_000L;
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(10);

    private final Replay.Dataset dataset;
    private final Options options;
    private final int parallelism;
    private final WindowScorer scorer;
    private final PrintStream out;

    public SweepBench(Replay.Dataset dataset, Options options, int parallelism, WindowScorer scorer, PrintStream out) {
        this.dataset = dataset;
        this.options = options;
        this.parallelism = parallelism;
        this.scorer = scorer;
        this.out = out;
    }

    /** Who sweeps: one IPv4 pod address of a job that holds it for the whole sweep. */
    record Sweeper(String jobId, String node, String ip) {}

    /** Both runs; the figures by name. */
    public Map<String, Object> run() throws Exception {
        long[] span = DatasetRecords.telemetrySpan(dataset.path(), dataset.formats());
        long sweepStart = (span[0] + LEAD_MS + 59_999) / 60_000 * 60_000;
        long sweepEnd = sweepStart + options.minutes() * 60_000L;
        if (sweepEnd + TAIL_MS > span[1]) {
            throw new IllegalArgumentException("dataset " + dataset.path() + " covers "
                    + (span[1] - span[0]) / 60_000 + " min: too short for a " + options.minutes()
                    + "-minute sweep with " + LEAD_MS / 60_000 + " min before and " + TAIL_MS / 60_000 + " after");
        }
        Sweeper sweeper = sweeper(sweepStart, sweepEnd);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("sweep_addresses", options.addresses());
        result.put("sweep_minutes", options.minutes());
        result.put("sweep_port", options.port());
        result.put("sweep_job", sweeper.jobId());
        result.put("sweep_speed", options.speed());
        out.printf(
                "sweep: %s streamed at %.0fx, without and then with %s (%s) sweeping %,d addresses on port %d in %d min ...%n",
                dataset.path(),
                options.speed(),
                sweeper.jobId(),
                sweeper.ip(),
                options.addresses(),
                options.port(),
                options.minutes());
        for (boolean withSweep : new boolean[] {false, true}) {
            String prefix = withSweep ? "with_sweep_" : "fleet_only_";
            out.printf("  %s ...%n", withSweep ? "the fleet with the sweep" : "the fleet alone");
            Map<String, Object> one = once(sweeper, withSweep, sweepStart, sweepEnd, span[0]);
            one.forEach((k, v) -> result.put(prefix + k, v));
        }
        return result;
    }

    /** The job that sweeps: the first by id with an IPv4 address held over the whole sweep. */
    private Sweeper sweeper(long from, long to) throws IOException {
        Map<String, Long> started = new HashMap<>();
        Map<String, Sweeper> candidates = new TreeMap<>();
        Map<String, Sweeper> holds = new HashMap<>();
        try (DatasetRecords records = new DatasetRecords(dataset.path(), dataset.formats())) {
            for (DatasetRecords.Timed r = records.next(); r != null; r = records.next()) {
                if (!(r.record() instanceof Assignment a)
                        || a.getIp() == null
                        || a.getIp().contains(":")) {
                    continue;
                }
                String hold = a.getJobId() + " " + a.getIp();
                if (a.getEvent() == AssignmentEvent.START) {
                    started.put(hold, r.ts());
                    holds.put(hold, new Sweeper(a.getJobId(), a.getNode(), a.getIp()));
                } else {
                    Long since = started.remove(hold);
                    if (since != null && since <= from && r.ts() >= to) {
                        candidates.putIfAbsent(hold, holds.get(hold));
                    }
                }
            }
        }
        started.forEach((hold, since) -> {
            if (since <= from) {
                candidates.putIfAbsent(hold, holds.get(hold));
            }
        });
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException(
                    "no job in " + dataset.path() + " holds an IPv4 address for the whole sweep");
        }
        return candidates.values().iterator().next();
    }

    /** One run: the fleet, and the sweep if asked, through detect; its figures. */
    private Map<String, Object> once(Sweeper sweeper, boolean withSweep, long sweepStart, long sweepEnd, long firstTs)
            throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        Path checkpoints = Files.createTempDirectory("vigil-bench-sweep-");
        Path savepoints = Files.createTempDirectory("vigil-bench-sweep-savepoint-");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            VigilConfig config = LocalRun.config(
                    kafka, "vigil-bench-sweep", 1000, checkpoints, Map.of(VigilConfig.IDLENESS_MS, "5000"));
            KafkaTopics.createAll(config);
            StreamExecutionEnvironment env = LocalRun.environment(parallelism);
            DetectJob.prepare(env, config, scorer, false);
            JobClient job = env.executeAsync("vigil bench sweep");
            AtomicReference<CheckpointSizes> largest = new AtomicReference<>(CheckpointSizes.NONE);
            AtomicReference<Long> largestFiles = new AtomicReference<>(0L);
            var watch = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "bench-sweep-checkpoint-sizes");
                t.setDaemon(true);
                return t;
            });
            watch.scheduleWithFixedDelay(
                    () -> {
                        CheckpointSizes latest = CheckpointSizes.ofLatest(checkpoints);
                        largest.accumulateAndGet(latest, (a, b) -> b.total() > a.total() ? b : a);
                        largestFiles.accumulateAndGet(latest.files(), Math::max);
                    },
                    500,
                    500,
                    TimeUnit.MILLISECONDS);

            long start = System.nanoTime();
            long[] counts = produce(config, withSweep ? sweeper : null, sweepStart, sweepEnd, firstTs);
            long produced = System.nanoTime();
            LocalRun.awaitRead(config, STOP_TIMEOUT);
            double behind = (System.nanoTime() - produced) / 1e9;
            // the end of the data is the end of event time: drain fires the last windows and commits them
            Configurator.setLevel(CheckpointFailureManager.class, Level.ERROR);
            job.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            watch.shutdownNow();
            watch.awaitTermination(10, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();

            List<Alert> alerts = LocalRun.committed(config, Topic.ALERTS, RecordType.ALERT);
            result.put("records", counts[0]);
            result.put("probes", counts[1]);
            result.put("seconds", Math.round(seconds * 10) / 10.0);
            result.put("read_all_after_last_sent_s", Math.round(behind * 10) / 10.0);
            result.put("largest_checkpoint_state_bytes", largest.get().total());
            result.put("largest_checkpoint_files_bytes", largestFiles.get());
            result.put("largest_checkpoint_state_by_operator", largest.get().byOperator());
            result.put("heap_used_after_mb", heap / (1024 * 1024));
            result.put("alerts", alerts.size());
            // the fleet's own alerts in the same minutes (every job of the run but the one that sweeps): the
            // sweep must not make the others look different
            result.put(
                    "alerts_of_other_jobs",
                    alerts.stream()
                            .filter(a -> !a.getJobId().equals(sweeper.jobId()))
                            .count());
            if (withSweep) {
                // the sweep as the job scored it, minute by minute (vigil.windows), and as the alert topic told it:
                // incidents, each a few transitions however long it lasts
                List<JobWindow> flagged = LocalRun.committed(config, Topic.WINDOWS, RecordType.WINDOW).stream()
                        .filter(w -> w.getJobId().equals(sweeper.jobId()) && w.getFlagged())
                        .toList();
                List<JobWindow> during = flagged.stream()
                        .filter(w -> w.getWindowStart().toEpochMilli() >= sweepStart
                                && w.getWindowEnd().toEpochMilli() <= sweepEnd)
                        .toList();
                long scans = during.stream()
                        .filter(w -> w.getCategories().contains(Category.NETWORK_SCAN))
                        .count();
                List<Alert> sweeperAlerts = alerts.stream()
                        .filter(a -> a.getJobId().equals(sweeper.jobId()))
                        .toList();
                result.put("sweeping_job_windows", options.minutes());
                result.put("sweeping_job_windows_flagged", during.size());
                result.put("sweeping_job_windows_network_scan", scans);
                result.put(
                        "sweeping_job_flagged_outside_sweep",
                        flagged.stream()
                                .filter(w -> !during.contains(w))
                                .map(w -> w.getWindowStart() + " " + w.getCategories() + " score "
                                        + Math.round(w.getScore() * 1000) / 1000.0)
                                .toList());
                result.put(
                        "sweeping_job_incidents",
                        sweeperAlerts.stream()
                                .map(Alert::getIncidentId)
                                .distinct()
                                .count());
                result.put(
                        "sweeping_job_transitions",
                        sweeperAlerts.stream()
                                .map(a -> a.getIncidentState() + " " + Alerts.happenedAt(a) + " "
                                        + a.getIncidentCategories())
                                .toList());
                sweeperAlerts.stream().findFirst().ifPresent(a -> {
                    result.put(
                            "sweeping_job_first_alert",
                            a.getWindowStart() + " " + a.getCategories() + " score "
                                    + Math.round(a.getScore() * 1000) / 1000.0 + " " + a.getSeverity());
                    result.put(
                            "sweeping_job_first_reasons",
                            a.getReasons().stream()
                                    .limit(3)
                                    .map(r -> r.getFeature() + "=" + Math.round(r.getValue() * 100) / 100.0)
                                    .toList());
                });
            }
        } finally {
            LocalRun.deleteQuietly(checkpoints);
            LocalRun.deleteQuietly(savepoints);
        }
        return result;
    }

    /**
     * Streams the dataset from before its telemetry up to the sweep's end and a few minutes more, paced, keyed
     * by node as the collectors key it, with the sweep's flows (if any) merged in time order on the sweeping
     * job's node, and a clock tick on every flow and sample partition every {@link #TICK_MS} of event time (a
     * partition that goes idle and wakes behind the others would make its records late). Returns {records,
     * sweep flows}.
     */
    private long[] produce(VigilConfig config, Sweeper sweeper, long sweepStart, long sweepEnd, long firstTs)
            throws IOException, InterruptedException {
        Map<RecordType<?>, RecordFraming<SpecificRecord>> framings = new HashMap<>();
        long end = sweepEnd + TAIL_MS;
        long count = 0;
        long sweepFlows = 0;
        long n = sweeper == null ? 0 : options.addresses();
        long spanMs = sweepEnd - sweepStart;
        long wallStart = System.nanoTime();
        long nextTick = firstTs;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        try (DatasetRecords records = new DatasetRecords(dataset.path(), dataset.formats());
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            DatasetRecords.Timed next = records.next();
            while (next != null || sweepFlows < n) {
                long sweepTs = sweepFlows < n ? sweepStart + sweepFlows * spanMs / n : Long.MAX_VALUE;
                SpecificRecord record;
                RecordType<?> type;
                long ts;
                String node;
                if (next != null && next.ts() <= sweepTs) {
                    record = next.record();
                    type = next.type();
                    ts = next.ts();
                    node = record.get(record.getSchema().getField("node").pos()).toString();
                    next = records.next();
                } else {
                    record = sweepFlow(sweeper, sweepFlows, sweepTs, options.port());
                    type = RecordType.FLOW;
                    ts = sweepTs;
                    node = sweeper.node();
                    sweepFlows++;
                }
                if (ts > end) {
                    break;
                }
                long dueNanos = wallStart + (long) (Math.max(0, ts - firstTs) / options.speed() * 1_000_000);
                long wait = dueNanos - System.nanoTime();
                if (wait > 2_000_000) {
                    producer.flush();
                    Thread.sleep(wait / 1_000_000);
                }
                for (; nextTick <= ts; nextTick += TICK_MS) {
                    tick(producer, config, framings, nextTick);
                }
                producer.send(new ProducerRecord<>(
                        config.topic(topic(type)),
                        null,
                        ts,
                        node.getBytes(StandardCharsets.UTF_8),
                        framing(framings, type, config).encode(record)));
                count++;
            }
            for (; nextTick <= end; nextTick += TICK_MS) {
                tick(producer, config, framings, nextTick);
            }
        }
        return new long[] {count, sweepFlows};
    }

    /** The i-th probe: one SYN from the sweeping pod to the i-th address, never answered (Zeek's S0). */
    static Flow sweepFlow(Sweeper sweeper, long i, long ts, int port) {
        long a = FIRST_ADDRESS + i;
        Instant at = Instant.ofEpochMilli(ts);
        return Flow.newBuilder()
                .setTs(at)
                .setStartTs(at)
                .setNode(sweeper.node())
                .setSrcIp(sweeper.ip())
                .setDstIp((a >> 24) + "." + ((a >> 16) & 0xff) + "." + ((a >> 8) & 0xff) + "." + (a & 0xff))
                .setSrcPort((int) (32_768 + i % 28_000))
                .setDstPort(port)
                .setProtocol("tcp")
                .setOrigBytes(0)
                .setRespBytes(0)
                .setOrigPkts(1)
                .setRespPkts(0)
                .setConnState("S0")
                .build();
    }

    /** An idle node's GPU sample and a flow of nothing, on every partition of their topics (unattributed). */
    private static void tick(
            KafkaProducer<byte[], byte[]> producer,
            VigilConfig config,
            Map<RecordType<?>, RecordFraming<SpecificRecord>> framings,
            long ts) {
        Instant at = Instant.ofEpochMilli(ts);
        GpuSample idle = GpuSample.newBuilder()
                .setTs(at)
                .setNode(CLOCK_NODE)
                .setGpu(0)
                .setUtil(0)
                .setProcesses(List.of())
                .build();
        Flow nothing = Flow.newBuilder()
                .setTs(at)
                .setStartTs(at)
                .setNode(CLOCK_NODE)
                .setSrcIp("192.0.2.1") // TEST-NET-1: no job's address
                .setDstIp("192.0.2.2")
                .setProtocol("udp")
                .build();
        for (var tick : Map.of(RecordType.GPU, (SpecificRecord) idle, RecordType.FLOW, nothing)
                .entrySet()) {
            String topic = config.topic(topic(tick.getKey()));
            byte[] value = framing(framings, tick.getKey(), config).encode(tick.getValue());
            for (int p = 0; p < producer.partitionsFor(topic).size(); p++) {
                producer.send(new ProducerRecord<>(topic, p, ts, null, value));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static RecordFraming<SpecificRecord> framing(
            Map<RecordType<?>, RecordFraming<SpecificRecord>> framings, RecordType<?> type, VigilConfig config) {
        return framings.computeIfAbsent(type, t -> (RecordFraming<SpecificRecord>)
                (RecordFraming<?>) Framings.forTopic(t, config.topic(topic(t)), config.schemaRegistryUrl()));
    }

    /** The input topic of a kind of record. */
    private static Topic topic(RecordType<?> type) {
        return type == RecordType.FLOW ? Topic.FLOWS : type == RecordType.GPU ? Topic.GPU : Topic.ASSIGNMENTS;
    }
}
