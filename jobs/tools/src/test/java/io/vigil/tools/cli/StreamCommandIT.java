package io.vigil.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.broker.EmbeddedKafka;
import io.vigil.broker.TopicContents;
import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.pipeline.DetectJob;
import io.vigil.pipeline.detect.Scenario;
import io.vigil.pipeline.files.DatasetRecords;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.records.Assignment;
import io.vigil.records.Decoded;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.LocalRun;
import io.vigil.tools.replay.Replay;
import io.vigil.tools.stream.DatasetStream;
import io.vigil.tools.stream.InputPublisher;
import io.vigil.tools.stream.StreamProgress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil stream} on a real broker (one for the class; each test its own topics): what lands on the input
 * topics (every good record once, in event-time order per partition, keyed by node; no bad line), a drill's
 * namespace, a resumed stream without duplicates, and {@code --verify} against the detect job on a mini-cluster.
 */
class StreamCommandIT {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    /** Settings of a stream to topics of this test's own. */
    private static VigilConfig config(String name) {
        Map<String, Object> values = new HashMap<>(topics(name));
        values.put(VigilConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        VigilConfig config = VigilConfig.defaults().with(values);
        KafkaTopics.createAll(config);
        return config;
    }

    /** Every topic named for one test: {@code NAME.flows}, ... */
    private static Map<String, String> topics(String name) {
        Map<String, String> names = new HashMap<>();
        for (Topic t : Topic.values()) {
            names.put(t.nameSetting(), name + "." + t.name().toLowerCase(Locale.ROOT));
        }
        return names;
    }

    /** The verb's arguments, then the broker and this test's topics. */
    private static String[] topicFlags(String name, String... verb) {
        List<String> args = new ArrayList<>(List.of(verb));
        args.addAll(List.of(
                "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-flows", name + ".flows",
                "--topic-gpu", name + ".gpu",
                "--topic-assignments", name + ".assignments",
                "--topic-alerts", name + ".alerts"));
        return args.toArray(String[]::new);
    }

    /** One message of an input topic, decoded. */
    record Sent(int partition, String key, long timestamp, SpecificRecord record) {}

    /** Everything on the three input topics, clock ticks left out. */
    private static List<Sent> inputs(VigilConfig config) {
        List<Sent> out = new ArrayList<>();
        for (RecordType<?> type : List.of(RecordType.FLOW, RecordType.GPU, RecordType.ASSIGNMENT)) {
            String topic = config.topic(InputPublisher.TOPICS.get(type));
            RecordFraming<?> framing = Framings.forTopic(type, topic, null);
            for (ConsumerRecord<byte[], byte[]> r : TopicContents.messages(config.kafkaClient(), topic)) {
                Decoded<?> d = framing.decode(r.value());
                assertThat(d.isAccepted()).as("%s decodes", topic).isTrue();
                SpecificRecord record = (SpecificRecord) d.record();
                if (!node(record).endsWith("clock")) {
                    out.add(new Sent(
                            r.partition(),
                            r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
                            r.timestamp(),
                            record));
                }
            }
        }
        return out;
    }

    private static String node(SpecificRecord r) {
        return r.get(r.getSchema().getField("node").pos()).toString();
    }

    private static List<SpecificRecord> datasetRecords(Path dataset) throws Exception {
        List<SpecificRecord> out = new ArrayList<>();
        try (DatasetRecords records = new DatasetRecords(dataset, InputFormats.CANONICAL)) {
            for (DatasetRecords.Timed r = records.next(); r != null; r = records.next()) {
                out.add(r.record());
            }
        }
        return out;
    }

    private static int run(StringWriter out, StringWriter err, String... args) {
        var cmd = Vigil.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    @Test
    void sendsEveryGoodRecordOnceInTimeOrderKeyedByNodeAndNoBadLine(@TempDir Path dir) throws Exception {
        Path dataset = new Scenario().writeDataset(dir.resolve("story"), List.of("{not json", "{\"ts\": \"soon\"}"));
        VigilConfig config = config("plain");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = run(
                out,
                err,
                topicFlags(
                        "plain",
                        "stream",
                        dataset.toString(),
                        "--speed",
                        "max",
                        "--progress-file",
                        dir.resolve("progress.json").toString()));

        assertThat(code).as(err.toString()).isZero();
        List<Sent> sent = inputs(config);
        assertThat(sent).extracting(Sent::record).containsExactlyInAnyOrderElementsOf(datasetRecords(dataset));
        assertThat(sent).allSatisfy(s -> assertThat(s.key()).isEqualTo(node(s.record())));
        Map<String, Long> lastTs = new HashMap<>();
        for (Sent s : sent) { // in offset order per topic and partition: event time never goes back
            String where = s.record().getClass().getSimpleName() + "/" + s.partition();
            long ts = eventTime(s.record());
            assertThat(s.timestamp()).isEqualTo(ts);
            assertThat(ts).as(where).isGreaterThanOrEqualTo(lastTs.getOrDefault(where, Long.MIN_VALUE));
            lastTs.put(where, ts);
        }
        assertThat(err.toString()).contains("2 input lines were dead letters, not sent");
        assertThat(out.toString()).contains(Scenario.PROBER).contains("NETWORK_SCAN");
    }

    @Test
    void aDrillRenamesJobsPodsNodesAndInternalAddressesTheSameWayEverywhere(@TempDir Path dir) throws Exception {
        Path dataset = new Scenario().writeDataset(dir.resolve("story"), List.of());
        VigilConfig config = config("drill");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = run(
                out,
                err,
                topicFlags(
                        "drill",
                        "stream",
                        dataset.toString(),
                        "--speed",
                        "max",
                        "--drill",
                        "fire1",
                        "--progress-file",
                        dir.resolve("progress.json").toString()));

        assertThat(code).as(err.toString()).isZero();
        List<Sent> sent = inputs(config);
        assertThat(sent).hasSize(datasetRecords(dataset).size());
        Map<String, String> ipOfJob = new HashMap<>();
        for (Sent s : sent) {
            assertThat(node(s.record())).startsWith("drill-fire1-");
            if (s.record() instanceof Assignment a) {
                assertThat(a.getJobId()).startsWith("drill-fire1-");
                assertThat(a.getPod()).startsWith("drill-fire1-");
                assertThat(a.getIp()).startsWith("100.127.");
                ipOfJob.put(a.getJobId(), a.getIp());
            } else if (s.record() instanceof GpuSample g && g.getJobId() != null) {
                assertThat(g.getJobId()).startsWith("drill-fire1-");
            }
        }
        // the prober's flows come from the address its assignment gives it; the internet stays the internet
        String proberIp = ipOfJob.get("drill-fire1-" + Scenario.PROBER);
        assertThat(proberIp).isNotNull();
        List<Flow> flows = sent.stream()
                .map(Sent::record)
                .filter(Flow.class::isInstance)
                .map(Flow.class::cast)
                .toList();
        assertThat(flows).anySatisfy(f -> assertThat(f.getSrcIp()).isEqualTo(proberIp));
        assertThat(flows)
                .allSatisfy(f -> assertThat(f.getSrcIp()).doesNotStartWith("10."))
                .allSatisfy(f -> assertThat(f.getDstIp()).doesNotStartWith("10."));
        assertThat(flows).anySatisfy(f -> assertThat(f.getDstIp()).isEqualTo("198.51.100.10"));
        assertThat(out.toString()).contains("drill-fire1-" + Scenario.PROBER);
    }

    @Test
    void shiftedToNowADatasetBeginsAfterWhatTheInputTopicsHold(@TempDir Path dir) throws Exception {
        Path dataset = new Scenario().writeDataset(dir.resolve("story"), List.of());
        VigilConfig config = config("after");
        long[] span = DatasetRecords.telemetrySpan(dataset);
        // the topics hold a record (a clock tick) 30 s later than where the dataset, played at once and ending
        // now, would begin: a job that read it would drop every record of the dataset before it as late. The
        // margin is what the stream may take to start and read the topics (seconds under load; 3 s was too little
        // once) before its own clock passes the tick; the stream then plays the last 30 s of data at clock pace.
        long held = System.currentTimeMillis() - (span[1] - span[0]) + 30_000;
        try (InputPublisher publisher = new InputPublisher(config)) {
            publisher.tick(held, "earlier-clock");
            publisher.flush();
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = run(
                out,
                err,
                topicFlags(
                        "after",
                        "stream",
                        dataset.toString(),
                        "--speed",
                        "max",
                        "--shift-to-now",
                        "--no-clock-ticks",
                        "--progress-file",
                        dir.resolve("progress.json").toString()));

        assertThat(code).as(err.toString()).isZero();
        assertThat(err.toString()).contains("the input topics already hold records up to");
        List<Sent> sent = inputs(config);
        assertThat(sent).hasSize(datasetRecords(dataset).size());
        assertThat(sent).allSatisfy(s -> assertThat(s.timestamp()).isGreaterThan(held));
    }

    @Test
    void aSecondStreamWithTheSameProgressFileIsRefusedAndSendsNothing(@TempDir Path dir) throws Exception {
        Path dataset = new Scenario().writeDataset(dir.resolve("story"), List.of());
        VigilConfig config = config("twice");
        Path progress = dir.resolve("progress.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        // the first stream holds its progress file while it runs
        try (FileChannel first = FileChannel.open(
                        dir.resolve("progress.json.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = first.lock()) {
            code = run(
                    out,
                    err,
                    topicFlags(
                            "twice",
                            "stream",
                            dataset.toString(),
                            "--speed",
                            "max",
                            "--progress-file",
                            progress.toString()));
        }

        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("another vigil stream is running with the progress file");
        assertThat(inputs(config)).isEmpty();
    }

    @Test
    void aStreamInterruptedAndResumedSendsEveryRecordOnce(@TempDir Path dir) throws Exception {
        Path dataset = new Scenario().writeDataset(dir.resolve("story"), List.of());
        VigilConfig config = config("resume");
        Path progress = dir.resolve("progress.json");
        List<Replay.Dataset> datasets = Replay.datasets(List.of(dataset), InputFormats.CANONICAL);
        int total = datasetRecords(dataset).size();
        String identity = DatasetStream.identity(config, datasets, null);
        // six minutes of data at 12x: half a minute, stopped once a third of it is acknowledged
        DatasetStream first = new DatasetStream(
                config,
                new DatasetStream.Options(datasets, 12, false, null, false, progress, true, false, Duration.ZERO),
                new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()));
        CompletableFuture<DatasetStream.Outcome> running = CompletableFuture.supplyAsync(() -> {
            try {
                return first.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        while (!running.isDone()) {
            StreamProgress p = StreamProgress.load(progress, identity);
            if (p != null && p.ackedCount() >= total / 3) {
                break;
            }
            Thread.sleep(50);
        }
        first.stop();
        DatasetStream.Outcome stopped = running.get(2, TimeUnit.MINUTES);
        assertThat(stopped.stopped()).isTrue();
        assertThat(stopped.sent()).isLessThan(total);
        assertThat(inputs(config)).hasSize((int) stopped.sent());

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(
                out,
                err,
                topicFlags(
                        "resume",
                        "stream",
                        dataset.toString(),
                        "--speed",
                        "max",
                        "--resume",
                        "--progress-file",
                        progress.toString()));

        assertThat(code).as(err.toString()).isZero();
        assertThat(err.toString()).contains("resuming after the " + stopped.sent() + " records");
        assertThat(inputs(config))
                .extracting(Sent::record)
                .containsExactlyInAnyOrderElementsOf(datasetRecords(dataset));
    }

    @Test
    void verifyWaitsForTheDetectJobsAlertOfEachLabelledIncident(@TempDir Path dir) throws Exception {
        Path dataset = new Scenario().writeDataset(dir.resolve("story"), List.of());
        VigilConfig config = LocalRun.config(kafka, "verify", 500, dir.resolve("checkpoints"), topics("verify"));
        KafkaTopics.createAll(config);
        StreamExecutionEnvironment env = LocalRun.environment(2);
        DetectJob.prepare(env, config, new IndicatorScorer(), false);
        JobClient detect = env.executeAsync("detect for stream --verify");
        try {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = run(
                    out,
                    err,
                    topicFlags(
                            "verify",
                            "stream",
                            dataset.toString(),
                            "--speed",
                            "60",
                            "--shift-to-now",
                            "--drill",
                            "v",
                            "--verify",
                            "--verify-timeout",
                            "120",
                            "--progress-file",
                            dir.resolve("progress.json").toString()));

            assertThat(code).as(out + "\n" + err).isZero();
            assertThat(out.toString())
                    .contains("1 of 1 incident(s) arrived.")
                    .containsPattern(
                            "ARRIVED  drill-v-" + Scenario.PROBER + " +NETWORK_SCAN +[0-9.]+ s after its first record");
        } finally {
            detect.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    /** The event time of an input record. */
    private static long eventTime(SpecificRecord r) {
        return ((Instant) r.get(r.getSchema().getField("ts").pos())).toEpochMilli();
    }
}
