package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.List;

/**
 * Reinforcement-learning training of a tool-using agent (ROME's kind of job): rollouts, in which the
 * policy generates and the agent acts in its sandbox, alternate with training steps on the rollouts,
 * with a weight sync between them.
 *
 * <p>GPUs: rollout is decoding, memory-bound (util 55–90, tensor 0.08–0.22, DRAM busy); training is
 * dense (util ~98, tensor 0.35–0.55); the sync is a short lull. The actor runs as a Ray worker process on
 * every GPU.
 *
 * <p>Network, besides the tracker, DNS and checkpoints: during rollouts the agent uses tools, so the pod
 * installs packages from the mirror, clones from code hosts over HTTPS and SSH, calls external APIs on
 * odd ports, fetches web pages through the proxy, runs code in the sandbox pool, and the trainer asks
 * the reward model. Now and then a tool call fails (an API that is down, a service that refuses). A
 * web-browsing agent also fetches pages straight from many outside web servers over HTTPS, a few
 * connections per page, nearly all answered: a busy client of many services, not a scan.
 *
 * <p>Life cycle: the Ray workers die and come back now and then; rollouts stall when the sandbox pool
 * is saturated (the policy waits on its environments: GPUs idle, tool calls stop).
 */
final class RlJob extends Job {
    static final int ROLLOUT = 0;
    static final int SYNC = 1;
    static final int TRAIN = 2;
    static final int CHECKPOINT = 3;

    private final double rolloutUtil;
    private final double trainTensor;
    private final long fbPerGpu;
    private final double toolCallsPerMinute;
    private final List<Addresses.Api> apis;
    private final Segments phases;
    private final List<Pod> ready = new ArrayList<>();
    private final List<Keeper> keepers = new ArrayList<>();
    private final long startupMs;
    private final boolean browses;
    private final double pagesPerMinute;
    private final long origin;
    /** The agents' tool calls: what the job's rollout workers report (drawn apart from the job's traffic). */
    final AgentTrace agent;

    private final double localCallsPerMinute;

    /** @param browser whether the agent surely browses the web directly */
    RlJob(World world, String id, String team, boolean browser) {
        super(world, id, Kind.RL, "agents", team, "registry.internal/agents/rl-trainer:0.9.3");
        this.processName = params.pick(List.of("ray::WorkerDict", "ray::RolloutWorker", "python"));
        this.rolloutUtil = params.uniform(58, 88);
        this.trainTensor = params.uniform(0.35, 0.55);
        this.fbPerGpu = params.betweenLong(58_000, 75_000);
        this.toolCallsPerMinute = params.uniform(3, 10);
        List<Addresses.Api> chosen = new ArrayList<>();
        int n = params.between(1, 3);
        for (int i = 0; i < n; i++) {
            Addresses.Api api = params.pick(Addresses.ODD_PORT_APIS);
            if (!chosen.contains(api)) {
                chosen.add(api);
            }
        }
        this.apis = chosen;
        this.startupMs = params.seconds(60, 150);
        this.browses = params.chance(0.4) || browser;
        this.pagesPerMinute = params.uniform(2, 12);
        Rng phaseRng = Rng.of(world.seed, "job-phases:" + id);
        this.origin = world.t0 - phaseRng.minutes(0, 6);
        long checkpointEvery = params.minutes(25, 50);
        long[] nextCheckpoint = {world.t0 + Math.round(phaseRng.uniform(0.2, 0.8) * checkpointEvery)};
        this.phases = new Segments(
                phaseRng,
                new Segments.Segment(origin, origin + phaseRng.minutes(2, 6), ROLLOUT),
                (prevEnd, prevKind, rng) -> {
                    switch (prevKind) {
                        case ROLLOUT:
                            return new Segments.Segment(prevEnd, prevEnd + rng.seconds(10, 35), SYNC);
                        case SYNC:
                            return new Segments.Segment(prevEnd, prevEnd + rng.minutes(1, 3), TRAIN);
                        case TRAIN:
                            if (prevEnd >= nextCheckpoint[0]) {
                                nextCheckpoint[0] = prevEnd + Math.round(checkpointEvery * rng.jitter(0.05));
                                return new Segments.Segment(prevEnd, prevEnd + rng.seconds(30, 80), CHECKPOINT);
                            }
                            return new Segments.Segment(prevEnd, prevEnd + rng.seconds(8, 25), SYNC + 10);
                        default: // after a checkpoint or the post-training sync: the next rollout
                            return new Segments.Segment(prevEnd, prevEnd + rng.minutes(2, 6), ROLLOUT);
                    }
                });
        lifeCycle(0.25, 60, 200, 0.3, 90, 300);
        this.agent = new AgentTrace(this);
        this.localCallsPerMinute = agent.rng().uniform(4, 14);
    }

    /** The rollout going on at {@code t}, or the last one before it (its episodes may still be finishing). */
    Segments.Segment rolloutAtOrBefore(long t) {
        Segments.Segment s = phases.at(Math.max(t, origin));
        while (s.kind() != ROLLOUT && s.start() > origin) {
            s = phases.at(s.start() - 1);
        }
        return s;
    }

    @Override
    String describe() {
        return "RL training of a tool-using agent, " + pods.get(0).gpus.length
                + " GPUs; rollouts with tool use (mirror, code hosts,"
                + " APIs on "
                + apis.stream()
                        .map(a -> a.port() + "")
                        .reduce((x, y) -> x + "/" + y)
                        .orElse("-")
                + ", proxy, sandboxes" + (browses ? ", direct web browsing" : "") + ") alternate with training steps";
    }

    int phaseAt(long t) {
        int k = phases.kindAt(t);
        return k == SYNC + 10 ? SYNC : k;
    }

    boolean rollingOut(long t) {
        return phaseAt(t) == ROLLOUT;
    }

    @Override
    Load load(Pod pod, int slot, long t, Rng noise) {
        Load l = Load.idle();
        long age = t - processStart(pod, t);
        if (age < startupMs / 2) {
            return l;
        }
        if (age < startupMs) {
            l.set(noise.uniform(0, 30), noise.uniform(0, 0.1), 0, noise.uniform(0.05, 0.3));
            return l.process(pid(pod, slot, t), processName, fbPerGpu / 2);
        }
        l.process(pid(pod, slot, t), processName, fbPerGpu + Math.round(noise.gaussian() * 60));
        switch (phaseAt(t)) {
            case ROLLOUT: {
                double u = GpuDevice.clamp(rolloutUtil + noise.gaussian() * 8, 20, 99);
                double f = u / 100;
                return l.set(
                        u, f * noise.uniform(0.55, 0.72), f * noise.uniform(0.10, 0.24), noise.uniform(0.55, 0.82));
            }
            case TRAIN:
                return l.set(
                        noise.uniform(96, 100.4),
                        noise.uniform(0.78, 0.90),
                        Math.max(0, trainTensor + noise.gaussian() * 0.025),
                        noise.uniform(0.33, 0.50));
            case CHECKPOINT:
                return l.set(noise.uniform(0, 15), noise.uniform(0.0, 0.06), 0.0, noise.uniform(0.03, 0.15));
            default: // weight sync
                return l.set(
                        noise.uniform(10, 45),
                        noise.uniform(0.05, 0.22),
                        noise.uniform(0.0, 0.05),
                        noise.uniform(0.10, 0.35));
        }
    }

    @Override
    void network(long from, long to) {
        for (Pod pod : alive(from, to)) {
            if (!ready.contains(pod)) {
                ready.add(pod);
                if (pod.start >= world.t0) {
                    packageInstall(pod, pod.start + net.seconds(3, 10), net.between(15, 45));
                }
                if (pod.rank == 0) {
                    keepers.add(trackerConnection(pod, pod.start + startupMs + net.seconds(1, 8)));
                }
            }
            long a = Math.max(from, pod.start + startupMs);
            long b = Math.min(to, pod.end);
            if (b <= a) {
                continue;
            }
            dnsLookups(pod, 0.6, a, b);
            for (long t : arrivals(net, toolCallsPerMinute, a, b)) {
                if (rollingOut(t) && computing(pod, t)) {
                    toolCall(pod, t);
                }
            }
            for (long t : arrivals(agent.rng(), localCallsPerMinute, a, b)) {
                if (rollingOut(t) && computing(pod, t)) {
                    localCall(pod, t);
                }
            }
            if (browses) {
                for (long t : arrivals(net, pagesPerMinute, a, b)) {
                    if (rollingOut(t) && computing(pod, t)) {
                        browse(pod, t);
                    }
                }
            }
            for (long t : arrivals(net, net.uniform(6, 18), a, b)) {
                if (rollingOut(t) && computing(pod, t)) { // the reward model scores finished episodes
                    world.exchange(
                            pod,
                            net,
                            Addresses.REWARD_MODEL,
                            8000,
                            t,
                            net.between(2_000, 40_000),
                            net.between(300, 1_500),
                            200,
                            Counters.JUMBO_MSS,
                            null);
                }
            }
            for (Segments.Segment s : phases.startingIn(a, b)) {
                if (s.kind() == CHECKPOINT && computing(pod, s.start())) {
                    for (int i = 0; i < 4; i++) {
                        long bytes = Math.round(net.uniform(1.5, 5) * (1L << 30));
                        world.exchange(
                                pod,
                                net,
                                net.pick(Addresses.OBJECT_STORE),
                                Addresses.OBJECT_STORE_PORT,
                                s.start() + net.seconds(3, 12),
                                bytes,
                                4_000 + bytes / 8_000,
                                net.uniform(150, 400),
                                Counters.JUMBO_MSS,
                                null);
                    }
                }
            }
        }
        for (Keeper k : keepers) {
            k.ensure(to);
        }
    }

    /**
     * The agent opens a web page: a lookup, then one to four HTTPS connections to the page's server (the
     * page, its assets), each answered; very rarely the server is down.
     */
    private void browse(Pod pod, long t) {
        String server = Addresses.webServer(net);
        world.dns(pod, net, world.notBefore(t - net.between(2, 40)), null);
        Rng r = agent.rng();
        agent.call(pod, t, agent.lead(250), r.seconds(0.3, 5), "browser", ToolCalls.browse(r), null);
        if (net.chance(0.004)) {
            world.unanswered(pod, net, server, 443, t, false, null);
            return;
        }
        int connections = net.between(1, 4);
        for (int i = 0; i < connections; i++) {
            long down = Math.round(net.uniform(8_000, 900_000) * net.jitter(0.7));
            world.exchange(
                    pod,
                    net,
                    server,
                    443,
                    t + i * net.between(20, 400),
                    net.between(700, 2_400),
                    down,
                    net.uniform(5, 40),
                    Counters.MSS,
                    null);
        }
    }

    /** One action of the agent in its sandbox. */
    private void toolCall(Pod pod, long t) {
        if (net.chance(0.5)) {
            world.dns(pod, net, world.notBefore(t - net.between(2, 40)), null);
        }
        Rng c = agent.rng();
        double r = net.next();
        if (r < 0.26) { // pip install
            int n = net.between(1, 6);
            agent.call(
                    pod,
                    t,
                    agent.lead(700),
                    Math.round(n * 900 * c.jitter(0.4)) + c.seconds(1.5, 8),
                    "bash",
                    ToolCalls.install(c, n),
                    c.chance(0.04) ? 1 : 0);
            long at = t;
            for (int i = 0; i < n; i++) {
                at += net.seconds(0.1, 1.5);
                world.exchange(
                        pod,
                        net,
                        Addresses.MIRROR,
                        net.chance(0.85) ? 443 : 80,
                        at,
                        net.between(300, 900),
                        Math.round(net.uniform(20_000, 3_000_000) * net.jitter(1.0)),
                        100,
                        Counters.JUMBO_MSS,
                        null);
            }
        } else if (r < 0.40) { // git clone over HTTPS
            String host = net.pick(Addresses.CODE_HOSTS);
            agent.call(pod, t, agent.lead(300), c.seconds(1, 20), "bash", ToolCalls.cloneHttps(c, host), 0);
            world.exchange(
                    pod,
                    net,
                    host,
                    443,
                    t,
                    net.between(1_500, 6_000),
                    Math.round(net.uniform(200_000, 30_000_000) * net.jitter(0.8)),
                    20,
                    Counters.MSS,
                    null);
        } else if (r < 0.50) {
            agent.call(pod, t, agent.lead(300), c.seconds(1, 8), "bash", ToolCalls.gitSsh(c), 0);
            gitOverSsh(pod, t);
        } else if (r < 0.66) {
            Addresses.Api api = net.pick(apis);
            agent.call(pod, t, agent.lead(150), c.seconds(0.1, 2), "http", ToolCalls.api(c, api), null);
            apiCall(pod, api, t);
        } else if (r < 0.84) {
            agent.call(pod, t, agent.lead(200), c.seconds(0.2, 4), "http", ToolCalls.fetch(c), null);
            proxied(pod, t, Math.round(net.uniform(5_000, 1_500_000) * net.jitter(0.8)));
        } else if (r < 0.985) { // run code in the sandbox pool
            agent.call(
                    pod,
                    t,
                    agent.lead(120),
                    Math.round(c.seconds(0.5, 20) * c.jitter(0.6)),
                    "python",
                    ToolCalls.sandboxRun(c),
                    c.chance(0.2) ? 1 : 0);
            String sandbox = "10.40.0." + net.between(10, 60);
            world.exchange(
                    pod,
                    net,
                    sandbox,
                    8080,
                    t,
                    net.between(1_000, 20_000),
                    net.between(1_000, 60_000),
                    50,
                    Counters.JUMBO_MSS,
                    null);
        } else if (net.chance(0.5)) { // a tool call that fails: the API is down
            Addresses.Api api = net.pick(apis);
            agent.call(
                    pod,
                    t,
                    agent.lead(150),
                    c.seconds(3, 10),
                    "bash",
                    "curl -sf --max-time 10 " + ToolCalls.api(c, api).substring("GET ".length()),
                    28);
            world.unanswered(pod, net, api.ip(), api.port(), t, false, null);
        } else { // or a sandbox refuses
            agent.call(pod, t, agent.lead(120), c.seconds(0.05, 0.5), "python", ToolCalls.sandboxRun(c), 1);
            world.unanswered(pod, net, "10.40.0." + net.between(10, 60), 8080, t, true, null);
        }
    }

    /** A call that touches no network: reading and editing files, running code where the agent is; some fail. */
    private void localCall(Pod pod, long t) {
        Rng c = agent.rng();
        String command = ToolCalls.local(c);
        boolean mayFail = command.startsWith("pytest") || command.startsWith("python") || command.startsWith("apply");
        agent.call(
                pod,
                t,
                0,
                Math.round(c.seconds(0.05, 6) * c.jitter(0.8)),
                command.startsWith("apply") ? "edit" : "bash",
                command,
                mayFail && c.chance(0.25) ? 1 : (c.chance(0.02) ? 2 : 0));
    }
}
