package io.vigil.tools.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.records.AgentEvent;
import io.vigil.records.Assignment;
import io.vigil.records.Decoded;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.apache.avro.specific.SpecificRecord;

/** A simulated dataset read back through the record codec, with the look-ups the tests need. */
final class SimulatedDataset {
    static final Instant BEGINNING = Instant.parse("2026-02-14T00:00:00Z");
    static final long MINUTE = 60_000;
    static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final List<Flow> flows;
    final List<GpuSample> samples;
    final List<Assignment> assignments;
    final List<AgentEvent> agentEvents;
    final List<JsonNode> labels = new ArrayList<>();
    final JsonNode simulation;

    private SimulatedDataset(Path dir) throws IOException {
        this.dir = dir;
        this.flows = records(dir.resolve("flows.jsonl.gz"), RecordType.FLOW);
        this.samples = records(dir.resolve("gpu.jsonl.gz"), RecordType.GPU);
        this.assignments = records(dir.resolve("assignments.jsonl.gz"), RecordType.ASSIGNMENT);
        this.agentEvents = records(dir.resolve("agent_events.jsonl.gz"), RecordType.AGENT_EVENT);
        JSON.readTree(dir.resolve("labels.json").toFile()).forEach(labels::add);
        this.simulation = JSON.readTree(dir.resolve("simulation.json").toFile());
    }

    static SimulationSpec spec(long seed, int nodes, double hours, IncidentRequest... incidents) {
        return new SimulationSpec(seed, nodes, hours, BEGINNING, 10, 60, Arrays.asList(incidents), false);
    }

    static SimulationSpec benign(long seed, int nodes, double hours) {
        return new SimulationSpec(seed, nodes, hours, BEGINNING, 10, 60, List.of(), true);
    }

    static IncidentRequest incident(IncidentKind kind, double offsetMinutes) {
        return new IncidentRequest(kind, offsetMinutes);
    }

    static SimulatedDataset simulate(SimulationSpec spec, Path dir) throws IOException {
        Simulator.run(spec, dir, (simulated, total, flows, samples) -> {});
        return new SimulatedDataset(dir);
    }

    /** Every line of a gzip JSON-lines file, which must all decode and pass the record checks. */
    static <T extends SpecificRecord> List<T> records(Path file, RecordType<T> type) throws IOException {
        JsonRecordCodec<T> codec = JsonRecordCodec.of(type);
        List<T> out = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (String line : lines(file)) {
            Decoded<T> d = codec.decode(line);
            if (d.isAccepted()) {
                out.add(d.record());
            } else {
                refused.add(d.rejection() + ": " + line);
            }
        }
        assertThat(refused)
                .as("lines of %s the codec refuses", file.getFileName())
                .isEmpty();
        return out;
    }

    static List<String> lines(Path gz) throws IOException {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(new GZIPInputStream(Files.newInputStream(gz)), StandardCharsets.UTF_8))) {
            return r.lines().collect(Collectors.toList());
        }
    }

    long start() {
        return simulation.get("start_ts").asLong();
    }

    long end() {
        return simulation.get("end_ts").asLong();
    }

    List<JsonNode> labels(String incident) {
        return labels.stream()
                .filter(l -> l.get("incident").asText().equals(incident))
                .toList();
    }

    JsonNode label(String incident, String category) {
        return labels(incident).stream()
                .filter(l -> l.get("category").asText().equals(category))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + category + " label for " + incident + " in " + labels));
    }

    Set<String> ips(String jobId) {
        return assignments.stream()
                .filter(a -> a.getJobId().equals(jobId))
                .map(Assignment::getIp)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    Set<String> pods(String jobId) {
        return assignments.stream()
                .filter(a -> a.getJobId().equals(jobId))
                .map(Assignment::getPod)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    Set<String> jobs() {
        return assignments.stream().map(Assignment::getJobId).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The job whose pod held {@code ip} (addresses are not reused within these short spans). */
    String jobOf(String ip) {
        return assignments.stream()
                .filter(a -> a.getIp().equals(ip))
                .map(Assignment::getJobId)
                .findFirst()
                .orElse(null);
    }

    List<Flow> flowsFrom(String jobId) {
        Set<String> ips = ips(jobId);
        return flows.stream().filter(f -> ips.contains(f.getSrcIp())).toList();
    }

    List<GpuSample> samplesOf(String jobId) {
        Set<String> pods = pods(jobId);
        return samples.stream()
                .filter(s -> s.getPod() != null && pods.contains(s.getPod()))
                .toList();
    }

    static long ts(Flow f) {
        return f.getTs().toEpochMilli();
    }

    static long startTs(Flow f) {
        return f.getStartTs().toEpochMilli();
    }

    static long ts(GpuSample s) {
        return s.getTs().toEpochMilli();
    }

    /** Addresses of the site and of its LAN: private, link-local, unique-local, multicast, broadcast, unspecified. */
    static boolean internal(String ip) {
        return ip.startsWith("10.")
                || ip.startsWith("169.254.")
                || ip.startsWith("fd")
                || ip.startsWith("fe80:")
                || ip.startsWith("ff0")
                || ip.startsWith("224.")
                || ip.startsWith("239.")
                || ip.equals("255.255.255.255")
                || ip.equals("0.0.0.0");
    }

    static boolean ipv6(String ip) {
        return ip.indexOf(':') >= 0;
    }

    static boolean unanswered(Flow f) {
        return "S0".equals(f.getConnState()) || "REJ".equals(f.getConnState());
    }

    /** A connection's identity across its reports. */
    static String connection(Flow f) {
        return f.getSrcIp() + ":" + f.getSrcPort() + ">" + f.getDstIp() + ":" + f.getDstPort() + "/" + f.getProtocol()
                + "@" + startTs(f);
    }
}
