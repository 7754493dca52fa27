package io.vigil.pipeline.kafka;

import io.vigil.models.model.ModelArtifact;
import io.vigil.settings.KafkaClients;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Puts model releases on the model topic, where the running detect job picks them up. */
public final class ModelTopic {
    private ModelTopic() {}

    /**
     * Publishes one release and waits until the broker has it (all in-sync replicas).
     *
     * @param key the model version (the topic may be compacted: each version's last release stays)
     * @param artifact the artifact's bytes, at most {@link ModelArtifact#MAX_BYTES}
     * @throws IllegalArgumentException if the artifact is larger than a job reads
     * @throws IllegalStateException if the broker does not take it, with the broker's reason
     */
    public static RecordMetadata publish(VigilConfig config, String key, byte[] artifact) {
        Objects.requireNonNull(key, "key");
        if (artifact.length > ModelArtifact.MAX_BYTES) {
            throw new IllegalArgumentException(
                    "the artifact is " + artifact.length + " bytes; a job reads at most " + ModelArtifact.MAX_BYTES);
        }
        // an artifact is one large message: room for it in a request and in the producer's buffer
        int room = artifact.length + 1024 * 1024;
        Properties p = config.kafkaClient(
                Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, room, ProducerConfig.BUFFER_MEMORY_CONFIG, (long)
                        Math.max(room, 32 * 1024 * 1024)));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        String topic = config.topic(Topic.MODELS);
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            return producer.send(new ProducerRecord<>(topic, key, artifact)).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "could not publish to " + topic + " at " + config.bootstrapServers() + ": "
                            + KafkaClients.failure(e.getCause()),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "could not publish to " + topic + " at " + config.bootstrapServers() + ": no answer within 60 s",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + topic, e);
        }
    }
}
