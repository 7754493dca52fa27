package io.vigil.tools.replay;

import io.vigil.models.agents.EpisodeAttribution;
import io.vigil.models.eval.Backtest;
import io.vigil.models.eval.Label;
import io.vigil.records.AgentCall;
import io.vigil.records.AgentEpisode;
import io.vigil.records.Alert;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Per labelled incident of a replay: whether the alerts named an agent episode, which first and by which calls; and,
 * where the incident's label names the episode that caused it ({@code episode_id}, and {@code call_step} for the tool
 * call), whether that episode was named first and its call among the first {@link #TOP_CALLS} calls named.
 *
 * @param alertId the first transition that named an episode for what its commands hold, else the first that named
 *     one; null when none did
 * @param episodeNamedFirst the episode it named first; null when none
 * @param calls the first calls it named, in its order: the first episode's, then the next one's
 * @param expectedEpisode the label's episode; null when the label names none
 * @param expectedStep the label's call step; null when it names none
 * @param rightEpisodeFirst whether the label's episode was named first; null without one
 * @param callInTop whether the label's call is among {@code calls}; null without one
 */
record EpisodeCheck(
        String alertId,
        String episodeNamedFirst,
        List<NamedCall> calls,
        String expectedEpisode,
        Long expectedStep,
        Boolean rightEpisodeFirst,
        Boolean callInTop) {
    /** How many of the calls named first are looked at for the label's call. */
    static final int TOP_CALLS = 3;

    /** One call an alert named: its episode, step and command. */
    record NamedCall(String episodeId, Long step, String command) {}

    boolean named() {
        return episodeNamedFirst != null;
    }

    /**
     * @param transitions the dataset's alerts (incident transitions) in the order they were told
     */
    static EpisodeCheck of(Backtest.LabelledIncident incident, List<Alert> transitions) {
        String expectedEpisode = null;
        Long expectedStep = null;
        for (Backtest.Phase p : incident.phases()) {
            Label l = p.label();
            if (l.episodeId() != null) {
                expectedEpisode = l.episodeId();
                expectedStep = l.callStep();
                break;
            }
        }
        Set<String> jobs = Set.copyOf(incident.jobs());
        // the first transition that named an episode for what its commands hold (what a trainer is told to drop),
        // else the first that named one at all
        Alert first = null;
        Alert firstByTime = null;
        for (Alert a : transitions) {
            // a transition told before the labelled incident began (of an incident it joined, still open from
            // something earlier on the same job) cannot name its cause
            boolean ofIncident = incident.startTs() < a.getWindowEnd().toEpochMilli()
                    && (a.getIncidentId().equals(incident.firstIncidentId())
                            || (jobs.contains(a.getJobId())
                                    && a.getWindowStart().toEpochMilli() < incident.endTs()));
            if (ofIncident && !a.getAgentContext().isEmpty()) {
                if (EpisodeAttribution.namedByCommand(a.getAgentContext().get(0))) {
                    first = a;
                    break;
                }
                firstByTime = firstByTime == null ? a : firstByTime;
            }
        }
        first = first == null ? firstByTime : first;
        List<NamedCall> calls = new ArrayList<>();
        String namedFirst = null;
        if (first != null) {
            namedFirst = first.getAgentContext().get(0).getEpisodeId();
            for (AgentEpisode e : first.getAgentContext()) {
                for (AgentCall c : e.getCalls()) {
                    if (calls.size() < TOP_CALLS) {
                        calls.add(new NamedCall(e.getEpisodeId(), c.getStep(), c.getCommand()));
                    }
                }
            }
        }
        Boolean right = expectedEpisode == null ? null : expectedEpisode.equals(namedFirst);
        Boolean inTop = null;
        if (expectedEpisode != null && expectedStep != null) {
            String episode = expectedEpisode;
            Long step = expectedStep;
            inTop = calls.stream().anyMatch(c -> c.episodeId().equals(episode) && step.equals(c.step()));
        }
        return new EpisodeCheck(
                first == null ? null : first.getAlertId(),
                namedFirst,
                List.copyOf(calls),
                expectedEpisode,
                expectedStep,
                right,
                inTop);
    }
}
