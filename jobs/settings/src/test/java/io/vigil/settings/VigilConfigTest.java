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

    @Test
    void readersPollLittleOnlyWhereAlignmentMayPauseAPartition() {
        // what a paused reader had polled still goes out: small polls bound it; without alignment nothing is paused
        assertThat(VigilConfig.defaults().inputMaxPollRecords(false)).isEqualTo(100);
        assertThat(VigilConfig.defaults().inputMaxPollRecords(true)).isEqualTo(500);
        VigilConfig unaligned = VigilConfig.defaults().with(Map.of(VigilConfig.ALIGNMENT_MAX_DRIFT_MS, "0"));
        assertThat(unaligned.inputMaxPollRecords(false)).isEqualTo(500);
        VigilConfig set = VigilConfig.defaults().with(Map.of(VigilConfig.INPUT_MAX_POLL_RECORDS, "20"));
        assertThat(set.inputMaxPollRecords(false)).isEqualTo(20);
        assertThat(set.inputMaxPollRecords(true)).isEqualTo(20);
    }
}
