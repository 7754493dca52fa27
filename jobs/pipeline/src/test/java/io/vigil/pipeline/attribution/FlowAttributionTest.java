package io.vigil.pipeline.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlowAttributionTest {
    @Test
    void writesTimesInDeadLettersAsInstantDoes() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            long second = random.nextLong(-100_000_000_000L, 400_000_000_000L);
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(second, nano);
            assertThat(FlowAttribution.iso(t)).isEqualTo(t.toString());
        }
        for (Instant t : new Instant[] {
            Instant.EPOCH,
            Instant.ofEpochMilli(-1),
            Instant.ofEpochMilli(1770714000077L),
            Instant.parse("9999-12-31T23:59:59.999999999Z"),
            Instant.parse("+10000-01-01T00:00:00Z"),
            Instant.ofEpochSecond(0, 1),
            Instant.ofEpochSecond(0, 100_000_000),
            Instant.ofEpochSecond(0, 10_000),
        }) {
            assertThat(FlowAttribution.iso(t)).isEqualTo(t.toString());
        }
    }
}
