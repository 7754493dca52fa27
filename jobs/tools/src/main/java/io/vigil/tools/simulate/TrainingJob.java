package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.List;

/**
 * Data-parallel training (DDP/FSDP under torchrun), one pod per node, the same program on every GPU.
 *
 * <p>GPUs: busy all the time (util ~97–100) except while a checkpoint is written (a dip of a minute or
 * two), brief data-loader hiccups, and the life cycle's stalls, outages and tail ({@link Job}). Mixed precision (bf16) keeps the tensor pipes busy 30–60% of the
 * time; an FP32 job barely touches them (tensor_active 0.00–0.03 on every GPU, from its start), which is
 * what hashing looks like too: the FP32 job is one of the benign traps. In some jobs DataLoader workers that
 * touched CUDA sit on each pod's first GPU as extra compute processes that compute nothing.
 *
 * <p>Network: NCCL rings between the pods (several TCP connections per neighbour, high ports, payload
 * one way: sender to receiver), the torch.distributed store on the rank-0 pod (29500), the experiment
 * tracker from rank 0, reading the dataset (GETs from the object store, or one long NFS mount),
 * checkpoint shards uploaded after each checkpoint (parallel multipart uploads, to the in-cluster object
 * store, or for some jobs to the cloud object store many jobs use; a job that reads its data over NFS
 * writes its checkpoints there, a burst of writes on the mount), DNS. A pod that starts installs packages
 * from the mirror, and a restarted one, or one whose processes come back after an outage, reads its last
 * checkpoint back before NCCL reconnects. While the job stalls or winds down, NCCL and the data reads go
 * quiet.
 */
final class TrainingJob extends Job {
    static final int CHECKPOINT = 1;

    final boolean fp32;
    final boolean exportsExternally;
    private final double tensorLevel;
    private final double smLevel;
    private final double dramLevel;
    private final long fbPerGpu;
    private final double[] slotSm;
    private final double[] slotTensor;
    private final long checkpointBytesPerPod;
    private final boolean nfs;
    private final double dataMBps;
    private final double ncclMBps;
    private final int ncclSockets;
    private final long startupMs;
    private final Segments checkpoints;
    /** How long the GPUs wait while a checkpoint is taken. */
    private final long checkpointMs;
    /**
     * DataLoader workers that touched CUDA (a collate function or pin-memory thread that created a context): each
     * holds a few hundred MiB on the first GPU of its pod, as a second compute process there, and computes
     * nothing. A common PyTorch pitfall, and benign.
     */
    private final int cudaWorkers;

    private final List<Pod> networkReady = new ArrayList<>();
    private final List<Keeper> keepers = new ArrayList<>();

    TrainingJob(World world, String id, String team, boolean fp32, boolean exportsExternally) {
        super(
                world,
                id,
                Kind.TRAINING,
                "research",
                team,
                fp32 ? "registry.internal/ml/pytorch:24.08-py3" : "registry.internal/ml/pytorch:25.01-py3");
        this.fp32 = fp32;
        this.exportsExternally = exportsExternally;
        this.processName = params.pick(List.of("python", "python3", "/usr/bin/python3", "pt_main_thread"));
        this.tensorLevel = fp32 ? params.uniform(0.004, 0.014) : params.uniform(0.30, 0.58);
        this.smLevel = fp32 ? params.uniform(0.80, 0.93) : params.uniform(0.74, 0.90);
        this.dramLevel = fp32 ? params.uniform(0.45, 0.68) : params.uniform(0.30, 0.52);
        this.fbPerGpu = fp32 ? params.betweenLong(26_000, 60_000) : params.betweenLong(52_000, 76_000);
        this.slotSm = new double[Node.GPUS];
        this.slotTensor = new double[Node.GPUS];
        for (int i = 0; i < Node.GPUS; i++) {
            slotSm[i] = params.gaussian() * 0.012;
            slotTensor[i] = params.gaussian() * 0.025;
        }
        this.checkpointBytesPerPod = Math.round(params.uniform(2, 20) * (1L << 30));
        this.nfs = params.chance(0.35);
        this.dataMBps = params.uniform(5, 90);
        this.ncclMBps = params.uniform(150, 600);
        this.ncclSockets = params.between(2, 4);
        this.startupMs = params.seconds(40, 110);
        long period = params.minutes(15, 30);
        long dip = params.seconds(40, 110);
        this.checkpointMs = dip;
        long first = world.t0 + Math.round(params.uniform(0.1, 0.6) * Math.min(period, world.span()));
        this.checkpoints = new Segments(
                Rng.of(world.seed, "job-phases:" + id),
                new Segments.Segment(first, first + dip, CHECKPOINT),
                (prevEnd, prevKind, rng) -> {
                    long start = prevEnd - dip + Math.round(period * rng.jitter(0.04));
                    return new Segments.Segment(start, start + Math.round(dip * rng.jitter(0.15)), CHECKPOINT);
                });
        this.cudaWorkers = params.chance(0.2) ? params.between(1, 4) : 0;
        // an elastic restart after a worker crash in about a third of the jobs; a starved data loader now and then
        lifeCycle(0.35, 40, 150, 0.6, 120, 360);
    }

    @Override
    String describe() {
        int gpus = pods.isEmpty() ? 0 : pods.get(0).gpus.length;
        int width = (int) pods.stream().map(p -> p.rank).distinct().count();
        return (fp32 ? "FP32 training" : "mixed-precision (bf16) data-parallel training") + ", " + width + " pod(s) x "
                + gpus + " GPUs; checkpoints to "
                + (exportsExternally ? "the cloud object store" : "the in-cluster object store")
                + "; data from " + (nfs ? "NFS" : "the object store");
    }

    boolean checkpointing(long t) {
        return checkpoints.kindAt(t) == CHECKPOINT;
    }

    @Override
    Load load(Pod pod, int slot, long t, Rng noise) {
        Load l = Load.idle();
        long age = t - processStart(pod, t);
        if (age < startupMs / 2) {
            return l; // container starting: no CUDA context yet
        }
        if (age < startupMs) { // model and data loading: memory fills, little compute
            double f = (double) (age - startupMs / 2) / (startupMs / 2.0);
            l.set(noise.uniform(0, 25), noise.uniform(0.0, 0.12), 0.0, noise.uniform(0.02, 0.2));
            return l.process(pid(pod, slot, t), processName, Math.round(fbPerGpu * (0.2 + 0.7 * f)));
        }
        l.process(pid(pod, slot, t), processName, fbPerGpu + Math.round(noise.gaussian() * 40));
        if (slot == 0) {
            for (int w = 0; w < cudaWorkers; w++) {
                l.process(pid(pod, slot, t) + 40_000 + 13L * w, processName, 310 + 96L * w);
            }
        }
        if (checkpointing(t)) { // state dict to host memory; GPUs mostly wait
            return l.set(
                    noise.uniform(0, 22),
                    noise.uniform(0.01, 0.08),
                    fp32 ? 0.0 : noise.uniform(0.0, 0.02),
                    noise.uniform(0.04, 0.18));
        }
        if (noise.chance(0.015)) { // data-loader stall
            double f = noise.uniform(0.5, 0.85);
            return l.set(100 * f, smLevel * f, tensorLevel * f, dramLevel * f);
        }
        double sm = smLevel + slotSm[slot] + noise.gaussian() * 0.015;
        double tensor = fp32
                ? GpuDevice.clamp(tensorLevel + noise.gaussian() * 0.003, 0, 0.03)
                : tensorLevel * (1 + slotTensor[slot]) + noise.gaussian() * 0.02;
        double dram = dramLevel + noise.gaussian() * 0.02;
        double util = Math.min(100, noise.uniform(96.5, 100.5));
        return l.set(util, sm, Math.max(0, tensor), dram);
    }

    /** NCCL throughput of one socket at {@code t}: stalls during checkpoints, nothing while the job waits. */
    private double ncclRate(Pod pod, long t) {
        if (!computing(pod, t)) {
            return 0;
        }
        return checkpointing(t) ? 40_000 : ncclMBps * 1e6 / ncclSockets;
    }

    /** Whether the pod's processes are reading their checkpoint back: the first half of a warm-up after a restart. */
    private boolean loadingCheckpoint(Pod pod, long t) {
        long since = processStart(pod, t);
        return (since > pod.start || pods.indexOf(pod) >= width())
                && t >= since
                && t < since + startupMs / 2
                && !processesGone(pod, t);
    }

    @Override
    void network(long from, long to) {
        for (Pod pod : alive(from, to)) {
            if (!networkReady.contains(pod)) {
                networkReady.add(pod);
                setUp(pod);
            }
            dnsLookups(pod, 0.8, from, to);
            if (!nfs) {
                dataReads(pod, from, to);
            }
            for (Segments.Segment c : checkpoints.startingIn(from, to)) {
                if (computing(pod, c.start()) && !(nfs && !exportsExternally)) {
                    checkpointUpload(pod, c);
                }
            }
            for (Spell o : outages) { // the processes are back: read the last checkpoint
                long back = o.end() + startupMs / 2;
                if (!nfs && back >= from && back < to && pod.aliveAt(back) && pod.start < o.start()) {
                    checkpointRead(pod, back);
                }
            }
        }
        for (Keeper k : keepers) {
            k.ensure(to);
        }
    }

    private void setUp(Pod pod) {
        long ready = pod.start + startupMs / 2;
        if (pod.start >= world.t0) { // a pod starting now: packages, and (if restarted) the last checkpoint
            packageInstall(pod, pod.start + net.seconds(3, 10), net.between(12, 40));
            if (pods.indexOf(pod) >= width() && !nfs) {
                checkpointRead(pod, ready);
            }
        }
        if (pod.rank == 0) {
            keepers.add(trackerConnection(pod, ready + startupMs / 2 + net.seconds(1, 8)));
        }
        if (nfs) { // the mount is the kernel's: it outlives the processes' outages
            double read = dataMBps * 1e6;
            double write = checkpointBytesPerPod / (checkpointMs / 1000.0);
            double load = checkpointBytesPerPod / (startupMs / 2000.0);
            keepers.add(new Keeper(
                    ready,
                    start -> world.outbound(
                            pod,
                            net,
                            Addresses.NFS,
                            2049,
                            "TCP",
                            start,
                            Long.MAX_VALUE,
                            "SF",
                            Traffic.rates(
                                    net,
                                    t -> computing(pod, t) && checkpointing(t) && !exportsExternally
                                            ? write
                                            : 2_000 + (computing(pod, t) ? read * 0.004 : 0),
                                    t -> loadingCheckpoint(pod, t)
                                            ? load
                                            : computing(pod, t) && !checkpointing(t) ? read : 8_000,
                                    Counters.JUMBO_MSS,
                                    0.2),
                            null),
                    e -> e));
        }
        // peers: the pods of the same generation (started together)
        for (Pod peer : pods) {
            if (peer == pod || Math.abs(peer.start - pod.start) > 60_000) {
                continue;
            }
            long ncclStart = Math.max(peer.start, pod.start) + startupMs + net.seconds(0, 2);
            int port = 40_000 + (int) (Rng.mix(peer.ip.hashCode() * 31L + id.hashCode()) & 0x3fff);
            if (peer.rank == (pod.rank + 1) % width()) { // ring: each pod sends to the next
                for (int s = 0; s < ncclSockets; s++) {
                    Pod from = pod;
                    int dstPort = port + s;
                    keepers.add(new Keeper(
                            ncclStart,
                            start -> peerGone(peer, start)
                                    ? null
                                    : held(
                                            from,
                                            world.open(
                                                    from,
                                                    from.node.name,
                                                    from.ip,
                                                    net.ephemeralPort(),
                                                    peer.ip,
                                                    dstPort,
                                                    "TCP",
                                                    start,
                                                    Math.min(peer.end, peer.exitAt),
                                                    "RSTR",
                                                    Traffic.rates(
                                                            net,
                                                            t -> ncclRate(from, t),
                                                            t -> computing(from, t) ? 600 : 0,
                                                            Counters.JUMBO_MSS,
                                                            0.08),
                                                    null)),
                            e -> reconnectAfterOutage(e, startupMs + net.seconds(0, 2))));
                }
            }
            if (pod.rank > 0 && peer.rank == 0) { // the rendezvous store on rank 0
                keepers.add(new Keeper(
                        pod.start + startupMs / 2,
                        start -> peerGone(peer, start)
                                ? null
                                : held(
                                        pod,
                                        world.open(
                                                pod,
                                                pod.node.name,
                                                pod.ip,
                                                net.ephemeralPort(),
                                                peer.ip,
                                                29500,
                                                "TCP",
                                                start,
                                                Math.min(peer.end, peer.exitAt),
                                                "RSTR",
                                                Traffic.rates(net, t -> 30, t -> 24, Counters.JUMBO_MSS, 0.3),
                                                null)),
                        e -> reconnectAfterOutage(e, startupMs / 2)));
            }
        }
    }

    /** Whether the peer's processes exited before {@code t}: a reconnection after an outage finds nobody listening. */
    private static boolean peerGone(Pod peer, long t) {
        return t > Math.min(peer.end, peer.exitAt);
    }

    private int width() {
        return (int) pods.stream().mapToInt(p -> p.rank).max().orElse(0) + 1;
    }

    /** GETs of dataset shards: a few hundred MiB each, a few per minute. */
    private void dataReads(Pod pod, long from, long to) {
        long a = Math.max(from, pod.start + startupMs / 2);
        long b = Math.min(to, pod.end);
        if (b <= a) {
            return;
        }
        double objectBytes = (1L << 20) * net.uniform(256, 1024);
        double perMinute = dataMBps * 1e6 * 60 / objectBytes;
        for (long t : arrivals(net, perMinute, a, b)) {
            if (checkpointing(t) || !computing(pod, t) || loadingCheckpoint(pod, t)) {
                continue;
            }
            long size = Math.round(objectBytes * net.jitter(0.2));
            world.exchange(
                    pod,
                    net,
                    net.pick(Addresses.OBJECT_STORE),
                    Addresses.OBJECT_STORE_PORT,
                    t,
                    net.between(400, 1200),
                    size,
                    net.uniform(300, 900),
                    Counters.JUMBO_MSS,
                    null);
        }
    }

    /** The pod's shard of the last checkpoint, read back from the object store over a few parallel GETs. */
    private void checkpointRead(Pod pod, long at) {
        for (int i = 0; i < 4; i++) {
            long part = checkpointBytesPerPod / 4;
            world.exchange(
                    pod,
                    net,
                    net.pick(Addresses.OBJECT_STORE),
                    Addresses.OBJECT_STORE_PORT,
                    at + net.seconds(0, 3),
                    net.between(800, 2000) + part / 500,
                    part,
                    450,
                    Counters.JUMBO_MSS,
                    null);
        }
    }

    /** After a checkpoint: the pod's shard goes up as a multipart upload over several connections. */
    private void checkpointUpload(Pod pod, Segments.Segment c) {
        int parts = net.between(4, 8);
        long total = Math.round(checkpointBytesPerPod * net.jitter(0.03));
        long t = c.start() + net.seconds(5, 25);
        for (int i = 0; i < parts; i++) {
            long bytes = total / parts;
            if (exportsExternally) {
                world.exchange(
                        pod,
                        net,
                        net.pick(Addresses.CLOUD_STORAGE),
                        443,
                        t + net.seconds(0, 2),
                        bytes,
                        net.between(4_000, 20_000) + bytes / 4_000,
                        net.uniform(40, 140),
                        Counters.MSS,
                        null);
            } else {
                world.exchange(
                        pod,
                        net,
                        net.pick(Addresses.OBJECT_STORE),
                        Addresses.OBJECT_STORE_PORT,
                        t + net.seconds(0, 2),
                        bytes,
                        net.between(2_000, 9_000) + bytes / 8_000,
                        net.uniform(150, 420),
                        Counters.JUMBO_MSS,
                        null);
            }
        }
    }
}
