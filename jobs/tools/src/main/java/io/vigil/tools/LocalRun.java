package io.vigil.tools;

import io.vigil.broker.EmbeddedKafka;
import io.vigil.records.Decoded;
import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.KafkaClients;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** What the self-contained verbs (demo, bench) share: settings for the embedded broker and a local Flink. */
public final class LocalRun {
    private LocalRun() {}

    /**
     * Settings for a detect job on the embedded broker: how to reach it (its Kafka client properties: SASL_SSL
     * when it was started so), its own consumer group and transactional ids, and checkpoints (which commit the
     * alerts) every {@code checkpointMs} into {@code checkpoints}.
     */
    public static VigilConfig config(
            EmbeddedKafka kafka, String name, long checkpointMs, Path checkpoints, Map<String, String> more) {
        Map<String, Object> values = new HashMap<>(Map.of(
                VigilConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                VigilConfig.GROUP_ID, name,
                VigilConfig.TRANSACTIONAL_ID_PREFIX, name,
                VigilConfig.CHECKPOINT_INTERVAL_MS, String.valueOf(checkpointMs),
                VigilConfig.CHECKPOINT_DIR, checkpoints.toUri().toString()));
        kafka.clientProperties().forEach((k, v) -> values.put(KafkaClients.PREFIX + k, v));
        values.putAll(more);
        return VigilConfig.defaults().with(values);
    }

    /** A mini-cluster in this JVM that fails a job rather than restarting it for ever (Flink 2's default). */
    public static StreamExecutionEnvironment environment(int parallelism) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    }

    /**
     * Waits until the job has read and checkpointed every input record (its consumer group's committed
     * offsets, which the source commits with each checkpoint, reach the end of every input partition).
     *
     * @throws IllegalStateException if it has not after {@code timeout}
     */
    public static void awaitRead(VigilConfig config, Duration timeout) throws Exception {
        List<String> inputs =
                List.of(config.topic(Topic.FLOWS), config.topic(Topic.GPU), config.topic(Topic.ASSIGNMENTS));
        Properties p = config.kafkaClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(p)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(inputs)
                    .allTopicNames()
                    .get()
                    .values()
                    .forEach(t -> t.partitions()
                            .forEach(
                                    i -> latest.put(new TopicPartition(t.name(), i.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                                config.getString(VigilConfig.GROUP_ID))
                        .partitionsToOffsetAndMetadata()
                        .get();
                if (ends.entrySet().stream()
                        .allMatch(e -> e.getValue() == 0
                                || (committed.get(e.getKey()) != null
                                        && committed.get(e.getKey()).offset() >= e.getValue()))) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the detect job had not read all of its input after "
                            + timeout.toSeconds() + " s (committed " + committed + ", end " + ends + ")");
                }
                Thread.sleep(200);
            }
        }
    }

    /**
     * Every record of an output topic that a read_committed consumer sees, read to the topic's last stable
     * offsets: once the job has stopped, all it committed. Records that do not decode are left out.
     */
    public static <T extends SpecificRecord> List<T> committed(VigilConfig config, Topic topic, RecordType<T> type) {
        RecordFraming<T> framing = Framings.forTopic(type, config.topic(topic), config.schemaRegistryUrl());
        List<T> out = new ArrayList<>();
        CommittedTopic.read(config, config.topic(topic), "vigil-local-run", r -> {
            Decoded<T> d = framing.decode(r.value());
            if (d.isAccepted()) {
                out.add(d.record());
            }
        });
        return out;
    }

    /** Deletes a temporary directory; what cannot be deleted is left to the OS. */
    public static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // a temporary directory
        }
    }
}
