package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vigil.broker.EmbeddedKafka;
import io.vigil.broker.TopicContents;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.model.ModelArtifact;
import io.vigil.models.model.ModelSigning;
import io.vigil.models.model.VigilModel;
import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.models.training.LabelledWindow;
import io.vigil.models.training.Trainer;
import io.vigil.pipeline.CollectingSink;
import io.vigil.pipeline.DetectJob;
import io.vigil.pipeline.PublishModelCommand;
import io.vigil.pipeline.files.DatasetFiles;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.pipeline.kafka.SuppressionTopic;
import io.vigil.records.AgentEpisode;
import io.vigil.records.AgentEvent;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.DeadLetter;
import io.vigil.records.Decoded;
import io.vigil.records.IncidentState;
import io.vigil.records.JobWindow;
import io.vigil.records.RecordType;
import io.vigil.records.SuppressionRule;
import io.vigil.records.TransitionCause;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model releases end to end: the detect job as it runs in production (unbounded, on the real topics, the
 * model topic its broadcast input) on Flink's mini-cluster (parallelism 2) and a real Kafka broker. The
 * telemetry is sent in phases; after each phase the test waits until the job has committed every window
 * that phase can close (a window closes once the next minute's records have moved event time past it), so
 * it knows which windows were scored before and after each model release. Suppression rules travel the same
 * broadcast path (the suppression topic): the last test publishes one mid-run.
 */
class ModelReleasesIT {
    static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static final int PARALLELISM = 2;
    static final Duration PATIENCE = Duration.ofSeconds(60);
    static final Telemetry.Job TRAINER = new Telemetry.Job("job-trainer", "10.0.1.1", "node-1");
    static final Telemetry.Job PROBER = new Telemetry.Job("job-prober", "10.0.2.1", "node-2");

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void anEmptyModelTopicHoldsBackNeitherTheScoringNorTheCleanUp() throws Exception {
        // One burst, before the job starts. No partition of the inputs is ever idle (0: never): on a loaded machine
        // a reader starved for longer than the idleness would be marked idle, the others would carry event time
        // past its records, and they would come late. So every input partition has records to the end (the
        // scheduler re-announces the trainer at the end, once on each assignments partition), and the one input
        // without any, the model topic, is idle by its own watermarks (ModelReleases): what this test holds.
        VigilConfig config = freshTopics(Duration.ZERO);
        Telemetry telemetry = new Telemetry();
        telemetry.start(TRAINER, 0);
        telemetry.start(PROBER, 0);
        for (int minute = 0; minute < 9; minute++) {
            telemetry.minute(TRAINER, minute, false);
            if (minute < 4) {
                telemetry.minute(PROBER, minute, minute >= 2);
            }
        }
        telemetry.stop(
                PROBER, 4); // its state ends a window after retention: event time 06:10, passed by minute 8's records
        telemetry.start(TRAINER, Scenario.at(8, 50)); // a START of a running job changes nothing
        telemetry.start(TRAINER, Scenario.at(8, 50));
        send(config, telemetry.drained());

        JobClient job = DetectJob.start(environment(), config, new IndicatorScorer());
        try {
            List<JobWindow> windows = awaitWindows(config, job.getJobID(), 7, 8 + 4);
            await(
                    config,
                    job.getJobID(),
                    () -> sum(job.getJobID(), "jobStatesCleared") >= 1,
                    "the prober's state to be cleared");
            assertThat(windows)
                    .filteredOn(w -> w.getJobId().equals(PROBER.id()))
                    .hasSize(4);
            // the prober's incident: opened by its first scan window, closed at the end of the window of its STOP
            List<Alert> alerts = new ArrayList<>();
            await(
                    config,
                    job.getJobID(),
                    () -> {
                        alerts.clear();
                        alerts.addAll(readCommitted(config.topic(Topic.ALERTS), RecordType.ALERT));
                        return alerts.stream().anyMatch(a -> a.getIncidentState() == IncidentState.CLOSE);
                    },
                    "the prober's incident to close");
            assertThat(alerts)
                    .extracting(Alert::getIncidentState, Alert::getWindowStart)
                    .containsExactly(
                            tuple(IncidentState.OPEN, Scenario.at(2, 0)),
                            tuple(IncidentState.CLOSE, Scenario.at(3, 0)));
            assertThat(alerts.get(1).getTransitionCauses()).containsExactly(TransitionCause.JOB_STOPPED);
            assertThat(alerts.get(1).getClosedAt()).isEqualTo(Scenario.at(5, 0));
            assertThat(sum(job.getJobID(), "modelsAccepted") + sum(job.getJobID(), "modelsRefused"))
                    .isZero();
        } finally {
            job.cancel().get();
        }
    }

    /**
     * Agent events are context, never a reason to wait: the agent-events topic has two partitions, one empty for the
     * whole test and one with the prober's two tool calls, and no input partition ever counts as idle (0). The
     * empty partition is idle by the context source's own watermarks (ContextWatermarks), so the prober's incident
     * opens and closes as it would without agent events, and its OPEN names the scan's episode first. The telemetry
     * that closes the scan's windows is sent once the job has read the calls (a call read after its alert was told
     * is not named on it, by design).
     */
    @Test
    void anEmptyAgentEventsPartitionHoldsBackNoAlertAndTheCallsAreNamed() throws Exception {
        VigilConfig config = freshTopics(Duration.ZERO);
        Telemetry telemetry = new Telemetry();
        telemetry.start(TRAINER, 0);
        telemetry.start(PROBER, 0);
        for (int minute = 0; minute < 2; minute++) {
            telemetry.minute(TRAINER, minute, false);
            telemetry.minute(PROBER, minute, false);
        }
        send(config, telemetry.drained());
        AgentEvent tests = agentCall("ep-tests", Scenario.at(1, 30), Scenario.at(1, 50), "pytest -q tests/");
        AgentEvent scan =
                agentCall("ep-scan", Scenario.at(2, 3), Scenario.at(3, 50), "nmap -sS -p 22,80,443 10.0.50.0/24");
        TopicContents.sendInOrder(
                kafka.bootstrapServers(),
                config.topic(Topic.AGENT_EVENTS),
                0,
                RecordType.AGENT_EVENT,
                List.of(tests, scan));
        for (int minute = 2; minute < 9; minute++) {
            telemetry.minute(TRAINER, minute, false);
            if (minute < 4) {
                telemetry.minute(PROBER, minute, true);
            }
        }
        telemetry.stop(PROBER, 4);
        telemetry.start(TRAINER, Scenario.at(8, 50));
        telemetry.start(TRAINER, Scenario.at(8, 50));
        Telemetry rest = telemetry.drained();

        JobClient job = DetectJob.start(environment(), config, new IndicatorScorer());
        try {
            await(config, job.getJobID(), () -> sum(job.getJobID(), "agent_event") == 2, "the two calls to be read");
            send(config, rest);
            List<Alert> alerts = new ArrayList<>();
            await(
                    config,
                    job.getJobID(),
                    () -> {
                        alerts.clear();
                        alerts.addAll(readCommitted(config.topic(Topic.ALERTS), RecordType.ALERT));
                        return alerts.stream().anyMatch(a -> a.getIncidentState() == IncidentState.CLOSE);
                    },
                    "the prober's incident to open and close");
            assertThat(alerts)
                    .extracting(Alert::getIncidentState, Alert::getWindowStart)
                    .containsExactly(
                            tuple(IncidentState.OPEN, Scenario.at(2, 0)),
                            tuple(IncidentState.CLOSE, Scenario.at(3, 0)));
            assertThat(alerts.get(0).getAgentContext())
                    .extracting(AgentEpisode::getEpisodeId)
                    .first()
                    .isEqualTo("ep-scan");
            assertThat(alerts.get(0).getAgentContext().get(0).getReason()).contains("a port scanner");
            assertThat(sum(job.getJobID(), "callsAfterTheirAlerts")).isZero();
        } finally {
            job.cancel().get();
        }
    }

    /**
     * Watermark alignment reading a backlog: a flow or sample partition more than the drift (one window here) ahead
     * of the slowest active partition is paused. The scheduler's partitions are behind from the start (one START at
     * minute 0, the other partition empty) and then silent for good; they must stop holding the flows back once they
     * count as idle, or the paused flows would wait for them for ever and no window after the first couple would
     * close. Polls of 20 records make the pausing take effect within the backlog (a poll otherwise returns the
     * whole test's data at once, before any pause).
     */
    @Test
    void aBacklogReadWithAlignmentIsNotHeldBackBySilentAssignmentPartitionsThatAreBehind() throws Exception {
        VigilConfig config = freshTopics(
                Duration.ofSeconds(3),
                Map.of(VigilConfig.ALIGNMENT_MAX_DRIFT_MS, "60000", VigilConfig.INPUT_MAX_POLL_RECORDS, "20"));
        int minutes = 15;
        Telemetry telemetry = new Telemetry();
        telemetry.start(TRAINER, 0);
        for (int minute = 0; minute < minutes; minute++) {
            telemetry.minute(TRAINER, minute, false);
        }
        send(config, telemetry.drained());

        JobClient job = DetectJob.start(environment(), config, new IndicatorScorer());
        try {
            // every window whose end the last records' watermark has passed: minutes 0 to 13
            List<JobWindow> windows = awaitWindows(config, job.getJobID(), minutes - 2, minutes - 1);
            assertThat(windows)
                    .filteredOn(w -> !w.getWindowStart().isAfter(Scenario.at(minutes - 2, 0)))
                    .extracting(w -> w.getJobId())
                    .containsOnly(TRAINER.id());
            assertThat(gauges(job.getJobID(), "watermarkAlignmentDrift$")).isNotEmpty();
        } finally {
            job.cancel().get();
        }
    }

    static AgentEvent agentCall(String episode, Instant start, Instant end, String command) {
        return AgentEvent.newBuilder()
                .setTs(end)
                .setStartTs(start)
                .setJobId(PROBER.id())
                .setEpisodeId(episode)
                .setStep(1L)
                .setRolloutWorker("rollout-0")
                .setNode(PROBER.node())
                .setTool("bash")
                .setCommand(command)
                .setExitCode(0)
                .setSandbox(null)
                .build();
    }

    @Test
    void aPublishedModelScoresFromTheNextWindowsOnWithoutARestartAndABadOneChangesNothing(@TempDir Path dir)
            throws Exception {
        List<LabelledWindow> training = labelledWindows(dir.resolve("training"));
        VigilModel modelA = Trainer.train(FeatureSet.CURRENT, training, new Trainer.Options(11, 1.0), line -> {});
        VigilModel modelB = Trainer.train(FeatureSet.CURRENT, training, new Trainer.Options(12, 1.0), line -> {});
        String versionA = modelA.modelVersion();
        String versionB = modelB.modelVersion();
        assertThat(versionA).isNotEqualTo(versionB);
        Path fileA = dir.resolve("a.model");
        Path fileB = dir.resolve("b.model");
        Path damaged = dir.resolve("damaged.model");
        // releases are signed; the job trusts the public key (a fresh pair, never kept)
        Path privateKey = dir.resolve("release.key");
        Path publicKey = dir.resolve("release.pub");
        ModelSigning.generate(privateKey, publicKey);
        PrivateKey key = ModelSigning.readPrivateKey(privateKey);
        PublicKey pub = ModelSigning.readPublicKey(publicKey);
        Files.write(fileA, ModelArtifact.sign(ModelArtifact.toBytes(modelA), key, pub));
        Files.write(fileB, ModelArtifact.sign(ModelArtifact.toBytes(modelB), key, pub));
        byte[] bytes = Files.readAllBytes(fileA);
        bytes[100] ^= 0x01; // one bit of the body
        Files.write(damaged, bytes);

        // Phases with pauses between them (the test waits for the job): no partition may go idle in a pause, or
        // the first to resume would carry event time past the others' records, which would come late. However
        // long a pause lasts on a loaded machine: so no idleness at all (0: a partition never counts as idle),
        // and every partition gets records in every phase (the scheduler re-announces the running jobs at the
        // end of each phase, one on each assignments partition): event time moves with the slowest partition.
        VigilConfig config =
                freshTopics(Duration.ZERO).with(Map.of(VigilConfig.MODEL_TRUSTED_KEYS, publicKey.toString()));
        String[] topicFlags = {
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--topic-models",
            config.topic(Topic.MODELS),
            "--model-trusted-keys",
            publicKey.toString()
        };
        Telemetry telemetry = new Telemetry();
        telemetry.start(TRAINER, 0);
        telemetry.start(PROBER, 0);

        // 1. minutes 0-5 under model A, the prober scanning in minutes 2 and 3: windows through minute 4 close
        phase(telemetry, 0, 6, 2);
        send(config, telemetry.drained());
        // as `vigil detect --model a.model` does
        JobClient job = DetectJob.start(environment(), config, Scorers.load(fileA, Scorers.trust(config)));
        JobID id = job.getJobID();
        try {
            List<JobWindow> beforeTheBadRelease = awaitWindows(config, id, 4, 2 * 5);

            // 2. a damaged copy of A: publish-model refuses it; forced onto the topic, every job instance refuses it
            assertThat(PublishModelCommand.commandLine().execute(concat(topicFlags, damaged.toString())))
                    .isEqualTo(1);
            assertThat(PublishModelCommand.commandLine().execute(concat(topicFlags, "--no-verify", damaged.toString())))
                    .isZero();
            await(
                    config,
                    id,
                    () -> sum(id, "modelsRefused_checksum_mismatch") == PARALLELISM,
                    "every instance to refuse the damaged release");
            phase(telemetry, 6, 12, 8);
            send(config, telemetry.drained());
            List<JobWindow> throughPhase2 = awaitWindows(config, id, 10, 2 * 11);

            // 3. model B: every instance takes it, and the windows closed from now on are B's
            assertThat(PublishModelCommand.commandLine().execute(concat(topicFlags, fileB.toString())))
                    .isZero();
            await(config, id, () -> sum(id, "modelsAccepted") == PARALLELISM, "every instance to accept model B");
            phase(telemetry, 12, 18, 14);
            send(config, telemetry.drained());
            List<JobWindow> all = awaitWindows(config, id, 16, 2 * 17);

            assertThat(beforeTheBadRelease)
                    .extracting(JobWindow::getModelVersion)
                    .containsOnly(versionA);
            assertThat(throughPhase2)
                    .as("windows scored after the refused release")
                    .hasSize(2 * 11)
                    .extracting(JobWindow::getModelVersion)
                    .containsOnly(versionA);
            List<JobWindow> afterB =
                    all.stream().filter(w -> !throughPhase2.contains(w)).toList();
            assertThat(afterB)
                    .as("windows of minutes 11-16")
                    .hasSize(2 * 6)
                    .extracting(JobWindow::getModelVersion)
                    .containsOnly(versionB);

            // the alerts carry the version of the model that scored their window (how good these small models
            // are is not this test's business: they may flag a trainer's window too)
            List<Alert> alerts = readCommitted(config.topic(Topic.ALERTS), RecordType.ALERT);
            for (Alert alert : alerts) {
                boolean scoredByA = !alert.getWindowStart().isAfter(Scenario.at(10, 0));
                assertThat(alert.getModelVersion())
                        .as(alert.getWindowStart().toString())
                        .isEqualTo(scoredByA ? versionA : versionB);
            }
            assertThat(all)
                    .filteredOn(w -> w.getJobId().equals(PROBER.id()) && w.getFlagged())
                    .extracting(JobWindow::getWindowStart)
                    .as("each phase's scan flagged")
                    .contains(Scenario.at(2, 0), Scenario.at(8, 0), Scenario.at(14, 0));
            // the scans, four quiet windows apart, are one incident, opened under model A
            assertThat(alerts)
                    .filteredOn(a -> a.getJobId().equals(PROBER.id()))
                    .first()
                    .satisfies(a -> {
                        assertThat(a.getIncidentState()).isEqualTo(IncidentState.OPEN);
                        assertThat(a.getWindowStart()).isEqualTo(Scenario.at(2, 0));
                    });
            assertThat(alerts)
                    .filteredOn(a -> a.getJobId().equals(PROBER.id()))
                    .extracting(Alert::getIncidentId)
                    .containsOnly(
                            Alerts.incidentId(PROBER.id(), Scenario.at(2, 0).toEpochMilli()));
            assertThat(sum(id, "modelsRefused")).isEqualTo(PARALLELISM);
        } finally {
            job.cancel().get();
        }
    }

    /**
     * Both jobs for minutes [from, to), the prober scanning in minutes scanFrom and scanFrom + 1; at its end the
     * scheduler re-announces both (a START of a running job changes nothing), one on each assignments partition.
     */
    static void phase(Telemetry telemetry, int from, int to, int scanFrom) {
        for (int minute = from; minute < to; minute++) {
            telemetry.minute(TRAINER, minute, false);
            telemetry.minute(PROBER, minute, minute == scanFrom || minute == scanFrom + 1);
        }
        telemetry.start(TRAINER, Scenario.at(to - 1, 50));
        telemetry.start(PROBER, Scenario.at(to - 1, 50));
    }

    /**
     * Training data as `vigil windows` makes it: telemetry of two recordings of three jobs for half an hour,
     * one job scanning for five minutes in each, replayed through the pipeline, its windows labelled.
     */
    static List<LabelledWindow> labelledWindows(Path dir) throws Exception {
        List<LabelledWindow> labelled = new ArrayList<>();
        for (String dataset : List.of("first", "second")) {
            Telemetry telemetry = new Telemetry();
            List<Telemetry.Job> jobs = List.of(
                    new Telemetry.Job(dataset + "-0", "10.0.1.1", "node-1"),
                    new Telemetry.Job(dataset + "-1", "10.0.2.1", "node-2"),
                    new Telemetry.Job(dataset + "-2", "10.0.3.1", "node-3"));
            for (Telemetry.Job job : jobs) {
                telemetry.start(job, 0);
                for (int minute = 0; minute < 30; minute++) {
                    telemetry.minute(job, minute, job == jobs.get(2) && minute >= 12 && minute < 17);
                }
            }
            StreamExecutionEnvironment env = DetectPipelineIT.environment(RuntimeExecutionMode.BATCH);
            CollectingSink<JobWindow> windows = new CollectingSink<>("windows");
            DetectPipeline.build(
                    env,
                    DetectSettings.defaults(),
                    new IndicatorScorer(),
                    DatasetFiles.inputs(List.of(telemetry.writeDataset(dir.resolve(dataset)))),
                    new DetectPipeline.Outputs(
                            new CollectingSink<>("alerts"), windows, new CollectingSink<DeadLetter>("dead")));
            env.execute("training windows " + dataset);
            for (JobWindow w : windows.received()) {
                long start = w.getWindowStart().toEpochMilli();
                boolean scan = w.getJobId().equals(jobs.get(2).id())
                        && start >= Scenario.at(12, 0).toEpochMilli()
                        && start < Scenario.at(17, 0).toEpochMilli();
                labelled.add(new LabelledWindow(
                        dataset,
                        w.getJobId(),
                        start,
                        w.getWindowEnd().toEpochMilli(),
                        FeatureSet.CURRENT.fromMap(w.getFeatures()),
                        scan ? Category.NETWORK_SCAN : null,
                        scan ? dataset + "-scan" : null));
            }
        }
        labelled.sort(Comparator.comparing(LabelledWindow::jobId).thenComparingLong(LabelledWindow::windowStart));
        return labelled;
    }

    static StreamExecutionEnvironment environment() {
        return DetectPipelineIT.environment(RuntimeExecutionMode.STREAMING);
    }

    @Test
    void aSuppressionPublishedMidRunSilencesFromTheNextWindowAndItsExpiryBringsTheAlertsBack() throws Exception {
        // phases as in the model test above: no idleness, every partition fed in every phase
        VigilConfig config = freshTopics(Duration.ZERO);
        Telemetry telemetry = new Telemetry();
        telemetry.start(TRAINER, 0);
        telemetry.start(PROBER, 0);

        // 1. the prober scans in minutes 2 and 3: an incident opens
        phase(telemetry, 0, 6, 2);
        send(config, telemetry.drained());
        JobClient job = DetectJob.start(environment(), config, new IndicatorScorer());
        JobID id = job.getJobID();
        try {
            awaitWindows(config, id, 4, 2 * 5);

            // 2. an analyst silences the prober until 12:00 in event time (windows ending by then); every
            //    instance takes the rule before the next phase is sent, so its windows are the rule's
            SuppressionTopic.publish(
                    config,
                    SuppressionRule.newBuilder()
                            .setId("prober-ok")
                            .setJob("job-prob*")
                            .setReason("the security team's scanner")
                            .setAuthor("analyst")
                            .setCreated(Scenario.at(5, 0))
                            .setExpires(Scenario.at(12, 0))
                            .build());
            await(
                    config,
                    id,
                    () -> sum(id, "suppressionRuleUpdates") == PARALLELISM,
                    "every instance to take the rule");
            phase(telemetry, 6, 12, 8);
            send(config, telemetry.drained());
            awaitWindows(config, id, 10, 2 * 11);

            // 3. past its expiry the prober's scan alerts again, without a restart
            phase(telemetry, 12, 18, 14);
            send(config, telemetry.drained());
            List<JobWindow> all = awaitWindows(config, id, 16, 2 * 17);

            List<JobWindow> proberFlagged = all.stream()
                    .filter(w -> w.getJobId().equals(PROBER.id()) && w.getFlagged())
                    .toList();
            assertThat(proberFlagged)
                    .filteredOn(w -> w.getWindowStart().equals(Scenario.at(8, 0))
                            || w.getWindowStart().equals(Scenario.at(9, 0)))
                    .as("the scan under the rule: flagged, silenced")
                    .hasSize(2)
                    .allSatisfy(w -> assertThat(w.getSuppressedBy()).containsExactly("prober-ok"));
            assertThat(proberFlagged)
                    .filteredOn(w -> !w.getWindowEnd().isAfter(Scenario.at(12, 0))
                            && w.getWindowStart().isAfter(Scenario.at(5, 0)))
                    .allSatisfy(w -> assertThat(w.getSuppressedBy()).containsExactly("prober-ok"));
            assertThat(proberFlagged)
                    .filteredOn(w -> w.getWindowStart().equals(Scenario.at(14, 0))
                            || w.getWindowStart().isBefore(Scenario.at(4, 0)))
                    .as("the scans before the rule and after its expiry")
                    .hasSize(3)
                    .allSatisfy(w -> assertThat(w.getSuppressedBy()).isEmpty());
            assertThat(all)
                    .filteredOn(w -> w.getJobId().equals(TRAINER.id()))
                    .allSatisfy(w -> assertThat(w.getSuppressedBy()).isEmpty());

            // the first incident closed in the silence (the silenced windows are quiet); the scan after the
            // expiry opened a new one; no transition tells a silenced window
            List<Alert> alerts = new ArrayList<>();
            await(
                    config,
                    id,
                    () -> {
                        alerts.clear();
                        alerts.addAll(readCommitted(config.topic(Topic.ALERTS), RecordType.ALERT));
                        return alerts.stream()
                                .anyMatch(a -> a.getJobId().equals(PROBER.id())
                                        && a.getWindowStart().equals(Scenario.at(14, 0)));
                    },
                    "the alert of the scan after the expiry");
            List<Alert> prober = alerts.stream()
                    .filter(a -> a.getJobId().equals(PROBER.id()))
                    .toList();
            assertThat(prober).extracting(Alert::getWindowStart).doesNotContain(Scenario.at(8, 0), Scenario.at(9, 0));
            assertThat(prober)
                    .filteredOn(a -> a.getWindowStart().equals(Scenario.at(14, 0)))
                    .singleElement()
                    .satisfies(a -> assertThat(a.getIncidentState()).isEqualTo(IncidentState.OPEN));
            assertThat(prober).extracting(Alert::getIncidentState).contains(IncidentState.CLOSE);
        } finally {
            job.cancel().get();
        }
    }

    /** Topics of their own for one test: 2 partitions per input and output, the model topic as Vigil creates it. */
    static VigilConfig freshTopics(Duration idleness) {
        return freshTopics(idleness, Map.of());
    }

    static VigilConfig freshTopics(Duration idleness, Map<String, Object> more) {
        String ns = "m" + System.nanoTime() + ".";
        Map<String, Object> settings = new HashMap<>();
        settings.put(VigilConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        for (Topic t : Topic.values()) {
            settings.put(t.nameSetting(), ns + t.defaultName());
            if (t != Topic.MODELS) {
                settings.put(t.partitionsSetting(), "2");
            }
        }
        settings.put(VigilConfig.CHECKPOINT_INTERVAL_MS, "500");
        settings.put(VigilConfig.IDLENESS_MS, String.valueOf(idleness.toMillis()));
        settings.put(VigilConfig.TRANSACTIONAL_ID_PREFIX, ns + "vigil");
        settings.put(VigilConfig.GROUP_ID, ns + "detect");
        settings.putAll(more);
        VigilConfig config = VigilConfig.defaults().with(settings);
        KafkaTopics.createAll(config);
        return config;
    }

    static void send(VigilConfig config, Telemetry phase) {
        send(config.topic(Topic.FLOWS), RecordType.FLOW, phase.flows);
        send(config.topic(Topic.GPU), RecordType.GPU, phase.samples);
        send(config.topic(Topic.ASSIGNMENTS), RecordType.ASSIGNMENT, phase.assignments);
    }

    private static <T extends SpecificRecord> void send(String topic, RecordType<T> type, List<T> records) {
        TopicContents.sendOverTwoPartitions(kafka.bootstrapServers(), topic, type, records, null);
    }

    /** Waits until {@code count} windows up to minute {@code last} are committed; returns every committed window. */
    static List<JobWindow> awaitWindows(VigilConfig config, JobID job, int last, int count)
            throws InterruptedException {
        List<JobWindow> windows = new ArrayList<>();
        Predicate<JobWindow> upToLast = w -> !w.getWindowStart().isAfter(Scenario.at(last, 0));
        await(
                config,
                job,
                () -> {
                    windows.clear();
                    windows.addAll(readCommitted(config.topic(Topic.WINDOWS), RecordType.WINDOW));
                    return windows.stream().filter(upToLast).count() >= count;
                },
                count + " windows through minute " + last);
        return windows;
    }

    /** Waits for a condition; if it does not come, says what the job did meanwhile. */
    static void await(VigilConfig config, JobID job, BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "waited " + PATIENCE.toSeconds() + " s for " + what + "; " + whatTheJobDid(config, job));
            }
            Thread.sleep(200);
        }
    }

    /** The windows committed, the dead letters by reason and minute, and the watermarks of the sources and the scoring. */
    static String whatTheJobDid(VigilConfig config, JobID job) {
        List<String> windows = readCommitted(config.topic(Topic.WINDOWS), RecordType.WINDOW).stream()
                .map(w -> w.getJobId() + "@" + minuteOf(w.getWindowStart()))
                .sorted()
                .toList();
        Map<String, Long> deadLetters = readCommitted(config.topic(Topic.DEADLETTER), RecordType.DEAD_LETTER).stream()
                .collect(Collectors.groupingBy(
                        d -> d.getRecordType() + "/" + d.getReason() + "@" + minuteOf(d.getEventTs()),
                        TreeMap::new,
                        Collectors.counting()));
        return "windows committed " + windows + ", dead letters " + deadLetters + ", watermarks "
                + gauges(job, "(Source: [^.]*|Score windows)\\.\\d\\.current(Input\\d?|Output)Watermark$");
    }

    static String minuteOf(Instant t) {
        return t.toString().substring(11, 16);
    }

    /** A counter of the scoring operator, summed over its parallel instances. */
    static long sum(JobID job, String counter) {
        return METRICS.findMetrics(job, "\\." + counter + "$").values().stream()
                .mapToLong(m -> ((Counter) m).getCount())
                .sum();
    }

    /** The job's gauges whose identifier matches, by identifier from the operator's name on. */
    static Map<String, Object> gauges(JobID job, String pattern) {
        Pattern wanted = Pattern.compile(pattern);
        Map<String, Object> values = new TreeMap<>();
        METRICS.getMetricsByGroup().forEach((group, metrics) -> {
            if (job.toString().equals(group.getAllVariables().get("<job_id>"))) {
                metrics.forEach((name, metric) -> {
                    String id = group.getMetricIdentifier(name);
                    Matcher m = wanted.matcher(id);
                    if (metric instanceof Gauge<?> gauge && m.find()) {
                        values.putIfAbsent(m.group(), gauge.getValue());
                    }
                });
            }
        });
        return values;
    }

    static String[] concat(String[] flags, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(flags));
        return all.toArray(String[]::new);
    }

    static <T extends SpecificRecord> List<T> readCommitted(String topic, RecordType<T> type) {
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
