package io.vigil.tools.simulate;

import static io.vigil.tools.simulate.SimulatedDataset.benign;
import static io.vigil.tools.simulate.SimulatedDataset.internal;
import static io.vigil.tools.simulate.SimulatedDataset.startTs;
import static io.vigil.tools.simulate.SimulatedDataset.ts;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.AssignmentEvent;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What a detector must not alert on is in every dataset, a benign baseline included. */
class BenignTrapsTest {
    static final long MIB = 1L << 20;

    @TempDir
    static Path dir;

    static SimulatedDataset data;

    @BeforeAll
    static void simulate() throws IOException {
        data = SimulatedDataset.simulate(benign(11, 2, 0.25), dir.resolve("benign"));
    }

    /** Outside address to the jobs that sent it traffic. */
    static Map<String, Set<String>> jobsByExternalDestination(List<Flow> flows) {
        Map<String, Set<String>> m = new TreeMap<>();
        for (Flow f : flows) {
            String job = data.jobOf(f.getSrcIp());
            if (job != null && !internal(f.getDstIp())) {
                m.computeIfAbsent(f.getDstIp() + ":" + f.getDstPort(), k -> new TreeSet<>())
                        .add(job);
            }
        }
        return m;
    }

    @Test
    void aBenignBaselineHasNoLabels() {
        assertThat(data.labels).isEmpty();
        assertThat(data.simulation.get("benign_only").asBoolean()).isTrue();
    }

    @Test
    void manyJobsHoldLongLivedHttpsToTheExperimentTracker() {
        List<Flow> longHttps = data.flows.stream()
                .filter(f -> f.getDstPort() == 443 && "S1".equals(f.getConnState()) && !internal(f.getDstIp()))
                .toList();
        Map<String, Set<String>> jobs = jobsByExternalDestination(longHttps);
        Set<String> trackerJobs = new TreeSet<>();
        jobs.entrySet().stream()
                .filter(e -> e.getKey().startsWith("203.0.113.1"))
                .forEach(e -> trackerJobs.addAll(e.getValue()));
        assertThat(trackerJobs).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void anFp32JobKeepsItsTensorCoresIdleOnEveryGpuFromItsStart() {
        Map<String, List<GpuSample>> busyByPod = data.samples.stream()
                .filter(s -> s.getPod() != null && s.getUtil() >= 90)
                .collect(Collectors.groupingBy(GpuSample::getPod, TreeMap::new, Collectors.toList()));
        List<String> fp32 = busyByPod.entrySet().stream()
                .filter(e ->
                        e.getValue().size() > 20 && e.getValue().stream().allMatch(s -> s.getTensorActive() <= 0.03))
                .map(Map.Entry::getKey)
                .toList();
        assertThat(fp32).isNotEmpty();
        List<GpuSample> samples = busyByPod.get(fp32.get(0));
        assertThat(samples.stream().map(GpuSample::getGpu).distinct().count()).isGreaterThanOrEqualTo(2);
        assertThat(samples.stream()
                        .mapToDouble(GpuSample::getSmActive)
                        .average()
                        .orElseThrow())
                .isGreaterThan(0.6);
    }

    @Test
    void aJobRestarts() {
        Map<String, List<AssignmentEvent>> events = data.assignments.stream()
                .collect(Collectors.groupingBy(
                        a -> a.getJobId(), TreeMap::new, Collectors.mapping(a -> a.getEvent(), Collectors.toList())));
        assertThat(events.values())
                .anySatisfy(e -> assertThat(e)
                        .containsSubsequence(AssignmentEvent.START, AssignmentEvent.STOP, AssignmentEvent.START));
    }

    @Test
    void severalJobsExportCheckpointsToTheSharedCloudObjectStore() {
        Map<String, Long> bytesByJob = new TreeMap<>();
        Set<String> stores = new TreeSet<>();
        for (Flow f : data.flows) {
            String job = data.jobOf(f.getSrcIp());
            if (job != null
                    && f.getDstPort() == 443
                    && f.getDstIp().startsWith("198.51.100.2")
                    && !internal(f.getDstIp())) {
                bytesByJob.merge(job, f.getOrigBytes(), Long::sum);
                stores.add(f.getDstIp());
            }
        }
        assertThat(bytesByJob.values().stream().filter(b -> b >= 500 * MIB)).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void gitOverSshGoesToCodeHostsAndCompletes() {
        List<Flow> git = data.flows.stream()
                .filter(f -> f.getDstPort() == 22 && !internal(f.getDstIp()))
                .toList();
        assertThat(git).isNotEmpty().allSatisfy(f -> {
            assertThat(f.getConnState()).isEqualTo("SF");
            assertThat(ts(f) - startTs(f)).isLessThan(60_000);
        });
    }

    @Test
    void externalApisOnOddPortsAnswerShortCalls() {
        List<Flow> odd = data.flows.stream()
                .filter(f -> !internal(f.getDstIp()) && !List.of(22, 80, 443).contains(f.getDstPort()))
                .toList();
        assertThat(odd).isNotEmpty();
        assertThat(odd.stream().filter(f -> "SF".equals(f.getConnState())))
                .isNotEmpty()
                .allSatisfy(f -> assertThat(f.getRespBytes()).isPositive());
    }

    @Test
    void researchersSshIntoNotebooksFromTheBastion() {
        assertThat(data.flows).anySatisfy(f -> {
            assertThat(f.getSrcIp()).isEqualTo(Addresses.BASTION);
            assertThat(f.getDstPort()).isEqualTo(22);
            assertThat(data.jobOf(f.getDstIp())).startsWith("nb-");
        });
    }

    @Test
    void aBenignJobHoldsALongSessionThroughTheProxy() {
        assertThat(data.flows).anySatisfy(f -> {
            assertThat(f.getDstIp()).isEqualTo(Addresses.PROXY);
            assertThat(f.getDstPort()).isEqualTo(Addresses.PROXY_PORT);
            assertThat(f.getConnState()).isEqualTo("S1");
        });
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void everySeedHasEveryTrap(long seed, @TempDir Path other) throws IOException {
        SimulatedDataset d = SimulatedDataset.simulate(benign(seed, 2, 0.25), other);
        Map<String, Set<String>> jobsByHttpsHost = new TreeMap<>();
        Map<String, Long> cloudBytesByJob = new TreeMap<>();
        for (Flow f : d.flows) {
            String job = d.jobOf(f.getSrcIp());
            if (job != null && !internal(f.getDstIp()) && f.getDstPort() == 443) {
                jobsByHttpsHost
                        .computeIfAbsent(f.getDstIp(), k -> new TreeSet<>())
                        .add(job);
                if (f.getDstIp().startsWith("198.51.100.2")) {
                    cloudBytesByJob.merge(job, f.getOrigBytes(), Long::sum);
                }
            }
        }
        Set<String> trackerJobs = new TreeSet<>();
        Addresses.TRACKER.forEach(ip -> trackerJobs.addAll(jobsByHttpsHost.getOrDefault(ip, Set.of())));
        assertThat(trackerJobs).as("jobs on the tracker").hasSizeGreaterThanOrEqualTo(3);
        assertThat(cloudBytesByJob.values().stream().filter(b -> b > 100 * MIB))
                .as("jobs exporting checkpoints")
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(d.samples)
                .as("FP32 training")
                .anyMatch(s -> s.getUtil() > 90 && s.getSmActive() > 0.7 && s.getTensorActive() <= 0.03);
        assertThat(d.assignments).as("a restart").anyMatch(a -> a.getEvent() == AssignmentEvent.STOP);
        assertThat(d.flows)
                .as("git over SSH")
                .anyMatch(f -> f.getDstPort() == 22 && !internal(f.getDstIp()) && "SF".equals(f.getConnState()));
        assertThat(d.flows)
                .as("odd-port APIs")
                .anyMatch(f -> !internal(f.getDstIp()) && !List.of(22, 80, 443).contains(f.getDstPort()));
        assertThat(d.flows)
                .as("SSH from the bastion")
                .anyMatch(f -> f.getSrcIp().equals(Addresses.BASTION) && f.getDstPort() == 22);
        assertThat(d.samples)
                .as("idle GPUs")
                .anyMatch(s -> s.getPod() == null && s.getProcesses().isEmpty());
        assertThat(d.labels).isEmpty();
    }

    @Test
    void idleGpusKeepReporting() {
        Map<String, List<GpuSample>> byGpu = data.samples.stream()
                .collect(Collectors.groupingBy(s -> s.getNode() + "/" + s.getGpu(), TreeMap::new, Collectors.toList()));
        assertThat(byGpu.values()).anySatisfy(series -> {
            assertThat(series).hasSize(15 * 6);
            assertThat(series).allSatisfy(s -> {
                assertThat(s.getPod()).isNull();
                assertThat(s.getUtil()).isZero();
                assertThat(s.getProcesses()).isEmpty();
                assertThat(s.getSmClockMhz()).isEqualTo(345);
            });
        });
    }

    @Test
    void noMinerProcessRunsAnywhere() {
        assertThat(data.samples.stream()
                        .flatMap(s -> s.getProcesses().stream())
                        .map(p -> p.getName())
                        .distinct())
                .noneMatch(n -> n.contains("xmrig"));
    }
}
