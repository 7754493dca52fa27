package io.vigil.tools.simulate;

import io.vigil.records.GpuSample;
import java.time.Instant;
import java.util.ArrayList;

/**
 * One H100 SXM (80 GB, 700 W) and what DCGM reports about it. Power follows activity (SMs, tensor pipes
 * and memory each draw their share, up to the 700 W cap); temperature approaches a target set by power
 * with a thermal time constant of about a minute; the SM clock boosts to 1980 MHz, sheds a little as
 * power rises, and idles at 345 MHz. Each device has its own idle draw and cooling (its slot in the
 * chassis), and its own noise stream.
 */
final class GpuDevice {
    static final long MEMORY_MIB = 81_559;
    static final double MAX_POWER_W = 700;
    static final int MAX_CLOCK_MHZ = 1980;
    static final int IDLE_CLOCK_MHZ = 345;

    final Node node;
    final int index;
    final String uuid;
    final Rng noise;
    private final double idlePowerW;
    private final double ambientC;
    private final double tauSeconds;
    private double temperature = Double.NaN;
    private long lastTs;

    GpuDevice(Node node, int index, long seed) {
        this.node = node;
        this.index = index;
        Rng id = Rng.of(seed, "gpu-uuid:" + node.name + ":" + index);
        this.uuid = "GPU-" + id.hex(8) + "-" + id.hex(4) + "-" + id.hex(4) + "-" + id.hex(4) + "-" + id.hex(12);
        this.noise = Rng.of(seed, "gpu:" + node.name + ":" + index);
        this.idlePowerW = noise.uniform(62, 78);
        this.ambientC = noise.uniform(24, 31) + (index >= 4 ? 2.0 : 0.0); // the back row runs warmer
        this.tauSeconds = noise.uniform(45, 80);
    }

    /** DCGM's sample of this GPU at {@code ts} running {@code load}, held by {@code pod} (or none). */
    GpuSample sample(long ts, Load load, Pod pod) {
        return sample(ts, load, pod == null ? null : pod.name);
    }

    /** DCGM's sample of this GPU at {@code ts} running {@code load}, held by the pod named {@code pod} (or none). */
    GpuSample sample(long ts, Load load, String pod) {
        double util = clamp(load.util, 0, 100);
        // SMs are only active while some kernel runs, and tensor pipes only on active SMs
        double sm = clamp(load.sm, 0, util / 100);
        double tensor = clamp(load.tensor, 0, sm);
        double dram = clamp(load.dram, 0, 1);
        double activity = clamp(0.52 * sm + 0.30 * tensor + 0.22 * dram + 0.04 * util / 100.0, 0, 1);
        boolean context = !load.processes.isEmpty(); // a CUDA context keeps the GPU in P0
        double power = idlePowerW
                + (context ? 38 : 0)
                + (MAX_POWER_W - 100) * activity * noise.jitter(0.02)
                + noise.gaussian() * 1.5;
        power = clamp(power, 50, MAX_POWER_W);
        double target = ambientC + 0.072 * power;
        if (Double.isNaN(temperature)) {
            temperature = target; // the GPU has been in this state for a while
        } else {
            double dt = (ts - lastTs) / 1000.0;
            temperature += (target - temperature) * (1 - Math.exp(-dt / tauSeconds));
        }
        lastTs = ts;
        int clock;
        if (!context && util < 1 && sm < 0.01) {
            clock = IDLE_CLOCK_MHZ;
        } else {
            double mhz = MAX_CLOCK_MHZ
                    - 380 * Math.max(0, activity - 0.45)
                    - Math.max(0, temperature - 82) * 12
                    + noise.gaussian() * 8;
            clock = (int) (Math.round(clamp(mhz, 1095, MAX_CLOCK_MHZ) / 15.0) * 15);
        }
        long fb = load.processes.isEmpty() ? 0 : load.usedMib() + 512; // + the driver's context reservation
        return new GpuSample(
                Instant.ofEpochMilli(ts),
                node.name,
                index,
                uuid,
                null,
                pod,
                (double) Math.round(util),
                round3(sm),
                round3(tensor),
                round3(dram),
                Math.min(fb, MEMORY_MIB),
                Math.round(power * 10) / 10.0,
                (double) Math.round(temperature + noise.gaussian() * 0.3),
                clock,
                new ArrayList<>(load.processes));
    }

    static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
