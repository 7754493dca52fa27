package io.vigil.tools.alerts;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an analyst judges when they give a verdict on an alert: the whole incident it belongs to, as the alert topic
 * told it in its transitions: its job, the span from its first flagged window's start to its last flagged window's
 * end, every category it named and every destination its evidence showed, in the order they were told.
 */
public record JudgedIncident(
        String incidentId,
        String jobId,
        long firstSeen,
        long lastSeen,
        List<String> categories,
        List<Transition.Endpoint> destinations) {

    /**
     * The incident {@code id} names among {@code transitions} (in topic order): the incident with that id, or the
     * incident of the transition with that id; empty when neither is there.
     */
    public static Optional<JudgedIncident> find(String id, List<Transition> transitions) {
        Optional<String> incident = transitions.stream()
                .filter(t -> t.incidentId().equals(id) || t.transitionId().equals(id))
                .map(Transition::incidentId)
                .findFirst();
        if (incident.isEmpty()) {
            return Optional.empty();
        }
        String incidentId = incident.get();
        String job = null;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        Set<String> categories = new LinkedHashSet<>();
        Set<Transition.Endpoint> destinations = new LinkedHashSet<>();
        for (Transition t : transitions) {
            if (!t.incidentId().equals(incidentId)) {
                continue;
            }
            job = t.jobId();
            first = Math.min(first, t.firstSeen());
            last = Math.max(last, t.lastSeen());
            categories.addAll(t.categories());
            destinations.addAll(t.destinations());
        }
        // UNKNOWN stands only until a kind is known
        if (categories.size() > 1) {
            categories.remove("UNKNOWN");
        }
        return Optional.of(
                new JudgedIncident(incidentId, job, first, last, List.copyOf(categories), List.copyOf(destinations)));
    }
}
