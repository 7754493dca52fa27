package io.vigil.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vigil.models.eval.Backtest;
import io.vigil.models.eval.Label;
import io.vigil.records.AgentCall;
import io.vigil.records.AgentEpisode;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Fixtures;
import io.vigil.records.IncidentState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What replay's summary says of an incident's agent episode, against the label that names the cause. */
class EpisodeCheckTest {
    static final long T0 = Fixtures.BEGINNING.toEpochMilli();

    static AgentEpisode episode(String id, long... steps) {
        List<AgentCall> calls = new ArrayList<>();
        for (long step : steps) {
            calls.add(AgentCall.newBuilder()
                    .setStep(step)
                    .setTool("bash")
                    .setCommand("cmd " + step)
                    .setStartTs(Instant.ofEpochMilli(T0))
                    .setEndTs(Instant.ofEpochMilli(T0))
                    .setExitCode(0)
                    .setReason("near")
                    .build());
        }
        return AgentEpisode.newBuilder()
                .setEpisodeId(id)
                .setRolloutWorker(null)
                .setReason("near")
                .setCalls(calls)
                .build();
    }

    static Backtest.LabelledIncident incident(Label label, String firstIncidentId) {
        Backtest.Phase phase = new Backtest.Phase(label, 5, 2, true, true, List.of(label.category()));
        return new Backtest.LabelledIncident(
                label.incident(),
                List.of(phase),
                label.startTs(),
                label.endTs(),
                true,
                true,
                firstIncidentId,
                60_000L,
                1);
    }

    static Alert told(String incidentId, IncidentState state, List<AgentEpisode> context) {
        return Fixtures.alertBuilder()
                .setIncidentId(incidentId)
                .setAlertId(incidentId + "-" + state)
                .setIncidentState(state)
                .setAgentContext(context)
                .build();
    }

    @Test
    void theLabelledEpisodeNamedFirstWithItsCallInTheTopThree() {
        Label label = new Label("rome", Fixtures.JOB, Category.REVERSE_TUNNEL, T0, T0 + 600_000, "ep-7", 14L);
        List<Alert> alerts = List.of(
                told("inc-1", IncidentState.OPEN, List.of()),
                told("inc-1", IncidentState.UPDATE, List.of(episode("ep-7", 3, 14), episode("ep-2", 1, 2))));

        EpisodeCheck c = EpisodeCheck.of(incident(label, "inc-1"), alerts);

        assertThat(c.alertId()).isEqualTo("inc-1-UPDATE");
        assertThat(c.episodeNamedFirst()).isEqualTo("ep-7");
        assertThat(c.calls())
                .extracting(EpisodeCheck.NamedCall::episodeId, EpisodeCheck.NamedCall::step)
                .containsExactly(tuple("ep-7", 3L), tuple("ep-7", 14L), tuple("ep-2", 1L));
        assertThat(c.rightEpisodeFirst()).isTrue();
        assertThat(c.callInTop()).isTrue();
    }

    @Test
    void aWrongEpisodeFirstOrTheCallPastTheTopThreeSaysSo() {
        Label label = new Label("rome", Fixtures.JOB, Category.REVERSE_TUNNEL, T0, T0 + 600_000, "ep-7", 14L);
        List<Alert> alerts =
                List.of(told("inc-1", IncidentState.OPEN, List.of(episode("ep-2", 1, 2, 3), episode("ep-7", 14))));

        EpisodeCheck c = EpisodeCheck.of(incident(label, "inc-1"), alerts);

        assertThat(c.episodeNamedFirst()).isEqualTo("ep-2");
        assertThat(c.rightEpisodeFirst()).isFalse();
        assertThat(c.callInTop()).isFalse();
    }

    @Test
    void withoutAnEpisodeInItsLabelOnlyWhatWasNamedIsTold() {
        Label label = new Label("dep", Fixtures.JOB, Category.CRYPTO_MINING, T0, T0 + 600_000);

        EpisodeCheck none =
                EpisodeCheck.of(incident(label, "inc-1"), List.of(told("inc-1", IncidentState.OPEN, List.of())));

        assertThat(none.named()).isFalse();
        assertThat(none.rightEpisodeFirst()).isNull();
        assertThat(none.callInTop()).isNull();
    }
}
