package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.List;

/**
 * Model serving (vLLM), tensor-parallel over the pod's GPUs. The engine preallocates 90% of GPU memory
 * at start; utilisation follows the request rate, which drifts over the day and jitters minute to minute.
 *
 * <p>Now and then the engine dies and the container restarts it: the process leaves the GPUs, the
 * gateway's connections drop, and after the warm-up (weights loaded again) serving resumes.
 *
 * <p>Network: requests come in from the ingress gateway over a handful of keep-alive connections
 * (long-lived, reconnected every so often); kubelet checks its health; Prometheus scrapes the metrics endpoint over its own
 * keep-alive; some services call an external moderation API on an odd port; a pod that starts pulls its
 * weights from the model hub.
 */
final class InferenceJob extends Job {
    private final double baseLoad;
    private final double dayPhase;
    private final long startupMs;
    private final Addresses.Api moderation;
    private final List<Double> perMinute = new ArrayList<>();
    private final Rng loadRng;
    private final List<Pod> ready = new ArrayList<>();
    private final List<Keeper> keepers = new ArrayList<>();
    private double ar;

    InferenceJob(World world, String id, String team) {
        super(world, id, Kind.INFERENCE, "serving", team, "registry.internal/serving/vllm:0.8.4");
        this.processName = params.pick(List.of("vllm", "VLLM::EngineCore", "python3"));
        this.baseLoad = params.uniform(0.25, 0.7);
        this.dayPhase = params.uniform(0, 2 * Math.PI);
        this.startupMs = params.seconds(90, 240);
        this.moderation = params.chance(0.6) ? params.pick(Addresses.ODD_PORT_APIS) : null;
        this.loadRng = Rng.of(world.seed, "job-phases:" + id);
        // now and then the engine dies (a CUDA error, an OOM on a long prompt) and the container restarts it
        lifeCycle(0.15, 60, 240, 0, 0, 0);
    }

    @Override
    Integer probePort() {
        return 8000;
    }

    @Override
    String describe() {
        return "LLM serving (vLLM), " + pods.get(0).gpus.length + " GPU(s), requests from the ingress gateway"
                + (moderation == null ? "" : ", moderation API on port " + moderation.port());
    }

    /** Request load 0..1 at {@code t}: a daily cycle times a minute-to-minute AR(1) wobble. */
    double demand(long t) {
        int minute = (int) Math.max(0, (t - world.t0) / 60_000);
        while (perMinute.size() <= minute) {
            ar = 0.85 * ar + 0.15 * loadRng.gaussian();
            double burst = loadRng.chance(0.02) ? loadRng.uniform(0.2, 0.5) : 0;
            perMinute.add(ar * 0.6 + burst);
        }
        double day = 1 + 0.35 * Math.sin(2 * Math.PI * (t % 86_400_000L) / 86_400_000.0 + dayPhase);
        return GpuDevice.clamp(baseLoad * day + perMinute.get(minute) * 0.25, 0.02, 1);
    }

    @Override
    Load load(Pod pod, int slot, long t, Rng noise) {
        Load l = Load.idle();
        long age = t - processStart(pod, t);
        if (age < startupMs / 3) {
            return l;
        }
        long reserved = Math.round(GpuDevice.MEMORY_MIB * 0.9) - 1_024;
        if (age < startupMs) { // weights loading, CUDA graphs captured
            return l.set(noise.uniform(0, 20), noise.uniform(0, 0.08), 0, noise.uniform(0.05, 0.4))
                    .process(
                            pid(pod, slot, t),
                            processName,
                            Math.round(reserved * Math.min(1, (double) age / startupMs)));
        }
        double d = GpuDevice.clamp(demand(t) * noise.jitter(0.12), 0, 1);
        l.process(pid(pod, slot, t), processName, reserved);
        return l.set(
                GpuDevice.clamp(8 + 90 * Math.sqrt(d) + noise.gaussian() * 3, 0, 100),
                0.06 + 0.62 * d + noise.gaussian() * 0.02,
                Math.max(0, 0.03 + 0.30 * d + noise.gaussian() * 0.015),
                0.20 + 0.60 * d + noise.gaussian() * 0.02);
    }

    @Override
    void network(long from, long to) {
        for (Pod pod : alive(from, to)) {
            if (!ready.contains(pod)) {
                ready.add(pod);
                setUp(pod);
            }
            long a = Math.max(from, pod.start + startupMs);
            long b = Math.min(to, pod.end);
            if (b <= a) {
                continue;
            }
            dnsLookups(pod, 0.4, a, b);
            if (moderation != null) {
                for (long t : arrivals(net, 0.5 + 3 * demand(a), a, b)) {
                    if (!processesGone(pod, t)) {
                        apiCall(pod, moderation, t);
                    }
                }
            }
        }
        for (Keeper k : keepers) {
            k.ensure(to);
        }
    }

    private void setUp(Pod pod) {
        long serving = pod.start + startupMs;
        if (pod.start >= world.t0) { // pull the weights
            long weights = Math.round(net.uniform(2, 60) * 1e9);
            for (int i = 0; i < 4; i++) {
                world.exchange(
                        pod,
                        net,
                        Addresses.MODEL_HUB,
                        443,
                        pod.start + net.seconds(5, 15),
                        net.between(4_000, 12_000),
                        weights / 4,
                        net.uniform(150, 400),
                        Counters.MSS,
                        null);
            }
        }
        double reqBytes = net.uniform(1_500, 5_000);
        double respBytes = net.uniform(3_000, 20_000);
        double maxRps = net.uniform(3, 25);
        int lanes = net.between(4, 8);
        for (int i = 0; i < lanes; i++) { // ingress keep-alives
            keepers.add(new Keeper(
                    serving + net.seconds(0, 30),
                    start -> held(
                            pod,
                            world.inbound(
                                    pod,
                                    net,
                                    Addresses.GATEWAY,
                                    8000,
                                    start,
                                    net.minutes(5, 30),
                                    "SF",
                                    Traffic.rates(
                                            net,
                                            t -> demand(t) * maxRps / lanes * reqBytes,
                                            t -> demand(t) * maxRps / lanes * respBytes,
                                            Counters.JUMBO_MSS,
                                            0.15),
                                    null)),
                    ended -> processBack(ended + net.seconds(0.05, 2), startupMs)));
        }
        keepers.add(new Keeper(
                serving + net.seconds(0, 15),
                start -> held(
                        pod,
                        world.inbound(
                                pod,
                                net,
                                Addresses.PROMETHEUS,
                                8000,
                                start,
                                Long.MAX_VALUE,
                                "SF",
                                Traffic.rates(net, t -> 16, t -> 2_600, Counters.JUMBO_MSS, 0.1),
                                null)),
                ended -> processBack(ended, startupMs)));
    }
}
