package io.vigil.collector;

import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.KafkaClients;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes samples to the GPU topic in the configured framing (Avro single-object, or Confluent with a
 * registry), keyed by node so one node's samples stay in order. Sends are short-fused: during a broker
 * outage a send fails within {@code timeout} and the collector keeps the sample in its own bounded buffer;
 * a broker that refuses the agent's credentials is {@link Refused}, which no buffer can wait out.
 */
public final class KafkaSamplePublisher implements SamplePublisher {
    private final KafkaProducer<byte[], byte[]> producer;
    private final RecordFraming<GpuSample> framing;
    private final String topic;
    private final Duration timeout;

    /** To the configured GPU topic, with the configured framing and Kafka client properties. */
    public KafkaSamplePublisher(VigilConfig config, Duration timeout) {
        int ms = (int) Math.max(1_000, timeout.toMillis());
        // the agent's timeouts and pace, which a user's Kafka client properties may change
        Map<String, Object> tunable = Map.of(
                ProducerConfig.CLIENT_ID_CONFIG,
                "vigil-collect-gpu",
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                ms,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                ms,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                ms,
                ProducerConfig.LINGER_MS_CONFIG,
                0,
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG,
                5_000);
        Properties p = config.kafkaClient(tunable);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // one request in flight: with more, the first batch to a just-created partition can be lost (KAFKA-15591,
        // brokers before 4.5); a sample a poll needs no more
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = config.topic(Topic.GPU);
        this.framing = Framings.forTopic(RecordType.GPU, topic, config.schemaRegistryUrl());
        this.timeout = timeout;
    }

    @Override
    public void publish(GpuSample sample) throws Exception {
        byte[] key = sample.getNode().getBytes(StandardCharsets.UTF_8);
        try {
            producer.send(new ProducerRecord<>(topic, key, framing.encode(sample)))
                    .get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (KafkaClients.isRefusal(e)) {
                throw new Refused(KafkaClients.failure(e));
            }
            throw e;
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2));
    }
}
