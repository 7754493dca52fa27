package io.vigil.pipeline.detect;

import io.vigil.records.AgentCall;
import io.vigil.records.AgentEpisode;
import io.vigil.records.Alert;
import io.vigil.records.EpisodeFlag;
import io.vigil.records.FlaggedCall;
import java.util.ArrayList;
import java.util.List;

/** The episode flag of an episode an alert names: what a trainer needs to quarantine it, and nothing more. */
final class EpisodeFlags {
    private EpisodeFlags() {}

    /** @param rank the episode's place in the alert's agent context, 1 first */
    static EpisodeFlag of(Alert alert, AgentEpisode episode, int rank) {
        List<FlaggedCall> calls = new ArrayList<>(episode.getCalls().size());
        for (AgentCall call : episode.getCalls()) {
            calls.add(FlaggedCall.newBuilder()
                    .setStep(call.getStep())
                    .setTool(call.getTool())
                    .setCommand(call.getCommand())
                    .setStartTs(call.getStartTs())
                    .setEndTs(call.getEndTs())
                    .setReason(call.getReason())
                    .build());
        }
        return EpisodeFlag.newBuilder()
                .setFlagId(Alerts.flagId(alert.getIncidentId(), episode.getEpisodeId()))
                .setIncidentId(alert.getIncidentId())
                .setAlertId(alert.getAlertId())
                .setJobId(alert.getJobId())
                .setEpisodeId(episode.getEpisodeId())
                .setRolloutWorker(episode.getRolloutWorker())
                .setRank(rank)
                .setFlaggedAt(Alerts.happenedAt(alert))
                .setCategories(new ArrayList<>(alert.getIncidentCategories()))
                .setReason(episode.getReason())
                .setCalls(calls)
                .build();
    }
}
