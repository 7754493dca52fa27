package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.List;

/**
 * A scientific simulation under MPI (molecular dynamics, CFD, lattice QCD), one rank per GPU: the other
 * benign workload besides FP32 training whose GPUs look like hashing. Its kernels are FP64 and FP32 vector
 * arithmetic (force fields, stencils, sparse solvers) that the tensor pipes take no part in, and most of them are
 * memory-bound, so device memory is busier than in training; a code built on dense FP64 linear algebra (a
 * plane-wave DFT code) puts its DGEMMs on the tensor pipes instead, part of the time. Ranks hold their domain
 * all the time, are balanced only roughly (each GPU a little busier or idler than the next), and pause together
 * every few minutes to write a frame of the trajectory to the shared file system.
 *
 * <p>Network: the input deck and the last restart file come over the NFS mount at start, frames and restart
 * files go back to it; ranks on other pods exchange halos over a few long-lived TCP connections (MPI over
 * sockets); DNS. No tracker, no packages: the container image carries the code.
 */
final class HpcJob extends Job {
    static final int FRAME = 1;

    /** A simulation code: its name, its process as nvidia-smi shows it, whether it runs on dense FP64 GEMMs. */
    record Code(String name, String process, boolean denseLinearAlgebra) {}

    static final List<Code> CODES = List.of(
            new Code("lammps", "lmp", false),
            new Code("gromacs", "gmx_mpi", false),
            new Code("amber", "pmemd.cuda.MPI", false),
            new Code("nekrs", "nekrs", false),
            new Code("milc", "su3_rhmd_hisq", false),
            new Code("qe", "pw.x", true));

    private final boolean denseLinearAlgebra;
    private final double smLevel;
    private final double dramLevel;
    private final double tensorLevel;
    private final long fbPerGpu;
    private final double[] slotSm;
    private final long startupMs;
    private final long frameBytesPerPod;
    private final double haloMBps;
    private final Segments frames;
    private final List<Pod> ready = new ArrayList<>();
    private final List<Keeper> keepers = new ArrayList<>();

    HpcJob(World world, String id, String team, Code code) {
        super(world, id, Kind.HPC, "science", team, "registry.internal/hpc/" + code.name() + ":2025.1");
        this.processName = code.process();
        this.denseLinearAlgebra = code.denseLinearAlgebra();
        this.smLevel = params.uniform(0.60, 0.94);
        this.dramLevel = params.uniform(0.40, 0.90);
        this.tensorLevel = denseLinearAlgebra ? params.uniform(0.12, 0.35) : params.uniform(0.0, 0.01);
        this.fbPerGpu = params.betweenLong(6_000, 60_000);
        this.slotSm = new double[Node.GPUS];
        for (int i = 0; i < Node.GPUS; i++) {
            slotSm[i] = params.gaussian() * 0.03; // domains are balanced only roughly
        }
        this.startupMs = params.seconds(20, 90);
        this.frameBytesPerPod = Math.round(params.uniform(0.2, 4) * (1L << 30));
        this.haloMBps = params.uniform(20, 300);
        long period = params.minutes(3, 12);
        long write = params.seconds(5, 30);
        long first = world.t0 + Math.round(params.uniform(0, 1) * Math.min(period, world.span()));
        this.frames = new Segments(
                Rng.of(world.seed, "job-phases:" + id),
                new Segments.Segment(first, first + write, FRAME),
                (prevEnd, prevKind, rng) -> {
                    long start = prevEnd - write + Math.round(period * rng.jitter(0.03));
                    return new Segments.Segment(start, start + Math.round(write * rng.jitter(0.2)), FRAME);
                });
        // a rank crashes now and then and the job restarts from its last restart file; the file system stalls
        lifeCycle(0.15, 60, 240, 0.3, 30, 180);
    }

    @Override
    String describe() {
        int gpus = pods.isEmpty() ? 0 : pods.get(0).gpus.length;
        return "scientific simulation under MPI (" + processName + "), " + width() + " pod(s) x " + gpus
                + " GPUs; " + (denseLinearAlgebra ? "dense FP64 linear algebra on the tensor pipes" : "no tensor work")
                + ", frames to NFS";
    }

    boolean writingFrame(long t) {
        return frames.kindAt(t) == FRAME;
    }

    @Override
    Load load(Pod pod, int slot, long t, Rng noise) {
        Load l = Load.idle();
        long age = t - processStart(pod, t);
        if (age < startupMs / 2) {
            return l; // MPI starting up
        }
        if (age < startupMs) { // reading the input deck and the restart file, building the domain
            double f = (double) (age - startupMs / 2) / (startupMs / 2.0);
            l.set(noise.uniform(0, 30), noise.uniform(0, 0.15), 0, noise.uniform(0.02, 0.3));
            return l.process(pid(pod, slot, t), processName, Math.round(fbPerGpu * (0.3 + 0.7 * f)));
        }
        l.process(pid(pod, slot, t), processName, fbPerGpu + Math.round(noise.gaussian() * 20));
        if (writingFrame(t)) { // data copied to the host and written; the GPUs wait for the ranks
            return l.set(noise.uniform(0, 15), noise.uniform(0.0, 0.06), 0, noise.uniform(0.02, 0.1));
        }
        double sm = smLevel + slotSm[slot] + noise.gaussian() * 0.02;
        double tensor = denseLinearAlgebra
                ? tensorLevel * (0.6 + 0.8 * noise.next()) // DGEMM phases come and go within a sample
                : tensorLevel;
        double dram = dramLevel + noise.gaussian() * 0.025;
        return l.set(Math.min(100, noise.uniform(94, 100.5)), sm, Math.max(0, tensor), dram);
    }

    @Override
    void network(long from, long to) {
        for (Pod pod : alive(from, to)) {
            if (!ready.contains(pod)) {
                ready.add(pod);
                setUp(pod);
            }
            dnsLookups(pod, 0.1, from, to);
        }
        for (Keeper k : keepers) {
            k.ensure(to);
        }
    }

    private void setUp(Pod pod) {
        long ready = pod.start + startupMs / 2;
        double write = frameBytesPerPod / 15.0; // a frame written over some 15 s
        double restart = frameBytesPerPod / (startupMs / 2000.0);
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
                                t -> computing(pod, t) && writingFrame(t) ? write : 1_500,
                                t -> t < processStart(pod, t) + startupMs && !processesGone(pod, t) ? restart : 3_000,
                                Counters.JUMBO_MSS,
                                0.2),
                        null),
                e -> e));
        // halos to the next rank's pod (the decomposition is a ring of slabs): payload both ways
        for (Pod peer : pods) {
            if (peer == pod || peer.rank != (pod.rank + 1) % width() || Math.abs(peer.start - pod.start) > 60_000) {
                continue;
            }
            long mpiStart = Math.max(peer.start, pod.start) + startupMs / 2 + net.seconds(0, 2);
            int port = 20_000 + (int) (Rng.mix(peer.ip.hashCode() * 17L + id.hashCode()) & 0x3fff);
            double rate = haloMBps * 1e6;
            keepers.add(new Keeper(
                    mpiStart,
                    start -> held(
                            pod,
                            world.open(
                                    pod,
                                    pod.node.name,
                                    pod.ip,
                                    net.ephemeralPort(),
                                    peer.ip,
                                    port,
                                    "TCP",
                                    start,
                                    Math.min(peer.end, peer.exitAt),
                                    "RSTR",
                                    Traffic.rates(
                                            net,
                                            t -> computing(pod, t) && !writingFrame(t) ? rate : 0,
                                            t -> computing(pod, t) && !writingFrame(t) ? rate : 0,
                                            Counters.JUMBO_MSS,
                                            0.1),
                                    null)),
                    e -> reconnectAfterOutage(e, startupMs / 2 + net.seconds(0, 2))));
        }
    }

    private int width() {
        return (int) pods.stream().mapToInt(p -> p.rank).max().orElse(0) + 1;
    }
}
