package io.vigil.tools.demo;

import io.vigil.broker.EmbeddedKafka;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.pipeline.DetectJob;
import io.vigil.pipeline.files.DatasetRecords;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.records.Alert;
import io.vigil.records.Decoded;
import io.vigil.records.GpuSample;
import io.vigil.records.JobWindow;
import io.vigil.records.Reason;
import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.LocalRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The zero-setup showcase: a real Kafka broker and a Flink mini-cluster in this JVM, the detect job on
 * the real topics, a recorded dataset streamed in at an accelerated pace, and each alert printed as the
 * job commits it. Nothing here is canned: the alerts are what the pipeline finds.
 */
public final class Demo {
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    /** @param speed simulated seconds per wall-clock second; 0 picks a pace that takes about a minute */
    public record Options(Path dataset, double speed, int parallelism) {}

    private final Options options;
    private final WindowScorer scorer;
    private final PrintStream out;
    private final AtomicBoolean producing = new AtomicBoolean(true);

    public Demo(Options options, WindowScorer scorer, PrintStream out) {
        this.options = options;
        this.scorer = scorer;
        this.out = out;
    }

    /** Runs the demo to the end of the dataset; returns the alerts the job committed. */
    public List<Alert> run() throws Exception {
        long[] span = DatasetRecords.telemetrySpan(options.dataset());
        double speed = options.speed() > 0 ? options.speed() : Math.max(1, (span[1] - span[0]) / 60_000.0);
        Path checkpoints = Files.createTempDirectory("vigil-demo-checkpoints-");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            // alerts become visible when a checkpoint commits them: keep that short; a partition quiet for
            // 3 s (wall time) stops holding event time back
            VigilConfig config =
                    LocalRun.config(kafka, "vigil-demo", 1000, checkpoints, Map.of(VigilConfig.IDLENESS_MS, "3000"));
            KafkaTopics.createAll(config);
            out.printf(
                    "Vigil demo: %s, %s of telemetry, streamed at %.0fx through Kafka (%s) into the detect job"
                            + " on a Flink mini-cluster (parallelism %d).%n",
                    options.dataset(),
                    hours(span[1] - span[0]),
                    speed,
                    kafka.bootstrapServers(),
                    options.parallelism());

            StreamExecutionEnvironment env = LocalRun.environment(options.parallelism());
            DetectJob.prepare(env, config, scorer, false);
            JobClient job = env.executeAsync("vigil demo");

            List<Alert> alerts = new ArrayList<>();
            AtomicLong lastWindowEnd = new AtomicLong(Long.MIN_VALUE);
            Map<String, IncidentSeen> incidents = new LinkedHashMap<>();
            Thread printer = new Thread(() -> follow(config, alerts, incidents, lastWindowEnd), "demo-alerts");
            printer.setDaemon(true);
            printer.start();

            long produced = produce(config, span[0], speed);
            long endOfData = span[1];
            long windowMs = config.getLong(VigilConfig.WINDOW_SIZE_MS);
            long lastWindow = endOfData - Math.floorMod(endOfData, windowMs);
            // idle GPUs keep reporting after the data ends: that moves event time past the last window
            heartbeat(
                    config,
                    endOfData,
                    lastWindow + windowMs + config.getLong(VigilConfig.OUT_OF_ORDERNESS_MS),
                    speed,
                    lastWindowEnd);
            producing.set(false);
            printer.join(10_000);
            job.cancel().get();
            synchronized (alerts) {
                out.printf(
                        "%nStreamed %,d records. The job committed %d alert(s) in %d incident(s):%n",
                        produced, alerts.size(), incidents.size());
                for (IncidentSeen i : incidents.values()) {
                    out.printf(
                            "  %-22s %-28s %s-%s  %d window(s)%n",
                            i.first.getJobId(),
                            i.first.getCategories().stream().map(Enum::name).collect(Collectors.joining("+")),
                            CLOCK.format(i.first.getWindowStart()),
                            CLOCK.format(i.last.getWindowEnd()),
                            i.windows);
                }
            }
            return alerts;
        } finally {
            LocalRun.deleteQuietly(checkpoints);
        }
    }

    /** Streams the dataset into the input topics, paced against the wall clock. */
    private long produce(VigilConfig config, long firstTs, double speed) throws IOException, InterruptedException {
        Map<RecordType<?>, RecordFraming<SpecificRecord>> framings = new HashMap<>();
        Map<RecordType<?>, String> topics = Map.of(
                RecordType.FLOW, config.topic(Topic.FLOWS),
                RecordType.GPU, config.topic(Topic.GPU),
                RecordType.ASSIGNMENT, config.topic(Topic.ASSIGNMENTS));
        long count = 0;
        long wallStart = System.nanoTime();
        try (DatasetRecords records = new DatasetRecords(options.dataset());
                KafkaProducer<byte[], byte[]> producer = producer(config)) {
            for (DatasetRecords.Timed r = records.next(); r != null; r = records.next()) {
                // records from before the telemetry (STARTs of jobs already running) go at once
                long dueNanos = wallStart + (long) (Math.max(0, r.ts() - firstTs) / speed * 1_000_000);
                long wait = dueNanos - System.nanoTime();
                if (wait > 2_000_000) {
                    producer.flush();
                    Thread.sleep(wait / 1_000_000);
                }
                String topic = topics.get(r.type());
                RecordFraming<SpecificRecord> framing =
                        framings.computeIfAbsent(r.type(), t -> framing(t, topic, config));
                Object node =
                        r.record().get(r.record().getSchema().getField("node").pos());
                producer.send(new ProducerRecord<>(
                        topic,
                        null,
                        r.ts(),
                        node.toString().getBytes(StandardCharsets.UTF_8),
                        framing.encode(r.record())));
                count++;
            }
            if (records.rejected() > 0) {
                out.printf("(%d dataset lines did not decode and were skipped)%n", records.rejected());
            }
        }
        return count;
    }

    /**
     * After the data ends, an idle GPU's samples on every partition of the GPU topic, until event time is
     * past the last window and the job has gone quiet (or a minute of wall time passes).
     */
    private void heartbeat(VigilConfig config, long from, long until, double speed, AtomicLong lastWindowEnd)
            throws InterruptedException {
        String topic = config.topic(Topic.GPU);
        RecordFraming<GpuSample> framing = Framings.forTopic(RecordType.GPU, topic, config.schemaRegistryUrl());
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        try (KafkaProducer<byte[], byte[]> producer = producer(config)) {
            int partitions = producer.partitionsFor(topic).size();
            long ts = from;
            long seen = lastWindowEnd.get();
            long changed = System.nanoTime();
            // until event time is past the last window and the job has gone quiet (its last commit is in)
            while (System.nanoTime() < deadline && (ts < until || System.nanoTime() - changed < 3_000_000_000L)) {
                if (lastWindowEnd.get() != seen) {
                    seen = lastWindowEnd.get();
                    changed = System.nanoTime();
                }
                ts = Math.min(ts + 10_000, until + 60_000);
                GpuSample idle = GpuSample.newBuilder()
                        .setTs(Instant.ofEpochMilli(ts))
                        .setNode("vigil-demo-clock")
                        .setGpu(0)
                        .setUtil(0)
                        .setProcesses(List.of())
                        .build();
                for (int p = 0; p < partitions; p++) {
                    producer.send(new ProducerRecord<>(topic, p, ts, null, framing.encode(idle)));
                }
                producer.flush();
                Thread.sleep(Math.max(50, (long) (10_000 / speed)));
            }
        }
    }

    /** Prints each alert the job commits (read_committed), and notes how far the job's windows have got. */
    private void follow(
            VigilConfig config, List<Alert> alerts, Map<String, IncidentSeen> incidents, AtomicLong lastWindowEnd) {
        String alertTopic = config.topic(Topic.ALERTS);
        String windowTopic = config.topic(Topic.WINDOWS);
        RecordFraming<Alert> alertFraming = Framings.forTopic(RecordType.ALERT, alertTopic, config.schemaRegistryUrl());
        RecordFraming<JobWindow> windowFraming =
                Framings.forTopic(RecordType.WINDOW, windowTopic, config.schemaRegistryUrl());
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(alertTopic, windowTopic)) {
                consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < quietUntil) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(alertTopic)) {
                        Decoded<Alert> d = alertFraming.decode(r.value());
                        if (d.isAccepted()) {
                            String line;
                            synchronized (alerts) {
                                alerts.add(d.record());
                                line = progress(d.record(), incidents);
                            }
                            if (line != null) {
                                out.println(line);
                            }
                        }
                    } else {
                        Decoded<JobWindow> w = windowFraming.decode(r.value());
                        if (w.isAccepted()) {
                            lastWindowEnd.accumulateAndGet(
                                    w.record().getWindowEnd().toEpochMilli(), Math::max);
                        }
                    }
                }
                if (!producing.get() && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos(); // the last commit
                }
            }
        }
    }

    /** What the demo has seen of one incident (consecutive flagged windows of one job and category). */
    private static final class IncidentSeen {
        final Alert first;
        Alert last;
        int windows;

        IncidentSeen(Alert first) {
            this.first = first;
            this.last = first;
        }
    }

    /**
     * An alert storm reads as one incident: its first alert in full, then a line every ten windows while it
     * goes on; every alert still counts (and is in the alert topic).
     */
    private static String progress(Alert a, Map<String, IncidentSeen> incidents) {
        IncidentSeen seen = incidents.get(a.getIncidentId());
        if (seen == null) {
            seen = new IncidentSeen(a);
            seen.windows = 1;
            incidents.put(a.getIncidentId(), seen);
            return describe(a);
        }
        seen.windows++;
        seen.last = a;
        return seen.windows % 10 == 0
                ? String.format(
                        "      %s  %-22s still going: %d windows since %s",
                        CLOCK.format(a.getWindowEnd()),
                        a.getJobId(),
                        seen.windows,
                        CLOCK.format(seen.first.getWindowStart()))
                : null;
    }

    /** One line per alert: when, which job, what it looks like, and why. */
    static String describe(Alert a) {
        String categories = a.getCategories().stream().map(Enum::name).collect(Collectors.joining("+"));
        String reasons = a.getReasons().stream().limit(3).map(Demo::reason).collect(Collectors.joining("; "));
        return String.format(
                "ALERT %s-%s  %-22s %-28s score %.2f %-8s %s",
                CLOCK.format(a.getWindowStart()),
                CLOCK.format(a.getWindowEnd()),
                a.getJobId(),
                categories,
                a.getScore(),
                a.getSeverity(),
                reasons);
    }

    private static String reason(Reason r) {
        return r.getFleetBaseline() == null
                ? String.format("%s=%.2f", r.getFeature(), r.getValue())
                : String.format("%s=%.2f (fleet %.2f)", r.getFeature(), r.getValue(), r.getFleetBaseline());
    }

    @SuppressWarnings("unchecked")
    private static RecordFraming<SpecificRecord> framing(RecordType<?> type, String topic, VigilConfig config) {
        return (RecordFraming<SpecificRecord>)
                (RecordFraming<?>) Framings.forTopic(type, topic, config.schemaRegistryUrl());
    }

    private static KafkaProducer<byte[], byte[]> producer(VigilConfig config) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static String hours(long ms) {
        Duration d = Duration.ofMillis(ms);
        return d.toHours() > 0
                ? String.format("%d h %02d min", d.toHours(), d.toMinutesPart())
                : d.toMinutes() + " min";
    }
}
