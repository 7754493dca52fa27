package io.vigil.models.agents;

import io.vigil.records.AgentCall;
import io.vigil.records.AgentEpisode;
import io.vigil.records.AgentEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which of a job's agent episodes, and which of their tool calls, most likely caused what an alert saw: plain Java,
 * no Flink. An <em>anchor</em> is the first suspicious thing of the window: the first packet to a remote endpoint,
 * or the first sample of a foreign GPU process. A call is a candidate when it started at most {@link #LOOKBACK_MS}
 * before the anchor, or at most {@link #SKEW_MS} after it (the rollout worker's and the exporter's clocks differ by
 * that much at most): a call that starts later cannot have caused it. A call whose command says nothing of the
 * anchor (tier 2, below) is named only when it started at most {@link #NEAR_MS} before it.
 *
 * <p>Ranked first by what the command says, then by closeness in time: a command that names the anchor's address
 * or process is the strongest sign (tier 0); one with the shape of a tunnel, a scan or a miner ({@link #INDICATORS})
 * the next (tier 1); any other call near in time the weakest (tier 2). Within a tier, the call whose start is
 * nearest the anchor ranks first. An episode ranks as its best call; ties go by episode id, so the order is a
 * function of the input alone.
 */
public final class EpisodeAttribution {
    /** How long before the anchor a call may have started and still be named (a download, then its launch). */
    public static final long LOOKBACK_MS = 5 * 60_000L;
    /**
     * How long before the anchor a call whose command says nothing about it (tier 2) may have started and still be
     * named: only a near coincidence in time ties such a call to the traffic.
     */
    public static final long NEAR_MS = 10_000L;
    /** How far after the anchor a call may start and still be named: clock skew between worker and exporter. */
    public static final long SKEW_MS = 2_000L;
    /** Episodes named per alert, and calls per episode. */
    public static final int MAX_EPISODES = 5;

    public static final int MAX_CALLS = 3;

    /** Command shapes that open tunnels, probe networks or mine, with what a reason calls them. */
    static final List<Indicator> INDICATORS = List.of(
            new Indicator("ssh -R", "(^|[\\s;&|(])(auto)?ssh\\s(?:[^;&|]*\\s)?-[a-zA-Z]*[RDL]"),
            new Indicator("a raw socket tool", "(^|[\\s;&|(/])(nc|ncat|netcat|socat)\\s"),
            new Indicator("a tunnel tool", "(^|[\\s;&|(/])(chisel|frpc|ngrok|cloudflared|bore)\\s"),
            new Indicator("a port scanner", "(^|[\\s;&|(/])(nmap|masscan|zmap|rustscan)\\s"),
            new Indicator(
                    "a miner", "(xmrig|minerd|cpuminer|ethminer|t-rex|lolminer|nbminer|gminer|stratum\\+(tcp|ssl))"),
            new Indicator("a download piped to a shell", "(curl|wget)\\s[^|;]*\\|\\s*(ba|z)?sh\\b"),
            new Indicator("/dev/tcp", "/dev/(tcp|udp)/"));

    private EpisodeAttribution() {}

    /** What a reason may call a command shape, and the pattern of that shape. */
    record Indicator(String name, Pattern pattern) {
        Indicator(String name, String regex) {
            this(name, Pattern.compile(regex, Pattern.CASE_INSENSITIVE));
        }
    }

    /**
     * The first suspicious thing an alert's window holds: the first packet to {@code remoteIp}:{@code port}, or
     * the first sample of GPU process {@code process} (then {@code remoteIp} is null).
     */
    public record Anchor(long ts, String remoteIp, int port, String process) {
        public static Anchor flow(long ts, String remoteIp, int port) {
            return new Anchor(ts, remoteIp, port, null);
        }

        public static Anchor process(long ts, String process) {
            return new Anchor(ts, null, -1, process);
        }

        String what() {
            return remoteIp != null
                    ? "the first packet to " + (remoteIp.indexOf(':') >= 0 ? "[" + remoteIp + "]" : remoteIp)
                            + (port >= 0 ? ":" + port : "")
                    : "the first sample of GPU process " + process;
        }

        /** The text a command would name this anchor by. */
        String named() {
            return remoteIp != null ? remoteIp : process;
        }
    }

    /** One call against its best anchor: its tier, distance in time and reason. */
    record Candidate(AgentEvent call, int tier, long distanceMs, String reason) {}

    /**
     * The episodes of {@code calls} (one job's) named by an alert with these anchors, most likely cause first, at
     * most {@link #MAX_EPISODES}, each with at most {@link #MAX_CALLS} calls; empty when no call is near any anchor.
     */
    public static List<AgentEpisode> rank(List<AgentEvent> calls, List<Anchor> anchors) {
        List<Candidate> candidates = new ArrayList<>();
        for (AgentEvent call : calls) {
            Candidate best = null;
            for (Anchor anchor : anchors) {
                Candidate c = candidate(call, anchor);
                if (c != null && (best == null || ORDER.compare(c, best) < 0)) {
                    best = c;
                }
            }
            if (best != null) {
                candidates.add(best);
            }
        }
        candidates.sort(ORDER);
        Map<String, List<Candidate>> byEpisode = new LinkedHashMap<>();
        for (Candidate c : candidates) {
            String episode = c.call().getEpisodeId();
            if (!byEpisode.containsKey(episode) && byEpisode.size() == MAX_EPISODES) {
                continue;
            }
            List<Candidate> named = byEpisode.computeIfAbsent(episode, e -> new ArrayList<>());
            if (named.size() < MAX_CALLS) {
                named.add(c);
            }
        }
        List<AgentEpisode> out = new ArrayList<>(byEpisode.size());
        for (Map.Entry<String, List<Candidate>> e : byEpisode.entrySet()) {
            List<AgentCall> named = new ArrayList<>();
            for (Candidate c : e.getValue()) {
                AgentEvent call = c.call();
                named.add(AgentCall.newBuilder()
                        .setStep(call.getStep())
                        .setTool(call.getTool())
                        .setCommand(call.getCommand())
                        .setStartTs(call.getStartTs())
                        .setEndTs(call.getTs())
                        .setExitCode(call.getExitCode())
                        .setReason(c.reason())
                        .build());
            }
            Candidate first = e.getValue().get(0);
            out.add(AgentEpisode.newBuilder()
                    .setEpisodeId(e.getKey())
                    .setRolloutWorker(first.call().getRolloutWorker())
                    .setReason(first.reason())
                    .setCalls(named)
                    .build());
        }
        return out;
    }

    /** Best first: lower tier, then nearer in time, then earlier start, then episode and step. */
    static final Comparator<Candidate> ORDER = Comparator.comparingInt(Candidate::tier)
            .thenComparingLong(Candidate::distanceMs)
            .thenComparing(c -> c.call().getStartTs())
            .thenComparing(c -> c.call().getEpisodeId())
            .thenComparing(c -> c.call().getStep() == null ? -1L : c.call().getStep());

    /** The call against one anchor, or null when it started too long before or after it. */
    static Candidate candidate(AgentEvent call, Anchor anchor) {
        long before = anchor.ts() - call.getStartTs().toEpochMilli();
        if (before > LOOKBACK_MS || before < -SKEW_MS) {
            return null;
        }
        String command = call.getCommand() == null ? "" : call.getCommand();
        StringBuilder reason = new StringBuilder("tool call started ")
                .append(seconds(Math.abs(before)))
                .append(before >= 0 ? " before " : " after ")
                .append(anchor.what());
        int tier = 2;
        String named = anchor.named();
        if (named != null && !named.isEmpty() && command.contains(named)) {
            tier = 0;
            reason.append("; command names ").append(named);
        }
        for (Indicator indicator : INDICATORS) {
            if (indicator.pattern().matcher(command).find()) {
                tier = Math.min(tier, 1);
                reason.append("; command contains ").append(indicator.name());
                break;
            }
        }
        if (tier == 2 && before > NEAR_MS) {
            return null;
        }
        return new Candidate(call, tier, Math.abs(before), reason.toString());
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
