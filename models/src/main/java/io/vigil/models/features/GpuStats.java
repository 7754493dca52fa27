package io.vigil.models.features;

import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One GPU's samples in one job's window, as running sums: the per-GPU entry of a {@link WindowAccumulator}.
 * A Flink POJO; its process names are bounded by {@link #MAX_PROCESS_NAMES}.
 */
public class GpuStats {
    /** Process names kept per GPU; beyond, the ones holding least memory are dropped (miner names last). */
    public static final int MAX_PROCESS_NAMES = 16;

    /** Keep order of names: miner names first, then most memory, then by name. */
    static final Comparator<Map.Entry<String, Long>> NAME_PRIORITY = Comparator.comparing(
                    (Map.Entry<String, Long> e) -> !MinerNames.matches(e.getKey()))
            .thenComparing(Comparator.comparingLong((Map.Entry<String, Long> e) -> e.getValue())
                    .reversed())
            .thenComparing(Map.Entry::getKey);

    public String node;
    public int gpu;
    public long samples;
    /** Sum of util, percent. Sums are in millionths ({@link WindowAccumulator#micros}): exact in any order. */
    public long utilSum;
    /** Samples with both sm_active and tensor_active. */
    public long profiledSamples;
    /** Sum of sm_active over profiled samples. */
    public long smSum;
    /** Sum of tensor_active over profiled samples. */
    public long tensorSum;
    /** Profiled samples in the hashing pattern ({@link WindowAccumulator#hashing}). */
    public long hashingSamples;

    public long dramSamples;
    public long dramSum;
    public long powerSamples;
    public long powerSum;
    public long maxFbMib;
    /** Process name to the most GPU memory it held (MiB); at most {@link #MAX_PROCESS_NAMES}. */
    public Map<String, Long> processes = new HashMap<>();
    /** Names dropped by the cap. */
    public long processOverflow;
    /** Sum over samples of the compute processes (distinct pids) beyond the first: a GPU time-sliced between them. */
    public long extraProcessSum;

    public GpuStats() {}

    GpuStats(String node, int gpu) {
        this.node = node;
        this.gpu = gpu;
    }

    /** The key of a GPU in a job: GPU indices repeat on every node, so node and index together. */
    public static String key(String node, int gpu) {
        return node + "/" + gpu;
    }

    void add(GpuSample s, Double sm, Double tensor, Double dram) {
        samples++;
        utilSum += WindowAccumulator.micros(WindowAccumulator.clampPercent(s.getUtil()));
        if (sm != null && tensor != null) {
            profiledSamples++;
            smSum += WindowAccumulator.micros(sm);
            tensorSum += WindowAccumulator.micros(tensor);
            if (WindowAccumulator.hashing(sm, tensor)) {
                hashingSamples++;
            }
        }
        if (dram != null) {
            dramSamples++;
            dramSum += WindowAccumulator.micros(dram);
        }
        Double power = s.getPowerW();
        if (power != null && Double.isFinite(power)) {
            powerSamples++;
            powerSum += WindowAccumulator.micros(power);
        }
        if (s.getFbUsedMib() != null) {
            maxFbMib = Math.max(maxFbMib, s.getFbUsedMib());
        }
        for (GpuProcess p : s.getProcesses()) {
            addProcess(p.getName(), p.getUsedMib());
        }
        extraProcessSum += Math.max(0, distinctPids(s.getProcesses()) - 1);
    }

    /** Distinct process ids of one sample: a handful, so compared pairwise (a stream per sample was garbage). */
    static int distinctPids(List<GpuProcess> processes) {
        if (processes.size() > 32) {
            return (int)
                    processes.stream().mapToLong(GpuProcess::getPid).distinct().count();
        }
        int distinct = 0;
        for (int i = 0; i < processes.size(); i++) {
            long pid = processes.get(i).getPid();
            boolean before = false;
            for (int j = 0; j < i && !before; j++) {
                before = processes.get(j).getPid() == pid;
            }
            if (!before) {
                distinct++;
            }
        }
        return distinct;
    }

    void addProcess(String name, long usedMib) {
        if (name == null) {
            return;
        }
        Long held = processes.get(name);
        if (held != null) {
            processes.put(name, Math.max(held, usedMib));
            return;
        }
        if (processes.size() < MAX_PROCESS_NAMES) {
            processes.put(name, usedMib);
            return;
        }
        Map.Entry<String, Long> candidate = Map.entry(name, usedMib);
        Map.Entry<String, Long> weakest =
                processes.entrySet().stream().max(NAME_PRIORITY).orElseThrow();
        if (NAME_PRIORITY.compare(candidate, weakest) < 0) {
            processes.remove(weakest.getKey());
            processes.put(name, usedMib);
        }
        processOverflow++;
    }

    void merge(GpuStats o) {
        samples += o.samples;
        utilSum += o.utilSum;
        profiledSamples += o.profiledSamples;
        smSum += o.smSum;
        tensorSum += o.tensorSum;
        hashingSamples += o.hashingSamples;
        dramSamples += o.dramSamples;
        dramSum += o.dramSum;
        powerSamples += o.powerSamples;
        powerSum += o.powerSum;
        maxFbMib = Math.max(maxFbMib, o.maxFbMib);
        processOverflow += o.processOverflow;
        extraProcessSum += o.extraProcessSum;
        for (Map.Entry<String, Long> e : o.processes.entrySet()) {
            processes.merge(e.getKey(), e.getValue(), Math::max);
        }
        if (processes.size() > MAX_PROCESS_NAMES) {
            List<Map.Entry<String, Long>> sorted = new ArrayList<>(processes.entrySet());
            sorted.sort(NAME_PRIORITY);
            for (Map.Entry<String, Long> e : new ArrayList<>(sorted.subList(MAX_PROCESS_NAMES, sorted.size()))) {
                processes.remove(e.getKey());
                processOverflow++;
            }
        }
    }

    GpuStats copy() {
        GpuStats c = new GpuStats(node, gpu);
        c.merge(this);
        return c;
    }

    double smMean() {
        return profiledSamples == 0 ? 0 : smSum / 1e6 / profiledSamples;
    }

    /** Mean utilisation, percent. */
    double utilMean() {
        return samples == 0 ? 0 : utilSum / 1e6 / samples;
    }

    double tensorMean() {
        return profiledSamples == 0 ? 0 : tensorSum / 1e6 / profiledSamples;
    }

    /** Tensor-pipe activity relative to SM activity, in [0, 1]; 0 when the SMs were idle. */
    double tensorPerSm() {
        return smSum <= 0 ? 0 : Math.min(1, (double) tensorSum / smSum);
    }

    /** Compute processes beyond the first, on average over the samples: 0 for a GPU one process owns. */
    double extraProcesses() {
        return samples == 0 ? 0 : (double) extraProcessSum / samples;
    }

    double hashingFraction() {
        return profiledSamples == 0 ? 0 : (double) hashingSamples / profiledSamples;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GpuStats g)) {
            return false;
        }
        return gpu == g.gpu
                && samples == g.samples
                && utilSum == g.utilSum
                && profiledSamples == g.profiledSamples
                && smSum == g.smSum
                && tensorSum == g.tensorSum
                && hashingSamples == g.hashingSamples
                && dramSamples == g.dramSamples
                && dramSum == g.dramSum
                && powerSamples == g.powerSamples
                && powerSum == g.powerSum
                && maxFbMib == g.maxFbMib
                && processOverflow == g.processOverflow
                && extraProcessSum == g.extraProcessSum
                && Objects.equals(node, g.node)
                && Objects.equals(processes, g.processes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(node, gpu, samples, processes);
    }

    @Override
    public String toString() {
        return "GpuStats{" + key(node, gpu) + " samples=" + samples + " sm=" + smMean() + " tensor=" + tensorMean()
                + " processes=" + processes + "}";
    }
}
