package io.vigil.models.suppression;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.models.scoring.IndicatorScorer.Indicator;
import io.vigil.records.Category;
import io.vigil.records.Destination;
import io.vigil.records.Evidence;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which destinations of a flagged window each of its categories rests on: what a destination rule must cover to
 * take the category off ({@link Suppressions#apply}). Pure; decided from what each category means on the wire,
 * over the facts the evidence carries per destination ({@link Destination}: rare, long-lived, bytes sent, failed
 * ports) and the window's features:
 * <ul>
 *   <li>NETWORK_SCAN: each failed target (a listed destination's failed port); the scan reaches beyond the list
 *       when the evidence says targets are unlisted, or when the targets of the job's last half hour add to it
 *       ({@link Indicator#SLOW_SCAN}: other windows' targets);</li>
 *   <li>REVERSE_TUNNEL: the rare external destinations held by a long-lived session, or reached by SSH; when
 *       the GPUs show hashing, a rare persistent connection is the pool's (as the tunnel indicator reads it), so
 *       the SSH ones, if any;</li>
 *   <li>CRYPTO_MINING: the rare external destinations held by a long-lived session (the pool), those not SSH
 *       if any (SSH is the tunnel's);</li>
 *   <li>EXFILTRATION: the rare external destinations the job sent more to than it received from;</li>
 *   <li>GPU_DIVERSION: none (it is on the GPUs);</li>
 *   <li>UNKNOWN (no known kind fits, so nothing says which destination made it): every suspicious destination,
 *       external or with unanswered attempts, else every listed one.</li>
 * </ul>
 * A category that also stands without any destination is held by something no destination rule covers: its
 * indicators that read no destination ({@link #readsDestinations}: hashing GPUs, a miner's process name, a
 * metadata-service call, GPUs serving another workload) would name it by themselves
 * ({@link IndicatorScorer#CATEGORY_MIN}). So would the rare hosts, SSH flows or upload bytes the features counted
 * beyond the listed destinations (the evidence lists at most a few dozen). A destination rule never takes such a
 * category off, nor one without any supporting destination listed.
 */
public final class Grounds {
    /** One endpoint a category rests on: a rule's range must hold the address and its port must be this one. */
    public record Endpoint(String ip, int port) {}

    private final Map<Category, List<Endpoint>> endpoints;

    private Grounds(Map<Category, List<Endpoint>> endpoints) {
        this.endpoints = endpoints;
    }

    /**
     * The grounds of a flagged window's categories.
     *
     * @param features the window's features by name (as scored: with the job's recent failed targets)
     * @param evidence the window's evidence
     */
    public static Grounds of(List<Category> categories, Map<String, Double> features, Evidence evidence) {
        Map<Indicator, Double> contributions = IndicatorScorer.contributions(features);
        List<Destination> listed = evidence.getDestinations();
        Map<Category, List<Endpoint>> out = new EnumMap<>(Category.class);
        for (Category category : categories) {
            if (standsWithoutDestinations(category, contributions)
                    || beyondTheList(category, contributions, features, evidence)) {
                continue;
            }
            List<Endpoint> supporting = supporting(category, listed, IndicatorScorer.hashing(features));
            if (!supporting.isEmpty()) {
                out.put(category, supporting);
            }
        }
        return new Grounds(out);
    }

    /**
     * The endpoints the category rests on, every one listed; empty when a destination rule cannot take it off (no
     * supporting destination listed, or it stands on something else too).
     */
    public Optional<List<Endpoint>> of(Category category) {
        return Optional.ofNullable(endpoints.get(category));
    }

    /**
     * Whether the indicator's evidence is a destination the window lists: a scan's failed targets, a tunnel's or a
     * pool's rare long-lived session, SSH to a rare host, an upload, and an agent's call that opens a tunnel. Hashing
     * GPUs, process names, the metadata service (a link-local address, never listed), an agent's miner launch or
     * probe are not. Every indicator is decided here, by name.
     */
    static boolean readsDestinations(Indicator indicator) {
        return switch (indicator) {
            case PORT_SWEEP, VERTICAL_PORT_SCAN, HOST_SWEEP, TARGET_SWEEP, SLOW_SCAN -> true;
            case REVERSE_TUNNEL, SSH_TO_RARE_HOST -> true;
            case LARGE_UPLOAD_TO_RARE_HOST -> true;
            case HASHING_WITH_RARE_PERSISTENT_CONNECTION -> true;
            // an `ssh -R` (or the like) starts the tunnel's own SSH or long-lived session, in its window or the next:
            // the tunnel's listed destinations stand for the call (its target is not kept), so a rule that allows
            // the tunnel's host allows the call that opened it; with none listed yet, nothing takes it off
            case AGENT_TUNNEL -> true;
            // a miner's launch or a probe: its traffic may not be listed yet, and the mining's or the scan's grounds
            // would then be other destinations of the window (a tunnel's session beside a miner not yet connected)
            case AGENT_MINER, AGENT_PROBE -> false;
            case METADATA_PROBE,
                    HASHING_ON_SOME_GPUS,
                    HASHING_WITH_MINER_PROCESS,
                    MINER_PROCESS_NAME,
                    FOREIGN_PROCESS_ON_SOME_GPUS -> false;
        };
    }

    /** Whether the category's indicators that read no destination name it by themselves. */
    private static boolean standsWithoutDestinations(Category category, Map<Indicator, Double> contributions) {
        double keep = 1;
        for (Map.Entry<Indicator, Double> e : contributions.entrySet()) {
            if (e.getKey().category() == category && !readsDestinations(e.getKey())) {
                keep *= 1 - e.getValue();
            }
        }
        return 1 - keep >= IndicatorScorer.CATEGORY_MIN;
    }

    /** Whether the features counted destinations of the category's kind that the evidence does not list. */
    private static boolean beyondTheList(
            Category category, Map<Indicator, Double> contributions, Map<String, Double> features, Evidence evidence) {
        List<Destination> rare =
                evidence.getDestinations().stream().filter(Destination::getRare).toList();
        return switch (category) {
            case NETWORK_SCAN -> evidence.getUnlistedFailedTargets() > 0 || contributions.get(Indicator.SLOW_SCAN) > 0;
            case REVERSE_TUNNEL ->
                count(features, FeatureSet.RARE_LONG_LIVED_HOSTS)
                                > rare.stream()
                                        .filter(Destination::getLongLived)
                                        .count()
                        || count(features, FeatureSet.RARE_SSH_FLOWS)
                                > rare.stream()
                                        .filter(d -> d.getPort() == 22)
                                        .mapToLong(Destination::getFlows)
                                        .sum();
            case CRYPTO_MINING ->
                count(features, FeatureSet.RARE_LONG_LIVED_HOSTS)
                        > rare.stream().filter(Destination::getLongLived).count();
            case EXFILTRATION ->
                count(features, FeatureSet.RARE_EXTERNAL_BYTES_OUT)
                        > rare.stream().mapToLong(Destination::getBytesOut).sum();
            default -> false;
        };
    }

    /** The listed destinations the category rests on (see the class doc). */
    private static List<Endpoint> supporting(Category category, List<Destination> listed, boolean hashing) {
        List<Destination> rare = listed.stream().filter(Destination::getRare).toList();
        List<Destination> ssh = rare.stream().filter(d -> d.getPort() == 22).toList();
        List<Destination> persistent =
                rare.stream().filter(Destination::getLongLived).toList();
        List<Destination> persistentNotSsh =
                persistent.stream().filter(d -> d.getPort() != 22).toList();
        List<Destination> out = switch (category) {
            case NETWORK_SCAN -> List.of();
            // with hashing GPUs a rare persistent connection is the pool's, unless it is SSH
            case REVERSE_TUNNEL -> hashing && !ssh.isEmpty() ? ssh : union(persistent, ssh);
            case CRYPTO_MINING -> persistentNotSsh.isEmpty() ? persistent : persistentNotSsh;
            case EXFILTRATION ->
                rare.stream().filter(d -> 2 * d.getBytesOut() > d.getBytes()).toList();
            case UNKNOWN -> suspicious(listed);
            default -> List.of();
        };
        List<Endpoint> endpoints = new ArrayList<>();
        if (category == Category.NETWORK_SCAN) {
            for (Destination d : listed) {
                d.getFailedPorts().forEach(p -> endpoints.add(new Endpoint(d.getIp(), p)));
            }
        } else {
            out.forEach(d -> endpoints.add(endpoint(d)));
        }
        return endpoints;
    }

    private static List<Destination> union(List<Destination> a, List<Destination> b) {
        Set<Destination> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return new ArrayList<>(all);
    }

    /**
     * The destinations a window of no known kind may have been flagged for: the external ones and those with
     * unanswered attempts; when there are none of these, every listed one. A benign internal destination (the
     * job's storage, DNS) is thus no reason to keep alerting.
     */
    static List<Destination> suspicious(List<Destination> destinations) {
        List<Destination> suspicious = destinations.stream()
                .filter(d -> d.getExternal() || d.getUnanswered() > 0)
                .toList();
        return suspicious.isEmpty() ? destinations : suspicious;
    }

    private static Endpoint endpoint(Destination d) {
        return new Endpoint(d.getIp(), d.getPort());
    }

    /** The count behind a {@code log1p} feature, rounded (counts are whole); 0 when absent. */
    private static long count(Map<String, Double> features, String name) {
        Double v = features.get(name);
        return v == null || !Double.isFinite(v) ? 0 : Math.round(Math.expm1(Math.max(0, v)));
    }

    @Override
    public String toString() {
        return "Grounds" + endpoints;
    }
}
