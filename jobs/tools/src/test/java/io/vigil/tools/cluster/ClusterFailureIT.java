package io.vigil.tools.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.vigil.collector.CollectorMetrics;
import io.vigil.pipeline.DetectCommand;
import io.vigil.pipeline.detect.Alerts;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.records.Alert;
import io.vigil.records.Decoded;
import io.vigil.records.EpisodeFlag;
import io.vigil.records.GpuSample;
import io.vigil.records.IncidentState;
import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
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
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
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
 * story's alerts, each incident opening and closing, and the episode-flags topic each scan's episode named by its
 * incident: none lost, none twice.
 *
 * <p>The test is paced by what it observes, never by the wall clock: telemetry streams on like live
 * telemetry, but each incident (a scan: it opens, and closes {@link #QUIET_WINDOWS} windows later) is told
 * only once the failure before it has landed and the job has recovered from it (restarted, all tasks running,
 * a checkpoint completed after the restore), so every failure lands between two incidents opening however slow
 * the machine (and before or after the previous one closed, as it comes); a slower machine makes the test
 * slower, not wrong. The timeouts only bound waits that would otherwise never end.
 *
 * <p>Run it alone: {@code mvn -B verify -pl jobs/tools -am -Dgroups=cluster -Dit.test=ClusterFailureIT
 * -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFailureIT {
    /** Story minutes per wall-clock second. */
    static final double SPEED = 24.0 / 60;
    /**
     * A partition with no record for this long (wall clock) stops holding back event time. The assignments
     * partitions are silent between START and STOP, so every start or restore of the job waits this long
     * before windows close: short, but well beyond how long a loaded machine may take to read its partitions
     * again after a restore. A partition idle while the others read on would find its records behind their
     * watermark (dead letters, late).
     */
    static final Duration IDLENESS = Duration.ofSeconds(10);
    /**
     * The idleness of the broker-restart run, the production default: while the story holds still through the
     * outage partitions go idle, and after it the test waits until the job has read a step of the story on every
     * partition ({@link Run#resumeAfterPause}). The job commits what it has read on a checkpoint, but a reader
     * with nothing more to read commits only when its poll returns, up to 10 s later (the Kafka source's poll
     * timeout); so the idleness must well exceed that.
     */
    static final Duration IDLENESS_ACROSS_OUTAGE = Duration.ofSeconds(30);
    /**
     * Quiet windows that close an incident in these runs: fewer than the quiet minutes between two scans
     * ({@link Stream#QUIET_BETWEEN}), so each scan is an incident of its own that closes before the next opens.
     */
    static final int QUIET_WINDOWS = 2;
    /** The longest any one thing the test waits for may take before the test gives up. */
    static final Duration PATIENCE = Duration.ofMinutes(3);

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
        System.out.printf(
                "cluster-it: Kafka on %s and Flink (JobManager + 2 TaskManagers) on 127.0.0.1:%d up in %.1f s%n",
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
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void taskManagerKilledMidStreamThreeTimesLosesNoAlertAndDuplicatesNone() throws Exception {
        try (Run run = new Run("tm-kill", 5, IDLENESS)) {
            String job = run.submit();
            run.stream.start();
            run.stream.allowScans(1);

            List<Double> toRunning = new ArrayList<>();
            List<Double> toCheckpoint = new ArrayList<>();
            for (int kill = 1; kill <= 3; kill++) {
                int scansTold = kill;
                LocalCluster.await(
                        "incident " + kill + " opened and committed", PATIENCE, () -> run.opened() >= scansTold);
                int committed = run.alertIds().size();
                assertThat(run.opened())
                        .as("incidents opened when kill %d lands: one per scan told so far", kill)
                        .isEqualTo(kill);
                assertThat(run.alertIds())
                        .as("alerts committed when kill %d lands: none twice", kill)
                        .doesNotHaveDuplicates();
                LocalCluster.await(
                        "job running on 2 TaskManagers",
                        PATIENCE,
                        () -> cluster.allRunning(job) && cluster.registeredTaskManagers() == 2);
                long restarts = cluster.restarts(job);
                long restores = cluster.checkpoints(job).restores();
                String victim = cluster.busyTaskManagers(job).iterator().next();
                String n = victim.split("-")[1]; // tm-N-<start time>

                long t0 = System.nanoTime();
                cluster.run("kill-tm", n);
                LocalCluster.await(
                        "the job to restart after the loss of " + victim + ", all its tasks running",
                        PATIENCE,
                        () -> cluster.restarts(job) > restarts && cluster.allRunning(job));
                double running = (System.nanoTime() - t0) / 1e9;
                LocalCluster.await("a checkpoint completed after the restore", PATIENCE, () -> {
                    LocalCluster.Checkpoints c = cluster.checkpoints(job);
                    return c.restores() > restores && c.completedSinceRestore();
                });
                double checkpointed = (System.nanoTime() - t0) / 1e9;
                toRunning.add(running);
                toCheckpoint.add(checkpointed);
                System.out.printf(
                        "cluster-it: kill -9 %s with %d alerts committed (%d of %d incidents opened): all tasks RUNNING"
                                + " again after %.1f s, first checkpoint after %.1f s%n",
                        victim, committed, kill, run.stream.scans, running, checkpointed);
                // recovered: the story goes on to its next incident (after the third kill, the last two)
                run.stream.allowScans(kill < 3 ? 1 : 2);
                cluster.run("tm-start", n); // back to two TaskManagers, as a supervisor would do
            }
            System.out.printf(
                    "cluster-it: recovery after a TaskManager kill, median of 3: %.1f s to RUNNING, %.1f s to the first"
                            + " checkpoint (each: %s / %s)%n",
                    median(toRunning), median(toCheckpoint), toRunning, toCheckpoint);
            assertScrapeHasEveryMetricTheDashboardAndRulesUse(job);

            run.awaitEndAndAssertExactlyTheStorysAlerts();
        }
    }

    @Test
    @Order(2)
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void brokerRestartMidStreamLosesNoAlertAndDuplicatesNone() throws Exception {
        try (Run run = new Run("broker-restart", 2, IDLENESS_ACROSS_OUTAGE)) {
            String job = run.submit();
            run.stream.start();
            run.stream.allowScans(1);

            LocalCluster.await("the first incident opened and committed", PATIENCE, () -> run.opened() >= 1);
            int committed = run.alertIds().size();
            assertThat(run.opened())
                    .as("incidents opened when the broker stops: the first scan's, once")
                    .isEqualTo(1);
            // The telemetry holds still while the broker is away: records a producer keeps through an outage come
            // back partition by partition, and a partition idle by then would find its records late (dead letters).
            run.stream.pause();
            long t0 = System.nanoTime();
            cluster.run("kafka-stop");
            cluster.run("kafka-start"); // same log directory, same ports
            System.out.printf(
                    "cluster-it: broker stopped and started again (%.1f s) with %d alerts committed (1 of %d incidents"
                            + " opened)%n",
                    (System.nanoTime() - t0) / 1e9, committed, run.stream.scans);
            long triggered = cluster.checkpoints(job).triggered();
            LocalCluster.await(
                    "a checkpoint triggered after the broker came back to complete, all tasks running",
                    PATIENCE,
                    () -> cluster.allRunning(job) && cluster.checkpoints(job).completed() > triggered);
            System.out.printf(
                    "cluster-it: first checkpoint after the broker restart %.1f s after the stop%n",
                    (System.nanoTime() - t0) / 1e9);
            run.resumeAfterPause();
            run.stream.allowScans(1);

            run.awaitEndAndAssertExactlyTheStorysAlerts();
        }
    }

    @Test
    @Order(3)
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void savepointStopAndResumeGivesTheSameAlerts() throws Exception {
        try (Run run = new Run("savepoint", 2, IDLENESS)) {
            String first = run.submit();
            run.stream.start();
            run.stream.allowScans(1);

            LocalCluster.await("the first incident opened and committed", PATIENCE, () -> run.opened() >= 1);
            int committed = run.alertIds().size();
            assertThat(run.opened())
                    .as("incidents opened when the job stops: the first scan's, once")
                    .isEqualTo(1);
            String savepoint = cluster.run("stop-job", first);
            assertThat(cluster.rest("/jobs/" + first).path("state").asText()).isEqualTo("FINISHED");
            int told = run.stream.minutesTold();
            LocalCluster.await(
                    "the story to go on while no job runs (a minute more told)",
                    PATIENCE,
                    () -> run.stream.minutesTold() > told);
            String resumed = cluster.run(run.detectArgs("resume", savepoint));
            run.job = resumed;
            LocalCluster.await(
                    "the resumed job running, a checkpoint completed after its restore",
                    PATIENCE,
                    () -> cluster.allRunning(resumed)
                            && cluster.checkpoints(resumed).completedSinceRestore());
            assertThat(cluster.checkpoints(resumed).restoredPath())
                    .as("restored from the savepoint")
                    .isEqualTo(savepoint);
            System.out.printf(
                    "cluster-it: stopped with savepoint %s at %d alerts (1 of %d incidents opened), resumed as job %s%n",
                    savepoint, committed, run.stream.scans, resumed);
            run.stream.allowScans(1);

            run.awaitEndAndAssertExactlyTheStorysAlerts();
        }
    }

    /**
     * The Prometheus scrape of the JobManager and both TaskManagers, with the job running after three kills, holds
     * every metric name deploy/observability/ uses (the agent's own from a scrape of its metrics), with records
     * read, windows scored, incidents opened and the restarts counted.
     */
    static void assertScrapeHasEveryMetricTheDashboardAndRulesUse(String job) throws Exception {
        // the reporter shows a metric once the process has it; the job's restart counter is there at once, the
        // operators' counters once their tasks run again after the last kill (already awaited), the model's gauge
        // once the restarted job has scored its first window, and the counters, which start again from zero in
        // each restarted task, once it has read, scored and opened an incident again (the story goes on after the
        // last kill): awaited here, since the first windows after a restore wait for the inputs' watermarks
        Set<String> agentNames;
        CollectorMetrics agent = new CollectorMetrics();
        try (HTTPServer server = agent.serve("127.0.0.1", 0)) {
            agentNames = Observability.scrapedNames(cluster.get("http://127.0.0.1:" + server.getPort() + "/metrics"));
        }
        String id = "job_id=\"" + job + "\"";
        AtomicReference<String> last = new AtomicReference<>();
        try {
            LocalCluster.await("a scrape with every metric name the dashboard and rules use", PATIENCE, () -> {
                String s = cluster.scrape("jobmanager")
                        + cluster.scrape("taskmanager-1")
                        + cluster.scrape("taskmanager-2");
                last.set(s);
                Set<String> names = new TreeSet<>(Observability.scrapedNames(s));
                names.addAll(agentNames);
                return names.containsAll(Observability.allNames()) && showsTheRestartedJobAtWork(s, id);
            });
        } catch (AssertionError timedOut) {
            if (last.get() == null) {
                throw timedOut; // not one scrape answered: its cause says why
            }
            // the assertions below say what the last scrape lacked
        }
        String scrape = last.get();
        Set<String> scraped = new TreeSet<>(Observability.scrapedNames(scrape));
        scraped.addAll(agentNames);
        assertThat(scraped).as("metric names in the scrape").containsAll(Observability.allNames());
        for (String pattern : Observability.allNamePatterns()) {
            // families named by pattern (dead letters, refusals by reason) appear with their first member: their
            // fixed prefix must be a family the job registers
            String prefix = pattern.substring(0, pattern.indexOf('_', pattern.lastIndexOf("operator_") + 9) + 1);
            assertThat(prefix).as(pattern).startsWith("flink_taskmanager_job_task_operator_");
        }
        assertThat(sum(scrape, "flink_taskmanager_job_task_operator_received_flow", id))
                .isPositive();
        assertThat(sum(scrape, "flink_taskmanager_job_task_operator_received_gpu", id))
                .isPositive();
        assertThat(sum(scrape, "flink_taskmanager_job_task_operator_windowsScored", id))
                .isPositive();
        assertThat(sum(scrape, "flink_taskmanager_job_task_operator_incidentsOpened", id))
                .isPositive();
        assertThat(sum(scrape, "flink_jobmanager_job_numRestarts", id)).isGreaterThanOrEqualTo(3);
        System.out.printf(
                "cluster-it: scrape of %d metric names holds the %d the dashboard and rules use; records %.0f flows,"
                        + " %.0f GPU samples, %.0f windows scored, %.0f incidents opened, %.0f restarts%n",
                scraped.size(),
                Observability.allNames().size(),
                sum(scrape, "flink_taskmanager_job_task_operator_received_flow", id),
                sum(scrape, "flink_taskmanager_job_task_operator_received_gpu", id),
                sum(scrape, "flink_taskmanager_job_task_operator_windowsScored", id),
                sum(scrape, "flink_taskmanager_job_task_operator_incidentsOpened", id),
                sum(scrape, "flink_jobmanager_job_numRestarts", id));
    }

    /** Whether the scrape counts records read, windows scored and incidents opened since the restart, and 3 restarts. */
    private static boolean showsTheRestartedJobAtWork(String scrape, String id) {
        return sum(scrape, "flink_taskmanager_job_task_operator_received_flow", id) > 0
                && sum(scrape, "flink_taskmanager_job_task_operator_received_gpu", id) > 0
                && sum(scrape, "flink_taskmanager_job_task_operator_windowsScored", id) > 0
                && sum(scrape, "flink_taskmanager_job_task_operator_incidentsOpened", id) > 0
                && sum(scrape, "flink_jobmanager_job_numRestarts", id) >= 3;
    }

    /** The sum of a metric's samples whose labels contain {@code label}. */
    static double sum(String scrape, String name, String label) {
        double total = 0;
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)} (\\S+)$")
                .matcher(scrape);
        while (m.find()) {
            if (m.group(1).contains(label)) {
                total += Double.parseDouble(m.group(2));
            }
        }
        return total;
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** One detect job on topics of its own, the story streamed into them, its results read back. */
    static final class Run implements AutoCloseable {
        final String ns;
        final VigilConfig config;
        final Stream stream;
        final Duration idleness;
        String job;

        /**
         * @param scans the incidents the story will have
         * @param idleness the job's watermark idleness
         */
        Run(String name, int scans, Duration idleness) {
            this.idleness = idleness;
            this.ns = name + "-" + System.currentTimeMillis();
            Map<String, Object> settings = new HashMap<>();
            settings.put(VigilConfig.BOOTSTRAP_SERVERS, cluster.bootstrapServers());
            for (Topic t : Topic.values()) {
                settings.put(t.nameSetting(), ns + "." + t.defaultName());
                settings.put(t.partitionsSetting(), t.defaultPartitions() > 1 ? "2" : "1");
            }
            this.config = VigilConfig.defaults().with(settings);
            KafkaTopics.createAll(config);
            this.stream = new Stream(config, scans);
        }

        /** vigil-local VERB [extra...] followed by the detect flags of this run. */
        String[] detectArgs(String verb, String... extra) {
            List<String> args = new ArrayList<>(List.of(verb));
            args.addAll(List.of(extra));
            args.addAll(List.of(
                    // what this test holds: every alert exactly once across the kills
                    "--output-delivery",
                    "exactly-once",
                    "--group-id",
                    ns,
                    "--alerts-transactional-id-prefix",
                    ns,
                    "--checkpoint-interval-ms",
                    "1000",
                    "--watermark-idleness-ms",
                    String.valueOf(idleness.toMillis()),
                    "--incident-close-quiet-windows",
                    String.valueOf(QUIET_WINDOWS)));
            for (Topic t : DetectCommand.JOB_TOPICS) {
                args.add("--" + t.nameSetting().replace('.', '-'));
                args.add(config.topic(t));
            }
            return args.toArray(String[]::new);
        }

        String submit() {
            job = cluster.run(detectArgs("submit"));
            String id = job;
            LocalCluster.await("job " + id + " running", PATIENCE, () -> cluster.allRunning(id));
            return job;
        }

        /**
         * Lets the paused story go on, once the job reads every partition again. While it was paused, input
         * partitions may have gone idle; had the story simply gone on, the first partition read would carry
         * event time ahead of the others, whose records would then come late. So first one step of the story
         * (10 s of event time, a record on every flow and GPU partition: none can be late to another), and the
         * story goes on only once the job has read it all (its consumer group's committed offsets). A partition
         * that read the step goes idle no sooner than the idleness after the step was told; if the job took
         * more than half of that to show it had read the step, one more step, so that the story goes on with
         * every partition active and time to spare.
         */
        void resumeAfterPause() {
            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
                for (int step = 1; ; step++) {
                    long told = System.nanoTime();
                    Map<TopicPartition, Long> last = stream.tellOneStep();
                    LocalCluster.await(
                            "the job to read the story's next step on every partition " + last,
                            PATIENCE,
                            () -> hasRead(admin, last));
                    Duration took = Duration.ofNanos(System.nanoTime() - told);
                    System.out.printf(
                            "cluster-it: %s: the job read step %d after the pause in %.1f s%n",
                            ns, step, took.toMillis() / 1e3);
                    if (took.compareTo(idleness.dividedBy(2)) < 0) {
                        break;
                    }
                    assertThat(step)
                            .as(
                                    "steps told before the job showed it had read one within half the idleness (%s)",
                                    idleness)
                            .isLessThan(10);
                }
            }
            stream.resume();
        }

        /** The job has read past each of these offsets: its consumer group has committed them (on a checkpoint). */
        private boolean hasRead(Admin admin, Map<TopicPartition, Long> offsets) {
            try {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(ns)
                        .partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS);
                return offsets.entrySet().stream()
                        .allMatch(e -> committed.get(e.getKey()) != null
                                && committed.get(e.getKey()).offset() > e.getValue());
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("committed offsets of " + ns, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        List<String> alertIds() {
            return read(config.topic(Topic.ALERTS), RecordType.ALERT).stream()
                    .map(Alert::getAlertId)
                    .toList();
        }

        /** Incidents opened, as committed on the alert topic. */
        long opened() {
            return read(config.topic(Topic.ALERTS), RecordType.ALERT).stream()
                    .filter(a -> a.getIncidentState() == IncidentState.OPEN)
                    .count();
        }

        List<String> flagIds() {
            return read(config.topic(Topic.EPISODE_FLAGS), RecordType.EPISODE_FLAG).stream()
                    .map(EpisodeFlag::getFlagId)
                    .toList();
        }

        List<String> windowKeys() {
            return read(config.topic(Topic.WINDOWS), RecordType.WINDOW).stream()
                    .map(w -> w.getJobId() + "@" + w.getWindowStart().toEpochMilli())
                    .toList();
        }

        void awaitEndAndAssertExactlyTheStorysAlerts() throws Exception {
            Set<String> windows = Set.of();
            Set<String> expected = Set.of();
            try {
                LocalCluster.await("the story told to its end", PATIENCE, stream::ended);
                windows = stream.story.expectedWindows();
                expected = stream.story.expectedAlertIds(QUIET_WINDOWS);
                Set<String> storyWindows = windows;
                int alerts = expected.size();
                int flags = stream.story.expectedFlagIds().size(); // at least
                LocalCluster.await(
                        "every window of the story scored and committed, every alert and episode flag committed",
                        PATIENCE,
                        () -> Set.copyOf(windowKeys()).containsAll(storyWindows)
                                && alertIds().size() >= alerts
                                && flagIds().size() >= flags);
                // whatever the job has emitted by now (a duplicate too, if any) is committed two checkpoints on
                long completed = cluster.checkpoints(job).completed();
                LocalCluster.await(
                        "two more checkpoints completed",
                        PATIENCE,
                        () -> cluster.checkpoints(job).completed() >= completed + 2);
            } catch (AssertionError timedOut) {
                // say what is missing (the assertions below say it too)
                Set<String> missing = new TreeSet<>(windows);
                missing.removeAll(windowKeys());
                System.out.printf(
                        "cluster-it: %s: %s; windows missing: %s; alerts: %s; dead letters: %s%n",
                        ns,
                        timedOut.getMessage(),
                        missing,
                        alertIds(),
                        read(config.topic(Topic.DEADLETTER), RecordType.DEAD_LETTER).stream()
                                .map(d -> d.getRecordType() + "/" + d.getReason() + " " + d.getDetail())
                                .toList());
            } finally {
                close();
            }
            assertThat(stream.failure.get()).as("streaming the story").isNull();
            assertThat(stream.ended()).as("the story told to its end").isTrue();
            List<String> alerts = alertIds();
            assertThat(alerts)
                    .as("alert ids, read_committed: each incident of the story opened and closed exactly once")
                    .containsExactlyInAnyOrderElementsOf(expected);
            // each (incident, episode) the committed alerts name, flagged exactly once: each scan's own episode, and
            // any earlier scan's still within the lookback of a later one's first packets (named after it)
            Set<String> named = new TreeSet<>();
            for (Alert a : read(config.topic(Topic.ALERTS), RecordType.ALERT)) {
                a.getAgentContext().forEach(e -> named.add(Alerts.flagId(a.getIncidentId(), e.getEpisodeId())));
            }
            assertThat(named).containsAll(stream.story.expectedFlagIds());
            assertThat(flagIds())
                    .as("episode flags, read_committed: each episode named by an incident exactly once")
                    .containsExactlyInAnyOrderElementsOf(named);
            Set<String> storyWindows = windows;
            List<String> scored =
                    windowKeys().stream().filter(storyWindows::contains).toList();
            assertThat(scored)
                    .as("scored windows, read_committed: each exactly once")
                    .containsExactlyInAnyOrderElementsOf(windows);
            System.out.printf(
                    "cluster-it: %s: %d alerts, %d episode flags and %d windows, each exactly once%n",
                    ns, alerts.size(), flagIds().size(), scored.size());
        }

        private <T extends SpecificRecord> List<T> read(String topic, RecordType<T> type) {
            return readCommitted(cluster.bootstrapServers(), topic, type);
        }

        /** Stops the story and cancels the job if it still runs (a test that failed half-way leaves nothing behind). */
        @Override
        public void close() throws InterruptedException {
            stream.stop();
            if (job != null
                    && !Set.of("FINISHED", "CANCELED", "FAILED", "CANCELLING")
                            .contains(cluster.rest("/jobs/" + job).path("state").asText())) {
                cluster.run("cancel", job);
            }
        }
    }

    /**
     * Tells the story into the input topics as the collectors would, paced against the wall clock like live
     * telemetry ({@link #SPEED}). Its incidents wait for the test: a scan is told only once the test allows it
     * ({@link #allowScans}), at least {@link #QUIET_BETWEEN} quiet minutes after the one before; until then the
     * jobs go on quietly. After the last scan and {@link #QUIET_AFTER} quiet minutes the scheduler stops the
     * jobs; then, like idle GPUs that keep reporting, event time moves on past the story's end until stopped.
     * The test may hold the story still ({@link #pause}) and go on step by step ({@link #tellOneStep}).
     */
    static final class Stream {
        static final int FIRST_SCAN = 2;
        static final int QUIET_BETWEEN = 3;
        static final int QUIET_AFTER = 3;
        /** A step of the story: 10 s of event time, a GPU sample and a flow of each job in it. */
        static final long STEP_MS = 10_000;

        final VigilConfig config;
        final ClusterStory story = new ClusterStory();
        final int scans;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Semaphore scansAllowed = new Semaphore(0);
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final CountDownLatch ended = new CountDownLatch(1);
        private final Thread thread;
        private volatile int minutesTold;
        // holding still (guarded by this): asked for, done, steps asked for while paused and the last one's offsets
        private boolean pauseWanted;
        private boolean paused;
        private int stepsWanted;
        private Map<TopicPartition, Long> lastStep;
        // the pace: story time storyOrigin is due at wallOrigin (System.nanoTime)
        private long storyOrigin = ClusterStory.BEGINNING.toEpochMilli();
        private long wallOrigin;

        Stream(VigilConfig config, int scans) {
            this.config = config;
            this.scans = scans;
            this.thread = new Thread(this::produce, "story-" + config.topic(Topic.FLOWS));
            thread.setDaemon(true);
        }

        void start() {
            wallOrigin = System.nanoTime();
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            synchronized (this) {
                notifyAll();
            }
            thread.join(30_000);
        }

        /** The next {@code n} scans may be told. */
        void allowScans(int n) {
            scansAllowed.release(n);
        }

        int minutesTold() {
            return minutesTold;
        }

        /** Every scan told, and the jobs stopped; the story's expectations are final. */
        boolean ended() {
            return ended.getCount() == 0;
        }

        /** Holds the story still at the next step; returns once everything told is on the broker. */
        synchronized void pause() throws InterruptedException {
            pauseWanted = true;
            notifyAll();
            awaitStream("the story to hold still", () -> paused);
        }

        /** While paused: tells one step, every record acknowledged; returns the offset of its last record per partition. */
        synchronized Map<TopicPartition, Long> tellOneStep() {
            lastStep = null;
            stepsWanted = 1;
            notifyAll();
            try {
                awaitStream("the story's next step told", () -> lastStep != null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return lastStep;
        }

        /** Goes on from where it held still, at the pace. */
        synchronized void resume() {
            pauseWanted = false;
            notifyAll();
        }

        private void awaitStream(String what, BooleanSupplier done) throws InterruptedException {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (!done.getAsBoolean()) {
                if (failure.get() != null || !thread.isAlive()) {
                    throw new AssertionError("the story stopped while waiting for " + what, failure.get());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out after " + PATIENCE.toSeconds() + " s waiting for " + what);
                }
                wait(Math.max(1, Math.min(left / 1_000_000, 1_000)));
            }
        }

        private void produce() {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                tell(producer, story.beginning());
                int lastScan = FIRST_SCAN - QUIET_BETWEEN - 1;
                while (running.get()) {
                    int minute = story.minutes();
                    boolean scan =
                            story.scans() < scans && minute > lastScan + QUIET_BETWEEN && scansAllowed.tryAcquire();
                    tell(producer, story.minute(scan));
                    minutesTold = story.minutes();
                    if (scan) {
                        lastScan = minute;
                    }
                    if (story.scans() == scans && minute == lastScan + QUIET_AFTER) {
                        tell(producer, story.end());
                        ended.countDown();
                        break;
                    }
                }
                // idle GPUs keep reporting: event time moves past the last window on every GPU partition
                String gpuTopic = config.topic(Topic.GPU);
                RecordFraming<GpuSample> gpu = Framings.forTopic(RecordType.GPU, gpuTopic, null);
                int partitions = producer.partitionsFor(gpuTopic).size();
                long ts = ClusterStory.at(story.minutes(), 0).toEpochMilli();
                long cap = ts + Duration.ofMinutes(30).toMillis();
                while (running.get() && ts < cap) {
                    ts += STEP_MS;
                    GpuSample idle = GpuSample.newBuilder()
                            .setTs(Instant.ofEpochMilli(ts))
                            .setNode("vigil-clock")
                            .setGpu(0)
                            .setUtil(0)
                            .setProcesses(List.of())
                            .build();
                    List<ProducerRecord<byte[], byte[]>> step = new ArrayList<>();
                    for (int i = 0; i < partitions; i++) {
                        step.add(new ProducerRecord<>(gpuTopic, i, ts, null, gpu.encode(idle)));
                    }
                    tellStep(producer, ts, step);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                failure.set(t);
            }
        }

        /** Tells records (event-time ordered) step by step. */
        @SuppressWarnings({"unchecked", "rawtypes"})
        private void tell(KafkaProducer<byte[], byte[]> producer, List<ClusterStory.Timed> records) throws Exception {
            Map<Topic, RecordFraming> framings = new HashMap<>();
            Map<Topic, RecordType<?>> types = Map.of(
                    Topic.FLOWS, RecordType.FLOW,
                    Topic.GPU, RecordType.GPU,
                    Topic.ASSIGNMENTS, RecordType.ASSIGNMENT,
                    Topic.AGENT_EVENTS, RecordType.AGENT_EVENT);
            types.forEach((t, type) -> framings.put(t, Framings.forTopic(type, config.topic(t), null)));
            List<ProducerRecord<byte[], byte[]>> step = new ArrayList<>();
            long stepStart = -1;
            for (ClusterStory.Timed r : records) {
                long start = r.ts() - Math.floorMod(r.ts(), STEP_MS);
                if (start != stepStart && !step.isEmpty()) {
                    tellStep(producer, stepStart, step);
                    step = new ArrayList<>();
                }
                stepStart = start;
                step.add(new ProducerRecord<>(
                        config.topic(r.topic()),
                        null,
                        r.ts(),
                        r.node().getBytes(StandardCharsets.UTF_8),
                        framings.get(r.topic()).encode(r.record())));
            }
            if (!step.isEmpty()) {
                tellStep(producer, stepStart, step);
            }
        }

        /** Tells one step: when it is due, or, while the test holds the story still, when the test asks for it. */
        private void tellStep(
                KafkaProducer<byte[], byte[]> producer, long storyMs, List<ProducerRecord<byte[], byte[]>> step)
                throws Exception {
            synchronized (this) {
                while (running.get() && pauseWanted) {
                    if (!paused) {
                        producer.flush();
                        paused = true;
                        notifyAll();
                    }
                    if (stepsWanted > 0) {
                        Map<TopicPartition, Long> offsets = new HashMap<>();
                        for (ProducerRecord<byte[], byte[]> r : step) {
                            RecordMetadata m = producer.send(r).get();
                            offsets.merge(new TopicPartition(m.topic(), m.partition()), m.offset(), Math::max);
                        }
                        stepsWanted = 0;
                        lastStep = offsets;
                        notifyAll();
                        return;
                    }
                    wait(1_000);
                }
                if (!running.get()) {
                    return;
                }
                if (paused) { // going on: the pace starts again from here
                    paused = false;
                    storyOrigin = storyMs;
                    wallOrigin = System.nanoTime();
                }
            }
            long due = wallOrigin + (long) ((storyMs - storyOrigin) / (SPEED * 60_000.0) * 1e9);
            long wait = due - System.nanoTime();
            if (wait > 2_000_000) {
                producer.flush();
                Thread.sleep(wait / 1_000_000);
            }
            for (ProducerRecord<byte[], byte[]> r : step) {
                producer.send(r);
            }
        }
    }

    /**
     * Every committed record of a topic (read_committed, assign() and end offsets: no group, no rebalance wait).
     * Fails rather than answer with part of it: a look that fails (the broker away) is retried by {@code await}.
     */
    static <T extends SpecificRecord> List<T> readCommitted(String bootstrap, String topic, RecordType<T> type) {
        RecordFraming<T> framing = Framings.forTopic(type, topic, null);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read " + topic + " to its end offsets " + end + " in " + PATIENCE);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Decoded<T> d = framing.decode(r.value());
                    assertThat(d.isAccepted()).as(d.toString()).isTrue();
                    out.add(d.record());
                }
            }
        }
        return out;
    }
}
