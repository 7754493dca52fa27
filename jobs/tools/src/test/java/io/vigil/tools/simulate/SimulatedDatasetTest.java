package io.vigil.tools.simulate;

import static io.vigil.tools.simulate.SimulatedDataset.MINUTE;
import static io.vigil.tools.simulate.SimulatedDataset.connection;
import static io.vigil.tools.simulate.SimulatedDataset.incident;
import static io.vigil.tools.simulate.SimulatedDataset.spec;
import static io.vigil.tools.simulate.SimulatedDataset.startTs;
import static io.vigil.tools.simulate.SimulatedDataset.ts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files of one simulated dataset: valid records, in order, reported the way exporters report. */
class SimulatedDatasetTest {
    @TempDir
    static Path dir;

    static SimulatedDataset data;

    @BeforeAll
    static void simulate() throws IOException {
        data = SimulatedDataset.simulate(spec(7, 2, 0.5, incident(IncidentKind.ROME, 4)), dir.resolve("rome"));
    }

    @Test
    void writesEveryFileOfTheDatasetLayout() {
        for (String name : List.of(
                "flows.jsonl.gz",
                "gpu.jsonl.gz",
                "assignments.jsonl.gz",
                "labels.json",
                "simulation.json",
                "README.md")) {
            assertThat(data.dir.resolve(name)).isRegularFile();
        }
        try (var files = Files.list(data.dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyLineDecodesAsAValidRecord() throws IOException {
        // SimulatedDataset refuses to load a line the codec rejects; count them against the raw lines too
        assertThat(data.flows)
                .hasSize(SimulatedDataset.lines(data.dir.resolve("flows.jsonl.gz"))
                        .size())
                .isNotEmpty();
        assertThat(data.samples)
                .hasSize(
                        SimulatedDataset.lines(data.dir.resolve("gpu.jsonl.gz")).size())
                .isNotEmpty();
        assertThat(data.assignments)
                .hasSize(SimulatedDataset.lines(data.dir.resolve("assignments.jsonl.gz"))
                        .size())
                .isNotEmpty();
        assertThat(SimulatedDataset.records(data.dir.resolve("flows.jsonl.gz"), RecordType.FLOW))
                .hasSameSizeAs(data.flows);
    }

    @Test
    void recordsAreSortedByTime() {
        assertThat(data.flows.stream().map(Flow::getTs).toList()).isSorted();
        assertThat(data.samples.stream().map(GpuSample::getTs).toList()).isSorted();
        assertThat(data.assignments.stream().map(Assignment::getTs).toList()).isSorted();
    }

    @Test
    void flowsAndSamplesLieInTheSpan() {
        assertThat(data.flows).allSatisfy(f -> assertThat(ts(f)).isBetween(data.start(), data.end() - 1));
        assertThat(data.samples).allSatisfy(s -> assertThat(ts(s)).isBetween(data.start(), data.end() - 1));
    }

    @Test
    void countsInSimulationJsonMatchTheFiles() {
        JsonNode counts = data.simulation.get("counts");
        assertThat(counts.get("flows").asLong()).isEqualTo(data.flows.size());
        assertThat(counts.get("gpu_samples").asLong()).isEqualTo(data.samples.size());
        assertThat(counts.get("assignments").asLong()).isEqualTo(data.assignments.size());
        assertThat(counts.get("labels").asLong()).isEqualTo(data.labels.size());
        assertThat(data.simulation.get("seed").asLong()).isEqualTo(7);
    }

    @Test
    void longLivedConnectionsAreReportedEachExportIntervalWithS1AndThatIntervalsCounters() {
        Map<String, List<Flow>> byConnection = data.flows.stream()
                .collect(Collectors.groupingBy(SimulatedDataset::connection, TreeMap::new, Collectors.toList()));
        List<List<Flow>> longLived = byConnection.values().stream()
                .filter(reports -> reports.size() >= 5)
                .toList();
        assertThat(longLived).hasSizeGreaterThan(10);
        boolean countersFellSomewhere = false;
        for (List<Flow> reports : longLived) {
            for (int i = 0; i < reports.size(); i++) {
                Flow f = reports.get(i);
                boolean last = i == reports.size() - 1;
                if (!last) {
                    assertThat(f.getConnState()).as(connection(f)).isEqualTo("S1");
                    assertThat(ts(reports.get(i + 1)) - ts(f))
                            .as("time to the next report of " + connection(f))
                            .isLessThanOrEqualTo(MINUTE);
                }
                if ("S1".equals(f.getConnState())) {
                    assertThat((ts(f) - startTs(f)) % MINUTE)
                            .as("an S1 report comes a whole number of intervals after the start")
                            .isZero();
                }
                if (i > 0
                        && f.getOrigBytes() + f.getRespBytes()
                                < reports.get(i - 1).getOrigBytes()
                                        + reports.get(i - 1).getRespBytes()) {
                    countersFellSomewhere = true; // per-interval counters, not running totals
                }
            }
        }
        assertThat(countersFellSomewhere).isTrue();
    }

    @Test
    void shortConnectionsAreOneReportWithTheirFinalState() {
        Map<String, List<Flow>> byConnection =
                data.flows.stream().collect(Collectors.groupingBy(SimulatedDataset::connection));
        List<Flow> single = byConnection.values().stream()
                .filter(r -> r.size() == 1)
                .map(r -> r.get(0))
                .toList();
        assertThat(single).isNotEmpty();
        assertThat(single.stream().filter(f -> ts(f) - startTs(f) < MINUTE))
                .allSatisfy(f -> assertThat(f.getConnState()).isIn("SF", "S0", "REJ", "RSTO", "RSTR", "OTH"));
        assertThat(data.flows.stream().map(Flow::getConnState).distinct().toList())
                .contains("SF", "S1", "S0", "REJ");
    }

    @Test
    void everyGpuReportsEveryTenSecondsWhetherBusyOrIdle() {
        Map<String, List<GpuSample>> byGpu = data.samples.stream()
                .collect(Collectors.groupingBy(s -> s.getNode() + "/" + s.getGpu(), TreeMap::new, Collectors.toList()));
        assertThat(byGpu).hasSize(2 * 8);
        for (List<GpuSample> series : byGpu.values()) {
            assertThat(series).hasSize(30 * 6);
            for (int i = 1; i < series.size(); i++) {
                assertThat(ts(series.get(i)) - ts(series.get(i - 1))).isBetween(9_950L, 10_050L);
            }
            assertThat(series.stream().map(GpuSample::getGpuUuid).distinct()).hasSize(1);
        }
        assertThat(data.samples).anySatisfy(s -> {
            assertThat(s.getPod()).isNull();
            assertThat(s.getUtil()).isZero();
            assertThat(s.getProcesses()).isEmpty();
        });
    }

    @Test
    void gpuTelemetryStaysWithinWhatAnH100Reports() {
        assertThat(data.samples).allSatisfy(s -> {
            assertThat(s.getPowerW()).isBetween(40.0, 700.0);
            assertThat(s.getTempC()).isBetween(20.0, 90.0);
            assertThat(s.getSmClockMhz()).isBetween(300, 1980);
            assertThat(s.getFbUsedMib()).isBetween(0L, 81_559L);
            assertThat(s.getSmActive()).isLessThanOrEqualTo(s.getUtil() / 100.0 + 0.1);
        });
        // power follows activity
        double busy = data.samples.stream()
                .filter(s -> s.getUtil() > 90)
                .mapToDouble(GpuSample::getPowerW)
                .average()
                .orElseThrow();
        double idle = data.samples.stream()
                .filter(s -> s.getUtil() == 0 && s.getProcesses().isEmpty())
                .mapToDouble(GpuSample::getPowerW)
                .average()
                .orElseThrow();
        assertThat(busy).isGreaterThan(idle + 250);
    }

    @Test
    void podsHaveClusterAddressesOnNamedNodes() {
        assertThat(data.assignments).allSatisfy(a -> {
            int node = Integer.parseInt(a.getNode().substring("gpu-node-".length()));
            // a pod address, or the node's own (IPv4 and IPv6) for a pod on the host network
            assertThat(a.getIp())
                    .satisfiesAnyOf(
                            ip -> assertThat(ip).startsWith("10.244."),
                            ip -> assertThat(ip)
                                    .isIn("10.10.0." + (10 + node), "fd00:10:10::" + Integer.toHexString(10 + node)));
            assertThat(a.getNode()).matches("gpu-node-\\d\\d");
            assertThat(a.getGpus()).isNotEmpty().allSatisfy(g -> assertThat(g).isBetween(0, 7));
        });
    }

    @Test
    void externalAddressesComeOnlyFromTheDocumentationRanges() {
        Set<String> external = new TreeSet<>();
        for (Flow f : data.flows) {
            for (String ip : List.of(f.getSrcIp(), f.getDstIp())) {
                if (!SimulatedDataset.internal(ip)) {
                    external.add(ip);
                }
            }
        }
        assertThat(external)
                .isNotEmpty()
                .allMatch(ip -> ip.startsWith("192.0.2.")
                        || ip.startsWith("198.51.100.")
                        || ip.startsWith("203.0.113.")
                        || ip.startsWith("2001:db8:"));
    }

    @Test
    void aRestartedJobStopsAndStartsAgainUnderTheSameIdWithANewAddress() {
        Map<String, List<Assignment>> byJob = new LinkedHashMap<>();
        for (Assignment a : data.assignments) {
            byJob.computeIfAbsent(a.getJobId(), j -> new ArrayList<>()).add(a);
        }
        List<Assignment> restarted =
                byJob.get(data.simulation.get("restart").get("job_id").asText());
        Assignment stop = restarted.stream()
                .filter(a -> a.getEvent() == AssignmentEvent.STOP)
                .findFirst()
                .orElseThrow();
        Assignment again = restarted.stream()
                .filter(a -> a.getEvent() == AssignmentEvent.START && a.getTs().isAfter(stop.getTs()))
                .findFirst()
                .orElseThrow();
        assertThat(again.getPod()).isEqualTo(stop.getPod());
        assertThat(again.getIp()).isNotEqualTo(stop.getIp());
        assertThat(again.getTs().toEpochMilli() - stop.getTs().toEpochMilli()).isBetween(30_000L, 5 * MINUTE);
        // while it is down its GPUs report idle
        long gap = (stop.getTs().toEpochMilli() + again.getTs().toEpochMilli()) / 2;
        assertThat(data.samples.stream()
                        .filter(s -> s.getNode().equals(stop.getNode())
                                && stop.getGpus().contains(s.getGpu())
                                && Math.abs(ts(s) - gap) < 10_000))
                .isNotEmpty()
                .allSatisfy(s -> assertThat(s.getPod()).isNull());
    }

    @Test
    void labelsNameKnownCategoriesWithinTheSpan() {
        assertThat(data.labels).isNotEmpty().allSatisfy(l -> {
            assertThat(l.get("category").asText())
                    .isIn("CRYPTO_MINING", "REVERSE_TUNNEL", "NETWORK_SCAN", "GPU_DIVERSION", "EXFILTRATION");
            assertThat(l.get("start_ts").asLong())
                    .isLessThanOrEqualTo(l.get("end_ts").asLong());
            assertThat(l.get("end_ts").asLong()).isLessThan(data.end());
            assertThat(data.jobs()).contains(l.get("job_id").asText());
        });
    }
}
