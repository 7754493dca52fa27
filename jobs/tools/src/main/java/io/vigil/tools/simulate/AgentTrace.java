package io.vigil.tools.simulate;

import io.vigil.records.AgentEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tool calls of an RL job's agents, one {@link AgentEvent} per call, as the rollout workers report them when a
 * call ends (docs/ARCHITECTURE.md, "Records and topics": {@code agent_events.jsonl.gz}).
 *
 * <p>Each pod runs a few rollout workers; each worker plays one episode at a time, a few per rollout, and an episode
 * keeps going while the trainer steps if its rollout ran over (it finishes in the background). A worker makes one
 * call at a time, so the calls of an episode never overlap and its steps count them in order. A call starts a
 * little before the packets it causes (the process starts, resolves, connects: {@link #lead}), and the worker's
 * clock is off the exporter's by up to a few hundred milliseconds.
 *
 * <p>Draws only on its own random streams, so the job's flows and samples are the same with or without it.
 */
final class AgentTrace {
    /** One tool call; its step is counted when it is written. */
    static final class Call {
        final Pod pod;
        final int worker;
        final long start;
        final long end;
        final String tool;
        final String command;
        final Integer exitCode;
        final String episode;
        final String sandbox;
        long step = -1;

        private Call(
                Pod pod, int worker, long start, long end, String tool, String command, Integer exitCode, Episode ep) {
            this.pod = pod;
            this.worker = worker;
            this.start = start;
            this.end = end;
            this.tool = tool;
            this.command = command;
            this.exitCode = exitCode;
            this.episode = ep.id;
            this.sandbox = ep.sandbox;
        }
    }

    /** A benign call made but not yet given a worker: workers are handed out in the order calls start. */
    private record Unassigned(Pod pod, long start, long end, String tool, String command, Integer exitCode) {}

    /** A worker kept free of benign calls while an incident's call runs on it. */
    private record Reservation(Pod pod, int worker, long from, long to) {}

    /** One episode: its id and sandbox. */
    private record Episode(String id, String sandbox, long start) {}

    private final RlJob job;
    private final Rng rng;
    private final List<Call> pending = new ArrayList<>();
    private final List<Unassigned> unassigned = new ArrayList<>();
    private final List<Reservation> reserved = new ArrayList<>();
    private final Map<String, Long> steps = new HashMap<>();
    private final Map<Pod, long[]> busyUntil = new HashMap<>();
    private final Map<Pod, Long> skew = new HashMap<>();
    private final Map<String, List<Episode>> episodes = new HashMap<>();

    AgentTrace(RlJob job) {
        this.job = job;
        this.rng = Rng.of(job.world.seed, "job-agent:" + job.id);
    }

    /** The drawer of the calls' commands and timings. */
    Rng rng() {
        return rng;
    }

    /** Rollout workers of a pod: two per GPU, at least four. */
    static int workers(Pod pod) {
        return Math.max(4, 2 * pod.gpus.length);
    }

    /**
     * The call starts a little before the first packet it causes: the process starts, imports, resolves and
     * connects. Log-normal, median {@code medianMs}, cut to [20 ms, 6 s].
     */
    long lead(double medianMs) {
        return lead(rng, medianMs);
    }

    static long lead(Rng r, double medianMs) {
        return Math.max(20, Math.min(6_000, Math.round(medianMs * r.jitter(0.7))));
    }

    /**
     * A benign call whose first packet (if any) leaves at {@code effect}: started {@code leadMs} before it, lasting
     * {@code durationMs} from its start (never ending before {@code effect}). It gets a free worker of the pod when
     * the calls are next written.
     */
    void call(Pod pod, long effect, long leadMs, long durationMs, String tool, String command, Integer exitCode) {
        long start = effect - leadMs;
        unassigned.add(new Unassigned(pod, start, Math.max(effect, start + durationMs), tool, command, exitCode));
    }

    /**
     * Hands the calls made since the last time a worker each, in the order they start: a free one at random; when
     * every worker is busy (rare), the first to be free, and the call waits for it.
     */
    private void assign() {
        unassigned.sort(Comparator.comparingLong(Unassigned::start)
                .thenComparing(u -> u.pod.name)
                .thenComparing(Unassigned::command));
        for (Unassigned u : unassigned) {
            long[] busy = busyUntil.computeIfAbsent(u.pod, p -> new long[workers(p)]);
            int worker = freeWorker(u.pod, u.start, u.end);
            long start = Math.max(u.start, busy[worker]);
            long end = Math.max(u.end, start);
            busy[worker] = end;
            add(u.pod, worker, start, end, u.tool, u.command, u.exitCode);
        }
        unassigned.clear();
    }

    /** Keeps {@code worker} of {@code pod} free of benign calls over [from, to]: an incident's call goes there. */
    void reserve(Pod pod, int worker, long from, long to) {
        reserved.add(new Reservation(pod, worker, from, to));
    }

    /** A call on a given worker (an incident's, made ahead of time on the worker {@link #reserve reserved} for it). */
    Call callOn(Pod pod, int worker, long start, long end, String tool, String command, Integer exitCode) {
        return add(pod, worker, start, Math.max(start, end), tool, command, exitCode);
    }

    private Call add(Pod pod, int worker, long start, long end, String tool, String command, Integer exitCode) {
        long offset = skew.computeIfAbsent(
                pod,
                p -> Math.round(Rng.of(job.world.seed, "agent-clock:" + p.name).uniform(-250, 250)));
        Call c = new Call(
                pod, worker, start + offset, end + offset, tool, command, exitCode, episodeAt(pod, worker, start));
        pending.add(c);
        return c;
    }

    /** A worker of the pod that is neither busy nor reserved over [start, end]; the least busy one if none is. */
    private int freeWorker(Pod pod, long start, long end) {
        long[] busy = busyUntil.computeIfAbsent(pod, p -> new long[workers(p)]);
        List<Integer> free = new ArrayList<>();
        int best = -1;
        for (int w = 0; w < busy.length; w++) {
            if (reservedDuring(pod, w, start, end)) {
                continue;
            }
            if (busy[w] <= start) {
                free.add(w);
            }
            if (best < 0 || busy[w] < busy[best]) {
                best = w;
            }
        }
        if (!free.isEmpty()) {
            return free.get(rng.between(0, free.size() - 1));
        }
        return best >= 0 ? best : rng.between(0, busy.length - 1);
    }

    private boolean reservedDuring(Pod pod, int worker, long start, long end) {
        for (Reservation r : reserved) {
            if (r.pod == pod && r.worker == worker && start <= r.to && end >= r.from) {
                return true;
            }
        }
        return false;
    }

    /** The name a worker reports itself by. */
    static String workerName(Pod pod, int worker) {
        return pod.name + "/rollout-" + worker;
    }

    /** The episode worker {@code worker} of {@code pod} plays at {@code t}: see the class comment. */
    private Episode episodeAt(Pod pod, int worker, long t) {
        Segments.Segment rollout = job.rolloutAtOrBefore(t);
        String key = pod.name + ":" + worker + ":" + rollout.start();
        List<Episode> split = episodes.computeIfAbsent(key, k -> {
            Rng r = Rng.of(job.world.seed, "episodes:" + job.id + ":" + k);
            int n = r.between(1, 3);
            List<Long> starts = new ArrayList<>();
            starts.add(rollout.start());
            for (int i = 1; i < n; i++) {
                starts.add(rollout.start() + Math.round(r.next() * (rollout.end() - rollout.start())));
            }
            starts.sort(null);
            List<Episode> out = new ArrayList<>();
            for (long s : starts) {
                out.add(new Episode("ep-" + r.hex(12), "sbx-" + r.hex(8), s));
            }
            return out;
        });
        Episode e = split.get(0);
        for (Episode x : split) {
            if (x.start <= t) {
                e = x;
            }
        }
        return e;
    }

    /**
     * Writes the calls that ended before {@code before}, counting each episode's steps in the order its calls
     * started.
     */
    void drain(long before, Output out) {
        assign();
        List<Call> ready = new ArrayList<>();
        List<Call> later = new ArrayList<>();
        for (Call c : pending) {
            (c.end < before ? ready : later).add(c);
        }
        ready.sort(Comparator.comparingLong((Call c) -> c.start).thenComparing(c -> c.episode));
        for (Call c : ready) {
            c.step = steps.merge(c.episode, 1L, Long::sum) - 1;
            out.agentEvent(event(c));
        }
        pending.clear();
        pending.addAll(later);
    }

    private AgentEvent event(Call c) {
        return new AgentEvent(
                Instant.ofEpochMilli(c.end),
                Instant.ofEpochMilli(c.start),
                job.id,
                c.episode,
                c.step,
                workerName(c.pod, c.worker),
                c.pod.node.name,
                c.tool,
                c.command,
                c.exitCode,
                c.sandbox);
    }
}
