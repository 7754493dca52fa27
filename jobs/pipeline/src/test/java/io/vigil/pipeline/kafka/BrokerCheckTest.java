package io.vigil.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.settings.VigilConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Without a broker: what the check says when nobody answers, and about properties Kafka does not take. */
class BrokerCheckTest {

    @Test
    void brokersThatDoNotAnswerAreNotARefusal() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            closed = socket.getLocalPort();
        }
        VigilConfig config = VigilConfig.defaults().with(Map.of(VigilConfig.BOOTSTRAP_SERVERS, "127.0.0.1:" + closed));
        BrokerCheck.Result result = BrokerCheck.check(config, Duration.ofSeconds(2));
        assertThat(result.outcome()).isEqualTo(BrokerCheck.Outcome.UNKNOWN);
        assertThat(result.message()).contains("127.0.0.1:" + closed);
    }

    @Test
    void aPropertyValueKafkaDoesNotTakeIsAnErrorBeforeAnyoneIsAsked() {
        VigilConfig config = VigilConfig.defaults().with(Map.of("kafka.security.protocol", "SASL_SSLL"));
        assertThatThrownBy(() -> BrokerCheck.check(config, Duration.ofSeconds(2)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("security.protocol");
    }
}
