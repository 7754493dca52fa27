package io.vigil.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.broker.EmbeddedKafka;
import io.vigil.records.Decoded;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * collect-gpu against a real broker: samples from the fake nvidia-smi land on the GPU topic in the canonical
 * framing; then the broker goes away and the agent keeps polling, buffers to its bound and counts what it
 * drops, without failing.
 */
class CollectGpuKafkaIT {

    @Test
    void publishesSamplesThenSurvivesTheBrokerGoingAway(@TempDir Path dir) throws Exception {
        String topic = "t" + System.nanoTime() + ".vigil.gpu";
        Path pods = dir.resolve("pods.txt");
        Files.writeString(pods, "0 prober-0 job-prober\n1 trainer-0\n");
        StringWriter log = new StringWriter();
        AtomicLong clock = new AtomicLong(1_771_038_000_000L);
        NvidiaSmiSource source =
                new NvidiaSmiSource(FakeNvidiaSmi.working(dir).toString(), "node-2", Duration.ofSeconds(10));

        EmbeddedKafka kafka = EmbeddedKafka.start();
        try {
            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                        .all()
                        .get();
            }
            // While the broker is up, a send may take as long as a loaded machine needs (a timeout there would turn a
            // slow broker into an outage); once it is gone, the agent gives up on a send after its short timeout.
            VigilConfig config = VigilConfig.defaults()
                    .with(Map.of(
                            VigilConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(), Topic.GPU.nameSetting(), topic));
            try (KafkaSamplePublisher patient = new KafkaSamplePublisher(config, Duration.ofMinutes(1));
                    KafkaSamplePublisher brisk = new KafkaSamplePublisher(config, Duration.ofSeconds(1))) {
                AtomicReference<SamplePublisher> publisher = new AtomicReference<>(patient);
                SamplePublisher current = new SamplePublisher() {
                    @Override
                    public void publish(GpuSample sample) throws Exception {
                        publisher.get().publish(sample);
                    }

                    @Override
                    public void close() {}
                };
                GpuCollector collector = new GpuCollector(
                        source,
                        new PodMapping(pods),
                        current,
                        3,
                        Duration.ofMillis(10),
                        Duration.ofMillis(50),
                        new PrintWriter(log, true),
                        () -> clock.addAndGet(10_000));
                collector.run(2);
                assertThat(collector.published()).isEqualTo(4);

                List<GpuSample> onTopic = read(kafka.bootstrapServers(), topic, 4);
                assertThat(onTopic).extracting(GpuSample::getNode).containsOnly("node-2");
                assertThat(onTopic)
                        .extracting(GpuSample::getPod)
                        .containsExactly("prober-0", "trainer-0", "prober-0", "trainer-0");
                assertThat(onTopic.get(0).getJobId()).isEqualTo("job-prober");
                assertThat(onTopic.get(0).getProcesses()).hasSize(2);

                kafka.close();
                publisher.set(brisk);
                collector.run(5); // three polls while the broker is gone: 6 samples, room for 3
                assertThat(collector.buffered()).isEqualTo(3);
                assertThat(collector.dropped()).isEqualTo(3);
                assertThat(collector.published()).isEqualTo(4);
                assertThat(log.toString()).contains("cannot publish").contains("WARNING buffer full (3 samples)");
            }
        } finally {
            kafka.close();
        }
    }

    static List<GpuSample> read(String bootstrap, String topic, int expected) {
        RecordFraming<GpuSample> framing = Framings.forTopic(RecordType.GPU, topic, null);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        List<GpuSample> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Decoded<GpuSample> d = framing.decode(r.value());
                    assertThat(d.isAccepted()).as(d.toString()).isTrue();
                    out.add(d.record());
                }
            }
        }
        return out;
    }
}
