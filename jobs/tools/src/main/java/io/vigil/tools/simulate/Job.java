package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A workload the scheduler runs: its pods over time, what it does to its GPUs, and the connections it
 * makes. Subclasses are the kinds of work an AI cluster runs. A job's behaviour draws only on its own
 * random streams (its parameters, its phases, its network), never on another entity's.
 *
 * <p>Besides its own phases, every job has a life cycle that a detector must take as normal: outages,
 * when its processes vanish and come back under new pids without the pod stopping (an elastic restart
 * after a worker crash, a notebook kernel restarted), each followed by the warm-up again; stalls, when
 * its processes hold their GPU memory but wait (a data loader starved by slow storage: GPUs idle for
 * minutes, the network quiet); and the quiet tail and exit before a pod's STOP ({@link Pod#tailFrom}).
 */
abstract class Job {
    enum Kind {
        TRAINING("training"),
        RL("rl"),
        INFERENCE("inference"),
        NOTEBOOK("notebook"),
        HPC("hpc");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    final World world;
    final String id;
    final Kind kind;
    final String namespace;
    final String team;
    final String image;
    /** Every pod the job had over the span, restarts included, in start order. */
    final List<Pod> pods = new ArrayList<>();

    final Rng params;
    final Rng net;
    final Rng podRng;
    /** The job's compute process name, as nvidia-smi reports it. */
    String processName;
    /** Whether the job's pods use the host network, with the node's addresses. */
    boolean hostNetwork;

    /** A stretch [start, end) of the job's life cycle. */
    record Spell(long start, long end) {
        boolean covers(long t) {
            return t >= start && t < end;
        }
    }

    /** Outages of the job's processes, in time order; they apply to every pod alive then. */
    final List<Spell> outages = new ArrayList<>();
    /** Stalls of the job's processes, in time order. */
    final List<Spell> stalls = new ArrayList<>();
    /** Share of the job's lookups that go to a public resolver (an image's own resolv.conf, a tool's resolver). */
    final double outsideDnsShare;

    Job(World world, String id, Kind kind, String namespace, String team, String image) {
        this.world = world;
        this.id = id;
        this.kind = kind;
        this.namespace = namespace;
        this.team = team;
        this.image = image;
        this.params = Rng.of(world.seed, "job-params:" + id);
        this.net = Rng.of(world.seed, "job-net:" + id);
        this.podRng = Rng.of(world.seed, "job-pods:" + id);
        Rng dns = Rng.of(world.seed, "job-dns:" + id);
        this.outsideDnsShare = dns.chance(0.3) ? dns.uniform(0.03, 0.3) : 0;
    }

    /** The scheduler labels of the job's pods. */
    Map<String, String> labels() {
        Map<String, String> l = new LinkedHashMap<>();
        l.put("kind", kind.label);
        l.put("team", team);
        l.put("image", image);
        return l;
    }

    /**
     * What the job runs on GPU {@code slot} of {@code pod} at {@code t} while its processes run; subclasses
     * measure the warm-up from {@link #processStart} and name processes by {@link #pid}.
     */
    abstract Load load(Pod pod, int slot, long t, Rng noise);

    /** What GPU {@code slot} of {@code pod} runs at {@code t}, the life cycle included. */
    final Load loadAt(Pod pod, int slot, long t, Rng noise) {
        if (processesGone(pod, t)) {
            return Load.idle(); // no process, no CUDA context: the GPU drops to idle clocks
        }
        Load l = load(pod, slot, t, noise);
        if ((stalled(t) || pod.inTail(t)) && !l.processes.isEmpty()) {
            // the processes keep their memory and wait: an occasional small kernel, no tensor work
            return l.set(
                    noise.chance(0.3) ? noise.uniform(0, 4) : 0, noise.uniform(0, 0.01), 0, noise.uniform(0, 0.012));
        }
        return l;
    }

    /**
     * Draws the job's outages and stalls over the span: each outage with probability {@code outageChance},
     * lasting {@code outageMs}; stalls at {@code stallsPerHour}, lasting {@code stallMs}.
     */
    void lifeCycle(
            double outageChance,
            double outageLoSeconds,
            double outageHiSeconds,
            double stallsPerHour,
            double stallLoSeconds,
            double stallHiSeconds) {
        Rng rng = Rng.of(world.seed, "job-lifecycle:" + id);
        long lo = world.t0 + world.span() / 20;
        long hi = world.end - world.span() / 10;
        if (hi <= lo) {
            return;
        }
        if (rng.chance(outageChance)) {
            long at = rng.betweenLong(lo, hi);
            outages.add(new Spell(at, at + rng.seconds(outageLoSeconds, outageHiSeconds)));
        }
        for (long at : arrivals(rng, stallsPerHour / 60.0, lo, hi)) {
            Spell last = stalls.isEmpty() ? null : stalls.get(stalls.size() - 1);
            boolean clear = (last == null || at > last.end() + 60_000)
                    && outages.stream().noneMatch(o -> at < o.end() + 120_000 && at > o.start() - 600_000);
            if (clear) {
                stalls.add(new Spell(at, at + rng.seconds(stallLoSeconds, stallHiSeconds)));
            }
        }
    }

    /** Whether the pod's workload processes are gone at {@code t}: an outage, or exited before STOP. */
    boolean processesGone(Pod pod, long t) {
        return pod.exited(t) || outageAt(t) != null;
    }

    Spell outageAt(long t) {
        for (Spell o : outages) {
            if (o.covers(t)) {
                return o;
            }
        }
        return null;
    }

    boolean stalled(long t) {
        for (Spell s : stalls) {
            if (s.covers(t)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the job computes at {@code t}: its processes run, neither stalled nor winding down. */
    boolean computing(Pod pod, long t) {
        return pod.aliveAt(t) && !processesGone(pod, t) && !stalled(t) && !pod.inTail(t);
    }

    /** When the pod's current processes started: the pod's START, or the end of the last outage. */
    long processStart(Pod pod, long t) {
        long s = pod.start;
        for (Spell o : outages) {
            if (o.end() <= t && o.end() > s) {
                s = o.end();
            }
        }
        return s;
    }

    /** The host pid of the process on GPU slot {@code slot} at {@code t}: new after each outage. */
    long pid(Pod pod, int slot, long t) {
        int generation = 0;
        for (Spell o : outages) {
            if (o.end() <= t && o.end() > pod.start) {
                generation++;
            }
        }
        return pod.pid(slot, generation);
    }

    /** When a connection the pod's processes opened at {@code start} goes away with them. */
    long processEnd(Pod pod, long start) {
        long e = Math.min(pod.end, pod.exitAt);
        for (Spell o : outages) {
            if (o.start() >= start) {
                e = Math.min(e, o.start());
            }
        }
        return e;
    }

    /** {@code t}, or the end of the outage it falls in plus {@code settleMs} (the processes are back and set up). */
    long processBack(long t, long settleMs) {
        Spell o = outageAt(t);
        return o == null ? t : o.end() + settleMs;
    }

    /** After a connection of the processes ended at {@code ended}: when they reconnect if an outage cut it, else never. */
    long reconnectAfterOutage(long ended, long settleMs) {
        return outageAt(ended) == null ? Long.MAX_VALUE : processBack(ended, settleMs);
    }

    /** Opens a connection of the pod's processes through {@code open}, cut (FINs from the dying process) when they go. */
    Conn held(Pod pod, Conn c) {
        if (c != null) {
            long gone = processEnd(pod, c.start());
            if (gone < c.end()) {
                c.cut(gone, "SF");
            }
        }
        return c;
    }

    /** Opens the job's connections that start in [from, to). */
    abstract void network(long from, long to);

    /** A human-readable one-liner for the dataset's README. */
    abstract String describe();

    Pod addPod(String podName, Node node, int[] gpus, int rank, long start) {
        Pod p = new Pod(this, podName, node, gpus, rank, start, podRng);
        pods.add(p);
        return p;
    }

    /** The pods alive at some time in [from, to). */
    List<Pod> alive(long from, long to) {
        List<Pod> out = new ArrayList<>();
        for (Pod p : pods) {
            if (p.aliveDuring(from, to)) {
                out.add(p);
            }
        }
        return out;
    }

    /** The pod of this rank alive at {@code t}, or null. */
    Pod podAt(int rank, long t) {
        for (Pod p : pods) {
            if (p.rank == rank && p.aliveAt(t)) {
                return p;
            }
        }
        return null;
    }

    /** Whether the job holds its pods, unrestarted, from before {@code from} to after {@code to}. */
    boolean steadyDuring(long from, long to) {
        for (Pod p : pods) {
            if (p.aliveDuring(from, to) && (p.start > from || p.end < to)) {
                return false;
            }
        }
        return !alive(from, to).isEmpty();
    }

    // ---------------------------------------------------------------- shared behaviour

    /** Start times of a Poisson process of {@code perMinute} in [from, to). */
    static List<Long> arrivals(Rng rng, double perMinute, long from, long to) {
        List<Long> times = new ArrayList<>();
        int n = rng.poisson(perMinute * (to - from) / 60_000.0);
        for (int i = 0; i < n; i++) {
            times.add(from + (long) (rng.next() * (to - from)));
        }
        times.sort(null);
        return times;
    }

    /** The port kubelet's health checks reach the pod on, or null when the job declares none. */
    Integer probePort() {
        return null;
    }

    /** Whether the pod's server answers its health checks at {@code t}. */
    boolean listening(Pod pod, long t) {
        return !processesGone(pod, t);
    }

    /**
     * DNS lookups, {@code perMinute} on average, over the part of [from, to) the pod is alive: through the
     * cluster resolver, except a share that some images and tools send to a public resolver; now and then
     * that one does not listen and answers with ICMP port unreachable.
     */
    void dnsLookups(Pod pod, double perMinute, long from, long to) {
        long a = Math.max(from, pod.start);
        long b = Math.min(to, pod.end);
        if (b <= a) {
            return;
        }
        for (long t : arrivals(net, perMinute, a, b)) {
            if (outsideDnsShare > 0 && net.chance(outsideDnsShare)) {
                String resolver = net.pick(Addresses.OUTSIDE_RESOLVERS);
                long q = net.between(30, 80);
                if (net.chance(0.05)) {
                    Conn c = world.outbound(
                            pod, net, resolver, 53, "UDP", t, 1, "S0", Traffic.fixed(new Counters(q, 0, 1, 0)), null);
                    if (c != null) {
                        world.icmpUnreachable(pod.node.name, resolver, pod.ip, t + net.between(5, 60), q, pod);
                    }
                } else {
                    world.outbound(
                            pod,
                            net,
                            resolver,
                            53,
                            "UDP",
                            t,
                            net.between(4, 40),
                            "SF",
                            Traffic.fixed(new Counters(q, q + net.between(16, 200), 1, 1)),
                            null);
                }
            } else {
                world.dns(pod, net, t, null);
            }
        }
    }

    /**
     * The experiment tracker's HTTPS connection of the pod: long-lived (the SDK keeps it for tens of
     * minutes, then reconnects, to whichever of the service's addresses DNS gives this time), a few KB/s
     * of metrics up, a little back.
     */
    Keeper trackerConnection(Pod pod, long firstStart) {
        double up = net.uniform(700, 5000);
        return new Keeper(
                firstStart,
                start -> held(
                        pod,
                        world.outbound(
                                pod,
                                net,
                                net.pick(Addresses.TRACKER),
                                443,
                                "TCP",
                                start,
                                net.minutes(10, 60),
                                "SF",
                                Traffic.rates(
                                        net,
                                        t -> computing(pod, t) ? up : up * 0.05,
                                        t -> up * 0.12,
                                        Counters.MSS,
                                        0.25),
                                null)),
                ended -> processBack(ended + net.seconds(0.5, 6), net.seconds(20, 90)));
    }

    /**
     * pip and apt at container start: a burst of downloads from the internal mirror; a file the mirror
     * does not carry comes straight from a package CDN over HTTPS.
     */
    void packageInstall(Pod pod, long at, int packages) {
        long t = at;
        for (int i = 0; i < packages; i++) {
            t += net.seconds(0.2, 4);
            boolean apt = net.chance(0.15);
            long size = Math.round(net.uniform(30_000, 4_000_000) * net.jitter(1.2));
            if (net.chance(0.08)) {
                world.exchange(
                        pod,
                        net,
                        net.pick(Addresses.PACKAGE_CDN),
                        443,
                        t,
                        net.between(600, 1_500),
                        size,
                        60,
                        Counters.MSS,
                        null);
            } else {
                world.exchange(
                        pod,
                        net,
                        Addresses.MIRROR,
                        apt ? 80 : 443,
                        t,
                        net.between(300, 900),
                        size,
                        120,
                        Counters.JUMBO_MSS,
                        null);
            }
        }
    }

    /** A git clone or fetch over SSH from a code host (short, answered). */
    void gitOverSsh(Pod pod, long t) {
        String host = net.pick(Addresses.CODE_HOSTS);
        long down = Math.round(net.uniform(40_000, 8_000_000) * net.jitter(1.0));
        long up = net.between(2_500, 9_000) + down / 200;
        double seconds = net.uniform(0.8, 3) + down / 12e6;
        world.outbound(
                pod,
                net,
                host,
                22,
                "TCP",
                t,
                Math.round(seconds * 1000),
                "SF",
                Traffic.fixed(Counters.tcpSession(up, down, Counters.MSS)),
                null);
    }

    /** A call to one of the odd-port external APIs (short, answered). */
    void apiCall(Pod pod, Addresses.Api api, long t) {
        world.exchange(
                pod,
                net,
                api.ip(),
                api.port(),
                t,
                net.between(300, 4_000),
                Math.round(net.uniform(500, 30_000) * net.jitter(0.5)),
                5,
                Counters.MSS,
                null);
    }

    /** A fetch through the forward proxy (HTTP CONNECT, then TLS to wherever). */
    void proxied(Pod pod, long t, long down) {
        world.exchange(
                pod,
                net,
                Addresses.PROXY,
                Addresses.PROXY_PORT,
                t,
                net.between(600, 3_500),
                down,
                25,
                Counters.MSS,
                null);
    }
}
