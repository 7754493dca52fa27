package io.vigil.tools.simulate;

import static io.vigil.tools.simulate.SimulatedDataset.benign;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.GpuProcess;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benign fleet has GPU workloads besides deep learning that look like hashing, and compute processes that
 * share a GPU without being a second workload: the models must learn them as normal.
 */
class GpuWorkloadsTest {

    /** What one GPU runs at a time its job computes. */
    private record Busy(Job job, Pod pod, int slot, Load load) {}

    /** Every GPU of every job of a few planned fleets, at a few times each job computes. */
    private static List<Busy> busyGpus() {
        List<Busy> out = new ArrayList<>();
        for (long seed = 1; seed <= 12; seed++) {
            Planner.Plan plan = Planner.plan(benign(seed, 8, 1));
            World world = plan.world();
            Rng noise = Rng.of(seed, "test-noise");
            for (Job job : plan.jobs()) {
                for (Pod pod : job.pods) {
                    for (int k = 1; k <= 5; k++) {
                        long t = world.t0 + k * world.span() / 6;
                        if (!job.computing(pod, t)
                                || t < job.processStart(pod, t) + 5 * 60_000
                                || (job instanceof HpcJob hpc && hpc.writingFrame(t))) {
                            continue; // warming up, stalled, gone, writing a frame
                        }
                        for (int slot = 0; slot < pod.gpus.length; slot++) {
                            out.add(new Busy(job, pod, slot, job.loadAt(pod, slot, t, noise)));
                        }
                    }
                }
            }
        }
        return out;
    }

    private static boolean hashingLike(Load l) {
        return l.sm >= 0.5 && l.tensor < 0.1 * l.sm;
    }

    @Test
    void scientificSimulationsKeepSmsAndMemoryBusyWithOneRankPerGpu() {
        List<Busy> hpc =
                busyGpus().stream().filter(b -> b.job() instanceof HpcJob).toList();
        assertThat(hpc).as("HPC GPUs in a dozen fleets of 8 nodes").hasSizeGreaterThan(20);
        assertThat(hpc).allSatisfy(b -> {
            assertThat(b.load().util).isGreaterThan(90);
            assertThat(b.load().processes).hasSize(1);
        });
        // codes without dense linear algebra never touch the tensor pipes: the hashing pattern, benignly
        List<Busy> vector =
                hpc.stream().filter(b -> !b.job().processName.equals("pw.x")).toList();
        assertThat(vector).isNotEmpty();
        assertThat(vector.stream().filter(b -> hashingLike(b.load())).count()).isGreaterThan(vector.size() * 9L / 10);
        assertThat(hpc.stream().mapToDouble(b -> b.load().dram).max().getAsDouble())
                .as("memory-bound codes")
                .isGreaterThan(0.8);
    }

    @Test
    void someTrainingJobsHaveDataLoaderWorkersHoldingAContextOnTheirFirstGpu() {
        List<Busy> training =
                busyGpus().stream().filter(b -> b.job() instanceof TrainingJob).toList();
        List<Busy> shared =
                training.stream().filter(b -> b.load().processes.size() > 1).toList();
        assertThat(shared).isNotEmpty();
        assertThat(shared).allSatisfy(b -> {
            assertThat(b.slot()).isZero();
            List<GpuProcess> ps = b.load().processes;
            assertThat(ps.stream().map(GpuProcess::getName).distinct()).containsExactly(b.job().processName);
            assertThat(ps.stream().map(GpuProcess::getPid).distinct()).hasSize(ps.size());
            assertThat(ps.subList(1, ps.size()))
                    .allSatisfy(p -> assertThat(p.getUsedMib()).isLessThan(1_024));
        });
        assertThat(training.stream().filter(b -> b.slot() > 0))
                .allSatisfy(b -> assertThat(b.load().processes).hasSize(1));
        assertThat(shared.stream().map(Busy::job).distinct().count())
                .as("jobs with such workers")
                .isLessThan(training.stream().map(Busy::job).distinct().count() / 2);
    }
}
