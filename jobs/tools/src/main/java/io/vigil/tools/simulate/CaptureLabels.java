package io.vigil.tools.simulate;

import io.vigil.models.features.NetworkScope;
import io.vigil.records.Category;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * An analyst's ground truth for a real capture, from protocol facts in the conn.log alone (never from
 * Vigil's detectors), for the hosts that play jobs' pods. Two rules, with Zeek's own constants:
 *
 * <ul>
 * <li><b>Scan</b> (NETWORK_SCAN): Zeek's scan policy (policy/misc/scan.zeek, Zeek up to 6.0). A <i>failed
 *     attempt</i> is a TCP connection the host originated that never carried data: {@code S0} (SYN, no
 *     answer), {@code REJ} (refused), {@code SH} (SYN and FIN, no answer), or {@code RSTO}/{@code RSTOS0}
 *     with no payload in either direction (the prober reset the handshake: a SYN scan's open port). A port
 *     scan is at least {@value #PORT_SCAN_THRESHOLD} distinct ports of one host, an address scan at least
 *     {@value #ADDR_SCAN_THRESHOLD} distinct hosts on one port, each within {@value #SCAN_INTERVAL_MIN}
 *     minutes (Scan::port_scan_threshold, Scan::addr_scan_threshold, Scan::*_scan_interval). One addition: at
 *     least {@value #ADDR_SCAN_THRESHOLD} distinct host:port targets within the interval, however spread, is a
 *     scan too (a probe of a few ports over many hosts, nmap's way, stays under both per-key counts while
 *     failing more handshakes than any client does). The label runs
 *     from the first to the last failed attempt of the episode that crossed a threshold (attempts chained
 *     while gaps are under the interval). Targets inside and outside the network count alike. UDP and ICMP
 *     never count: an unanswered UDP datagram is not a refused handshake.</li>
 * <li><b>Tunnel</b> (REVERSE_TUNNEL): an SSH connection (Zeek's protocol detection, {@code service} ssh, on
 *     any port) the host originated to an address outside the network, open at least
 *     {@value #TUNNEL_MIN_MINUTES} minutes (the first interval of Zeek's long-connections package) with
 *     data both ways. Labelled over the connection's lifetime.</li>
 * </ul>
 *
 * <p>Limits, said in every dataset's README: a tunnel inside TLS or HTTP is not recognised (nothing in a
 * conn.log tells it from a long HTTPS session); a scan slower than {@value #PORT_SCAN_THRESHOLD} ports
 * or {@value #ADDR_SCAN_THRESHOLD} hosts per {@value #SCAN_INTERVAL_MIN} minutes is not labelled; mining
 * and exfiltration are not labelled at all (a conn.log has no GPU and no intent).
 */
public final class CaptureLabels {
    public static final int PORT_SCAN_THRESHOLD = 15;
    public static final int ADDR_SCAN_THRESHOLD = 25;
    public static final int SCAN_INTERVAL_MIN = 5;
    public static final int TUNNEL_MIN_MINUTES = 10;
    static final long SCAN_INTERVAL_MS = SCAN_INTERVAL_MIN * 60_000L;
    static final long TUNNEL_MIN_MS = TUNNEL_MIN_MINUTES * 60_000L;

    private static final Set<String> NEVER_ANSWERED = Set.of("S0", "REJ", "SH");
    private static final Set<String> RESET_BY_PROBER = Set.of("RSTO", "RSTOS0");

    /** One labelled incident, with the facts that made it one (for the README). */
    public record Finding(
            String incident, String host, String jobId, Category category, long startTs, long endTs, String evidence) {}

    private CaptureLabels() {}

    /**
     * A host's failed attempts, whether or not they made a scan: for the README, so that a reader sees what
     * stayed under the thresholds.
     */
    public record Attempts(String host, int failed, long targets, long hosts, long ports) {}

    /** The failed attempts each host in {@code hosts} originated, in the order given. */
    public static List<Attempts> attempts(List<ConnLog.Row> rows, List<String> hosts) {
        List<Attempts> out = new ArrayList<>();
        for (String h : hosts) {
            List<ConnLog.Row> mine = rows.stream()
                    .filter(r -> r.origH().equals(h) && failedAttempt(r))
                    .toList();
            out.add(new Attempts(
                    h,
                    mine.size(),
                    mine.stream()
                            .map(r -> r.respH() + " " + r.respP())
                            .distinct()
                            .count(),
                    mine.stream().map(ConnLog.Row::respH).distinct().count(),
                    mine.stream().map(ConnLog.Row::respP).distinct().count()));
        }
        return List.copyOf(out);
    }

    /** Whether a connection is a failed attempt in the sense of Zeek's scan policy (see the class doc). */
    public static boolean failedAttempt(ConnLog.Row r) {
        if (!r.isTcp() || r.connState() == null) {
            return false;
        }
        return NEVER_ANSWERED.contains(r.connState())
                || (RESET_BY_PROBER.contains(r.connState()) && !r.carriedPayload());
    }

    /**
     * The incidents of the hosts in {@code jobsByHost} (host address to job id), sorted by start, then host.
     */
    public static List<Finding> label(List<ConnLog.Row> rows, Map<String, String> jobsByHost, NetworkScope scope) {
        List<Finding> out = new ArrayList<>();
        Map<String, List<ConnLog.Row>> attempts = new TreeMap<>();
        for (ConnLog.Row r : rows) {
            if (jobsByHost.containsKey(r.origH()) && failedAttempt(r)) {
                attempts.computeIfAbsent(r.origH(), h -> new ArrayList<>()).add(r);
            }
        }
        for (Map.Entry<String, List<ConnLog.Row>> e : attempts.entrySet()) {
            out.addAll(scans(e.getKey(), jobsByHost.get(e.getKey()), e.getValue()));
        }
        for (ConnLog.Row r : rows) {
            if (jobsByHost.containsKey(r.origH()) && isTunnel(r, scope)) {
                out.add(new Finding(
                        "tunnel-" + r.origH() + "-" + (r.uid() == null ? r.start() : r.uid()),
                        r.origH(),
                        jobsByHost.get(r.origH()),
                        Category.REVERSE_TUNNEL,
                        r.start(),
                        r.end(),
                        String.format(
                                Locale.ROOT,
                                "ssh to %s:%d for %.1f min, %d bytes out, %d bytes in",
                                r.respH(),
                                r.respP(),
                                r.durationMs() / 60_000.0,
                                r.origBytes(),
                                r.respBytes())));
            }
        }
        out.sort(Comparator.comparingLong(Finding::startTs)
                .thenComparing(Finding::host)
                .thenComparing(Finding::incident));
        return List.copyOf(out);
    }

    static boolean isTunnel(ConnLog.Row r, NetworkScope scope) {
        return r.isTcp()
                && r.service() != null
                && List.of(r.service().split(",")).contains("ssh")
                && scope.isExternal(r.respH())
                && r.durationMs() >= TUNNEL_MIN_MS
                && r.origBytes() > 0
                && r.respBytes() > 0;
    }

    /** The scan episodes of one host's failed attempts. */
    private static List<Finding> scans(String host, String job, List<ConnLog.Row> attempts) {
        List<ConnLog.Row> sorted = new ArrayList<>(attempts);
        sorted.sort(Comparator.comparingLong(ConnLog.Row::start));
        List<Finding> found = new ArrayList<>();
        int from = 0;
        for (int i = 1; i <= sorted.size(); i++) {
            if (i == sorted.size() || sorted.get(i).start() - sorted.get(i - 1).start() >= SCAN_INTERVAL_MS) {
                List<ConnLog.Row> episode = sorted.subList(from, i);
                String evidence = crossing(episode);
                if (evidence != null) {
                    long start = episode.get(0).start();
                    long end =
                            episode.stream().mapToLong(ConnLog.Row::end).max().orElse(start);
                    found.add(new Finding(
                            "scan-" + host + "-" + (found.size() + 1),
                            host,
                            job,
                            Category.NETWORK_SCAN,
                            start,
                            end,
                            evidence));
                }
                from = i;
            }
        }
        return found;
    }

    /** What crossed a threshold in an episode (the largest count of each kind), or null if nothing did. */
    private static String crossing(List<ConnLog.Row> episode) {
        Map<String, List<ConnLog.Row>> byVictim = new TreeMap<>();
        Map<Integer, List<ConnLog.Row>> byPort = new TreeMap<>();
        for (ConnLog.Row r : episode) {
            byVictim.computeIfAbsent(r.respH(), k -> new ArrayList<>()).add(r);
            byPort.computeIfAbsent(r.respP(), k -> new ArrayList<>()).add(r);
        }
        int ports = 0;
        String portVictim = null;
        for (Map.Entry<String, List<ConnLog.Row>> e : byVictim.entrySet()) {
            int n = maxDistinctWithin(e.getValue(), r -> String.valueOf(r.respP()));
            if (n > ports) {
                ports = n;
                portVictim = e.getKey();
            }
        }
        int hosts = 0;
        Integer hostPort = null;
        for (Map.Entry<Integer, List<ConnLog.Row>> e : byPort.entrySet()) {
            int n = maxDistinctWithin(e.getValue(), ConnLog.Row::respH);
            if (n > hosts) {
                hosts = n;
                hostPort = e.getKey();
            }
        }
        int targets = maxDistinctWithin(episode, r -> r.respH() + " " + r.respP());
        List<String> why = new ArrayList<>();
        if (ports >= PORT_SCAN_THRESHOLD) {
            why.add(ports + " ports of " + portVictim);
        }
        if (hosts >= ADDR_SCAN_THRESHOLD) {
            why.add(hosts + " hosts on port " + hostPort);
        }
        if (why.isEmpty() && targets >= ADDR_SCAN_THRESHOLD) {
            why.add(targets + " host:port targets");
        }
        if (why.isEmpty()) {
            return null;
        }
        long distinctTargets = episode.stream()
                .map(r -> r.respH() + ":" + r.respP())
                .distinct()
                .count();
        return episode.size() + " failed attempts to " + distinctTargets + " host:port pairs; within "
                + SCAN_INTERVAL_MIN + " min: " + String.join(", ", why);
    }

    /** The most distinct keys among rows (sorted by start) whose starts lie within one scan interval. */
    static int maxDistinctWithin(List<ConnLog.Row> rows, Function<ConnLog.Row, String> key) {
        Deque<ConnLog.Row> window = new ArrayDeque<>();
        Map<String, Integer> counts = new HashMap<>();
        int best = 0;
        for (ConnLog.Row r : rows) {
            window.addLast(r);
            counts.merge(key.apply(r), 1, Integer::sum);
            while (r.start() - window.peekFirst().start() >= SCAN_INTERVAL_MS) {
                ConnLog.Row old = window.removeFirst();
                counts.computeIfPresent(key.apply(old), (k, n) -> n == 1 ? null : n - 1);
            }
            best = Math.max(best, counts.size());
        }
        return best;
    }
}
