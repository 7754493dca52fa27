package io.vigil.models.suppression;

import io.vigil.records.Category;
import io.vigil.records.Destination;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A set of suppression rules applied to a flagged window: pure, so the detect job, replay and evaluate decide
 * alike. Expiry is judged against the window's event time (its end), never the wall clock: a replay of the same
 * data with the same rules suppresses the same windows, and a running job stops applying an expired rule at
 * the first window past its expiry, without a restart.
 */
public final class Suppressions implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Suppressions NONE = new Suppressions(List.of());

    private final List<Suppression> rules;

    private Suppressions(List<Suppression> rules) {
        this.rules = List.copyOf(rules);
    }

    public static Suppressions none() {
        return NONE;
    }

    public static Suppressions of(Collection<Suppression> rules) {
        return rules.isEmpty() ? NONE : new Suppressions(new ArrayList<>(rules));
    }

    public List<Suppression> rules() {
        return rules;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /**
     * What the rules do to a flagged window.
     *
     * @param suppressed whether it opens or updates no incident: a rule without a category matched, or the
     *     category rules removed every category it had
     * @param ruleIds the rules that took part, sorted: those that matched it whole and those that removed one of
     *     its categories; empty when none did
     * @param categories its categories less those removed, in their order
     */
    public record Outcome(boolean suppressed, List<String> ruleIds, List<Category> categories) {
        /** Whether any rule changed anything. */
        public boolean changed() {
            return !ruleIds.isEmpty();
        }
    }

    /**
     * Applies the rules to a flagged window of a job.
     *
     * @param jobLabels the job's scheduler labels (empty when none are known)
     * @param categories the categories the window was flagged for (UNKNOWN when no known kind fits)
     * @param destinations the destinations of the window's evidence
     * @param windowEnd the window's end: a rule matches windows ending at or before its expiry
     */
    public Outcome apply(
            String jobId,
            Map<String, String> jobLabels,
            List<Category> categories,
            List<Destination> destinations,
            Instant windowEnd) {
        if (rules.isEmpty()) {
            return new Outcome(false, List.of(), categories);
        }
        List<Destination> suspicious = suspicious(destinations);
        Set<String> whole = new TreeSet<>();
        Set<String> removing = new TreeSet<>();
        Set<Category> removed = new LinkedHashSet<>();
        for (Suppression rule : rules) {
            if (rule.category() != null && !categories.contains(rule.category())) {
                continue;
            }
            if (!rule.covers(jobId, jobLabels, suspicious, windowEnd)) {
                continue;
            }
            if (rule.category() == null) {
                whole.add(rule.id());
            } else {
                removing.add(rule.id());
                removed.add(rule.category());
            }
        }
        if (whole.isEmpty() && removing.isEmpty()) {
            return new Outcome(false, List.of(), categories);
        }
        List<Category> remaining =
                categories.stream().filter(c -> !removed.contains(c)).toList();
        Set<String> ids = new TreeSet<>(whole);
        ids.addAll(removing);
        return new Outcome(!whole.isEmpty() || remaining.isEmpty(), List.copyOf(ids), remaining);
    }

    /**
     * The destinations a window was flagged for, those a destination rule must cover: the external ones and
     * those with unanswered attempts (a scan's targets); when there are none of these, every destination of
     * the evidence. A benign internal destination (the job's storage, DNS) beside a flagged tunnel is thus no
     * reason to keep alerting on a tunnel an analyst has allowed.
     */
    public static List<Destination> suspicious(List<Destination> destinations) {
        List<Destination> suspicious = destinations.stream()
                .filter(d -> d.getExternal() || d.getUnanswered() > 0)
                .toList();
        return suspicious.isEmpty() ? destinations : suspicious;
    }

    @Override
    public String toString() {
        return "Suppressions" + rules;
    }
}
