package io.vigil.models.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DestinationHistoryTest {
    private static final long LOOKBACK = Duration.ofHours(24).toMillis();
    private static final long MINUTE = 60_000;
    private static final long NOW = WindowScene.WINDOW_END;
    private static final long AN_HOUR_AGO = NOW - 60 * MINUTE;
    private static final long TWO_DAYS_AGO = NOW - 48 * 60 * MINUTE;

    @Test
    void countsTheDistinctJobsOverTheLookbackTheseIncluded() {
        DestinationHistory h = new DestinationHistory();
        h.record(List.of("a", "b"), AN_HOUR_AGO, LOOKBACK);

        assertThat(h.record(List.of("b", "c"), NOW, LOOKBACK)).isEqualTo(3);
    }

    @Test
    void countsAJobSeenAgainOnce() {
        DestinationHistory h = new DestinationHistory();
        h.record(List.of("a"), AN_HOUR_AGO, LOOKBACK);

        assertThat(h.record(List.of("a"), NOW, LOOKBACK)).isEqualTo(1);
        assertThat(h.lastSeen).containsEntry("a", NOW);
    }

    @Test
    void forgetsJobsOutsideTheLookback() {
        DestinationHistory h = new DestinationHistory();
        h.record(List.of("old"), TWO_DAYS_AGO, LOOKBACK);

        assertThat(h.record(List.of("new"), NOW, LOOKBACK)).isEqualTo(1);
        h.prune(NOW, LOOKBACK);
        assertThat(h.lastSeen).containsOnlyKeys("new");
    }

    @Test
    void countsOnlyTheseJobsForAnAddressNeverSeenBefore() {
        assertThat(new DestinationHistory().record(List.of("a"), NOW, LOOKBACK)).isEqualTo(1);
        assertThat(new DestinationHistory().record(List.of(), NOW, LOOKBACK)).isZero();
    }

    @Test
    void becomesEmptyOnceEveryJobFallsOutOfTheLookback() {
        DestinationHistory h = new DestinationHistory();
        h.record(List.of("a", "b"), AN_HOUR_AGO, LOOKBACK);

        h.prune(NOW, LOOKBACK);
        assertThat(h.isEmpty()).isFalse();
        assertThat(h.expiresAt(LOOKBACK)).isEqualTo(AN_HOUR_AGO + LOOKBACK);

        h.prune(AN_HOUR_AGO + LOOKBACK + 1, LOOKBACK);
        assertThat(h.isEmpty()).isTrue();
        assertThat(h.expiresAt(LOOKBACK)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void remembersAtMostTheCapForgettingTheOldestFirst() {
        DestinationHistory h = new DestinationHistory();
        List<String> early = new ArrayList<>();
        for (int i = 0; i < DestinationHistory.MAX_JOBS; i++) {
            early.add("early-" + i);
        }
        h.record(early, AN_HOUR_AGO, LOOKBACK);

        int recent = h.record(List.of("late-1", "late-2"), NOW, LOOKBACK);

        assertThat(recent).isEqualTo(DestinationHistory.MAX_JOBS + 2);
        assertThat(h.lastSeen).hasSize(DestinationHistory.MAX_JOBS).containsKeys("late-1", "late-2");
    }

    @Test
    void countsEveryJobOfAWindowBiggerThanTheCap() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < DestinationHistory.MAX_JOBS + 100; i++) {
            many.add("job-" + i);
        }
        DestinationHistory h = new DestinationHistory();

        assertThat(h.record(many, NOW, LOOKBACK)).isEqualTo(DestinationHistory.MAX_JOBS + 100);
        assertThat(h.lastSeen).hasSize(DestinationHistory.MAX_JOBS);
    }
}
