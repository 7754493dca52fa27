package io.vigil.models.suppression;

import io.vigil.records.Category;
import io.vigil.records.Evidence;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
     * @param suppressed whether it opens or updates no incident: a rule of jobs and labels only matched, or the
     *     rules removed every category it had
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
     * Applies the rules to a flagged window of a job. A rule whose job conditions hold (expiry, glob, labels) then
     * acts by its kind:
     * <ul>
     *   <li>with a category the window has: removes it, when the rule names no destination or every suspicious
     *       destination of the evidence ({@link Grounds#suspicious}) lies in its range and on its port;</li>
     *   <li>with a destination and no category: removes each category all of whose supporting destinations
     *       ({@link Grounds}) lie in its range and on its port, or in those of the other such rules (a tunnel
     *       allowed by one rule and a second endpoint by another); a category that rests on no listed destination,
     *       or on something else too (hashing GPUs, a miner's process name), stays;</li>
     *   <li>with neither: silences the whole window.</li>
     * </ul>
     * The window is suppressed when a whole-window rule matched or no category remains.
     *
     * @param jobLabels the job's scheduler labels (empty when none are known)
     * @param categories the categories the window was flagged for (UNKNOWN when no known kind fits)
     * @param features the window's features by name, as scored
     * @param evidence the window's evidence
     * @param windowEnd the window's end: a rule matches windows ending at or before its expiry
     */
    public Outcome apply(
            String jobId,
            Map<String, String> jobLabels,
            List<Category> categories,
            Map<String, Double> features,
            Evidence evidence,
            Instant windowEnd) {
        if (rules.isEmpty()) {
            return new Outcome(false, List.of(), categories);
        }
        List<Grounds.Endpoint> suspicious = null;
        List<Suppression> destinationRules = new ArrayList<>();
        Set<String> whole = new TreeSet<>();
        Set<String> removing = new TreeSet<>();
        Set<Category> removed = new LinkedHashSet<>();
        for (Suppression rule : rules) {
            if (rule.category() != null && !categories.contains(rule.category())) {
                continue;
            }
            if (!rule.coversJob(jobId, jobLabels, windowEnd)) {
                continue;
            }
            if (rule.category() != null) {
                if (rule.namesDestination()) {
                    if (suspicious == null) {
                        suspicious = Grounds.suspicious(evidence.getDestinations()).stream()
                                .map(d -> new Grounds.Endpoint(d.getIp(), d.getPort()))
                                .toList();
                    }
                    if (!rule.coversEndpoints(suspicious)) {
                        continue;
                    }
                }
                removing.add(rule.id());
                removed.add(rule.category());
            } else if (!rule.namesDestination()) {
                whole.add(rule.id());
            } else {
                destinationRules.add(rule);
            }
        }
        if (!destinationRules.isEmpty()) {
            Grounds grounds = Grounds.of(categories, features, evidence);
            for (Category category : categories) {
                Optional<List<Grounds.Endpoint>> endpoints = grounds.of(category);
                if (endpoints.isEmpty()) {
                    continue;
                }
                Set<String> covering = new TreeSet<>();
                boolean all = true;
                for (Grounds.Endpoint e : endpoints.get()) {
                    List<String> ids = destinationRules.stream()
                            .filter(r -> r.coversEndpoint(e))
                            .map(Suppression::id)
                            .toList();
                    all &= !ids.isEmpty();
                    covering.addAll(ids);
                }
                if (all) {
                    removing.addAll(covering);
                    removed.add(category);
                }
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

    @Override
    public String toString() {
        return "Suppressions" + rules;
    }
}
