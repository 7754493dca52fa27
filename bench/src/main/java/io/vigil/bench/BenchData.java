package io.vigil.bench;

import io.vigil.models.features.JobFlow;
import io.vigil.models.features.NetworkScope;
import io.vigil.records.Flow;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A realistic mix of records for the benchmarks, made here rather than read from a dataset so that a
 * benchmark run needs nothing else: training traffic (NCCL peers, storage, a tracker), some external
 * HTTPS and a few unanswered probes; busy GPUs with one training process.
 */
final class BenchData {
    static final Instant START = Instant.parse("2026-02-14T03:00:00Z");
    static final int N = 4096;

    private BenchData() {}

    static List<Flow> flows() {
        SplittableRandom rnd = new SplittableRandom(42);
        List<Flow> out = new ArrayList<>(N);
        for (int i = 0; i < N; i++) {
            String src = "10.0." + rnd.nextInt(4) + "." + (1 + rnd.nextInt(16));
            int kind = rnd.nextInt(10);
            String dst;
            int port;
            String state;
            if (kind < 5) {
                dst = "10.0." + rnd.nextInt(4) + "." + (1 + rnd.nextInt(16));
                port = 29500 + rnd.nextInt(16);
                state = "S1";
            } else if (kind < 7) {
                dst = "10.9.0." + (20 + rnd.nextInt(4));
                port = 443;
                state = "SF";
            } else if (kind < 9) {
                dst = "198.51.100." + (10 + rnd.nextInt(5));
                port = 443;
                state = rnd.nextBoolean() ? "S1" : "SF";
            } else {
                dst = "10.0.50." + (1 + rnd.nextInt(250));
                port = 22;
                state = "S0";
            }
            Instant ts = START.plusMillis(rnd.nextInt(60_000));
            long out1 = state.equals("S0") ? 60 : 1_000 + rnd.nextInt(5_000_000);
            out.add(Flow.newBuilder()
                    .setTs(ts)
                    .setStartTs(ts.minusSeconds(rnd.nextInt(600)))
                    .setNode("gpu-node-0" + rnd.nextInt(4))
                    .setJobId(null)
                    .setSrcIp(src)
                    .setDstIp(dst)
                    .setSrcPort(30_000 + rnd.nextInt(30_000))
                    .setDstPort(port)
                    .setProtocol("TCP")
                    .setOrigBytes(out1)
                    .setRespBytes(state.equals("S0") ? 0 : rnd.nextInt(2_000_000))
                    .setOrigPkts(1 + out1 / 1400)
                    .setRespPkts(state.equals("S0") ? 0 : 1 + rnd.nextInt(2000))
                    .setConnState(state)
                    .build());
        }
        return out;
    }

    static List<JobFlow> jobFlows(List<Flow> flows) {
        List<JobFlow> out = new ArrayList<>(flows.size());
        NetworkScope scope = NetworkScope.defaults();
        for (Flow f : flows) {
            out.add(JobFlow.of(f, "job-" + f.getSrcIp().charAt(5), true, scope));
        }
        return out;
    }

    static List<GpuSample> samples() {
        SplittableRandom rnd = new SplittableRandom(7);
        List<GpuSample> out = new ArrayList<>(N);
        for (int i = 0; i < N; i++) {
            out.add(GpuSample.newBuilder()
                    .setTs(START.plusSeconds(10L * (i / 32)))
                    .setNode("gpu-node-0" + (i / 8) % 4)
                    .setGpu(i % 8)
                    .setGpuUuid("GPU-" + Integer.toHexString(i % 32))
                    .setJobId("job-" + (i / 8) % 4)
                    .setPod(null)
                    .setUtil(80 + rnd.nextInt(20))
                    .setSmActive(0.7 + rnd.nextDouble() * 0.2)
                    .setTensorActive(0.3 + rnd.nextDouble() * 0.3)
                    .setDramActive(0.3 + rnd.nextDouble() * 0.2)
                    .setFbUsedMib(60_000L + rnd.nextInt(10_000))
                    .setPowerW(500 + rnd.nextDouble() * 150)
                    .setTempC(60 + rnd.nextDouble() * 10)
                    .setSmClockMhz(1_980)
                    .setProcesses(List.of(new GpuProcess(4242L, "python", 60_000L)))
                    .build());
        }
        return out;
    }
}
