package io.vigil.pipeline.kafka;

import io.vigil.models.suppression.Suppression;
import io.vigil.pipeline.detect.SuppressionInput;
import io.vigil.records.DeadLetter;
import io.vigil.records.RecordType;
import io.vigil.records.SuppressionRule;
import io.vigil.records.wire.Credentials;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.KafkaClients;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The suppression topic from outside the job: publishes a rule (keyed by its id, in the topic's framing), removes
 * one (a tombstone), and lists those in force by reading the compacted topic to its end, decoding each message the
 * way the job does ({@link SuppressionInput}).
 */
public final class SuppressionTopic {
    private SuppressionTopic() {}

    /** What the topic holds: the rules in force by id (latest version), and the messages the job would refuse. */
    public record Contents(Map<String, SuppressionRule> rules, List<DeadLetter> refused) {}

    /**
     * Publishes a rule and waits until the broker has it (all in-sync replicas).
     *
     * @throws IllegalArgumentException when the rule may not be used ({@link Suppression#refusal})
     * @throws IllegalStateException when the broker does not take it, with the broker's reason
     */
    public static void publish(VigilConfig config, SuppressionRule rule) {
        String refusal = Suppression.refusal(rule);
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        send(config, rule.getId(), framing(config).encode(rule));
    }

    /** Publishes the tombstone that removes the rule with this id. */
    public static void remove(VigilConfig config, String id) {
        send(config, id, null);
    }

    /** Reads the topic from its beginning to the end it has now. */
    public static Contents read(VigilConfig config) {
        String topic = config.topic(Topic.SUPPRESSIONS);
        RecordFraming<SuppressionRule> framing = framing(config);
        Properties p = config.kafkaClient();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, SuppressionRule> rules = new LinkedHashMap<>();
        List<DeadLetter> refused = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(60)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!ends.isEmpty()) {
                ends.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
                if (ends.isEmpty()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 60 s at "
                            + Credentials.redact(config.bootstrapServers()));
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    SuppressionInput in = SuppressionInput.decode(
                            r.key(), r.value(), framing, r.topic() + "/" + r.partition() + "@" + r.offset());
                    if (in.deadLetter != null) {
                        refused.add(in.deadLetter);
                    } else if (r.value() == null) {
                        rules.remove(in.update.ruleId);
                    } else {
                        rules.put(in.update.ruleId, framing.decode(r.value()).record());
                    }
                }
            }
        }
        return new Contents(rules, refused);
    }

    private static RecordFraming<SuppressionRule> framing(VigilConfig config) {
        return Framings.forTopic(RecordType.SUPPRESSION, config.topic(Topic.SUPPRESSIONS), config.schemaRegistryUrl());
    }

    private static void send(VigilConfig config, String id, byte[] value) {
        Properties p = config.kafkaClient(Map.of());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        String topic = config.topic(Topic.SUPPRESSIONS);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), value))
                    .get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "could not publish to " + topic + " at " + Credentials.redact(config.bootstrapServers()) + ": "
                            + KafkaClients.failure(e.getCause()),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "could not publish to " + topic + " at " + Credentials.redact(config.bootstrapServers())
                            + ": no answer within 60 s",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + topic, e);
        }
    }
}
