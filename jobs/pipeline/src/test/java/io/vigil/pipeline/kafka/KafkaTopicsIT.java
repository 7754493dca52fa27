package io.vigil.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.broker.EmbeddedKafka;
import io.vigil.broker.TopicContents;
import io.vigil.records.Decoded;
import io.vigil.records.Flow;
import io.vigil.records.RecordType;
import io.vigil.records.wire.FakeSchemaRegistry;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded broker is a real KRaft broker on loopback; Vigil's topics and framings work on it. */
class KafkaTopicsIT {
    static final Instant BEGINNING = Instant.parse("2026-02-14T03:00:00Z");

    static EmbeddedKafka kafka;
    static VigilConfig config;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start();
        config = VigilConfig.defaults().with(Map.of(VigilConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers()));
        KafkaTopics.createAll(config);
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void listensOnLoopbackOnly() {
        assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
    }

    @Test
    void createsEveryTopicWithItsPartitionsOnceOnly() throws Exception {
        try (Admin admin = admin()) {
            Map<String, TopicDescription> topics = admin.describeTopics(
                            List.of(config.topic(Topic.FLOWS), config.topic(Topic.ALERTS), config.topic(Topic.MODELS)))
                    .allTopicNames()
                    .get();
            assertThat(topics.get("vigil.flows").partitions()).hasSize(Topic.FLOWS.defaultPartitions());
            assertThat(topics.get("vigil.alerts").partitions()).hasSize(Topic.ALERTS.defaultPartitions());
            Set<String> names = admin.listTopics().names().get();
            for (Topic t : Topic.values()) {
                assertThat(names).contains(config.topic(t));
            }
        }
        assertThat(KafkaTopics.createAll(config))
                .as("second run creates nothing")
                .isEmpty();
    }

    @Test
    void topicNamesAndPartitionsComeFromSettings() throws Exception {
        VigilConfig renamed = config.with(Map.of("topic.flows", "team-a.flows", "topic.flows.partitions", "3"));
        assertThat(KafkaTopics.createAll(renamed)).containsExactly("team-a.flows");
        try (Admin admin = admin()) {
            assertThat(admin.describeTopics(List.of("team-a.flows"))
                            .allTopicNames()
                            .get()
                            .get("team-a.flows")
                            .partitions())
                    .hasSize(3);
        }
    }

    @Test
    void theAssignmentsAndModelsAreKeptForGoodAndATopicThatDeletesThemIsNamed() throws Exception {
        try (Admin admin = admin()) {
            ConfigResource assignments = new ConfigResource(ConfigResource.Type.TOPIC, "vigil.assignments");
            var kept = admin.describeConfigs(List.of(assignments)).all().get().get(assignments);
            assertThat(kept.get("retention.ms").value()).isEqualTo("-1");
            assertThat(kept.get("retention.bytes").value()).isEqualTo("-1");
            assertThat(KafkaTopics.retentionProblems(config)).isEmpty();

            // created by hand: with the broker's week, compacted (retention does not apply), under a size limit
            admin.createTopics(List.of(
                            new NewTopic("byhand.assignments", 1, (short) 1)
                                    .configs(Map.of("retention.ms", "604800000")),
                            new NewTopic("byhand.models", 1, (short) 1)
                                    .configs(Map.of("retention.ms", "604800000", "cleanup.policy", "compact")),
                            new NewTopic("sized.assignments", 1, (short) 1)
                                    .configs(Map.of("retention.ms", "-1", "retention.bytes", "1073741824")),
                            new NewTopic("weekly.models", 1, (short) 1).configs(Map.of("retention.ms", "604800000"))))
                    .all()
                    .get();
        }
        VigilConfig byHand =
                config.with(Map.of("topic.assignments", "byhand.assignments", "topic.models", "byhand.models"));
        assertThat(KafkaTopics.retentionProblems(byHand))
                .singleElement()
                .asString()
                .contains(
                        "topic byhand.assignments deletes messages after 168h (retention.ms=604800000)",
                        "unattributed until its next START",
                        "--entity-name byhand.assignments --add-config retention.ms=-1");
        VigilConfig sized = config.with(Map.of("topic.assignments", "sized.assignments"));
        assertThat(KafkaTopics.retentionProblems(sized))
                .singleElement()
                .asString()
                .contains(
                        "topic sized.assignments deletes messages beyond 1073741824 bytes a partition",
                        "--add-config retention.bytes=-1");
        // a topic the brokers cannot describe (missing here) hides nothing about the other
        VigilConfig oneMissing =
                config.with(Map.of("topic.assignments", "no.such.assignments", "topic.models", "weekly.models"));
        assertThat(KafkaTopics.retentionProblems(oneMissing))
                .singleElement()
                .asString()
                .contains("topic weekly.models deletes messages after 168h", "the last model released before");
    }

    @Test
    void flowsSurviveTheBrokerInSingleObjectEncoding() {
        roundTrip(Framings.forTopic(RecordType.FLOW, "vigil.flows", null), "vigil.flows");
    }

    @Test
    void flowsSurviveTheBrokerInConfluentWireFormat() {
        try (FakeSchemaRegistry registry = new FakeSchemaRegistry()) {
            VigilConfig withRegistry = config.with(Map.of("topic.flows", "registry.flows"));
            KafkaTopics.createAll(withRegistry);
            roundTrip(Framings.forTopic(RecordType.FLOW, "registry.flows", registry.url()), "registry.flows");
        }
    }

    private void roundTrip(RecordFraming<Flow> framing, String topic) {
        List<Flow> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(flow(BEGINNING.plusSeconds(i), "10.0.0." + (i + 1)));
        }
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (Flow f : sent) {
                producer.send(new ProducerRecord<>(topic, f.getNode().getBytes(), framing.encode(f)));
            }
            producer.flush();
        }
        List<Flow> received = new ArrayList<>();
        for (byte[] value : readAll(topic)) {
            Decoded<Flow> decoded = framing.decode(value);
            assertThat(decoded.isAccepted()).as(decoded.toString()).isTrue();
            received.add(decoded.record());
        }
        assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
    }

    static Flow flow(Instant ts, String srcIp) {
        return Flow.newBuilder()
                .setTs(ts)
                .setStartTs(ts.minusSeconds(10))
                .setNode("gpu-node-01")
                .setSrcIp(srcIp)
                .setDstIp("203.0.113.7")
                .setSrcPort(40000)
                .setDstPort(443)
                .setProtocol("TCP")
                .setOrigBytes(1200)
                .setRespBytes(5400)
                .setOrigPkts(10)
                .setRespPkts(12)
                .setConnState("SF")
                .setJobId(null)
                .build();
    }

    private List<byte[]> readAll(String topic) {
        return TopicContents.readCommitted(kafka.bootstrapServers(), topic);
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return Admin.create(p);
    }
}
