package io.vigil.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.pipeline.detect.DetectPipeline;
import io.vigil.settings.VigilConfig;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.junit.jupiter.api.Test;

class KafkaEndsTest {

    @Test
    void windowsDeadLettersAndEpisodeFlagsAreBatchedAndAlertsAreNotHeld() throws Exception {
        DetectPipeline.Outputs outputs = KafkaEnds.outputs(VigilConfig.defaults());

        for (Sink<?> batched : new Sink<?>[] {outputs.windows(), outputs.deadLetters(), outputs.episodeFlags()}) {
            assertThat(producer(batched))
                    .containsEntry("linger.ms", "50")
                    .containsEntry("batch.size", String.valueOf(256 * 1024));
        }
        assertThat(producer(outputs.alerts())).doesNotContainKeys("linger.ms", "batch.size");
    }

    @Test
    void theUsersKafkaPropertiesWinOverTheBatching() throws Exception {
        DetectPipeline.Outputs outputs =
                KafkaEnds.outputs(VigilConfig.defaults().with(Map.of("kafka.linger.ms", "0")));

        assertThat(producer(outputs.windows())).containsEntry("linger.ms", "0");
        assertThat(producer(outputs.alerts())).containsEntry("linger.ms", "0");
    }

    /** Kafka's source reads 0 or less as "look for no new partitions"; the readers' source does the same. */
    @Test
    void theInputsAreBuiltWithPartitionDiscoveryOff() {
        for (String off : new String[] {"0", "-1"}) {
            VigilConfig config = VigilConfig.defaults().with(Map.of("kafka.partition.discovery.interval.ms", off));
            assertThat(KafkaEnds.source(config, false)).isInstanceOf(EveryReaderSource.class);
            assertThat(KafkaEnds.source(config, true)).isInstanceOf(EveryReaderSource.class);
        }
    }

    private static Properties producer(Sink<?> sink) throws Exception {
        Field config = KafkaSink.class.getDeclaredField("kafkaProducerConfig");
        config.setAccessible(true);
        return (Properties) config.get(sink);
    }
}
