package io.vigil.broker;

import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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

/**
 * What a topic holds now, as a verifying consumer sees it (committed messages only, all partitions), and
 * records written to a two-partition input topic as the collectors would.
 */
public final class TopicContents {
    private TopicContents() {}

    /**
     * Reads every partition to the end offsets seen at the start, with assign() rather than a consumer group
     * (a fresh broker's group coordinator can take seconds to answer) and isolation.level=read_committed.
     * Fails rather than answer with part of the topic when it cannot get there (a loaded machine is slower,
     * and a test that compares what it read must not see a part as the whole).
     */
    public static List<byte[]> readCommitted(String bootstrapServers, String topic) {
        return readCommitted(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topic);
    }

    /** {@link #readCommitted(String, String)} with these client properties (bootstrap.servers, security...). */
    public static List<byte[]> readCommitted(Map<String, ?> client, String topic) {
        return messages(client, topic).stream().map(ConsumerRecord::value).toList();
    }

    /** {@link #readCommitted(Map, String)} as whole messages: partition, key, timestamp and value. */
    public static List<ConsumerRecord<byte[], byte[]>> messages(Map<?, ?> client, String topic) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> messages = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Duration patience = Duration.ofMinutes(2);
            long deadline = System.nanoTime() + patience.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read " + topic + " to its end offsets " + end + " in " + patience);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(messages::add);
            }
        }
        return messages;
    }

    /** Writes the records framed as the topic expects, all to one partition in the given order, acks=all. */
    public static <T extends SpecificRecord> void sendInOrder(
            String bootstrapServers, String topic, int partition, RecordType<T> type, List<T> records) {
        RecordFraming<T> framing = Framings.forTopic(type, topic, null);
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrapServers)) {
            for (T r : records) {
                producer.send(new ProducerRecord<>(topic, partition, null, framing.encode(r)));
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Writes the records framed as the topic expects, alternating over partitions 0 and 1 (in the given order
     * within each), acks=all. {@code garbage}, if not null, goes to partition 0 halfway through, as raw bytes.
     */
    public static <T extends SpecificRecord> void sendOverTwoPartitions(
            String bootstrapServers, String topic, RecordType<T> type, List<T> records, String garbage) {
        sendOverTwoPartitions(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), null, topic, type, records, garbage);
    }

    /**
     * {@link #sendOverTwoPartitions(String, String, RecordType, List, String)} with these client properties, framed
     * for the schema registry at {@code registryUrl} (null: single-object encoding).
     */
    public static <T extends SpecificRecord> void sendOverTwoPartitions(
            Map<String, ?> client,
            String registryUrl,
            String topic,
            RecordType<T> type,
            List<T> records,
            String garbage) {
        RecordFraming<T> framing = Framings.forTopic(type, topic, registryUrl);
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            int i = 0;
            for (T r : records) {
                producer.send(new ProducerRecord<>(topic, i++ % 2, null, framing.encode(r)));
                if (garbage != null && i == records.size() / 2) {
                    producer.send(new ProducerRecord<>(topic, 0, null, garbage.getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
    }
}
