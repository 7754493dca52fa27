package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.List;

/**
 * A researcher's notebook server (JupyterLab) on one or two GPUs. The kernel holds a model in GPU
 * memory and sits idle between cells; now and then a cell runs for a few minutes at full tilt; in half of
 * them the kernel is restarted once (its process leaves the GPU for a minute to a quarter of an hour).
 *
 * <p>Network: the researcher comes in through the bastion over SSH (long interactive sessions, with
 * breaks) and through the gateway to JupyterLab (a websocket for the session); from the pod, git over
 * SSH to a code host, pip from the mirror, downloads through the proxy, and for some a streaming API
 * session held open through the proxy, and the tracker.
 */
final class NotebookJob extends Job {
    static final int CELL = 1;

    private final long fbMib;
    private final double cellTensor;
    private final boolean tracks;
    private final boolean streamsThroughProxy;
    private final Segments cells;
    private final Segments sessions;
    private final List<Pod> ready = new ArrayList<>();
    private final List<Keeper> keepers = new ArrayList<>();

    /** @param streams whether the researcher surely keeps a streaming API session open through the proxy */
    NotebookJob(World world, String id, String team, boolean streams) {
        super(world, id, Kind.NOTEBOOK, "notebooks", team, "registry.internal/notebooks/jupyter-pytorch:2025.02");
        this.processName = params.pick(List.of("jupyter-kernel", "python", "/opt/conda/bin/python3"));
        this.fbMib = params.betweenLong(3_000, 30_000);
        this.cellTensor = params.uniform(0.15, 0.5);
        this.tracks = params.chance(0.5);
        this.streamsThroughProxy = params.chance(0.7) || streams;
        Rng phaseRng = Rng.of(world.seed, "job-phases:" + id);
        long origin = world.t0 - phaseRng.minutes(0, 10);
        this.cells = new Segments(
                phaseRng,
                new Segments.Segment(origin, origin + phaseRng.minutes(1, 8), CELL),
                (prevEnd, prevKind, rng) -> {
                    long start = prevEnd + rng.minutes(4, 30);
                    return new Segments.Segment(start, start + rng.minutes(1, 8), CELL);
                });
        Rng sessionRng = Rng.of(world.seed, "job-sessions:" + id);
        long s0 = world.t0 - sessionRng.minutes(0, 20); // someone is logged in as the span begins
        this.sessions = new Segments(
                sessionRng, new Segments.Segment(s0, s0 + sessionRng.minutes(25, 90), 1), (prevEnd, prevKind, rng) -> {
                    long start = prevEnd + rng.minutes(3, 25);
                    return new Segments.Segment(start, start + rng.minutes(15, 90), 1);
                });
        // a kernel restarted (or shut down and started again later): its process leaves the GPU for a while
        lifeCycle(0.5, 60, 900, 0, 0, 0);
    }

    @Override
    Integer probePort() {
        return 8888;
    }

    /** JupyterLab stays up while a kernel restarts. */
    @Override
    boolean listening(Pod pod, long t) {
        return !pod.exited(t);
    }

    @Override
    String describe() {
        return "notebook server, " + pods.get(0).gpus.length
                + " GPU(s); SSH in from the bastion, JupyterLab via the gateway," + " git over SSH"
                + (streamsThroughProxy ? ", a streaming API session through the proxy" : "");
    }

    @Override
    Load load(Pod pod, int slot, long t, Rng noise) {
        Load l = Load.idle();
        if (t - processStart(pod, t) < 45_000) {
            return l;
        }
        l.process(pid(pod, slot, t), processName, fbMib);
        if (cells.kindAt(t) == CELL) {
            return l.set(
                    noise.uniform(80, 100),
                    noise.uniform(0.55, 0.85),
                    Math.max(0, cellTensor + noise.gaussian() * 0.04),
                    noise.uniform(0.25, 0.5));
        }
        return noise.chance(0.1)
                ? l.set(noise.uniform(1, 6), noise.uniform(0.0, 0.03), 0, noise.uniform(0, 0.02))
                : l.set(0, 0, 0, 0);
    }

    @Override
    void network(long from, long to) {
        for (Pod pod : alive(from, to)) {
            if (!ready.contains(pod)) {
                ready.add(pod);
                setUp(pod);
            }
            long a = Math.max(from, pod.start + 45_000);
            long b = Math.min(to, pod.end);
            if (b <= a) {
                continue;
            }
            dnsLookups(pod, 0.3, a, b);
            for (long t : arrivals(net, 1 / 25.0, a, b)) {
                gitOverSsh(pod, t);
            }
            for (long t : arrivals(net, 1 / 30.0, a, b)) {
                packageInstall(pod, t, net.between(1, 8));
            }
            for (long t : arrivals(net, 1 / 20.0, a, b)) { // a download through the proxy: a dataset, a paper, weights
                long size = Math.round(net.uniform(200_000, 3e9) * net.jitter(0.5));
                world.exchange(
                        pod,
                        net,
                        Addresses.PROXY,
                        Addresses.PROXY_PORT,
                        t,
                        net.between(800, 3_000),
                        size,
                        net.uniform(20, 90),
                        Counters.MSS,
                        null);
            }
        }
        for (Keeper k : keepers) {
            k.ensure(to);
        }
    }

    private void setUp(Pod pod) {
        long up = pod.start + 45_000;
        // SSH from the bastion: one session per sitting
        long firstSitting = sessions.at(up) != null ? up : nextSession(up).start();
        keepers.add(new Keeper(
                firstSitting,
                start -> {
                    Segments.Segment s = sessions.at(start);
                    long stop = s == null ? start + net.minutes(5, 20) : s.end();
                    return world.inbound(
                            pod,
                            net,
                            Addresses.BASTION,
                            22,
                            start,
                            stop - start,
                            "SF",
                            Traffic.interactive(net, 30, net.uniform(0.25, 0.6), true),
                            null);
                },
                ended -> nextSession(ended).start()));
        // JupyterLab websocket through the gateway, for the same sittings
        keepers.add(new Keeper(
                firstSitting + net.seconds(5, 60),
                start -> {
                    Segments.Segment s = sessions.at(start);
                    long stop = s == null ? start + net.minutes(2, 10) : s.end() + net.seconds(0, 30);
                    return world.inbound(
                            pod,
                            net,
                            Addresses.GATEWAY,
                            8888,
                            start,
                            stop - start,
                            "SF",
                            Traffic.rates(
                                    net,
                                    t -> net.uniform(50, 600),
                                    t -> cells.kindAt(t) == CELL ? 2_500 : 300,
                                    Counters.JUMBO_MSS,
                                    0.3),
                            null);
                },
                ended -> nextSession(ended).start() + net.seconds(5, 60)));
        if (streamsThroughProxy) { // a streaming API session (websocket) held open through the proxy
            keepers.add(new Keeper(
                    up + net.minutes(0, 20),
                    start -> world.outbound(
                            pod,
                            net,
                            Addresses.PROXY,
                            Addresses.PROXY_PORT,
                            "TCP",
                            start,
                            net.minutes(8, 45),
                            "SF",
                            Traffic.rates(net, t -> net.uniform(15, 90), t -> net.uniform(40, 600), Counters.MSS, 0.3),
                            null),
                    ended -> ended + net.minutes(2, 40)));
        }
        if (tracks) {
            keepers.add(trackerConnection(pod, up + net.minutes(0, 10)));
        }
    }

    /** The first sitting that starts after {@code t}. */
    private Segments.Segment nextSession(long t) {
        long probe = t;
        while (true) {
            Segments.Segment s = sessions.at(probe);
            if (s != null && s.start() > t) {
                return s;
            }
            probe = s == null ? probe + 60_000 : s.end();
        }
    }
}
