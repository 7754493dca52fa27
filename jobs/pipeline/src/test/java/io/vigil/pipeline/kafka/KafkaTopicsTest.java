package io.vigil.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.settings.VigilConfig;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Without a broker: a Kafka client property Kafka does not take is an error before anyone is asked or waited for. */
class KafkaTopicsTest {

    @Test
    void aPropertyValueKafkaDoesNotTakeIsAnErrorBeforeAnyoneIsAsked() {
        VigilConfig config = VigilConfig.defaults().with(Map.of("kafka.security.protocol", "SASL_SSLL"));
        assertThatThrownBy(() -> KafkaTopics.awaitBrokerAndTopics(config, List.of(), KafkaTopics.RETRY, line -> {}))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("security.protocol");
    }
}
