package io.vigil.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class VigilConfigTest {

    @Test
    void theFutureMarginStopsAtTheHourKafkaBrokersAcceptAhead() {
        assertThat(VigilConfig.defaults()
                        .with(Map.of(VigilConfig.INPUT_FUTURE_MARGIN_MS, "3600000"))
                        .getLong(VigilConfig.INPUT_FUTURE_MARGIN_MS))
                .isEqualTo(3_600_000L);
        // a record accepted further ahead would make windows and alerts the broker refuses to store
        assertThatThrownBy(() -> VigilConfig.defaults().with(Map.of(VigilConfig.INPUT_FUTURE_MARGIN_MS, "3600001")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(VigilConfig.INPUT_FUTURE_MARGIN_MS);
    }
}
