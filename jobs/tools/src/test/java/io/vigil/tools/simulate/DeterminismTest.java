package io.vigil.tools.simulate;

import static io.vigil.tools.simulate.SimulatedDataset.benign;
import static io.vigil.tools.simulate.SimulatedDataset.incident;
import static io.vigil.tools.simulate.SimulatedDataset.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.GpuSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A seed fixes every byte; a different seed gives a different cluster. */
class DeterminismTest {
    static final List<String> FILES = List.of(
            "flows.jsonl.gz",
            "gpu.jsonl.gz",
            "assignments.jsonl.gz",
            "agent_events.jsonl.gz",
            "labels.json",
            "simulation.json",
            "README.md");

    @TempDir
    Path dir;

    @Test
    void sameSeedWritesByteIdenticalFiles() throws IOException {
        SimulationSpec spec = spec(42, 2, 0.25, incident(IncidentKind.ROME, 2), incident(IncidentKind.EXFILTRATION, 3));
        Simulator.run(spec, dir.resolve("a"), (s, t, f, g) -> {});
        Simulator.run(spec, dir.resolve("b"), (s, t, f, g) -> {});
        for (String name : FILES) {
            assertThat(Files.readAllBytes(dir.resolve("b").resolve(name)))
                    .as(name)
                    .isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(name)));
        }
    }

    @Test
    void differentSeedWritesDifferentData() throws IOException {
        Simulator.run(benign(1, 2, 0.25), dir.resolve("one"), (s, t, f, g) -> {});
        Simulator.run(benign(2, 2, 0.25), dir.resolve("two"), (s, t, f, g) -> {});
        for (String name : List.of("flows.jsonl.gz", "gpu.jsonl.gz", "assignments.jsonl.gz", "agent_events.jsonl.gz")) {
            assertThat(Files.readAllBytes(dir.resolve("two").resolve(name)))
                    .as(name)
                    .isNotEqualTo(Files.readAllBytes(dir.resolve("one").resolve(name)));
        }
    }

    @Test
    void anIncidentLeavesTheRestOfTheClusterAsItWas() throws IOException {
        SimulatedDataset quiet = SimulatedDataset.simulate(benign(5, 2, 0.25), dir.resolve("quiet"));
        SimulatedDataset rome =
                SimulatedDataset.simulate(spec(5, 2, 0.25, incident(IncidentKind.ROME, 1)), dir.resolve("rome"));
        String host = rome.labels.get(0).get("job_id").asText();
        Set<String> hostPods = rome.pods(host);
        assertThat(rome.assignments).isEqualTo(quiet.assignments);
        List<GpuSample> othersQuiet = quiet.samples.stream()
                .filter(s -> s.getPod() == null || !hostPods.contains(s.getPod()))
                .toList();
        List<GpuSample> othersRome = rome.samples.stream()
                .filter(s -> s.getPod() == null || !hostPods.contains(s.getPod()))
                .toList();
        assertThat(othersRome).isEqualTo(othersQuiet);
        Set<String> hostIps = rome.ips(host);
        assertThat(rome.flows.stream()
                        .filter(f -> !hostIps.contains(f.getSrcIp()) && !hostIps.contains(f.getDstIp()))
                        .toList())
                .isEqualTo(quiet.flows.stream()
                        .filter(f -> !hostIps.contains(f.getSrcIp()) && !hostIps.contains(f.getDstIp()))
                        .toList());
    }
}
