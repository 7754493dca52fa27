package io.vigil.tools.demo;

import io.vigil.broker.EmbeddedKafka;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.pipeline.DetectJob;
import io.vigil.pipeline.files.DatasetRecords;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Decoded;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.Printable;
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
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CheckpointFailureManager;
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
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * The zero-setup showcase: a real Kafka broker and a Flink mini-cluster in this JVM, the detect job on
 * the real topics, a recorded dataset streamed in at an accelerated pace, and each alert printed as the
 * job commits it. Nothing here is canned: the alerts are what the pipeline finds.
 */
public final class Demo {
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    /** The input topic of each kind of record. */
    private static final Map<RecordType<?>, Topic> TOPICS =
            Map.of(RecordType.FLOW, Topic.FLOWS, RecordType.GPU, Topic.GPU, RecordType.ASSIGNMENT, Topic.ASSIGNMENTS);
    /** Event time between two clock ticks on every input partition, ms. */
    private static final long TICK_MS = 5_000;
    /** The node, job and address of the clock ticks: no job of the dataset's. */
    private static final String CLOCK_NODE = "vigil-demo-clock";

    private static final String CLOCK_IP = "192.0.2.1"; // TEST-NET-1
    /** How long the job may take to read the last of its input, and to stop. */
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(5);

    /**
     * @param speed simulated seconds per wall-clock second; 0 picks a pace that takes about a minute
     * @param saslSsl the broker takes clients over SASL_SSL only (SCRAM, its own certificate), as a secured
     *     production cluster does, and every client of the demo and the job connects so
     */
    public record Options(Path dataset, double speed, int parallelism, boolean saslSsl) {
        public Options(Path dataset, double speed, int parallelism) {
            this(dataset, speed, parallelism, false);
        }
    }

    private final Options options;
    private final WindowScorer scorer;
    private final PrintStream out;
    private final AtomicBoolean jobRunning = new AtomicBoolean(true);

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
        try (EmbeddedKafka kafka =
                options.saslSsl() ? EmbeddedKafka.startSaslSsl("vigil-demo", password()) : EmbeddedKafka.start()) {
            // alerts become visible when a checkpoint commits them: keep that short. No partition is ever
            // idle (0: never): the clock ticks (see produce) keep them all busy, so event time moves with the
            // data alone, however loaded the machine.
            VigilConfig config =
                    LocalRun.config(kafka, "vigil-demo", 1000, checkpoints, Map.of(VigilConfig.IDLENESS_MS, "0"));
            KafkaTopics.createAll(config);
            out.printf(
                    "Vigil demo: %s, %s of telemetry, streamed at %.0fx through Kafka (%s%s) into the detect job"
                            + " on a Flink mini-cluster (parallelism %d).%n",
                    Printable.escape(options.dataset()),
                    hours(span[1] - span[0]),
                    speed,
                    kafka.bootstrapServers(),
                    options.saslSsl() ? ", SASL_SSL " + EmbeddedKafka.SASL_MECHANISM : "",
                    options.parallelism());

            StreamExecutionEnvironment env = LocalRun.environment(options.parallelism());
            DetectJob.prepare(env, config, scorer, false);
            JobClient job = env.executeAsync("vigil demo");

            List<Alert> alerts = new ArrayList<>();
            Map<String, IncidentSeen> incidents = new LinkedHashMap<>();
            Thread printer = new Thread(() -> follow(config, alerts, incidents), "demo-alerts");
            printer.setDaemon(true);
            printer.start();

            long produced = produce(config, span[0], speed);
            LocalRun.awaitRead(config, STOP_TIMEOUT);
            // the end of the data is the end of event time: drain fires the last windows, and the final
            // savepoint commits their alerts; then the printer reads to the committed end. A periodic checkpoint
            // the stop overtakes is declined ("task is closing"): expected here, not worth a stack trace.
            Configurator.setLevel(CheckpointFailureManager.class, Level.ERROR);
            job.stopWithSavepoint(true, checkpoints.resolve("final").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            jobRunning.set(false);
            printer.join();
            synchronized (alerts) {
                out.printf(
                        "%nStreamed %,d records. The job committed %d alert(s) in %d incident(s):%n",
                        produced, alerts.size(), incidents.size());
                for (IncidentSeen i : incidents.values()) {
                    out.printf(
                            "  %-22s %-28s %s-%s  %d window(s)%n",
                            Printable.escape(i.first.getJobId()),
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

    /**
     * Streams the dataset into the input topics, paced against the wall clock, with a clock tick on every
     * input partition every {@link #TICK_MS} of event time. Watermarks are per partition, and one that is quiet
     * would hold event time back for ever (no partition is ever idle here): the ticks keep them all moving. With
     * idleness instead, a quiet partition goes idle, and when its records come again its reader may be a moment
     * behind the others, or starved by a busy machine, and they would be late (at 60x, the 10 s out-of-orderness
     * is 170 ms of wall time).
     */
    private long produce(VigilConfig config, long firstTs, double speed) throws IOException, InterruptedException {
        Map<RecordType<?>, RecordFraming<SpecificRecord>> framings = new HashMap<>();
        long count = 0;
        long wallStart = System.nanoTime();
        long nextTick = firstTs;
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
                for (; nextTick <= r.ts(); nextTick += TICK_MS) {
                    tick(producer, config, framings, nextTick);
                }
                String topic = config.topic(TOPICS.get(r.type()));
                Object node =
                        r.record().get(r.record().getSchema().getField("node").pos());
                producer.send(new ProducerRecord<>(
                        topic,
                        null,
                        r.ts(),
                        node.toString().getBytes(StandardCharsets.UTF_8),
                        framing(framings, r.type(), config).encode(r.record())));
                count++;
            }
            if (records.rejected() > 0) {
                out.printf("(%d dataset lines did not decode and were skipped)%n", records.rejected());
            }
        }
        return count;
    }

    /**
     * One clock tick: an idle GPU sample and a flow of nothing from a node no job runs on, and the STOP of a
     * job that never started, on every partition of their topics. The pipeline dead-letters the first two
     * (unattributed) and the STOP ends nothing.
     */
    private static void tick(
            KafkaProducer<byte[], byte[]> producer,
            VigilConfig config,
            Map<RecordType<?>, RecordFraming<SpecificRecord>> framings,
            long ts) {
        Instant at = Instant.ofEpochMilli(ts);
        Map<RecordType<?>, SpecificRecord> ticks = Map.of(
                RecordType.GPU,
                GpuSample.newBuilder()
                        .setTs(at)
                        .setNode(CLOCK_NODE)
                        .setGpu(0)
                        .setUtil(0)
                        .setProcesses(List.of())
                        .build(),
                RecordType.FLOW,
                Flow.newBuilder()
                        .setTs(at)
                        .setStartTs(at)
                        .setNode(CLOCK_NODE)
                        .setSrcIp(CLOCK_IP)
                        .setDstIp("192.0.2.2")
                        .setProtocol("udp")
                        .build(),
                RecordType.ASSIGNMENT,
                Assignment.newBuilder()
                        .setTs(at)
                        .setEvent(AssignmentEvent.STOP)
                        .setJobId(CLOCK_NODE)
                        .setNode(CLOCK_NODE)
                        .setPod(CLOCK_NODE)
                        .setIp(CLOCK_IP)
                        .build());
        ticks.forEach((type, record) -> {
            String topic = config.topic(TOPICS.get(type));
            byte[] value = framing(framings, type, config).encode(record);
            for (int p = 0; p < producer.partitionsFor(topic).size(); p++) {
                producer.send(new ProducerRecord<>(topic, p, ts, null, value));
            }
        });
    }

    /**
     * Prints each alert the job commits (read_committed) while it runs; once it has stopped, reads to the end
     * of the alert topic, which then holds every committed alert.
     */
    private void follow(VigilConfig config, List<Alert> alerts, Map<String, IncidentSeen> incidents) {
        String alertTopic = config.topic(Topic.ALERTS);
        RecordFraming<Alert> alertFraming = Framings.forTopic(RecordType.ALERT, alertTopic, config.schemaRegistryUrl());
        Properties p = config.kafkaClient();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(alertTopic).stream()
                    .map(i -> new TopicPartition(alertTopic, i.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (true) {
                // asked before polling: what the poll returns is then all there was when the job had stopped
                boolean stopped = !jobRunning.get();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
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
                }
                if (stopped) {
                    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions); // the last stable offsets
                    if (partitions.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp))) {
                        return;
                    }
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
                        Printable.escape(a.getJobId()),
                        seen.windows,
                        CLOCK.format(seen.first.getWindowStart()))
                : null;
    }

    /** One line per alert: when, which job, what it looks like, and why; text from data escaped ({@link Printable}). */
    static String describe(Alert a) {
        String categories = a.getCategories().stream().map(Enum::name).collect(Collectors.joining("+"));
        String reasons = a.getReasons().stream().limit(3).map(Demo::reason).collect(Collectors.joining("; "));
        return String.format(
                "ALERT %s-%s  %-22s %-28s score %.2f %-8s %s",
                CLOCK.format(a.getWindowStart()),
                CLOCK.format(a.getWindowEnd()),
                Printable.escape(a.getJobId()),
                categories,
                a.getScore(),
                a.getSeverity(),
                reasons);
    }

    private static String reason(Reason r) {
        String feature = Printable.escape(r.getFeature());
        return r.getFleetBaseline() == null
                ? String.format("%s=%.2f", feature, r.getValue())
                : String.format("%s=%.2f (fleet %.2f)", feature, r.getValue(), r.getFleetBaseline());
    }

    @SuppressWarnings("unchecked")
    private static RecordFraming<SpecificRecord> framing(
            Map<RecordType<?>, RecordFraming<SpecificRecord>> framings, RecordType<?> type, VigilConfig config) {
        return framings.computeIfAbsent(type, t -> (RecordFraming<SpecificRecord>)
                (RecordFraming<?>) Framings.forTopic(t, config.topic(TOPICS.get(t)), config.schemaRegistryUrl()));
    }

    private static KafkaProducer<byte[], byte[]> producer(VigilConfig config) {
        Properties p = config.kafkaClient(Map.of(ProducerConfig.LINGER_MS_CONFIG, 5));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A fresh password for the demo's SCRAM user: used by this process only, never shown. */
    private static String password() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String hours(long ms) {
        Duration d = Duration.ofMillis(ms);
        return d.toHours() > 0
                ? String.format("%d h %02d min", d.toHours(), d.toMinutesPart())
                : d.toMinutes() + " min";
    }
}
