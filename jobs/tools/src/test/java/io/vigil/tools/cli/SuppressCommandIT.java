package io.vigil.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.broker.EmbeddedKafka;
import io.vigil.models.suppression.Suppression;
import io.vigil.models.suppression.Suppressions;
import io.vigil.pipeline.detect.SuppressionInput;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.pipeline.kafka.SuppressionTopic;
import io.vigil.records.Category;
import io.vigil.records.SuppressionRule;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil suppress add/remove/list} against the embedded broker (one for the class; each test its own
 * topic): rules published keyed by id, replaced by id, removed by a tombstone; the list is the topic read to its
 * end, and its JSON is what replay and evaluate read with --suppressions.
 */
class SuppressCommandIT {
    static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    record Run(int exit, String out, String err) {}

    /** A topic of its own, created as `vigil topics` creates it. */
    static String freshTopic() {
        String topic = "s" + System.nanoTime() + ".vigil.suppressions";
        KafkaTopics.createAll(config(topic));
        return topic;
    }

    static VigilConfig config(String topic) {
        return VigilConfig.defaults()
                .with(Map.of(
                        VigilConfig.BOOTSTRAP_SERVERS,
                        kafka.bootstrapServers(),
                        Topic.SUPPRESSIONS.nameSetting(),
                        topic));
    }

    static Run suppress(String topic, String... args) {
        List<String> all = new ArrayList<>(List.of("suppress"));
        all.addAll(List.of(args));
        all.addAll(List.of(
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--topic-suppressions",
                topic,
                "--kafka-property",
                "client.id=vigil-suppress-it"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Vigil.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void addReplaceRemoveAndListARule(@TempDir Path dir) throws Exception {
        String topic = freshTopic();
        Run added = suppress(
                topic,
                "add",
                "--id",
                "bastion",
                "--job",
                "train-*",
                "--label",
                "team=vision",
                "--cidr",
                "203.0.113.0/24",
                "--port",
                "22",
                "--category",
                "reverse-tunnel",
                "--reason",
                "the team's sanctioned bastion",
                "--author",
                "alice",
                "--expires",
                "7d");
        assertThat(added.exit()).as(added.err()).isZero();
        assertThat(added.out()).contains("published bastion").contains(topic);
        Run other = suppress(
                topic,
                "add",
                "--id",
                "scanner",
                "--cidr",
                "10.9.0.0/16",
                "--reason",
                "the security team's scanner",
                "--author",
                "bob",
                "--expires",
                "2099-01-01T00:00:00Z");
        assertThat(other.exit()).as(other.err()).isZero();

        Run list = suppress(topic, "list");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out())
                .contains("bastion", "train-*", "team=vision", "203.0.113.0/24", "22", "reverse_tunnel", "alice")
                .contains("scanner", "10.9.0.0/16", "2099-01-01T00:00:00Z")
                .contains("2 rules in force");

        // the same id replaces the rule
        assertThat(suppress(
                                topic,
                                "add",
                                "--id",
                                "bastion",
                                "--job",
                                "train-7",
                                "--reason",
                                "narrower",
                                "--author",
                                "alice")
                        .exit())
                .isZero();
        SuppressionTopic.Contents contents = SuppressionTopic.read(config(topic));
        assertThat(contents.rules()).containsOnlyKeys("bastion", "scanner");
        assertThat(contents.rules().get("bastion").getJob()).isEqualTo("train-7");
        assertThat(contents.rules().get("bastion").getCidr()).isNull();
        assertThat(contents.rules().get("bastion").getExpires()).isNull();

        Run removed = suppress(topic, "remove", "bastion");
        assertThat(removed.exit()).as(removed.err()).isZero();
        assertThat(removed.out()).contains("removed bastion");
        assertThat(suppress(topic, "remove", "nothing-like-it").out()).contains("was not in force");

        Run json = suppress(topic, "list", "--json");
        assertThat(json.exit()).isZero();
        assertThat(json.out().lines().toList())
                .hasSize(1)
                .allSatisfy(l -> assertThat(l).contains("\"scanner\""));
        // what replay and evaluate read with --suppressions
        Path file = dir.resolve("rules.jsonl");
        Files.writeString(file, json.out());
        Suppressions rules = SuppressionInput.readJsonLines(file);
        assertThat(rules.rules()).extracting(Suppression::id).containsExactly("scanner");
    }

    @Test
    void aRuleThatMatchesEverythingOrIsMalformedIsRefusedAndNothingIsPublished() {
        String topic = freshTopic();
        Run all = suppress(topic, "add", "--id", "all", "--job", "*", "--reason", "noise", "--author", "eve");
        assertThat(all.exit()).isEqualTo(2);
        assertThat(all.err()).contains("refused").contains("matches every flagged window");
        Run wide = suppress(topic, "add", "--id", "wide", "--cidr", "0.0.0.0/0", "--reason", "noise", "--author", "e");
        assertThat(wide.exit()).isEqualTo(2);
        Run badCategory = suppress(
                topic, "add", "--id", "x", "--job", "j", "--category", "mining", "--reason", "r", "--author", "a");
        assertThat(badCategory.exit()).isEqualTo(2);
        assertThat(badCategory.err()).contains("unknown category 'mining'").contains("crypto_mining");
        Run badExpiry = suppress(
                topic, "add", "--id", "x", "--job", "j", "--expires", "soon", "--reason", "r", "--author", "a");
        assertThat(badExpiry.exit()).isEqualTo(2);
        assertThat(badExpiry.err()).contains("--expires 'soon'");
        assertThat(SuppressionTopic.read(config(topic)).rules()).isEmpty();
    }

    @Test
    void aDrillOnRecordedDataDatesTheRuleInTheRecordingsTime() throws Exception {
        String topic = freshTopic();
        String[] drill = {
            "add", "--id", "drill", "--cidr", "203.0.113.145", "--port", "22", "--reason", "drill", "--author", "soc"
        };
        // an instant in the recording's past is before now: refused, as it would never match a live window
        Run past = suppress(topic, concat(drill, "--expires", "2026-02-10T09:40:00Z"));
        assertThat(past.exit()).isEqualTo(2);
        assertThat(past.err()).contains("before it was created");
        Run badCreated = suppress(topic, concat(drill, "--created", "yesterday"));
        assertThat(badCreated.exit()).isEqualTo(2);
        assertThat(badCreated.err()).contains("--created 'yesterday'");
        // dated in the recording's time, it expires within the recording; a duration counts from that time
        Run dated = suppress(
                topic, concat(drill, "--created", "2026-02-10T09:30:00Z", "--expires", "2026-02-10T09:40:00Z"));
        assertThat(dated.exit()).as(dated.err()).isZero();
        Run relative = suppress(topic, concat(drill, "--created", "2026-02-10T09:30:00Z", "--expires", "10m"));
        assertThat(relative.exit()).as(relative.err()).isZero();
        SuppressionRule rule = SuppressionTopic.read(config(topic)).rules().get("drill");
        assertThat(rule.getCreated()).isEqualTo(Instant.parse("2026-02-10T09:30:00Z"));
        assertThat(rule.getExpires()).isEqualTo(Instant.parse("2026-02-10T09:40:00Z"));
    }

    static String[] concat(String[] head, String... tail) {
        String[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    @Test
    void theTopicIsCompactedAndWhatTheJobWouldRefuseIsReported() throws Exception {
        String topic = freshTopic();
        try (Admin admin = Admin.create(config(topic).kafkaClient())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            ConfigEntry policy = admin.describeConfigs(List.of(resource))
                    .all()
                    .get()
                    .get(resource)
                    .get("cleanup.policy");
            assertThat(policy.value()).isEqualTo("compact");
        }
        Properties p = config(topic).kafkaClient();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                            topic,
                            "junk".getBytes(StandardCharsets.UTF_8),
                            "{not a rule".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
        SuppressionTopic.publish(
                config(topic),
                SuppressionRule.newBuilder()
                        .setId("ok")
                        .setCategory(Category.NETWORK_SCAN)
                        .setReason("r")
                        .setAuthor("a")
                        .setCreated(Instant.now())
                        .build());
        Run list = suppress(topic, "list");
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains("ok").contains("1 rule in force");
        assertThat(list.err()).contains("refused " + topic + "/0@0");
    }
}
