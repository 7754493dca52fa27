package io.vigil.tools.cluster;

import io.vigil.models.model.ModelArtifact;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import io.vigil.pipeline.detect.DefaultModel;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.records.Alert;
import io.vigil.records.Decoded;
import io.vigil.records.GpuSample;
import io.vigil.records.JobWindow;
import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster story: a real Kafka broker (KRaft, its own JVM) and a real Flink session cluster (a
 * JobManager and two TaskManagers, each its own JVM) started by {@code deploy/local/vigil-local}, the
 * detect job submitted with the cluster job jar, a story with incidents streamed through it, and a
 * failure in the middle: a TaskManager killed (three times), the broker restarted, the job stopped with a
 * savepoint and resumed. Each time the alert topic, read with read_committed, must hold exactly the
 * story's alerts: none lost, none twice.
 *
 * <p>Run it alone: {@code mvn -B verify -pl jobs/tools -am -Dgroups=cluster}.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFailureIT {
    /** What the submitted job scores with: the default model its jar carries (no --model). */
    static final WindowScorer SCORER = defaultModel();

    private static WindowScorer defaultModel() {
        try {
            return DefaultModel.load();
        } catch (ModelArtifact.RefusedException e) {
            throw new IllegalStateException(e);
        }
    }
    /** Story minutes per wall-clock second. */
    static final double SPEED = 24.0 / 60;
    /**
     * A partition with no record for this long (wall clock) stops holding back event time: short, so that
     * windows close within seconds of the story (some partitions never get a record).
     */
    static final Duration SHORT_IDLENESS = Duration.ofSeconds(3);

    static LocalCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        Path root = LocalCluster.repositoryRoot();
        Path runDir = root.resolve("jobs/target/cluster-it");
        LocalCluster.deleteRecursively(runDir); // a fresh broker and cluster: nothing left from an earlier run
        cluster = new LocalCluster(root, runDir);
        long t0 = System.nanoTime();
        cluster.run("kafka-start");
        cluster.run("flink-start");
        System.out.printf("cluster-it: Kafka on %s and Flink (JobManager + 2 TaskManagers) on 127.0.0.1:%d up in %.1f s%n",
                cluster.bootstrapServers(), cluster.restPort, (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    @Timeout(value = 4, unit = java.util.concurrent.TimeUnit.MINUTES)
    void taskManagerKilledMidStreamThreeTimesLosesNoAlertAndDuplicatesNone() throws Exception {
        ClusterStory story = new ClusterStory(30, 2, 8, 14, 20, 26);
        Run run = new Run("tm-kill", story, SHORT_IDLENESS);
        String job = run.submit();
        run.stream.start();

        List<Double> toRunning = new ArrayList<>();
        List<Double> toCheckpoint = new ArrayList<>();
        long lastRecovered = 0;
        for (int kill = 1; kill <= 3; kill++) {
            int committedBefore = kill;
            long since = lastRecovered;
            LocalCluster.await("alert " + kill + " committed, job running on 2 TaskManagers, a checkpoint since the last recovery",
                    Duration.ofSeconds(90), () -> cluster.allRunning(job) && cluster.registeredTaskManagers() == 2
                            && cluster.lastCheckpointAck(job) > since && run.alertIds().size() >= committedBefore);
            int committed = run.alertIds().size();
            assertThat(committed).as("the kill lands before the last alert is committed").isLessThan(run.expected.size());
            String victim = cluster.busyTaskManagers(job).iterator().next();
            String n = victim.split("-")[1]; // tm-N-<start time>

            long killedAt = System.currentTimeMillis();
            long t0 = System.nanoTime();
            cluster.run("kill-tm", n);
            LocalCluster.await("the job to notice the loss of " + victim, Duration.ofSeconds(60), () -> !cluster.allRunning(job));
            LocalCluster.await("the job to run again", Duration.ofSeconds(90), () -> cluster.allRunning(job));
            double running = (System.nanoTime() - t0) / 1e9;
            LocalCluster.await("a checkpoint after the restore", Duration.ofSeconds(60), () -> cluster.lastCheckpointAck(job) > killedAt);
            double checkpointed = (System.nanoTime() - t0) / 1e9;
            toRunning.add(running);
            toCheckpoint.add(checkpointed);
            lastRecovered = System.currentTimeMillis();
            System.out.printf("cluster-it: kill -9 %s with %d of %d alerts committed: all tasks RUNNING again after %.1f s,"
                    + " first checkpoint after %.1f s%n", victim, committed, run.expected.size(), running, checkpointed);
            cluster.run("tm-start", n); // back to two TaskManagers, as a supervisor would do
        }
        System.out.printf("cluster-it: recovery after a TaskManager kill, median of 3: %.1f s to RUNNING, %.1f s to the first"
                + " checkpoint (each: %s / %s)%n", median(toRunning), median(toCheckpoint), toRunning, toCheckpoint);

        run.awaitEndAndAssertExactlyTheStorysAlerts();
    }

    @Test
    @Order(2)
    @Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
    void brokerRestartMidStreamLosesNoAlertAndDuplicatesNone() throws Exception {
        // The broker is away for several seconds: longer than that, an input partition counts as idle, and
        // when it resumes, its records behind the other partitions' watermark would be dead letters (late).
        // So idleness here exceeds the outage, as it must in production (default 30 s).
        ClusterStory story = new ClusterStory(16, 2, 10);
        Run run = new Run("broker-restart", story, Duration.ofSeconds(20));
        String job = run.submit();
        run.stream.start();

        LocalCluster.await("the first alert committed", Duration.ofSeconds(90), () -> run.alertIds().size() >= 1);
        int committed = run.alertIds().size();
        assertThat(committed).isLessThan(run.expected.size());
        long t0 = System.nanoTime();
        cluster.run("kafka-stop");
        cluster.run("kafka-start"); // same log directory, same ports
        System.out.printf("cluster-it: broker stopped and started again (%.1f s) with %d of %d alerts committed%n",
                (System.nanoTime() - t0) / 1e9, committed, run.expected.size());
        long restarted = System.currentTimeMillis();
        LocalCluster.await("a checkpoint after the broker restart", Duration.ofSeconds(90),
                () -> cluster.allRunning(job) && cluster.lastCheckpointAck(job) > restarted);
        System.out.printf("cluster-it: first checkpoint after the broker restart %.1f s after the stop%n", (System.nanoTime() - t0) / 1e9);

        run.awaitEndAndAssertExactlyTheStorysAlerts();
    }

    @Test
    @Order(3)
    @Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
    void savepointStopAndResumeGivesTheSameAlerts() throws Exception {
        ClusterStory story = new ClusterStory(12, 2, 8);
        Run run = new Run("savepoint", story, SHORT_IDLENESS);
        String first = run.submit();
        run.stream.start();

        LocalCluster.await("the first alert committed", Duration.ofSeconds(90), () -> run.alertIds().size() >= 1);
        int committed = run.alertIds().size();
        assertThat(committed).isLessThan(run.expected.size());
        String savepoint = cluster.run("stop-job", first);
        assertThat(cluster.rest("/jobs/" + first).path("state").asText()).isEqualTo("FINISHED");
        Thread.sleep(2_000); // the story goes on while no job runs
        String resumed = cluster.run(run.detectArgs("resume", savepoint));
        run.job = resumed;
        LocalCluster.await("the resumed job running", Duration.ofSeconds(60), () -> cluster.allRunning(resumed));
        assertThat(cluster.rest("/jobs/" + resumed + "/checkpoints").path("latest").path("restored").path("external_path").asText())
                .as("restored from the savepoint").isEqualTo(savepoint);
        System.out.printf("cluster-it: stopped with savepoint %s at %d of %d alerts, resumed as job %s%n",
                savepoint, committed, run.expected.size(), resumed);

        run.awaitEndAndAssertExactlyTheStorysAlerts();
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** One detect job on topics of its own, the story streamed into them, its results read back. */
    static final class Run {
        final ClusterStory story;
        final String ns;
        final VigilConfig config;
        final Set<String> expected;
        final Stream stream;
        final Duration idleness;
        String job;

        Run(String name, ClusterStory story, Duration idleness) {
            this.idleness = idleness;
            this.story = story;
            this.ns = name + "-" + System.currentTimeMillis();
            Map<String, Object> settings = new HashMap<>();
            settings.put(VigilConfig.BOOTSTRAP_SERVERS, cluster.bootstrapServers());
            for (Topic t : Topic.values()) {
                settings.put(t.nameSetting(), ns + "." + t.defaultName());
                settings.put(t.partitionsSetting(), t.defaultPartitions() > 1 ? "2" : "1");
            }
            this.config = VigilConfig.defaults().with(settings);
            KafkaTopics.createAll(config);
            this.expected = story.expectedAlertIds(SCORER.modelVersion());
            this.stream = new Stream(config, story);
        }

        /** vigil-local VERB [extra...] followed by the detect flags of this run. */
        String[] detectArgs(String verb, String... extra) {
            List<String> args = new ArrayList<>(List.of(verb));
            args.addAll(List.of(extra));
            args.addAll(List.of("--group-id", ns, "--alerts-transactional-id-prefix", ns,
                    "--checkpoint-interval-ms", "1000", "--watermark-idleness-ms", String.valueOf(idleness.toMillis())));
            for (Topic t : List.of(Topic.FLOWS, Topic.GPU, Topic.ASSIGNMENTS, Topic.ALERTS, Topic.WINDOWS, Topic.DEADLETTER, Topic.MODELS)) {
                args.add("--" + t.nameSetting().replace('.', '-'));
                args.add(config.topic(t));
            }
            return args.toArray(String[]::new);
        }

        String submit() {
            job = cluster.run(detectArgs("submit"));
            String id = job;
            LocalCluster.await("job " + id + " running", Duration.ofSeconds(60), () -> cluster.allRunning(id));
            return job;
        }

        List<String> alertIds() {
            return read(config.topic(Topic.ALERTS), RecordType.ALERT).stream().map(Alert::getAlertId).toList();
        }

        List<String> windowKeys() {
            return read(config.topic(Topic.WINDOWS), RecordType.WINDOW).stream()
                    .map(w -> w.getJobId() + "@" + w.getWindowStart().toEpochMilli()).toList();
        }

        void awaitEndAndAssertExactlyTheStorysAlerts() throws Exception {
            Set<String> windows = story.expectedWindows();
            try {
                LocalCluster.await("every window of the story scored and committed, every alert committed", Duration.ofSeconds(90),
                        () -> Set.copyOf(windowKeys()).containsAll(windows) && alertIds().size() >= expected.size());
                Thread.sleep(3_000); // a duplicate, if any, would be committed by now (checkpoints every second)
            } catch (AssertionError timedOut) {
                // say what is missing (the assertions below say it too)
                Set<String> missing = new java.util.TreeSet<>(windows);
                missing.removeAll(windowKeys());
                System.out.printf("cluster-it: %s: %s; windows missing: %s; alerts: %s; dead letters: %s%n", ns, timedOut.getMessage(),
                        missing, alertIds(), read(config.topic(Topic.DEADLETTER), RecordType.DEAD_LETTER).stream()
                                .map(d -> d.getRecordType() + "/" + d.getReason() + " " + d.getDetail()).toList());
            } finally {
                stream.stop();
                cluster.run("cancel", job);
            }
            assertThat(stream.failure.get()).as("streaming the story").isNull();
            List<String> alerts = alertIds();
            assertThat(alerts).as("alert ids, read_committed: each of the story's alerts exactly once")
                    .containsExactlyInAnyOrderElementsOf(expected);
            List<String> scored = windowKeys().stream().filter(windows::contains).toList();
            assertThat(scored).as("scored windows, read_committed: each exactly once").containsExactlyInAnyOrderElementsOf(windows);
            System.out.printf("cluster-it: %s: %d alerts and %d windows, each exactly once%n", ns, alerts.size(), scored.size());
        }

        private <T extends SpecificRecord> List<T> read(String topic, RecordType<T> type) {
            return readCommitted(cluster.bootstrapServers(), topic, type);
        }
    }

    /**
     * Streams the story into the input topics, paced against the wall clock ({@link #SPEED}); then, like
     * idle GPUs that keep reporting, moves event time on past the story's end until stopped.
     */
    static final class Stream {
        final VigilConfig config;
        final ClusterStory story;
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread;

        Stream(VigilConfig config, ClusterStory story) {
            this.config = config;
            this.story = story;
            this.thread = new Thread(this::produce, "story-" + config.topic(Topic.FLOWS));
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private void produce() {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            Map<Topic, RecordFraming> framings = new HashMap<>();
            for (Topic t : List.of(Topic.FLOWS, Topic.GPU, Topic.ASSIGNMENTS)) {
                RecordType<?> type = t == Topic.FLOWS ? RecordType.FLOW : t == Topic.GPU ? RecordType.GPU : RecordType.ASSIGNMENT;
                framings.put(t, Framings.forTopic(type, config.topic(t), null));
            }
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                long wallStart = System.nanoTime();
                long first = story.firstTs();
                for (ClusterStory.Timed r : story.records) {
                    pace(producer, wallStart, r.ts() - first);
                    producer.send(new ProducerRecord<>(config.topic(r.topic()), null, r.ts(), r.node().getBytes(StandardCharsets.UTF_8),
                            framings.get(r.topic()).encode(r.record())));
                }
                // idle GPUs keep reporting: event time moves past the last window on every GPU partition
                String gpuTopic = config.topic(Topic.GPU);
                RecordFraming<GpuSample> gpu = framings.get(Topic.GPU);
                int partitions = producer.partitionsFor(gpuTopic).size();
                long ts = story.lastTs();
                long cap = story.lastTs() + Duration.ofMinutes(30).toMillis();
                while (running.get() && ts < cap) {
                    ts += 10_000;
                    pace(producer, wallStart, ts - first);
                    GpuSample idle = GpuSample.newBuilder().setTs(Instant.ofEpochMilli(ts)).setNode("vigil-clock").setGpu(0)
                            .setUtil(0).setProcesses(List.of()).build();
                    for (int i = 0; i < partitions; i++) {
                        producer.send(new ProducerRecord<>(gpuTopic, i, ts, null, gpu.encode(idle)));
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }

        private void pace(KafkaProducer<byte[], byte[]> producer, long wallStart, long storyMs) throws InterruptedException {
            long due = wallStart + (long) (storyMs / (SPEED * 60_000.0) * 1e9);
            long wait = due - System.nanoTime();
            if (wait > 2_000_000) {
                producer.flush();
                Thread.sleep(wait / 1_000_000);
            }
        }
    }

    /** Every committed record of a topic (read_committed, assign() and end offsets: no group, no rebalance wait). */
    static <T extends SpecificRecord> List<T> readCommitted(String bootstrap, String topic, RecordType<T> type) {
        RecordFraming<T> framing = Framings.forTopic(type, topic, null);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Decoded<T> d = framing.decode(r.value());
                    assertThat(d.isAccepted()).as(d.toString()).isTrue();
                    out.add(d.record());
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            // the broker is away (restarting): nothing readable now
            System.out.println("cluster-it: reading " + topic + ": " + e);
            return List.of();
        }
        return out;
    }
}
