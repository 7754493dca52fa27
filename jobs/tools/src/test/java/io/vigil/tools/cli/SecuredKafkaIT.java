package io.vigil.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.broker.EmbeddedKafka;
import io.vigil.broker.TopicContents;
import io.vigil.collector.KafkaSamplePublisher;
import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.pipeline.DetectJob;
import io.vigil.pipeline.detect.Alerts;
import io.vigil.pipeline.detect.Scenario;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.records.Alert;
import io.vigil.records.Decoded;
import io.vigil.records.GpuSample;
import io.vigil.records.IncidentState;
import io.vigil.records.JobWindow;
import io.vigil.records.RecordType;
import io.vigil.records.wire.FakeSchemaRegistry;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.Topic;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.LocalRun;
import io.vigil.tools.windows.FeedbackTopic;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Vigil on a secured Kafka cluster, as production runs one: the embedded broker takes clients over SASL_SSL only
 * (SCRAM-SHA-512, its own self-signed certificate), and the schema registry wants basic authentication. Every verb
 * that talks to Kafka gets there with a Kafka client properties file and flags; the detect job writes each alert
 * once; a wrong password is refused at once, naming the problem; and none of the secrets planted in the run (the
 * Kafka password, the truststore's, a wrong one, the registry's) appears in anything it printed, logged or
 * measured. The tests share the broker, the registry and the mini-cluster, and run in order: the last one reads
 * every output of the others.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredKafkaIT {
    static final String KAFKA_PASSWORD = "Pl4nted-kafka-s3cret";
    static final String WRONG_PASSWORD = "Pl4nted-wrong-s3cret";
    static final String REGISTRY_PASSWORD = "Pl4nted-registry-s3cret";
    static final String KEY_PASSWORD = "Pl4nted-key-s3cret";
    static final Duration PATIENCE = Duration.ofMinutes(2);

    static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    /** Everything logged in this JVM while the class runs, at INFO and above. */
    static final StringWriter LOGS = new StringWriter();
    /** Everything the verbs printed, stdout and stderr. */
    static final StringBuilder PRINTED = new StringBuilder();

    static Appender capture;
    static EmbeddedKafka kafka;
    static FakeSchemaRegistry registry;
    static Path dir;
    static Path kafkaConfig;
    static String ns;

    @BeforeAll
    static void start() throws Exception {
        captureLogs();
        kafka = EmbeddedKafka.startSaslSsl("vigil-soc", KAFKA_PASSWORD);
        registry = FakeSchemaRegistry.withBasicAuth("vigil", REGISTRY_PASSWORD);
        dir = Files.createTempDirectory("vigil-secured-");
        // what a SOC hands Vigil: the file Kafka's own tools take as --command-config
        Properties client = new Properties();
        client.putAll(kafka.clientProperties());
        client.remove("sasl.mechanism"); // given as a flag below
        kafkaConfig = dir.resolve("client.properties");
        try (var out = Files.newOutputStream(kafkaConfig)) {
            client.store(out, "Vigil's Kafka client");
        }
        ns = "s" + System.nanoTime() + ".";
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
        if (registry != null) {
            registry.close();
        }
        releaseLogs();
        LocalRun.deleteQuietly(dir);
        // what was captured, to read when a test fails
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "SecuredKafkaIT-logs.txt"), PRINTED + "\n" + logs());
    }

    @Test
    @Order(1)
    void detectOverSaslSslWritesEachAlertOnceAndReadsModelReleases(@InjectClusterClient ClusterClient<?> cluster)
            throws Exception {
        Run topics = vigil(concat(List.of("topics"), kafkaFlags(), topicFlags(true)));
        assertThat(topics.exitCode()).as(topics.err()).isZero();
        assertThat(topics.out()).contains(ns + "vigil.flows").contains("created");

        List<String> detectFlags = concat(
                kafkaFlags(),
                topicFlags(false),
                List.of(
                        "--schema-registry-url",
                        registryUrl(REGISTRY_PASSWORD),
                        "--group-id",
                        ns + "detect",
                        // transactions over SASL_SSL: each alert once, read_committed
                        "--output-delivery",
                        "exactly-once",
                        "--alerts-transactional-id-prefix",
                        ns + "vigil",
                        "--checkpoint-interval-ms",
                        "500",
                        "--parallelism",
                        "2"));
        VigilConfig config = settingsOf("detect", detectFlags);
        // the broker answers these credentials (a refusal would throw)
        KafkaTopics.awaitBrokerAndTopics(config, List.of(), KafkaTopics.RETRY, line -> {});

        Scenario story = new Scenario();
        send(config, Topic.FLOWS, RecordType.FLOW, story.flows());
        send(config, Topic.GPU, RecordType.GPU, story.samples());
        send(config, Topic.ASSIGNMENTS, RecordType.ASSIGNMENT, story.assignments());

        // the job `vigil detect` runs with these flags, scored by the indicator rules (whose alerts are known)
        IndicatorScorer scorer = new IndicatorScorer();
        JobClient job = DetectJob.start(environment(), config, scorer);
        try {
            // windows close as event time passes them: minutes 0-4 of both jobs (minute 5 waits for minute 6)
            List<JobWindow> windows = new ArrayList<>();
            await(
                    () -> {
                        windows.clear();
                        windows.addAll(readCommitted(config, Topic.WINDOWS, RecordType.WINDOW));
                        return windows.size() >= 2 * 5;
                    },
                    "10 windows committed");

            // a release on the model topic reaches every instance of the job over SASL_SSL (refused: not a model)
            Path garbage = dir.resolve("garbage.model");
            Files.writeString(garbage, "not a model");
            Run publish = vigil(concat(
                    List.of("publish-model", "--no-verify", garbage.toString()),
                    kafkaFlags(),
                    List.of("--topic-models", config.topic(Topic.MODELS))));
            assertThat(publish.exitCode()).as(publish.err()).isZero();
            assertThat(publish.out()).contains("published unverified:garbage.model");
            await(() -> counter(job.getJobID(), "modelsRefused") == 2, "both instances to refuse the release");

            // the prober's incident opened at its first probing window, once; it closes a window after the STOP
            // at minute 6, which the data does not pass (committed with or before the windows through minute 4)
            List<Alert> alerts = readCommitted(config, Topic.ALERTS, RecordType.ALERT);
            long first = Scenario.probingWindowStarts().get(0);
            assertThat(alerts)
                    .extracting(Alert::getAlertId)
                    .as("each alert once (read_committed)")
                    .containsExactly(Alerts.transitionId(
                            Scenario.PROBER, first, IncidentState.OPEN, first + Scenario.WINDOW.toMillis()));
            assertThat(readCommitted(config, Topic.WINDOWS, RecordType.WINDOW))
                    .extracting(w -> w.getJobId() + "@" + w.getWindowStart())
                    .as("each window once")
                    .doesNotHaveDuplicates()
                    .hasSize(2 * 5);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            assertThat(registry.authorizationHeaders()).isNotEmpty().doesNotContainNull();
        } finally {
            job.cancel().get();
        }
        assertThat(cluster.listJobs().get()).hasSize(1);
    }

    @Test
    @Order(2)
    void collectGpuPublishesOverSaslSsl() throws Exception {
        String topic = ns + "collected.gpu";
        try (Admin admin = Admin.create(kafka.client())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        VigilConfig config = settingsOf(
                "collect-gpu",
                concat(
                        kafkaFlags(),
                        List.of("--topic-gpu", topic, "--schema-registry-url", registryUrl(REGISTRY_PASSWORD))));
        GpuSample sample = new Scenario().samples().get(0);
        try (KafkaSamplePublisher publisher = new KafkaSamplePublisher(config, Duration.ofMinutes(1))) {
            publisher.publish(sample);
        }
        assertThat(readCommitted(config, Topic.GPU, RecordType.GPU)).containsExactly(sample);
    }

    @Test
    @Order(3)
    void aVerdictOnTheJobsIncidentIsPublishedOverSaslSsl() {
        List<String> flags = concat(
                kafkaFlags(),
                List.of(
                        "--schema-registry-url",
                        registryUrl(REGISTRY_PASSWORD),
                        "--topic-alerts",
                        ns + Topic.ALERTS.defaultName(),
                        "--topic-feedback",
                        ns + Topic.FEEDBACK.defaultName()));
        long first = Scenario.probingWindowStarts().get(0);
        String opened =
                Alerts.transitionId(Scenario.PROBER, first, IncidentState.OPEN, first + Scenario.WINDOW.toMillis());

        // looked up on the alert topic the detect job wrote (registry framing), by the transition's id
        Run verdict = vigil(concat(List.of("verdict", opened, "true_positive", "--author", "soc"), flags));

        assertThat(verdict.exitCode()).as(verdict.err()).isZero();
        String incident = Alerts.incidentId(Scenario.PROBER, first);
        assertThat(verdict.out()).contains("# published true_positive NETWORK_SCAN by soc on incident " + incident);
        FeedbackTopic.Read read =
                FeedbackTopic.read(settingsOf("verdict", concat(List.of("any", "true_positive"), flags)));
        assertThat(read.verdicts())
                .extracting(f -> f.alertId() + " " + f.jobId() + " " + f.judgement() + " " + f.category())
                .containsExactly(incident + " " + Scenario.PROBER + " TRUE_POSITIVE NETWORK_SCAN");
    }

    @Test
    @Order(4)
    void aWrongPasswordStopsEveryVerbAtOnceNamingTheProblem(
            @InjectClusterClient ClusterClient<?> cluster, @TempDir Path tmp) throws Exception {
        int jobsBefore = cluster.listJobs().get().size();
        List<String> wrong = concat(
                kafkaFlags(),
                List.of(
                        "--kafka-property",
                        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
                                + " username=\"vigil-soc\" password=\"" + WRONG_PASSWORD + "\";"));

        Run detect = vigil(concat(List.of("detect"), wrong, topicFlags(false)));
        assertThat(detect.exitCode()).isEqualTo(1);
        assertThat(detect.err()).contains("vigil detect: not started:").contains("authentication failed");
        assertThat(cluster.listJobs().get()).as("no job submitted").hasSize(jobsBefore);

        Run topics = vigil(concat(List.of("topics"), wrong, topicFlags(true)));
        assertThat(topics.exitCode()).isEqualTo(1);
        assertThat(topics.err()).contains("authentication failed");

        Path model = tmp.resolve("any.model");
        Files.writeString(model, "not a model");
        Run publish = vigil(concat(List.of("publish-model", "--no-verify", model.toString()), wrong));
        assertThat(publish.exitCode()).isEqualTo(1);
        assertThat(publish.err()).contains("authentication failed");

        Run collect = vigil(concat(
                List.of("collect-gpu", "--nvidia-smi", fakeNvidiaSmi(tmp).toString(), "--node", "node-1"), wrong));
        assertThat(collect.exitCode()).isEqualTo(1);
        assertThat(collect.err()).contains("refused: authentication failed");

        Run verdict = vigil(concat(List.of("verdict", "any", "false_positive"), wrong));
        assertThat(verdict.exitCode()).isEqualTo(1);
        assertThat(verdict.err()).contains("vigil verdict: cannot read").contains("authentication failed");
    }

    @Test
    @Order(5)
    void noPlantedSecretAppearsInAnythingTheRunPrintedLoggedOrMeasured() throws Exception {
        List<String> planted = concat(
                kafkaFlags(),
                List.of(
                        "--schema-registry-url",
                        registryUrl(REGISTRY_PASSWORD),
                        "--kafka-property",
                        "ssl.key.password=" + KEY_PASSWORD));
        for (String verb : List.of("detect", "publish-model", "topics", "collect-gpu", "verdict", "settings")) {
            Run help = vigil(concat(List.of(verb), planted, List.of("--help")));
            assertThat(help.exitCode()).isZero();
            assertThat(help.out()).contains("--kafka-config", "--kafka-property");
        }
        assertThat(vigil("--help").exitCode()).isZero();

        Run settings = vigil(concat(List.of("settings"), planted));
        assertThat(settings.exitCode()).as(settings.err()).isZero();
        assertThat(settings.out())
                .contains("kafka.security.protocol = SASL_SSL")
                .contains("kafka.sasl.jaas.config = [hidden]")
                .contains("kafka.ssl.truststore.password = [hidden]")
                .contains("kafka.ssl.key.password = [hidden]")
                .contains("schema.registry.url = http://[hidden]@127.0.0.1:" + registry.port());

        // usage errors repeat what was typed: a mistyped flag and what follows it, a refused property
        Run typo =
                vigil(concat(List.of("detect", "--kafka-propertyy", "ssl.key.password=" + KEY_PASSWORD), kafkaFlags()));
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).contains("--kafka-propertyy");
        Run own = vigil(
                concat(List.of("detect"), planted, List.of("--kafka-property", "isolation.level=read_uncommitted")));
        assertThat(own.exitCode()).isEqualTo(2);
        assertThat(own.err()).contains("isolation.level is Vigil's own");

        String everything = PRINTED + "\n" + logs() + "\n" + metrics();
        assertThat(logs()).as("the capture works").contains("ProducerConfig values");
        for (String secret : secrets()) {
            assertThat(everything).as("a planted secret").doesNotContain(secret);
        }
        assertThat(everything).contains("[hidden]");
    }

    // ---- helpers ----

    record Run(int exitCode, String out, String err) {}

    static Run vigil(List<String> args) {
        return vigil(args.toArray(String[]::new));
    }

    static Run vigil(String... args) {
        CommandLine cmd = Vigil.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int rc = cmd.execute(args);
        synchronized (PRINTED) {
            PRINTED.append(out).append('\n').append(err).append('\n');
        }
        return new Run(rc, out.toString(), err.toString());
    }

    /** The settings a verb runs with, given these flags: the same parse the verb makes. */
    static VigilConfig settingsOf(String verb, List<String> args) {
        CommandSpec spec = Vigil.commandLine()
                .parseArgs(concat(List.of(verb), args).toArray(String[]::new))
                .subcommand()
                .commandSpec();
        return SettingOptions.read(spec, ((UsesSettings) spec.userObject()).settingKeys());
    }

    static List<String> kafkaFlags() {
        return List.of(
                "--bootstrap-servers", kafka.bootstrapServers(),
                "--kafka-config", kafkaConfig.toString(),
                "--kafka-property", "sasl.mechanism=" + EmbeddedKafka.SASL_MECHANISM);
    }

    /** The class's own topic names; with their partition counts (2) for `vigil topics`. */
    static List<String> topicFlags(boolean partitions) {
        List<String> flags = new ArrayList<>();
        for (Topic t : Topic.values()) {
            if (!partitions && t == Topic.FEEDBACK) {
                continue; // detect does not read it
            }
            flags.addAll(List.of("--topic-" + t.key(), ns + t.defaultName()));
            if (partitions && t != Topic.MODELS) {
                flags.addAll(List.of("--topic-" + t.key() + "-partitions", "2"));
            }
        }
        return flags;
    }

    static String registryUrl(String password) {
        return "http://vigil:" + password + "@127.0.0.1:" + registry.port();
    }

    @SafeVarargs
    static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) {
            all.addAll(part);
        }
        return all;
    }

    /** Every secret planted in the run, and those the broker's client properties hold. */
    static List<String> secrets() {
        List<String> secrets =
                new ArrayList<>(List.of(KAFKA_PASSWORD, WRONG_PASSWORD, REGISTRY_PASSWORD, KEY_PASSWORD));
        secrets.add(kafka.clientProperties().get("ssl.truststore.password"));
        secrets.add(kafka.clientProperties().get("sasl.jaas.config"));
        return secrets;
    }

    static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    static <T extends SpecificRecord> void send(VigilConfig config, Topic topic, RecordType<T> type, List<T> records) {
        TopicContents.sendOverTwoPartitions(
                kafka.client(), config.schemaRegistryUrl(), config.topic(topic), type, records, null);
    }

    static <T extends SpecificRecord> List<T> readCommitted(VigilConfig config, Topic topic, RecordType<T> type) {
        RecordFraming<T> framing = Framings.forTopic(type, config.topic(topic), config.schemaRegistryUrl());
        List<T> out = new ArrayList<>();
        for (byte[] value : TopicContents.readCommitted(kafka.client(), config.topic(topic))) {
            Decoded<T> d = framing.decode(value);
            assertThat(d.isAccepted()).as(d.toString()).isTrue();
            out.add(d.record());
        }
        return out;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + PATIENCE.toSeconds() + " s for " + what);
            }
            Thread.sleep(200);
        }
    }

    /** A counter of the job, summed over its parallel instances. */
    static long counter(JobID job, String name) {
        return METRICS.findMetrics(job, "\\." + name + "$").values().stream()
                .mapToLong(m -> ((Counter) m).getCount())
                .sum();
    }

    /** Every metric's identifier and variables, and every gauge's value, as text. */
    static String metrics() {
        StringBuilder text = new StringBuilder();
        METRICS.getMetricsByGroup().forEach((group, metrics) -> {
            text.append(group.getAllVariables()).append('\n');
            metrics.forEach((name, metric) -> {
                text.append(group.getMetricIdentifier(name));
                if (metric instanceof Gauge<?> gauge) {
                    try {
                        text.append(" = ").append(gauge.getValue());
                    } catch (RuntimeException e) {
                        text.append(" ! ").append(e.getMessage());
                    }
                }
                text.append('\n');
            });
        });
        return text.toString();
    }

    /** A stand-in for nvidia-smi: one busy GPU, no processes. */
    static Path fakeNvidiaSmi(Path dir) throws Exception {
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, """
                #!/bin/sh
                case "$1" in
                  --query-gpu=*) echo "0, GPU-5c1a0e6e-94c7-4f0f-8e3a-2f6b1d0c9a01, 97, 61440, 612.25, 66, 1980" ;;
                  *) ;;
                esac
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** Adds an appender that keeps every log line at INFO and above; the console keeps its own level. */
    static void captureLogs() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        var config = context.getConfiguration();
        capture = WriterAppender.newBuilder()
                .setName("secrets-capture")
                .setTarget(LOGS)
                .setLayout(PatternLayout.newBuilder()
                        .withPattern("%d %p [%t] %c - %m%n%throwable")
                        .build())
                .build();
        capture.start();
        config.addAppender(capture);
        LoggerConfig root = config.getRootLogger();
        Level consoleLevel = root.getLevel();
        Collection<Appender> console = new ArrayList<>(root.getAppenders().values());
        for (Appender a : console) {
            root.removeAppender(a.getName());
            root.addAppender(a, consoleLevel, null);
        }
        root.addAppender(capture, Level.INFO, null);
        root.setLevel(Level.INFO);
        context.updateLoggers();
    }

    static void releaseLogs() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.reconfigure();
    }

    static String logs() {
        synchronized (LOGS) {
            return LOGS.toString();
        }
    }
}
