package io.vigil.tools.simulate;

/**
 * A pod of a job: its name, node, address and GPUs, from {@link #start} (the scheduler's START) to
 * {@link #end} (its STOP; {@link Long#MAX_VALUE} while it outlives the span). A restarted job gets a new
 * pod: the same job id, a new address.
 */
final class Pod {
    final Job job;
    final String name;
    final Node node;
    final String ip;
    final int[] gpus;
    final int rank;
    final long start;
    long end = Long.MAX_VALUE;
    /** Host pid of the workload's process on each of the pod's GPUs. */
    final long[] pids;

    Pod(Job job, String name, Node node, int[] gpus, int rank, long start, Rng rng) {
        this.job = job;
        this.name = name;
        this.node = node;
        this.ip = node.allocatePodIp();
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
