package io.vigil.collector;

import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes samples to the GPU topic in the configured framing (Avro single-object, or Confluent with a
 * registry), keyed by node so one node's samples stay in order. Sends are short-fused: during a broker
 * outage a send fails within {@code timeout} and the collector keeps the sample in its own bounded buffer.
 */
public final class KafkaSamplePublisher implements SamplePublisher {
    private final KafkaProducer<byte[], byte[]> producer;
    private final RecordFraming<GpuSample> framing;
    private final String topic;
    private final Duration timeout;

    public KafkaSamplePublisher(String bootstrapServers, String topic, String registryUrl, Duration timeout) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "vigil-collect-gpu");
        int ms = (int) Math.max(1_000, timeout.toMillis());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ms);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, ms);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 5_000);
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.framing = Framings.forTopic(RecordType.GPU, topic, registryUrl);
        this.topic = topic;
        this.timeout = timeout;
    }

    @Override
    public void publish(GpuSample sample) throws Exception {
        byte[] key = sample.getNode().getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topic, key, framing.encode(sample)))
                .get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2));
    }
}
