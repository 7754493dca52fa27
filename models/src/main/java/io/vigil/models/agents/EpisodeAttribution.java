package io.vigil.models.agents;

import io.vigil.records.AgentCall;
import io.vigil.records.AgentEpisode;
import io.vigil.records.AgentEvent;
import io.vigil.records.Category;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which of a job's agent episodes, and which of their tool calls, most likely caused what an alert saw: plain Java,
 * no Flink. An <em>anchor</em> is the first suspicious thing of the window: the first packet to a remote endpoint,
 * or the first sample of a foreign GPU process. A call is a candidate when it started at most {@link #LOOKBACK_MS}
 * before the anchor, or at most {@link #SKEW_MS} after it (the rollout worker's and the exporter's clocks differ by
 * that much at most): a call that starts later cannot have caused it. A call whose command says nothing of the
 * anchor (the last tier, below) is named only when it started at most {@link #NEAR_MS} before it.
 *
 * <p>Ranked first by what the command says, then by closeness in time. What the alert is about comes first: its
 * <em>focus</em>, the categories the transition added (at OPEN all it has), since a category that joins an incident
 * is explained by the call that does that category's work, not by the one behind what the incident already was.
 * Each command shape ({@link #INDICATORS}) is the tool of some categories, from what the tool does on the wire: ssh
 * with -R/-L/-D, socat, chisel, ngrok forward ports (a tunnel); nmap, masscan probe many ports and hosts (a scan);
 * xmrig, stratum URLs, pool addresses mine; scp, rsync, rclone, curl -T upload (exfiltration). A network category's
 * tool fits a flow anchor, a miner's a GPU process. The tiers:
 *
 * <ol start="0">
 *   <li>a focus category's tool that fits the anchor, and the command names it (its address, its port, its process);
 *   <li>a focus category's tool that fits the anchor; or a command that names the anchor with no other category's
 *       tool in it;
 *   <li>a command that names the anchor with another category's tool; or any other tool shape;
 *   <li>any other call near in time.
 * </ol>
 *
 * Within a tier, the call whose start is nearest the anchor ranks first. An episode ranks as its best call; ties go
 * by episode id, so the order is a function of the input alone.
 */
public final class EpisodeAttribution {
    /** How long before the anchor a call may have started and still be named (a download, then its launch). */
    public static final long LOOKBACK_MS = 5 * 60_000L;
    /**
     * How long before the anchor a call whose command says nothing about it (the last tier) may have started and
     * still be named: only a near coincidence in time ties such a call to the traffic.
     */
    public static final long NEAR_MS = 10_000L;
    /** How far after the anchor a call may start and still be named: clock skew between worker and exporter. */
    public static final long SKEW_MS = 2_000L;

    /** Episodes named per alert, and calls per episode. */
    public static final int MAX_EPISODES = 5;

    public static final int MAX_CALLS = 3;

    private static final int NEAR_ONLY = 3;

    /** How a reason begins to say what the command holds; only calls above the last tier have it. */
    private static final String COMMAND = "; command ";

    /** How a reason ends for a call named after the transition whose anchor it tells of was told. */
    private static final String REPORTED_LATE =
            "; reported when it ended, after the transition of that anchor was told";

    private static final Set<Category> NETWORK =
            EnumSet.of(Category.REVERSE_TUNNEL, Category.NETWORK_SCAN, Category.EXFILTRATION, Category.CRYPTO_MINING);
    private static final Set<Category> GPU = EnumSet.of(Category.CRYPTO_MINING, Category.GPU_DIVERSION);

    /**
     * Command shapes that open tunnels, probe networks, mine or upload, with what a reason calls them and the
     * categories whose work they do (none: a shape of many, such as a download piped to a shell).
     */
    static final List<Indicator> INDICATORS = List.of(
            new Indicator(
                    "ssh -R",
                    "(^|[\\s;&|(])(auto)?ssh\\s(?:[^;&|]*\\s)?-[a-zA-Z]*[RDL]",
                    EnumSet.of(Category.REVERSE_TUNNEL)),
            new Indicator(
                    "a raw socket tool",
                    "(^|[\\s;&|(/])(nc|ncat|netcat|socat)\\s",
                    EnumSet.of(Category.REVERSE_TUNNEL, Category.NETWORK_SCAN, Category.EXFILTRATION)),
            new Indicator(
                    "a tunnel tool",
                    "(^|[\\s;&|(/])(chisel|frpc|ngrok|cloudflared|bore)\\s",
                    EnumSet.of(Category.REVERSE_TUNNEL)),
            new Indicator(
                    "a port scanner",
                    "(^|[\\s;&|(/])(nmap|masscan|zmap|rustscan)\\s",
                    EnumSet.of(Category.NETWORK_SCAN)),
            new Indicator(
                    "a miner",
                    "(xmrig|minerd|cpuminer|ethminer|t-rex|lolminer|nbminer|gminer|stratum\\+(tcp|ssl)|--donate-level"
                            + "|(^|[\\s=/@])[a-z0-9.-]*(pool|nicehash|ethermine|2miners|hashvault|moneroocean)"
                            + "[a-z0-9.-]*:[0-9]{2,5}\\b)",
                    EnumSet.of(Category.CRYPTO_MINING, Category.GPU_DIVERSION)),
            new Indicator(
                    "an upload tool",
                    "((^|[\\s;&|(/])(scp|rsync|rclone|sftp)\\s|curl\\s[^|;]*(-T|--upload-file|--data-binary)\\s)",
                    EnumSet.of(Category.EXFILTRATION)),
            new Indicator(
                    "a download piped to a shell",
                    "(curl|wget)\\s[^|;]*\\|\\s*(ba|z)?sh\\b",
                    EnumSet.noneOf(Category.class)),
            new Indicator("/dev/tcp", "/dev/(tcp|udp)/", EnumSet.of(Category.REVERSE_TUNNEL, Category.EXFILTRATION)));

    private EpisodeAttribution() {}

    /** What a reason may call a command shape, the pattern of that shape, and the categories whose tool it is. */
    record Indicator(String name, Pattern pattern, Set<Category> categories) {
        Indicator(String name, String regex, Set<Category> categories) {
            this(name, Pattern.compile(regex, Pattern.CASE_INSENSITIVE), categories);
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

        /** Whether a tool of this category would make this anchor: network categories flows, GPU ones processes. */
        boolean fits(Category category) {
            return remoteIp != null ? NETWORK.contains(category) : GPU.contains(category);
        }
    }

    /** One call against its best anchor: its tier, distance in time and reason. */
    record Candidate(AgentEvent call, int tier, long distanceMs, String reason) {}

    /**
     * The episodes of {@code calls} (one job's) named by an alert with these anchors, most likely cause first, at
     * most {@link #MAX_EPISODES}, each with at most {@link #MAX_CALLS} calls; empty when no call is near any anchor.
     */
    public static List<AgentEpisode> rank(List<AgentEvent> calls, List<Anchor> anchors) {
        return rank(calls, anchors, List.of());
    }

    /**
     * As {@link #rank(List, List)}, for an alert about {@code focus}: the categories its transition added (at OPEN
     * all it has); empty or only UNKNOWN: any category.
     */
    public static List<AgentEpisode> rank(List<AgentEvent> calls, List<Anchor> anchors, Collection<Category> focus) {
        return rank(calls, anchors, focus, Long.MIN_VALUE, Long.MIN_VALUE);
    }

    /**
     * As {@link #rank(List, List, Collection)}, for the alert's window [{@code windowStart}, {@code windowEnd}): a
     * call that started in it after its anchors is named too when its command does the work of {@code focus}. Such a
     * call flags its window before its own traffic is reported (an `ssh -R` whose tunnel is first reported in the
     * next window), so the window's anchors are other traffic, which it follows.
     */
    public static List<AgentEpisode> rank(
            List<AgentEvent> calls,
            List<Anchor> anchors,
            Collection<Category> focus,
            long windowStart,
            long windowEnd) {
        Set<Category> focused = EnumSet.noneOf(Category.class);
        focused.addAll(focus);
        focused.remove(Category.UNKNOWN);
        if (focused.isEmpty()) {
            focused = EnumSet.allOf(Category.class);
        }
        List<Candidate> candidates = new ArrayList<>();
        for (AgentEvent call : calls) {
            Candidate best = null;
            long start = call.getStartTs().toEpochMilli();
            boolean inWindow = start >= windowStart && start < windowEnd;
            for (Anchor anchor : anchors) {
                Candidate c = candidate(call, anchor, focused, inWindow);
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

    /**
     * Whether the episode was named for what its commands hold (a tool of some category, the anchor's address, port
     * or process), not only for starting near in time: what a trainer may act on. A near coincidence in time is worth
     * showing an analyst, but a benign call that happened to start a few seconds before the packet is no reason to
     * drop an episode from training.
     */
    public static boolean namedByCommand(AgentEpisode episode) {
        return episode.getCalls().stream().anyMatch(c -> c.getReason().contains(COMMAND));
    }

    /**
     * The episode as named by a later transition than the one whose anchor its calls tell of: a call is reported when
     * it ends, and one that ran for minutes arrives after the alert it caused was told. Each reason says so.
     */
    public static AgentEpisode reportedLate(AgentEpisode episode) {
        if (namedLate(episode)) {
            return episode;
        }
        List<AgentCall> calls = new ArrayList<>(episode.getCalls().size());
        for (AgentCall c : episode.getCalls()) {
            calls.add(AgentCall.newBuilder(c)
                    .setReason(c.getReason() + REPORTED_LATE)
                    .build());
        }
        return AgentEpisode.newBuilder(episode)
                .setReason(episode.getReason() + REPORTED_LATE)
                .setCalls(calls)
                .build();
    }

    /** Whether the episode was named by a later transition than the one its calls tell of ({@link #reportedLate}). */
    public static boolean namedLate(AgentEpisode episode) {
        return episode.getReason().endsWith(REPORTED_LATE);
    }

    /** Best first: lower tier, then nearer in time, then earlier start, then episode and step. */
    static final Comparator<Candidate> ORDER = Comparator.comparingInt(Candidate::tier)
            .thenComparingLong(Candidate::distanceMs)
            .thenComparing(c -> c.call().getStartTs())
            .thenComparing(c -> c.call().getEpisodeId())
            .thenComparing(c -> c.call().getStep() == null ? -1L : c.call().getStep());

    /** The call against one anchor, or null when it started too long before or after it. */
    static Candidate candidate(AgentEvent call, Anchor anchor, Set<Category> focus) {
        return candidate(call, anchor, focus, false);
    }

    /** @param inWindow whether the call started in the alert's window: it may then start after the anchor */
    static Candidate candidate(AgentEvent call, Anchor anchor, Set<Category> focus, boolean inWindow) {
        long before = anchor.ts() - call.getStartTs().toEpochMilli();
        if (before > LOOKBACK_MS || (before < -SKEW_MS && !inWindow)) {
            return null;
        }
        String command = call.getCommand() == null ? "" : call.getCommand();
        StringBuilder reason = new StringBuilder("tool call started ")
                .append(seconds(Math.abs(before)))
                .append(before >= 0 ? " before " : " after ")
                .append(anchor.what());
        boolean namesAnchor = names(command, anchor);
        if (namesAnchor) {
            reason.append(COMMAND).append("names ").append(anchor.named());
        }
        Indicator focusTool = null;
        Indicator otherTool = null;
        Indicator anyShape = null;
        for (Indicator indicator : INDICATORS) {
            if (indicator.pattern().matcher(command).find()) {
                anyShape = anyShape == null ? indicator : anyShape;
                boolean fitsFocus = indicator.categories().stream().anyMatch(c -> focus.contains(c) && anchor.fits(c));
                if (fitsFocus) {
                    focusTool = focusTool == null ? indicator : focusTool;
                } else if (!indicator.categories().isEmpty()) {
                    otherTool = otherTool == null ? indicator : otherTool;
                }
            }
        }
        int tier;
        if (focusTool != null) {
            boolean namesPort = anchor.remoteIp() != null && anchor.port() >= 0 && namesPort(command, anchor.port());
            tier = namesAnchor || namesPort ? 0 : 1;
            if (namesPort && !namesAnchor) {
                reason.append(COMMAND).append("names port ").append(anchor.port());
            }
        } else if (namesAnchor) {
            tier = otherTool == null ? 1 : 2;
        } else {
            tier = anyShape != null ? 2 : NEAR_ONLY;
        }
        Indicator shown = focusTool != null ? focusTool : anyShape;
        if (shown != null) {
            reason.append(COMMAND).append("contains ").append(shown.name());
        }
        if (tier == NEAR_ONLY && before > NEAR_MS) {
            return null;
        }
        // started after the packet (past clock skew), in the alert's window: only a call whose command does the work
        // of the alert's category; never the first tier, which names the anchor itself
        if (before < -SKEW_MS) {
            if (focusTool == null) {
                return null;
            }
            tier = Math.max(tier, 1);
        }
        return new Candidate(call, tier, Math.abs(before), reason.toString());
    }

    /**
     * Whether the command names the anchor: its address as a whole (10.0.0.1 is not named by 10.0.0.12 nor
     * 10.0.0.1.5), or its process.
     */
    static boolean names(String command, Anchor anchor) {
        String named = anchor.named();
        if (named == null || named.isEmpty()) {
            return false;
        }
        if (anchor.remoteIp() == null) {
            return command.contains(named);
        }
        for (int i = command.indexOf(named); i >= 0; i = command.indexOf(named, i + 1)) {
            int end = i + named.length();
            boolean startsClean = i == 0 || !addressChar(command.charAt(i - 1));
            boolean endsClean = end == command.length()
                    || !(Character.isLetterOrDigit(command.charAt(end))
                            || (command.charAt(end) == '.'
                                    && end + 1 < command.length()
                                    && Character.isDigit(command.charAt(end + 1))));
            if (startsClean && endsClean) {
                return true;
            }
        }
        return false;
    }

    private static boolean addressChar(char c) {
        return Character.isLetterOrDigit(c) || c == '.';
    }

    /** Whether the command names a port the way tools take one: {@code host:port}, {@code -p port}, {@code --port=port}. */
    static boolean namesPort(String command, int port) {
        return Pattern.compile("(:|(^|\\s)-[pP]\\s*|--port[=\\s]+)" + port + "(?![0-9])")
                .matcher(command)
                .find();
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
