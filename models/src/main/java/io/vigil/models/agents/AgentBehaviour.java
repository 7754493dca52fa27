package io.vigil.models.agents;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.features.NetworkScope;
import io.vigil.records.AgentEvent;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a job's agents did in a window, from their tool calls alone: plain Java, no Flink. How many calls they made;
 * what share of them reach out over the network the way a tunnel, a probe or a download does; how many name a miner
 * or a mining pool; and the longest run of failing calls in one episode (an agent hammering at something that
 * refuses it: probing, guessing, retrying a blocked path).
 *
 * <p>Built from what a command is, not from any dataset: a call <em>touches the network</em> when its program is a
 * remote shell or copy (ssh, scp, sftp, rsync to a host), a raw socket tool (nc, ncat, socat, telnet, {@code
 * /dev/tcp}), a scanner (nmap, masscan, zmap, rustscan, hping3), a tunnel client (chisel, frpc, ngrok, cloudflared,
 * bore), a package install (pip, apt, conda, npm, gem, cargo, go), or a download (curl, wget) from a literal
 * address rather than a name: fetching by raw IP is what a payload does, a person or a package manager names the
 * host. A web page fetched by name or a git fetch is ordinary tool use and does not count.
 *
 * <p>A window without calls (a job with no agents, or agents that were idle) has every value 0.
 */
public final class AgentBehaviour {
    private AgentBehaviour() {}

    /**
     * A program where a shell runs one: at the start, after a separator ({@code ;}, {@code &&}, {@code |}, {@code (},
     * {@code $(}, a backquote), after {@code do}/{@code then}/{@code else}, or at the start of a quoted script
     * ({@code sh -c '...'}); behind {@code sudo}, {@code nohup}, {@code env}, {@code timeout N} and the like, with or
     * without a path. A word elsewhere ({@code grep ssh}) is no program.
     */
    private static final String PROGRAM = "(?:^|[;&|(`{'\"]|\\$\\(|\\b(?:do|then|else)\\s)\\s*"
            + "(?:(?:sudo|nohup|exec|env|xargs|time|timeout\\s+\\S+)\\s+)*(?:\\S*/)?";

    private static final Pattern REMOTE_SHELL =
            Pattern.compile(PROGRAM + "(?:auto)?(?:ssh|scp|sftp|sshpass)\\s|" + PROGRAM + "rsync\\s[^;&|]*\\S+:");
    private static final Pattern RAW_SOCKET =
            Pattern.compile(PROGRAM + "(?:nc|ncat|netcat|socat|telnet)\\s|/dev/(?:tcp|udp)/");
    private static final Pattern SCANNER = Pattern.compile(PROGRAM + "(?:nmap|masscan|zmap|rustscan|hping3?)\\s");
    private static final Pattern TUNNEL = Pattern.compile(PROGRAM + "(?:chisel|frpc|ngrok|cloudflared|bore)\\s");
    private static final Pattern PACKAGE_INSTALL = Pattern.compile(PROGRAM
            + "(?:pip3?\\s+install|python3?\\s+-m\\s+pip\\s+install|apt(?:-get)?\\s+(?:-\\S+\\s+)*install"
            + "|conda\\s+install|npm\\s+(?:install|i)|gem\\s+install|cargo\\s+install|go\\s+(?:get|install))(?=\\s|$)");
    /** curl or wget with a literal IPv4 or bracketed IPv6 address as (part of) an argument. */
    private static final Pattern RAW_DOWNLOAD = Pattern.compile(
            PROGRAM
                    + "(?:curl|wget)\\s[^;&|]*?(?:\\b(?:[a-z][a-z0-9+.-]*://)?(?:\\d{1,3}\\.){3}\\d{1,3}\\b|\\[[0-9a-f:]+\\])",
            Pattern.CASE_INSENSITIVE);

    /**
     * One tool call as the scoring step keeps it, read at the edge: what its command does ({@link CallBehaviour},
     * as bits), whether it touches the network ({@link #touchesNetwork}) and whether it failed.
     *
     * @param ts when the call ended (its window is the one this falls in)
     * @param step null when the trainer counts none
     */
    public record Call(
            long ts, long startTs, String episodeId, Long step, int behaviours, boolean network, boolean failed)
            implements Serializable {
        public boolean has(CallBehaviour behaviour) {
            return behaviour.in(behaviours);
        }
    }

    /** The call as the scoring step keeps it (see {@link Call}). */
    public static Call call(AgentEvent event, NetworkScope scope) {
        return new Call(
                event.getTs().toEpochMilli(),
                event.getStartTs().toEpochMilli(),
                event.getEpisodeId(),
                event.getStep(),
                CallBehaviour.bits(CallBehaviour.of(event.getCommand(), scope)),
                touchesNetwork(event.getCommand()),
                failed(event));
    }

    /**
     * What one window's calls add up to.
     *
     * @param tunnelCalls calls that open a tunnel to an outside host ({@link CallBehaviour#TUNNEL})
     * @param probeCalls calls that probe for services ({@link CallBehaviour#PROBE})
     */
    public record Window(
            int calls, int networkCalls, int minerCalls, int longestFailedRun, int tunnelCalls, int probeCalls) {
        public static final Window NONE = new Window(0, 0, 0, 0, 0, 0);

        /** Without tunnels and probes. */
        public Window(int calls, int networkCalls, int minerCalls, int longestFailedRun) {
            this(calls, networkCalls, minerCalls, longestFailedRun, 0, 0);
        }

        /** The window's values in {@link FeatureSet#AGENT}'s order. */
        public double[] values() {
            return new double[] {
                callsFeature(),
                networkCallsFeature(),
                minerFeature(),
                failedRunFeature(),
                Math.log1p(tunnelCalls),
                Math.log1p(probeCalls)
            };
        }

        /** log1p(calls). */
        public double callsFeature() {
            return Math.log1p(calls);
        }

        /** Share of the calls that touch the network ({@link #touchesNetwork}), 0 without calls. */
        public double networkShare() {
            return calls == 0 ? 0 : (double) networkCalls / calls;
        }

        /** log1p(calls that touch the network). */
        public double networkCallsFeature() {
            return Math.log1p(networkCalls);
        }

        /** log1p(calls naming a miner or a pool). */
        public double minerFeature() {
            return Math.log1p(minerCalls);
        }

        /** log1p(the longest run of failing calls of one episode). */
        public double failedRunFeature() {
            return Math.log1p(longestFailedRun);
        }
    }

    /** Whether the command reaches out over the network the way tunnels, probes and downloads do (class comment). */
    public static boolean touchesNetwork(String command) {
        if (command == null || command.isEmpty()) {
            return false;
        }
        return REMOTE_SHELL.matcher(command).find()
                || RAW_SOCKET.matcher(command).find()
                || SCANNER.matcher(command).find()
                || TUNNEL.matcher(command).find()
                || PACKAGE_INSTALL.matcher(command).find()
                || RAW_DOWNLOAD.matcher(command).find();
    }

    /** Whether the command names a miner, a stratum pool URL or a well-known mining pool ({@link CallBehaviour#MINER}). */
    public static boolean namesMiner(String command) {
        return CallBehaviour.of(command, NetworkScope.defaults()).contains(CallBehaviour.MINER);
    }

    /** Whether the call failed: a non-zero exit status (a tool without one never fails here). */
    public static boolean failed(AgentEvent call) {
        Integer exit = call.getExitCode();
        return exit != null && exit != 0;
    }

    /**
     * The window's values from the calls of one job that fall in it, in any order. Failing runs are counted within
     * each episode in the order of its steps (of the calls' starts where there are none); a call without an exit
     * status ends a run.
     */
    public static Window of(List<AgentEvent> calls) {
        return ofCalls(calls.stream().map(c -> call(c, NetworkScope.defaults())).toList());
    }

    /** The same from calls read at the edge ({@link #call}), in any order. */
    public static Window ofCalls(List<Call> calls) {
        if (calls.isEmpty()) {
            return Window.NONE;
        }
        int network = 0;
        int miner = 0;
        int tunnel = 0;
        int probe = 0;
        Map<String, List<Call>> byEpisode = new LinkedHashMap<>();
        for (Call c : calls) {
            network += c.network() ? 1 : 0;
            miner += c.has(CallBehaviour.MINER) ? 1 : 0;
            tunnel += c.has(CallBehaviour.TUNNEL) ? 1 : 0;
            probe += c.has(CallBehaviour.PROBE) ? 1 : 0;
            byEpisode.computeIfAbsent(c.episodeId(), e -> new ArrayList<>()).add(c);
        }
        int longest = 0;
        for (List<Call> episode : byEpisode.values()) {
            List<Call> ordered = new ArrayList<>(episode);
            ordered.sort(Comparator.comparing((Call c) -> c.step() == null ? Long.MIN_VALUE : c.step())
                    .thenComparingLong(Call::startTs));
            int run = 0;
            for (Call c : ordered) {
                run = c.failed() ? run + 1 : 0;
                longest = Math.max(longest, run);
            }
        }
        return new Window(calls.size(), network, miner, longest, tunnel, probe);
    }
}
