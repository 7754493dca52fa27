package io.vigil.tools;

import io.vigil.records.Printable;
import io.vigil.settings.VigilConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a whole topic as a read_committed consumer sees it: from each partition's beginning to its last stable
 * offset when the read starts (what was committed by then; a transaction still open is not waited for), in
 * offset order per partition. No consumer group: nothing is committed, and a topic of any size is read again
 * from its start each time.
 */
public final class CommittedTopic {
    /** How long a read may go without a record before it gives up. */
    static final Duration STALLED = Duration.ofSeconds(60);

    private CommittedTopic() {}

    /** The topic is not on the brokers. */
    public static final class MissingTopic extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        MissingTopic(String message) {
            super(message);
        }
    }

    /**
     * Gives {@code each} every record, then returns.
     *
     * @param clientId names this reader in the brokers' logs and quotas
     * @throws MissingTopic when the brokers do not know the topic
     */
    public static void read(
            VigilConfig config, String topic, String clientId, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Properties p = config.kafkaClient(Map.of(ConsumerConfig.CLIENT_ID_CONFIG, clientId));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false); // a misspelt name is said, not created
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            if (partitions.isEmpty()) {
                throw new MissingTopic("topic " + Printable.escape(topic)
                        + " does not exist on the brokers (`vigil topics` creates Vigil's topics)");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions); // the last stable offsets
            long lastProgress = System.nanoTime();
            long read = -1;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                // aborted transactions move the positions on without a record
                long position =
                        partitions.stream().mapToLong(consumer::position).sum();
                if (position != read) {
                    read = position;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > STALLED.toNanos()) {
                    // brokers gone mid-read: say so rather than wait for ever
                    throw new IllegalStateException("could not read " + Printable.escape(topic) + " to its end offsets "
                            + ends.values() + ": no progress for " + STALLED.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        each.accept(r);
                    }
                }
            }
        }
    }
}
