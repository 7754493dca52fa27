package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.List;

/**
 * One GPU server: gpu-node-NN, eight H100s, its own dual-stack addresses (IPv4, ULA, link-local), a /24 of
 * pod addresses, the pods it ran over the span.
 */
final class Node {
    static final int GPUS = 8;

    final int index;
    final String name;
    final String ip;
    final String ip6;
    final String linkLocal;
    final GpuDevice[] gpus = new GpuDevice[GPUS];
    /** The DCGM exporter's scrape phase: every node samples on its own beat. */
    final long samplePhaseMs;

    final Rng rng;
    final List<Pod> pods = new ArrayList<>();
    private final List<String> usedIps = new ArrayList<>();
    private int nextHost;

    Node(int index, long seed, long sampleIntervalMs) {
        this.index = index;
        this.name = Addresses.nodeName(index);
        this.ip = Addresses.nodeIp(index);
        this.ip6 = Addresses.nodeIp6(index);
        this.linkLocal = Addresses.nodeLinkLocal(index);
        this.rng = Rng.of(seed, "node:" + name);
        this.samplePhaseMs = rng.betweenLong(0, sampleIntervalMs - 1);
        this.nextHost = rng.between(2, 200);
        for (int g = 0; g < GPUS; g++) {
            gpus[g] = new GpuDevice(this, g, seed);
        }
    }

    /** A fresh pod address from this node's /24 (the CNI hands them out in order, skipping used ones). */
    String allocatePodIp() {
        for (int tries = 0; tries < 253; tries++) {
            String ip = Addresses.podSubnet(index) + nextHost;
            nextHost = nextHost >= 254 ? 2 : nextHost + 1;
            if (!usedIps.contains(ip)) {
                usedIps.add(ip);
                return ip;
            }
        }
        throw new IllegalStateException("node " + name + " ran out of pod addresses");
    }

    /** The pod holding GPU {@code gpu} at {@code t}, or null. */
    Pod holder(int gpu, long t) {
        for (Pod p : pods) {
            if (p.holds(gpu) && p.aliveAt(t)) {
                return p;
            }
        }
        return null;
    }

    /** Whether no pod holds GPU {@code gpu} at any time in [from, to). */
    boolean freeDuring(int gpu, long from, long to) {
        for (Pod p : pods) {
            if (p.holds(gpu) && p.start < to && p.end > from) {
                return false;
            }
        }
        return true;
    }
}
