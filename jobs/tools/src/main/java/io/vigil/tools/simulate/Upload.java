package io.vigil.tools.simulate;

/**
 * A sustained upload from a pod to an outside host over HTTPS (a model's weights, a dataset): one to
 * three parallel streams for several minutes, throughput wandering with the path, next to nothing back.
 */
final class Upload implements Activity {
    private final World world;
    private final Pod pod;
    private final Rng rng;
    private final Phase phase;
    private final String host;
    private final long start;
    private final long duration;
    private final long totalBytes;
    private final int streams;
    private boolean started;

    Upload(
            World world,
            Pod pod,
            Rng rng,
            Phase phase,
            String host,
            long start,
            long duration,
            long totalBytes,
            int streams) {
        this.world = world;
        this.pod = pod;
        this.rng = rng;
        this.phase = phase;
        this.host = host;
        this.start = start;
        this.duration = duration;
        this.totalBytes = totalBytes;
        this.streams = streams;
    }

    @Override
    public void network(long from, long to) {
        if (started || start - 60_000 >= to) {
            return;
        }
        started = true;
        world.dns(pod, rng, world.notBefore(start - rng.between(5, 500)), phase);
        double perStream = (double) totalBytes / streams / (duration / 1000.0);
        double wobble = rng.uniform(0.15, 0.35);
        double period = rng.uniform(90, 300) * 1000;
        for (int i = 0; i < streams; i++) {
            double phaseShift = rng.uniform(0, 2 * Math.PI);
            long s = start + rng.seconds(0, 3);
            world.outbound(
                    pod,
                    rng,
                    host,
                    443,
                    "TCP",
                    s,
                    duration,
                    "SF",
                    Traffic.rates(
                            rng,
                            t -> perStream * (1 + wobble * Math.sin(2 * Math.PI * (t - s) / period + phaseShift)),
                            t -> perStream / 900,
                            Counters.MSS,
                            0.08),
                    phase);
        }
    }
}
