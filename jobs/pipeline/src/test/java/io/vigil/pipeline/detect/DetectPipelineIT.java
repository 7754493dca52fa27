package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.broker.EmbeddedKafka;
import io.vigil.broker.TopicContents;
import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.pipeline.CollectingSink;
import io.vigil.pipeline.DetectJob;
import io.vigil.pipeline.files.DatasetFiles;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Category;
import io.vigil.records.DeadLetter;
import io.vigil.records.Decoded;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.IncidentState;
import io.vigil.records.JobWindow;
import io.vigil.records.RecordType;
import io.vigil.records.TransitionCause;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.KafkaClients;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on Flink's mini-cluster (parallelism 2) and a real Kafka broker: a small known story
 * in, exactly the alerts it should give out (its incident's transitions), from files and through Kafka alike,
 * with bad records dead-lettered while the job keeps going.
 */
class DetectPipelineIT {
    static final List<String> BAD_FLOW_LINES = List.of(
            "this is not json",
            "{\"ts\": 1771038000000, \"start_ts\": 1771038000000, \"node\": \"n\", \"src_ip\": \"10.0.1.300\","
                    + " \"dst_ip\": \"10.0.0.1\", \"protocol\": \"TCP\"}",
            "{\"start_ts\": 1771038000000, \"node\": \"n\", \"src_ip\": \"10.0.1.1\", \"dst_ip\": \"10.0.0.1\", \"protocol\": \"TCP\"}");

    static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static EmbeddedKafka kafka;
    static final Scenario STORY = new Scenario();
    static final WindowScorer SCORER = new IndicatorScorer();

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    static StreamExecutionEnvironment environment(RuntimeExecutionMode mode) {
        return environment(mode, 2, null);
    }

    /** {@code savepoint}: the one to resume from, or null. */
    static StreamExecutionEnvironment environment(RuntimeExecutionMode mode, int parallelism, String savepoint) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(PipelineOptions.GENERIC_TYPES, false); // proves every record and state type has a real serializer
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.setRuntimeMode(mode);
        return env;
    }

    record Results(List<Alert> alerts, List<JobWindow> windows, List<DeadLetter> deadLetters) {}

    /** Replay runs in BATCH mode: every key's input is complete before its timers fire, so nothing is late. */
    static Results replayFiles(Path dataset) throws Exception {
        StreamExecutionEnvironment env = environment(RuntimeExecutionMode.BATCH);
        CollectingSink<Alert> alerts = new CollectingSink<>("alerts");
        CollectingSink<JobWindow> windows = new CollectingSink<>("windows");
        CollectingSink<DeadLetter> dead = new CollectingSink<>("dead");
        DetectPipeline.build(
                env,
                settings(),
                SCORER,
                DatasetFiles.inputs(List.of(dataset)),
                new DetectPipeline.Outputs(alerts, windows, dead));
        env.execute("replay files");
        return new Results(alerts.received(), windows.received(), dead.received());
    }

    static DetectSettings settings() {
        return DetectSettings.defaults();
    }

    /** The prober's incident: OPEN, then CLOSE when the job stops. */
    static List<String> expectedAlertIds() {
        return Scenario.incidentAlertIds();
    }

    @Test
    void replayFromFilesGivesTheProbingAsOneIncidentThatOpensAndCloses(@TempDir Path dir) throws Exception {
        Results results = replayFiles(STORY.writeDataset(dir.resolve("story"), BAD_FLOW_LINES));

        assertThat(results.alerts())
                .extracting(Alert::getAlertId)
                .containsExactlyInAnyOrderElementsOf(expectedAlertIds());
        assertThat(results.alerts()).allSatisfy(a -> {
            assertThat(a.getJobId()).isEqualTo(Scenario.PROBER);
            assertThat(a.getIncidentId())
                    .isEqualTo(Alerts.incidentId(
                            Scenario.PROBER, Scenario.probingWindowStarts().get(0)));
            assertThat(a.getIncidentCategories()).containsExactly(Category.NETWORK_SCAN);
            assertThat(a.getCategories()).first().isEqualTo(Category.NETWORK_SCAN);
            assertThat(a.getReasons()).isNotEmpty();
            assertThat(a.getEvidence().getDestinations()).isNotEmpty();
        });
        Alert close = results.alerts().stream()
                .filter(a -> a.getIncidentState() == IncidentState.CLOSE)
                .findFirst()
                .orElseThrow();
        assertThat(close.getTransitionCauses()).containsExactly(TransitionCause.JOB_STOPPED);
        assertThat(close.getFlaggedWindows()).isEqualTo(2);
        assertThat(close.getFirstWindowStart().toEpochMilli())
                .isEqualTo(Scenario.probingWindowStarts().get(0));
        assertThat(close.getLastWindowEnd().toEpochMilli())
                .isEqualTo(Scenario.probingWindowStarts().get(1) + Scenario.WINDOW.toMillis());
        // every window of both jobs is scored: 6 minutes each
        assertThat(results.windows()).hasSize(2 * Scenario.MINUTES);
        assertThat(results.windows()).filteredOn(JobWindow::getFlagged).hasSize(2);
    }

    /**
     * Without a STOP the prober's incident closes after its quiet windows, which the data does not reach: in a
     * replay (BATCH mode, where timers fire only at the end of a job's input) as in a running job.
     */
    @Test
    void anIncidentTheDataLeavesOpenClosesAfterItsQuietWindowsInAReplayToo(@TempDir Path dir) throws Exception {
        Scenario noStop = new Scenario();
        noStop.assignments.removeIf(a -> a.getEvent() == AssignmentEvent.STOP);
        Results results = replayFiles(noStop.writeDataset(dir.resolve("no-stop"), List.of()));

        long first = Scenario.probingWindowStarts().get(0);
        long lastEnd = Scenario.probingWindowStarts().get(1) + Scenario.WINDOW.toMillis();
        long closedAt = lastEnd + settings().incidentQuietWindows() * Scenario.WINDOW.toMillis();
        assertThat(results.alerts())
                .extracting(Alert::getAlertId)
                .containsExactlyInAnyOrder(
                        Alerts.transitionId(
                                Scenario.PROBER, first, IncidentState.OPEN, first + Scenario.WINDOW.toMillis()),
                        Alerts.transitionId(Scenario.PROBER, first, IncidentState.CLOSE, closedAt));
        assertThat(results.alerts())
                .filteredOn(a -> a.getIncidentState() == IncidentState.CLOSE)
                .singleElement()
                .satisfies(close -> assertThat(close.getTransitionCauses()).containsExactly(TransitionCause.QUIET));
    }

    @Test
    void badLinesAreDeadLetteredWithReasonAndPlaceWhileTheJobGoesOn(@TempDir Path dir) throws Exception {
        Results results = replayFiles(STORY.writeDataset(dir.resolve("story"), BAD_FLOW_LINES));

        assertThat(results.deadLetters())
                .extracting(DeadLetter::getReason)
                .containsExactlyInAnyOrder("malformed", "bad_ip", "missing_time");
        int firstBadLine = STORY.flows.size() / 2 + 2;
        assertThat(results.deadLetters())
                .extracting(DeadLetter::getSource)
                .containsExactlyInAnyOrder(
                        "story/flows.jsonl.gz:" + firstBadLine,
                        "story/flows.jsonl.gz:" + (firstBadLine + 1),
                        "story/flows.jsonl.gz:" + (firstBadLine + 2));
        assertThat(results.deadLetters())
                .extracting(DeadLetter::getOriginalText)
                .containsExactlyInAnyOrderElementsOf(BAD_FLOW_LINES);
        assertThat(results.alerts())
                .extracting(Alert::getIncidentState)
                .containsExactlyInAnyOrder(IncidentState.OPEN, IncidentState.CLOSE);
    }

    @Test
    void theOrderOfLinesInAFileDoesNotChangeTheAlerts(@TempDir Path dir) throws Exception {
        List<Flow> reversed = new ArrayList<>(STORY.flows);
        Collections.reverse(reversed);
        Results results = replayFiles(STORY.writeDataset(dir.resolve("story"), reversed, List.of(), List.of()));
        assertThat(results.alerts())
                .extracting(Alert::getAlertId)
                .containsExactlyInAnyOrderElementsOf(expectedAlertIds());
        assertThat(results.deadLetters()).isEmpty();
    }

    @Test
    void detectOnKafkaGivesTheSameAlertsAsReplayFromFiles(@TempDir Path dir) throws Exception {
        Results fromFiles = replayFiles(STORY.writeDataset(dir.resolve("story"), List.of()));

        VigilConfig config = kafkaConfig(Map.of());
        KafkaTopics.createAll(config);
        produce(config.topic(Topic.FLOWS), RecordType.FLOW, STORY.flows, "not avro at all");
        produce(config.topic(Topic.GPU), RecordType.GPU, STORY.samples, null);
        produce(config.topic(Topic.ASSIGNMENTS), RecordType.ASSIGNMENT, STORY.assignments, null);

        StreamExecutionEnvironment env = environment(RuntimeExecutionMode.STREAMING);
        DetectJob.prepare(env, config, SCORER, true);
        env.execute("detect on kafka, bounded");

        List<Alert> alerts = readCommitted(config.topic(Topic.ALERTS), RecordType.ALERT);
        // the same incident's transitions, each once (read_committed), down to their reasons and evidence, though
        // the job ran in event time with watermarks and the replay in BATCH mode; the same windows
        assertThat(alerts).extracting(Alert::getAlertId).containsExactlyInAnyOrderElementsOf(expectedAlertIds());
        assertThat(alerts)
                .usingRecursiveFieldByFieldElementComparator()
                .containsExactlyInAnyOrderElementsOf(fromFiles.alerts());
        assertThat(readCommitted(config.topic(Topic.WINDOWS), RecordType.WINDOW))
                .usingRecursiveFieldByFieldElementComparator()
                .containsExactlyInAnyOrderElementsOf(fromFiles.windows());
        List<DeadLetter> dead = readCommitted(config.topic(Topic.DEADLETTER), RecordType.DEAD_LETTER);
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo("undecodable");
            assertThat(d.getSource()).startsWith(config.topic(Topic.FLOWS) + "/");
            assertThat(StandardCharsets.UTF_8.decode(d.getOriginalBytes()).toString())
                    .isEqualTo("not avro at all");
        });
    }

    /**
     * A job stopped with a savepoint at parallelism 2 and resumed at 1 gives the replay's alerts, each once: its one
     * attribution subtask restores every address's timeline (broadcast state) and both subtasks' waiting records,
     * the sources their offsets, the windows their keys. Stopped once the incident has opened. Live, the story's last
     * windows close when event time passes them: a job started two hours later moves it there once the story's
     * partitions have gone idle.
     */
    @Test
    void aJobResumedAtAnotherParallelismGivesTheSameAlertsOnce(@TempDir Path dir) throws Exception {
        Results fromFiles = replayFiles(STORY.writeDataset(dir.resolve("story"), List.of()));
        VigilConfig config = kafkaConfig(Map.of(VigilConfig.OUTPUT_DELIVERY, VigilConfig.DELIVERY_EXACTLY_ONCE));
        KafkaTopics.createAll(config);
        produceStory(config);

        StreamExecutionEnvironment first = environment(RuntimeExecutionMode.STREAMING);
        DetectJob.prepare(first, config, SCORER, false);
        JobClient running = first.executeAsync("detect on kafka, parallelism 2");
        String savepoint;
        try {
            awaitAlerts(config, 1);
        } finally {
            savepoint = running.stopWithSavepoint(
                            false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get();
        }

        StreamExecutionEnvironment resumed = environment(RuntimeExecutionMode.STREAMING, 1, savepoint);
        DetectJob.prepare(resumed, config, SCORER, false);
        JobClient again = resumed.executeAsync("detect on kafka, resumed at parallelism 1");
        produce(
                config.topic(Topic.ASSIGNMENTS),
                RecordType.ASSIGNMENT,
                List.of(Scenario.assignment(
                        AssignmentEvent.START,
                        "job-later",
                        "10.0.3.1",
                        "node-later",
                        Scenario.BEGINNING.plus(Duration.ofHours(2)))),
                null);
        List<Alert> alerts;
        try {
            alerts = awaitAlerts(config, expectedAlertIds().size());
        } finally {
            again.cancel().get();
        }

        assertThat(alerts)
                .usingRecursiveFieldByFieldElementComparator()
                .containsExactlyInAnyOrderElementsOf(fromFiles.alerts());
        assertThat(readCommitted(config.topic(Topic.DEADLETTER), RecordType.DEAD_LETTER))
                .as("no flow unattributed after the restore")
                .isEmpty();
    }

    /** The story's flows, samples and assignments on their topics. */
    private static void produceStory(VigilConfig config) {
        produce(config.topic(Topic.FLOWS), RecordType.FLOW, STORY.flows, null);
        produce(config.topic(Topic.GPU), RecordType.GPU, STORY.samples, null);
        produce(config.topic(Topic.ASSIGNMENTS), RecordType.ASSIGNMENT, STORY.assignments, null);
    }

    /** The committed alerts once there are at least {@code count} (three minutes at most). */
    private static List<Alert> awaitAlerts(VigilConfig config, int count) throws Exception {
        List<Alert> alerts = List.of();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (alerts.size() < count && System.nanoTime() < deadline) {
            alerts = readCommitted(config.topic(Topic.ALERTS), RecordType.ALERT);
        }
        assertThat(alerts).as("committed alerts").hasSizeGreaterThanOrEqualTo(count);
        return alerts;
    }

    /**
     * The default delivery writes alerts as they are made: a read_committed consumer sees the incident open though
     * no checkpoint has completed (an hour apart here), where exactly-once would show nothing until one did.
     */
    @Test
    void byDefaultAlertsAreSeenWithoutWaitingForACheckpoint() throws Exception {
        VigilConfig config = kafkaConfig(Map.of(VigilConfig.CHECKPOINT_INTERVAL_MS, "3600000"));
        assertThat(config.getString(VigilConfig.OUTPUT_DELIVERY)).isEqualTo(VigilConfig.DELIVERY_AT_LEAST_ONCE);
        KafkaTopics.createAll(config);
        produceStory(config);

        StreamExecutionEnvironment env = environment(RuntimeExecutionMode.STREAMING);
        DetectJob.prepare(env, config, SCORER, false);
        JobClient job = env.executeAsync("detect on kafka, live, no checkpoint");
        try {
            List<Alert> alerts = awaitAlerts(config, 1); // before any checkpoint
            assertThat(alerts)
                    .extracting(Alert::getAlertId)
                    .allSatisfy(id -> assertThat(expectedAlertIds()).contains(id));
            assertThat(alerts).anySatisfy(a -> assertThat(a.getIncidentState()).isEqualTo(IncidentState.OPEN));
        } finally {
            job.cancel().get();
        }
    }

    /**
     * One flow of the year 3000 in the middle of the flows topic, just before the probing starts: a dead letter
     * {@code future_time} (more than input.time.future.margin.ms ahead of the clock), so it moves no watermark, and
     * every alert after it still fires: the same alerts and windows as the story without it. The flows topic has one
     * partition here, so that partition's watermark is the whole flow input's: had the record moved it, every flow
     * after it would be late and the probing windows would never be scored.
     */
    @Test
    void aYear3000FlowMidStreamIsADeadLetterAndEveryLaterAlertStillFires(@TempDir Path dir) throws Exception {
        Results fromFiles = replayFiles(STORY.writeDataset(dir.resolve("story"), List.of()));

        VigilConfig config = kafkaConfig(Map.of(Topic.FLOWS.partitionsSetting(), "1"));
        KafkaTopics.createAll(config);
        Instant year3000 = Instant.parse("3000-01-01T00:00:00Z");
        Flow forged =
                Scenario.flow(Scenario.PROBER_IP, "10.0.60.1", 22, year3000, year3000.minusMillis(300), 0, 0, "S0");
        long scanStart = Scenario.probingWindowStarts().get(0);
        List<Flow> flows = new ArrayList<>(STORY.flows);
        int before = (int)
                flows.stream().filter(f -> f.getTs().toEpochMilli() < scanStart).count();
        flows.add(before, forged);
        TopicContents.sendInOrder(kafka.bootstrapServers(), config.topic(Topic.FLOWS), 0, RecordType.FLOW, flows);
        produce(config.topic(Topic.GPU), RecordType.GPU, STORY.samples, null);
        produce(config.topic(Topic.ASSIGNMENTS), RecordType.ASSIGNMENT, STORY.assignments, null);

        StreamExecutionEnvironment env = environment(RuntimeExecutionMode.STREAMING);
        DetectJob.prepare(env, config, SCORER, true);
        env.execute("detect on kafka, a year-3000 flow mid-stream");

        List<Alert> alerts = readCommitted(config.topic(Topic.ALERTS), RecordType.ALERT);
        assertThat(alerts).extracting(Alert::getAlertId).containsExactlyInAnyOrderElementsOf(expectedAlertIds());
        assertThat(alerts)
                .usingRecursiveFieldByFieldElementComparator()
                .containsExactlyInAnyOrderElementsOf(fromFiles.alerts());
        assertThat(readCommitted(config.topic(Topic.WINDOWS), RecordType.WINDOW))
                .usingRecursiveFieldByFieldElementComparator()
                .containsExactlyInAnyOrderElementsOf(fromFiles.windows());
        List<DeadLetter> dead = readCommitted(config.topic(Topic.DEADLETTER), RecordType.DEAD_LETTER);
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo("future_time");
            assertThat(d.getSource()).isEqualTo(config.topic(Topic.FLOWS) + "/0@" + before);
            Decoded<Flow> original = Framings.forTopic(RecordType.FLOW, config.topic(Topic.FLOWS), null)
                    .decode(d.getOriginalBytes().array());
            assertThat(original.record()).isEqualTo(forged);
        });
    }

    /**
     * A partition added to the assignments topic while the job runs is read by every reader of flows and samples,
     * from its beginning, without a restart: the story's STARTs and STOPs all go to the new partition, and the job
     * gives the replay's alerts. Event time is held until every reader has read that partition (no split is ever
     * idle, and the old partition stays empty until then), so no flow can be judged before its START is known;
     * clock ticks two hours on then close the story's windows. Unaligned: alignment would pause the partitions read
     * while event time is held.
     */
    @Test
    void aPartitionAddedToTheAssignmentsTopicWhileTheJobRunsIsReadByEveryReader(@TempDir Path dir) throws Exception {
        Results fromFiles = replayFiles(STORY.writeDataset(dir.resolve("story"), List.of()));

        VigilConfig config = kafkaConfig(Map.of(
                Topic.ASSIGNMENTS.partitionsSetting(),
                "1",
                VigilConfig.IDLENESS_MS,
                "0",
                VigilConfig.ALIGNMENT_MAX_DRIFT_MS,
                "0",
                KafkaClients.PREFIX + "partition.discovery.interval.ms",
                "500"));
        KafkaTopics.createAll(config);
        produce(config.topic(Topic.FLOWS), RecordType.FLOW, STORY.flows, null);
        produce(config.topic(Topic.GPU), RecordType.GPU, STORY.samples, null);

        StreamExecutionEnvironment env = environment(RuntimeExecutionMode.STREAMING);
        DetectJob.prepare(env, config, SCORER, false);
        JobClient job = env.executeAsync("detect on kafka, assignments partition added");
        try {
            String assignments = config.topic(Topic.ASSIGNMENTS);
            awaitEveryReaderAt(job.getJobID(), assignments, 0, -1); // the job has listed the topic: one partition
            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createPartitions(Map.of(assignments, NewPartitions.increaseTo(2)))
                        .all()
                        .get();
            }
            TopicContents.sendInOrder(
                    kafka.bootstrapServers(), assignments, 1, RecordType.ASSIGNMENT, STORY.assignments);
            awaitEveryReaderAt(job.getJobID(), assignments, 1, STORY.assignments.size() - 1);

            Instant later = Scenario.at(Scenario.MINUTES, 0).plus(Duration.ofHours(2));
            TopicContents.sendInOrder(
                    kafka.bootstrapServers(), assignments, 0, RecordType.ASSIGNMENT, List.of(tick(later)));
            TopicContents.sendInOrder(
                    kafka.bootstrapServers(), assignments, 1, RecordType.ASSIGNMENT, List.of(tick(later)));
            for (int p = 0; p < 2; p++) {
                TopicContents.sendInOrder(
                        kafka.bootstrapServers(),
                        config.topic(Topic.FLOWS),
                        p,
                        RecordType.FLOW,
                        List.of(Scenario.flow("192.0.2.1", "192.0.2.2", 9, later, later, 0, 0, "S0")));
                TopicContents.sendInOrder(
                        kafka.bootstrapServers(),
                        config.topic(Topic.GPU),
                        p,
                        RecordType.GPU,
                        List.of(GpuSample.newBuilder()
                                .setTs(later)
                                .setNode("clock")
                                .setGpu(0)
                                .setUtil(0)
                                .setProcesses(List.of())
                                .build()));
            }

            List<Alert> alerts = awaitAlerts(config, expectedAlertIds().size());
            assertThat(alerts)
                    .usingRecursiveFieldByFieldElementComparator()
                    .containsExactlyInAnyOrderElementsOf(fromFiles.alerts());
            assertThat(readCommitted(config.topic(Topic.DEADLETTER), RecordType.DEAD_LETTER))
                    .as("none but the clock ticks unattributed")
                    .allSatisfy(d -> assertThat(d.getDetail()).containsAnyOf("192.0.2.1", "clock"));
        } finally {
            job.cancel().get();
        }
    }

    /** A STOP of no job, to move the assignments' event time on. */
    private static Assignment tick(Instant at) {
        return Assignment.newBuilder()
                .setTs(at)
                .setEvent(AssignmentEvent.STOP)
                .setJobId("clock")
                .setNode("clock")
                .setPod("clock")
                .setIp("192.0.2.1")
                .build();
    }

    /**
     * Until every reader of flows and samples has the partition and has handed on its records up to {@code offset}
     * (-1: none yet).
     */
    private static void awaitEveryReaderAt(JobID job, String topic, int partition, long offset)
            throws InterruptedException {
        Pattern reader = Pattern.compile("Source: input[^.]*\\.(\\d+)\\.KafkaSourceReader\\.topic\\."
                + Pattern.quote(topic) + "\\.partition\\." + partition + "\\.currentOffset$");
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        Map<String, Long> at = Map.of();
        while (System.nanoTime() < deadline) {
            Map<String, Long> now = new TreeMap<>();
            METRICS.getMetricsByGroup().forEach((group, metrics) -> {
                if (job.toString().equals(group.getAllVariables().get("<job_id>"))) {
                    metrics.forEach((name, metric) -> {
                        Matcher m = reader.matcher(group.getMetricIdentifier(name));
                        if (metric instanceof Gauge<?> gauge && m.find()) {
                            now.put(m.group(1), ((Number) gauge.getValue()).longValue());
                        }
                    });
                }
            });
            at = now;
            if (now.size() == 2 && now.values().stream().allMatch(o -> o >= offset)) {
                return;
            }
            Thread.sleep(100); // between looks, not a wait for something to happen
        }
        throw new AssertionError("the readers did not read " + topic + "/" + partition + " to " + offset + ": " + at);
    }

    /**
     * Settings for a test's own topics on the shared broker (a fresh prefix each time), two partitions each unless
     * {@code overrides} say otherwise, and checkpoints twice a second.
     */
    private static VigilConfig kafkaConfig(Map<String, Object> overrides) {
        String ns = "t" + System.nanoTime() + ".";
        Map<String, Object> names = new HashMap<>();
        names.put(VigilConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        for (Topic t : Topic.values()) {
            names.put(t.nameSetting(), ns + t.defaultName());
            names.put(t.partitionsSetting(), "2");
        }
        names.put(VigilConfig.CHECKPOINT_INTERVAL_MS, "500");
        names.put(VigilConfig.TRANSACTIONAL_ID_PREFIX, ns + "vigil");
        names.putAll(overrides);
        return VigilConfig.defaults().with(names);
    }

    private static <T extends SpecificRecord> void produce(
            String topic, RecordType<T> type, List<T> records, String garbage) {
        TopicContents.sendOverTwoPartitions(kafka.bootstrapServers(), topic, type, records, garbage);
    }

    private static <T extends SpecificRecord> List<T> readCommitted(String topic, RecordType<T> type) {
        RecordFraming<T> framing = Framings.forTopic(type, topic, null);
        List<T> out = new ArrayList<>();
        for (byte[] value : TopicContents.readCommitted(kafka.bootstrapServers(), topic)) {
            Decoded<T> d = framing.decode(value);
            assertThat(d.isAccepted()).as(d.toString()).isTrue();
            out.add(d.record());
        }
        return out;
    }
}
