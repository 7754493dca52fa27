package io.vigil.tools.cli;

import static io.vigil.tools.cli.VigilCliTest.vigil;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.broker.EmbeddedKafka;
import io.vigil.broker.TopicContents;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.training.LabelledWindow;
import io.vigil.models.training.LabelledWindows;
import io.vigil.pipeline.detect.Scenario;
import io.vigil.pipeline.kafka.AlertSerializer;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Destination;
import io.vigil.records.Evidence;
import io.vigil.records.Fixtures;
import io.vigil.records.IncidentState;
import io.vigil.records.TransitionCause;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.windows.Feedback;
import io.vigil.tools.windows.FeedbackTopic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Analysts' verdicts through the feedback topic, against the embedded broker: {@code vigil verdict} looks the
 * incident up on the alert topic (OCSF, as a SIEM-minded setup writes it) and publishes, a verdict published again
 * replaces the first, and {@code vigil windows --feedback-topic} labels the small scenario's windows with them,
 * skipping and reporting a message that is not a verdict.
 */
class VerdictIT {
    static final Instant MINUTE_2 = Instant.parse("2026-02-14T03:02:00Z");
    static final String INCIDENT = "inc-prober-1";

    static EmbeddedKafka kafka;
    static VigilConfig config;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        config = VigilConfig.defaults()
                .with(Map.of(
                        VigilConfig.BOOTSTRAP_SERVERS,
                        kafka.bootstrapServers(),
                        VigilConfig.ALERT_FORMAT,
                        VigilConfig.ALERT_FORMAT_OCSF));
        KafkaTopics.createAll(config);
        publishAlerts();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    /** The prober's incident, minutes 2 to 4 of the scenario, as the detect job would have told it: OPEN, CLOSE. */
    static void publishAlerts() throws Exception {
        Evidence evidence = Evidence.newBuilder(Fixtures.alert().getEvidence())
                .setDestinations(List.of(destination("198.51.100.23", 3333, true), destination("10.0.2.77", 22, false)))
                .build();
        Alert open = Fixtures.alertBuilder()
                .setAlertId("t-open")
                .setIncidentId(INCIDENT)
                .setJobId(Scenario.PROBER)
                .setWindowStart(MINUTE_2)
                .setWindowEnd(MINUTE_2.plusSeconds(60))
                .setCategories(List.of(Category.NETWORK_SCAN))
                .setEvidence(evidence)
                .setIncidentState(IncidentState.OPEN)
                .setFirstWindowStart(MINUTE_2)
                .setLastWindowEnd(MINUTE_2.plusSeconds(60))
                .setFlaggedWindows(1)
                .setIncidentCategories(List.of(Category.NETWORK_SCAN))
                .setJoinedCategories(List.of(Category.NETWORK_SCAN))
                .build();
        Alert close = Alert.newBuilder(open)
                .setAlertId("t-close")
                .setWindowStart(MINUTE_2.plusSeconds(60))
                .setWindowEnd(MINUTE_2.plusSeconds(120))
                .setIncidentState(IncidentState.CLOSE)
                .setTransitionCauses(List.of(TransitionCause.JOB_STOPPED))
                .setLastWindowEnd(MINUTE_2.plusSeconds(120))
                .setClosedAt(MINUTE_2.plusSeconds(300))
                .setFlaggedWindows(2)
                .setJoinedCategories(List.of())
                .build();
        String topic = config.topic(Topic.ALERTS);
        AlertSerializer serializer = new AlertSerializer(VigilConfig.ALERT_FORMAT_OCSF, topic, null);
        serializer.open(null, null);
        Properties p = config.kafkaClient();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "verdict-it-alerts");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(serializer.serialize(open, null, null));
            RecordMetadata last =
                    producer.send(serializer.serialize(close, null, null)).get();
            producer.commitTransaction();
            awaitCommitted(p, new TopicPartition(last.topic(), last.partition()), last.offset());
        }
    }

    /**
     * Waits until a read_committed reader's end of the partition is past {@code offset}: commitTransaction returns
     * once the coordinator has decided, and the commit markers reach the partitions after it, so a verb that reads
     * a topic to its end right away could stop before the transaction.
     */
    private static void awaitCommitted(Properties client, TopicPartition partition, long offset) {
        Properties p = new Properties();
        p.putAll(client);
        p.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (consumer.endOffsets(List.of(partition)).get(partition) <= offset) { // a round trip each
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the alerts' transaction is not readable after 60 s: " + partition);
                }
            }
        }
    }

    static Destination destination(String ip, int port, boolean external) {
        return Destination.newBuilder()
                .setIp(ip)
                .setPort(port)
                .setProtocol("TCP")
                .setExternal(external)
                .setBytes(10_000)
                .setFlows(3)
                .build();
    }

    static VigilCliTest.Run verdict(String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "verdict";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--bootstrap-servers";
        all[args.length + 2] = kafka.bootstrapServers();
        all[args.length + 3] = "--alert-format";
        all[args.length + 4] = VigilConfig.ALERT_FORMAT_OCSF;
        return vigil(all);
    }

    @Test
    void verdictsOnTheTopicLabelTheWindowsAndABadMessageIsSkippedAndSaid(@TempDir Path dir) throws Exception {
        // a false positive on the whole incident, with the suppression it proposes
        VigilCliTest.Run fp = verdict(
                INCIDENT, "false_positive", "--author", "ana", "--note", "approved audit", "--propose-suppression");
        assertThat(fp.exitCode()).as(fp.err()).isZero();
        assertThat(fp.out().lines().toList())
                .containsExactly(
                        "# published false_positive by ana on incident inc-prober-1: job job-prober,"
                                + " 2026-02-14T03:02:00Z to 2026-02-14T03:04:00Z (vigil.feedback-0@0)",
                        "# proposed suppression, not applied: review, then run (expires in 7d)",
                        "vigil suppress add --id fp-inc-prob --job job-prober --cidr 198.51.100.23/32 --port 3333"
                                + " --category NETWORK_SCAN --reason 'approved audit' --author ana --expires 7d");

        // an incident the alert topic does not hold, judged by its job and window
        VigilCliTest.Run tp = verdict(
                "a-1",
                "true_positive",
                "--job",
                Scenario.TRAINER,
                "--window-start",
                "2026-02-14T03:00:00Z",
                "--category",
                "EXFILTRATION",
                "--author",
                "ana");
        assertThat(tp.exitCode()).as(tp.err()).isZero();

        // the same analyst again, by a transition's id: the same key, so it replaces the first
        VigilCliTest.Run again = verdict("t-close", "false_positive", "--author", "ana", "--note", "approved audit");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("on incident inc-prober-1").contains("(vigil.feedback-0@2)");

        VigilCliTest.Run maybe = verdict(INCIDENT, "maybe");
        assertThat(maybe.exitCode()).isEqualTo(2);
        assertThat(maybe.err()).contains("verdict \"maybe\" is not one of [true_positive, false_positive]");
        VigilCliTest.Run unknown = verdict("no-such-incident", "false_positive");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("vigil.alerts holds no alert or incident no-such-incident");
        VigilCliTest.Run otherJob = verdict(INCIDENT, "false_positive", "--job", Scenario.TRAINER);
        assertThat(otherJob.exitCode()).isEqualTo(2);
        assertThat(otherJob.err()).contains("incident inc-prober-1 is of job job-prober, not --job job-trainer");
        assertThat(verdict(INCIDENT, "true_positive", "--propose-suppression").exitCode())
                .isEqualTo(2);

        // created by `vigil topics` (KafkaTopics.createAll) compacted: the latest verdict of each key stays
        try (Admin admin = Admin.create(kafka.client())) {
            ConfigResource feedback = new ConfigResource(ConfigResource.Type.TOPIC, config.topic(Topic.FEEDBACK));
            assertThat(admin.describeConfigs(List.of(feedback))
                            .all()
                            .get()
                            .get(feedback)
                            .get("cleanup.policy")
                            .value())
                    .isEqualTo("compact");
        }

        // another producer's message that is not a verdict
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config.kafkaClient(), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                            config.topic(Topic.FEEDBACK),
                            "x/bob".getBytes(StandardCharsets.UTF_8),
                            "{not a verdict".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
        List<ConsumerRecord<byte[], byte[]>> messages =
                TopicContents.messages(kafka.client(), config.topic(Topic.FEEDBACK));
        assertThat(messages)
                .extracting(m -> new String(m.key(), StandardCharsets.UTF_8))
                .containsExactly("inc-prober-1/ana", "a-1/ana", "inc-prober-1/ana", "x/bob");

        Path story = new Scenario().writeDataset(dir.resolve("story"), List.of());
        Path out = dir.resolve("windows.jsonl");
        VigilCliTest.Run windows = vigil(
                "windows",
                story.toString(),
                "--out",
                out.toString(),
                "--feedback-topic",
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--parallelism",
                "2");

        assertThat(windows.exitCode()).as(windows.err()).isZero();
        assertThat(windows.err())
                .contains("vigil windows: skipped 1 message of vigil.feedback that is not a verdict:\n"
                        + "  vigil.feedback-0@3: not JSON");
        assertThat(windows.out())
                .contains("windows: 12 (benign 11, EXFILTRATION 1)")
                .contains("labelled from labels.json: 2 windows")
                .contains("feedback topic vigil.feedback: 4 messages, 2 verdicts (1 replaced by a later message of"
                        + " the same key or withdrawn, 1 not a verdict: skipped)")
                .contains("feedback: 2 verdicts from the topic, 2 applied; 2 windows made benign, 1 labelled malicious")
                .doesNotContain("matching no window");
        List<LabelledWindow> labelled = LabelledWindows.read(out, FeatureSet.CURRENT);
        assertThat(labelled)
                .filteredOn(w -> w.label() != null)
                .extracting(w ->
                        w.jobId() + " " + Instant.ofEpochMilli(w.windowStart()) + " " + w.label() + " " + w.incident())
                .containsExactly("job-trainer 2026-02-14T03:00:00Z EXFILTRATION a-1");

        // a tombstone withdraws the verdict of its key
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config.kafkaClient(), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                            config.topic(Topic.FEEDBACK), "a-1/ana".getBytes(StandardCharsets.UTF_8), null))
                    .get();
        }
        FeedbackTopic.Read read = FeedbackTopic.read(config);
        assertThat(read.verdicts()).extracting(Feedback::alertId).containsExactly(INCIDENT);
        assertThat(read.messages()).isEqualTo(5);
        assertThat(read.replaced()).isEqualTo(2);
        assertThat(read.bad()).isEqualTo(1);
    }
}
