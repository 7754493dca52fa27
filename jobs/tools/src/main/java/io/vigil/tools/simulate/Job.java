package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A workload the scheduler runs: its pods over time, what it does to its GPUs, and the connections it
 * makes. Subclasses are the kinds of work an AI cluster runs. A job's behaviour draws only on its own
 * random streams (its parameters, its phases, its network), never on another entity's.
 */
abstract class Job {
    enum Kind {
        TRAINING("training"), RL("rl"), INFERENCE("inference"), NOTEBOOK("notebook");

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
    }

    /** The scheduler labels of the job's pods. */
    Map<String, String> labels() {
        Map<String, String> l = new LinkedHashMap<>();
        l.put("kind", kind.label);
        l.put("team", team);
        l.put("image", image);
        return l;
    }

    /** What the job runs on GPU {@code slot} of {@code pod} at {@code t}. */
    abstract Load load(Pod pod, int slot, long t, Rng noise);

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

    /** Cluster DNS lookups, {@code perMinute} on average, over the part of [from, to) the pod is alive. */
    void dnsLookups(Pod pod, double perMinute, long from, long to) {
        long a = Math.max(from, pod.start);
        long b = Math.min(to, pod.end);
        if (b <= a) {
            return;
        }
        for (long t : arrivals(net, perMinute, a, b)) {
            world.dns(pod, net, t, null);
        }
    }

    /**
     * The experiment tracker's HTTPS connection of the pod: long-lived (the SDK keeps it for tens of
     * minutes, then reconnects, to whichever of the service's addresses DNS gives this time), a few KB/s
     * of metrics up, a little back.
     */
    Keeper trackerConnection(Pod pod, long firstStart) {
        double up = net.uniform(700, 5000);
        return new Keeper(firstStart, start -> world.outbound(pod, net, net.pick(Addresses.TRACKER), 443, "TCP", start,
                        net.minutes(10, 60), "SF",
                        Traffic.rates(net, t -> up, t -> up * 0.12, Counters.MSS, 0.25), null),
                ended -> ended + net.seconds(0.5, 6));
    }

    /** pip and apt at container start: a burst of downloads from the internal mirror. */
    void packageInstall(Pod pod, long at, int packages) {
        long t = at;
        for (int i = 0; i < packages; i++) {
            t += net.seconds(0.2, 4);
            boolean apt = net.chance(0.15);
            long size = Math.round(net.uniform(30_000, 4_000_000) * net.jitter(1.2));
            world.exchange(pod, net, Addresses.MIRROR, apt ? 80 : 443, t, net.between(300, 900), size, 120, Counters.JUMBO_MSS, null);
        }
    }

    /** A git clone or fetch over SSH from a code host (short, answered). */
    void gitOverSsh(Pod pod, long t) {
        String host = net.pick(Addresses.CODE_HOSTS);
        long down = Math.round(net.uniform(40_000, 8_000_000) * net.jitter(1.0));
        long up = net.between(2_500, 9_000) + down / 200;
        double seconds = net.uniform(0.8, 3) + down / 12e6;
        world.outbound(pod, net, host, 22, "TCP", t, Math.round(seconds * 1000), "SF",
                Traffic.fixed(Counters.tcpSession(up, down, Counters.MSS)), null);
    }

    /** A call to one of the odd-port external APIs (short, answered). */
    void apiCall(Pod pod, Addresses.Api api, long t) {
        world.exchange(pod, net, api.ip(), api.port(), t, net.between(300, 4_000),
                Math.round(net.uniform(500, 30_000) * net.jitter(0.5)), 5, Counters.MSS, null);
    }

    /** A fetch through the forward proxy (HTTP CONNECT, then TLS to wherever). */
    void proxied(Pod pod, long t, long down) {
        world.exchange(pod, net, Addresses.PROXY, Addresses.PROXY_PORT, t, net.between(600, 3_500), down, 25, Counters.MSS, null);
    }
}
