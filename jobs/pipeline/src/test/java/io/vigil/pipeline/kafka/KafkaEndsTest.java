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

    private static Properties producer(Sink<?> sink) throws Exception {
        Field config = KafkaSink.class.getDeclaredField("kafkaProducerConfig");
        config.setAccessible(true);
        return (Properties) config.get(sink);
    }
}
