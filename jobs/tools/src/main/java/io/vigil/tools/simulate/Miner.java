package io.vigil.tools.simulate;

import java.util.Arrays;

/**
 * A cryptocurrency miner started inside a job's pod on some of its GPUs. Mining is memory-hard hashing:
 * the SMs and device memory are busy, the tensor pipes idle. The miner time-slices with the job's own
 * process, taking {@code share} of the GPU plus whatever the job leaves idle, so on a mined GPU
 * utilisation sits near 100, SM and DRAM activity rise and tensor activity falls to the job's leftovers;
 * the extra process holds a few GiB. With a duty cycle the miner pauses (the process stays, the GPU
 * work stops). Its pool connection is a long-lived stratum session: directly to the pool (3333, 4444,
 * 14444 ... or 443 with TLS), or through the internal proxy with HTTP CONNECT.
 */
final class Miner implements Activity {
    /** Where the miner's shares go. */
    record Pool(String ip, int port, boolean tls, boolean viaProxy) {}

    private final World world;
    private final Pod pod;
    private final Rng rng;
    private final Phase phase;
    private final int[] gpus;
    private final String name;
    private final long pid;
    private final long usedMib;
    private final long start;
    private final long end;
    private final double share;
    private final double sm;
    private final double dram;
    private final Segments duty;
    private final Pool pool;
    private final String downloadFrom;
    private boolean started;
    /** When the release tarball's download began, once made; -1 before or without one. */
    long downloadAt = -1;

    /**
     * @param duty on/off cycle (kind 1 = hashing), or null to hash throughout
     * @param downloadFrom where the binary is fetched from just before it starts (HTTPS), or null
     */
    Miner(
            World world,
            Pod pod,
            Rng rng,
            Phase phase,
            int[] gpus,
            String name,
            long start,
            long end,
            double share,
            Segments duty,
            Pool pool,
            String downloadFrom) {
        this.world = world;
        this.pod = pod;
        this.rng = rng;
        this.phase = phase;
        this.gpus = gpus.clone();
        this.name = name;
        this.pid = Math.max(pod.pids[pod.pids.length - 1] + 1, pod.pids[0] + rng.between(600, 90_000));
        this.usedMib = rng.betweenLong(2_200, 4_800);
        this.start = start;
        this.end = end;
        this.share = share;
        this.sm = rng.uniform(0.92, 0.99);
        this.dram = rng.uniform(0.78, 0.95);
        this.duty = duty;
        this.pool = pool;
        this.downloadFrom = downloadFrom;
    }

    /** Where the binary is fetched from, or null. */
    String downloadFrom() {
        return downloadFrom;
    }

    boolean hashing(long t) {
        return t >= start && t < end && (duty == null || duty.kindAt(t) == 1);
    }

    @Override
    public void network(long from, long to) {
        long setup = start - 60_000;
        if (started || setup >= to) {
            return;
        }
        started = true;
        if (downloadFrom != null) { // fetch the release tarball
            Conn download = world.exchange(
                    pod,
                    rng,
                    downloadFrom,
                    443,
                    world.notBefore(start - rng.seconds(25, 55)),
                    rng.between(1_200, 2_500),
                    rng.betweenLong(4_500_000, 8_500_000),
                    15,
                    Counters.MSS,
                    phase);
            downloadAt = download == null ? -1 : download.start();
        }
        long connect = start + rng.seconds(1.5, 8);
        long close = end + rng.seconds(0.1, 2);
        if (pool.viaProxy) {
            world.outbound(
                    pod,
                    rng,
                    Addresses.PROXY,
                    Addresses.PROXY_PORT,
                    "TCP",
                    connect,
                    close - connect,
                    "SF",
                    connectThenStratum(),
                    phase);
        } else {
            world.dns(pod, rng, world.notBefore(connect - rng.between(5, 400)), phase);
            world.outbound(
                    pod,
                    rng,
                    pool.ip,
                    pool.port,
                    "TCP",
                    connect,
                    close - connect,
                    "SF",
                    Traffic.stratum(
                            rng,
                            rng.uniform(20, 60),
                            rng.uniform(1.5, 6) * gpus.length,
                            t -> hashing(t) ? 1 : 0,
                            pool.tls),
                    phase);
        }
    }

    /** Through the proxy: the CONNECT exchange, then stratum in TLS inside the tunnel. */
    private Traffic connectThenStratum() {
        Traffic stratum = Traffic.stratum(
                rng, rng.uniform(20, 60), rng.uniform(1.5, 6) * gpus.length, t -> hashing(t) ? 1 : 0, true);
        return (conn, a, b) -> {
            Counters c = stratum.between(conn, a, b);
            return a == conn.start() ? c.plus(new Counters(rng.between(90, 180), 39, 1, 1)) : c;
        };
    }

    @Override
    public Phase overlay(Node node, int gpu, long t, Load load) {
        if (node != pod.node
                || t < start
                || t >= end
                || Arrays.stream(gpus).noneMatch(g -> g == gpu)
                || !pod.aliveAt(t)) {
            return null;
        }
        load.process(pid, name, usedMib);
        if (hashing(t)) {
            double s =
                    share + (1 - share) * (1 - Math.min(100, load.util) / 100.0); // plus the time the job leaves idle
            s = GpuDevice.clamp(s + rng.gaussian() * 0.02, 0, 1);
            load.util = Math.max(load.util, rng.uniform(97, 100.4));
            load.sm = s * sm * rng.jitter(0.01) + (1 - s) * load.sm;
            load.tensor = (1 - s) * load.tensor;
            load.dram = s * dram * rng.jitter(0.02) + (1 - s) * load.dram;
        }
        return phase;
    }
}
