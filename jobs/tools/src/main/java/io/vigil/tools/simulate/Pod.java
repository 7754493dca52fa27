package io.vigil.tools.simulate;

import java.util.List;

/**
 * A pod of a job: its name, node, address and GPUs, from {@link #start} (the scheduler's START) to
 * {@link #end} (its STOP; {@link Long#MAX_VALUE} while it outlives the span). A restarted job gets a new
 * pod: the same job id, a new address. A pod on the host network (NCCL over the node's NICs) has the
 * node's addresses, IPv4 and IPv6, and the scheduler reports both.
 *
 * <p>The workload's processes live a little less than the pod: they exit at {@link #exitAt} (SIGTERM
 * before a preemption's STOP, the end of a finished job), after a quiet tail from {@link #tailFrom}.
 */
final class Pod {
    final Job job;
    final String name;
    final Node node;
    final String ip;
    /** The pod's IPv6 address, or null (the pod network is IPv4 only; host-network pods have the node's). */
    final String ip6;

    final int[] gpus;
    final int rank;
    final long start;
    long end = Long.MAX_VALUE;
    /** From here to {@link #exitAt} the workload winds down: final evaluation and save, GPUs nearly idle. */
    long tailFrom = Long.MAX_VALUE;
    /** From here to {@link #end} the workload's processes are gone. */
    long exitAt = Long.MAX_VALUE;
    /** Host pid of the workload's process on each of the pod's GPUs (the first generation). */
    final long[] pids;

    Pod(Job job, String name, Node node, int[] gpus, int rank, long start, Rng rng) {
        this.job = job;
        this.name = name;
        this.node = node;
        this.ip = job.hostNetwork ? node.ip : node.allocatePodIp();
        this.ip6 = job.hostNetwork ? node.ip6 : null;
        this.gpus = gpus.clone();
        this.rank = rank;
        this.start = start;
        this.pids = new long[gpus.length];
        long base = rng.betweenLong(1_000, 3_900_000);
        for (int i = 0; i < pids.length; i++) {
            pids[i] = base + i * rng.between(1, 40);
        }
        node.pods.add(this);
    }

    /** The pod's addresses: its IPv4 and, for a host-network pod, the node's IPv6. */
    List<String> addresses() {
        return ip6 == null ? List.of(ip) : List.of(ip, ip6);
    }

    /** Whether the workload's processes have exited (the pod is still there, about to STOP). */
    boolean exited(long t) {
        return t >= exitAt && t < end;
    }

    /** Whether the workload is winding down before it exits. */
    boolean inTail(long t) {
        return t >= tailFrom && t < exitAt;
    }

    /** Host pid of the process on GPU slot {@code slot} in the {@code generation}-th start of the workload. */
    long pid(int slot, int generation) {
        return generation == 0 ? pids[slot] : pids[slot] + 7_919L * generation + 131L * slot;
    }

    boolean aliveAt(long t) {
        return t >= start && t < end;
    }

    boolean aliveDuring(long from, long to) {
        return start < to && end > from;
    }

    boolean holds(int gpu) {
        return slot(gpu) >= 0;
    }

    /** The position of node GPU {@code gpu} among this pod's GPUs, or -1. */
    int slot(int gpu) {
        for (int i = 0; i < gpus.length; i++) {
            if (gpus[i] == gpu) {
                return i;
            }
        }
        return -1;
    }
}
