package io.vigil.tools.simulate;

import io.vigil.records.GpuProcess;
import java.util.ArrayList;
import java.util.List;

/**
 * What runs on one GPU at one instant, before the device turns it into power, heat and clocks: DCGM's
 * activity fields and the compute processes. Workloads fill it in; incidents change it.
 */
final class Load {
    /** DCGM_FI_DEV_GPU_UTIL, percent: share of time any kernel ran. */
    double util;
    /** DCGM_FI_PROF_SM_ACTIVE, 0..1. */
    double sm;
    /** DCGM_FI_PROF_PIPE_TENSOR_ACTIVE, 0..1. */
    double tensor;
    /** DCGM_FI_PROF_DRAM_ACTIVE, 0..1. */
    double dram;

    final List<GpuProcess> processes = new ArrayList<>(2);

    static Load idle() {
        return new Load();
    }

    Load set(double util, double sm, double tensor, double dram) {
        this.util = util;
        this.sm = sm;
        this.tensor = tensor;
        this.dram = dram;
        return this;
    }

    Load process(long pid, String name, long usedMib) {
        processes.add(new GpuProcess(pid, name, usedMib));
        return this;
    }

    long usedMib() {
        long sum = 0;
        for (GpuProcess p : processes) {
            sum += p.getUsedMib();
        }
        return sum;
    }
}
