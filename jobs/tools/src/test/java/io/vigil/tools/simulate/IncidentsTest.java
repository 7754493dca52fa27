package io.vigil.tools.simulate;

import static io.vigil.tools.simulate.SimulatedDataset.MINUTE;
import static io.vigil.tools.simulate.SimulatedDataset.incident;
import static io.vigil.tools.simulate.SimulatedDataset.internal;
import static io.vigil.tools.simulate.SimulatedDataset.spec;
import static io.vigil.tools.simulate.SimulatedDataset.startTs;
import static io.vigil.tools.simulate.SimulatedDataset.ts;
import static io.vigil.tools.simulate.SimulatedDataset.unanswered;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.records.Flow;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each incident kind is labelled, and what gives it away is in the data inside its labelled interval. */
class IncidentsTest {
    @TempDir
    Path dir;

    SimulatedDataset simulate(IncidentKind kind, double hours) throws IOException {
        return SimulatedDataset.simulate(
                spec(Long.getLong("sim.seed", 3), 2, hours, incident(kind, 4)), dir.resolve(kind.cliName));
    }

    static boolean within(long t, JsonNode label) {
        return t >= label.get("start_ts").asLong() && t <= label.get("end_ts").asLong();
    }

    /** Flows of the job in the label's interval. */
    static List<Flow> flowsIn(SimulatedDataset data, JsonNode label) {
        return data.flowsFrom(label.get("job_id").asText()).stream()
                .filter(f -> within(ts(f), label))
                .toList();
    }

    /** (pid, name) of processes on the job's GPUs before {@code t}. */
    static Set<String> processesBefore(SimulatedDataset data, String job, long t) {
        return data.samplesOf(job).stream()
                .filter(s -> ts(s) < t)
                .flatMap(s -> s.getProcesses().stream())
                .map(IncidentsTest::key)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static String key(GpuProcess p) {
        return p.getPid() + "/" + p.getName();
    }

    /** Node/GPU to the samples in the label's interval that run a process not present before it. */
    static Map<String, List<GpuSample>> gpusWithNewProcess(SimulatedDataset data, JsonNode label) {
        String job = label.get("job_id").asText();
        Set<String> before = processesBefore(data, job, label.get("start_ts").asLong());
        return data.samplesOf(job).stream()
                .filter(s -> within(ts(s), label))
                .filter(s -> s.getProcesses().stream().anyMatch(p -> !before.contains(key(p))))
                .collect(Collectors.groupingBy(s -> s.getNode() + "/" + s.getGpu(), TreeMap::new, Collectors.toList()));
    }

    /**
     * Outside addresses the job talked to that no other job did, in the part of the documentation ranges
     * the simulator keeps for incidents (.128 and up): in a small cluster a shared service, a code host
     * say, may well have had only one client.
     */
    static Set<String> rareDestinations(SimulatedDataset data, String job) {
        Set<String> ips = data.ips(job);
        Set<String> others = data.flows.stream()
                .filter(f -> !ips.contains(f.getSrcIp()) && !ips.contains(f.getDstIp()))
                .map(Flow::getDstIp)
                .collect(Collectors.toSet());
        return data.flowsFrom(job).stream()
                .map(Flow::getDstIp)
                .filter(ip -> !internal(ip)
                        && !SimulatedDataset.ipv6(ip)
                        && !others.contains(ip)
                        && Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1)) >= 128)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @ParameterizedTest
    @EnumSource(IncidentKind.class)
    void eachKindIsLabelledAndItsLabelsCoverExactlyItsRecords(IncidentKind kind) throws IOException {
        SimulatedDataset data = simulate(kind, kind == IncidentKind.SLOW_SCAN ? 0.75 : 0.5);
        List<JsonNode> labels = data.labels(kind.cliName);
        assertThat(labels).isNotEmpty();
        for (JsonNode l : labels) {
            String job = l.get("job_id").asText();
            long start = l.get("start_ts").asLong();
            long end = l.get("end_ts").asLong();
            assertThat(start).isGreaterThanOrEqualTo(data.start() + 4 * MINUTE - MINUTE);
            Set<String> ips = data.ips(job);
            List<Flow> jobFlows = data.flows.stream()
                    .filter(f -> ips.contains(f.getSrcIp()) || ips.contains(f.getDstIp()))
                    .toList();
            List<GpuSample> samples = data.samplesOf(job);
            assertThat(jobFlows.stream().anyMatch(f -> startTs(f) == start)
                            || samples.stream().anyMatch(s -> ts(s) == start))
                    .as("a record of %s begins at the label's start", l)
                    .isTrue();
            assertThat(jobFlows.stream().anyMatch(f -> ts(f) == end)
                            || samples.stream().anyMatch(s -> ts(s) == end))
                    .as("a record of %s ends at the label's end", l)
                    .isTrue();
        }
        List<String> expected = switch (kind) {
            case ROME -> List.of("CRYPTO_MINING", "NETWORK_SCAN", "REVERSE_TUNNEL");
            case STEALTH_MINER, PROXIED_MINER -> List.of("CRYPTO_MINING");
            case TUNNEL_443 -> List.of("REVERSE_TUNNEL");
            case SLOW_SCAN, EXTERNAL_PORT_SCAN, EXTERNAL_SWEEP, UDP_SCAN -> List.of("NETWORK_SCAN");
            case EXFILTRATION -> List.of("EXFILTRATION");
        };
        assertThat(labels.stream().map(l -> l.get("category").asText()).sorted())
                .containsExactlyElementsOf(expected);
        assertThat(labels.stream().map(l -> l.get("job_id").asText()).distinct())
                .hasSize(1);
    }

    @Test
    void romeProbesTheClusterThenTunnelsOutOn22ThenMinesWithAStratumPool() throws IOException {
        SimulatedDataset data = simulate(IncidentKind.ROME, 0.5);
        JsonNode scan = data.label("rome", "NETWORK_SCAN");
        JsonNode tunnel = data.label("rome", "REVERSE_TUNNEL");
        JsonNode mining = data.label("rome", "CRYPTO_MINING");
        String job = scan.get("job_id").asText();
        assertThat(data.jobs()).contains(job);
        assertThat(job).startsWith("rl-");
        assertThat(scan.get("end_ts").asLong())
                .isLessThan(tunnel.get("start_ts").asLong());
        assertThat(tunnel.get("start_ts").asLong())
                .isLessThan(mining.get("start_ts").asLong());

        List<Flow> probing =
                flowsIn(data, scan).stream().filter(f -> internal(f.getDstIp())).toList();
        List<Flow> unanswered =
                probing.stream().filter(SimulatedDataset::unanswered).toList();
        assertThat(unanswered.size()).isGreaterThan(probing.size() / 2);
        assertThat(unanswered.stream().map(Flow::getDstIp).distinct().count()).isGreaterThanOrEqualTo(10);
        assertThat(unanswered.stream().map(Flow::getDstPort).distinct().count()).isGreaterThanOrEqualTo(3);
        assertThat(probing).anySatisfy(f -> {
            assertThat(f.getDstIp()).isEqualTo("169.254.169.254");
            assertThat(f.getDstPort()).isEqualTo(80);
        });

        List<Flow> ssh = flowsIn(data, tunnel).stream()
                .filter(f -> f.getDstPort() == 22
                        && !internal(f.getDstIp())
                        && rareDestinations(data, job).contains(f.getDstIp()))
                .toList();
        assertThat(ssh).anySatisfy(f -> {
            assertThat(f.getConnState()).isEqualTo("S1");
            assertThat(ts(f) - startTs(f)).isGreaterThanOrEqualTo(5 * MINUTE);
            assertThat(f.getOrigPkts()).isPositive();
            assertThat(f.getRespPkts()).isPositive();
        });
        assertThat(ssh)
                .allSatisfy(f -> assertThat(f.getOrigBytes() + f.getRespBytes()).isLessThan(200_000));

        Map<String, List<GpuSample>> mined = gpusWithNewProcess(data, mining);
        assertThat(mined).isNotEmpty();
        assertThat(mined.values().stream()
                        .flatMap(List::stream)
                        .flatMap(s -> s.getProcesses().stream())
                        .map(GpuProcess::getName))
                .contains("xmrig");
        for (List<GpuSample> series : mined.values()) {
            assertThat(series.stream().mapToDouble(GpuSample::getUtil).average().orElseThrow())
                    .isGreaterThan(95);
            assertThat(series.stream()
                            .mapToDouble(GpuSample::getSmActive)
                            .average()
                            .orElseThrow())
                    .isGreaterThan(0.8);
            assertThat(series.stream()
                            .mapToDouble(GpuSample::getTensorActive)
                            .average()
                            .orElseThrow())
                    .isLessThan(0.08);
            assertThat(series.stream()
                            .mapToDouble(GpuSample::getDramActive)
                            .average()
                            .orElseThrow())
                    .isGreaterThan(0.7);
        }
        assertThat(flowsIn(data, mining)).anySatisfy(f -> {
            assertThat(f.getDstPort()).isIn(3333, 4444, 14444, 5555, 7777, 14433);
            assertThat(internal(f.getDstIp())).isFalse();
            assertThat(f.getConnState()).isEqualTo("S1");
        });
        assertThat(data.samples.stream().filter(s -> !within(ts(s), mining)).flatMap(s -> s.getProcesses().stream()))
                .noneMatch(p -> p.getName().equals("xmrig"));
    }

    @Test
    void aStealthMinerHidesItsNameOnOneGpuPartTimeAndReachesItsPoolOver443() throws IOException {
        SimulatedDataset data = simulate(IncidentKind.STEALTH_MINER, 0.75);
        JsonNode mining = data.label("stealth-miner", "CRYPTO_MINING");
        String job = mining.get("job_id").asText();
        Map<String, List<GpuSample>> mined = gpusWithNewProcess(data, mining);
        assertThat(mined).hasSize(1);
        List<GpuSample> series = mined.values().iterator().next();
        assertThat(series.stream().flatMap(s -> s.getProcesses().stream()).map(GpuProcess::getName))
                .noneMatch(n -> n.contains("xmrig"));
        // part-time: tensor work drops only while it hashes
        String gpu = mined.keySet().iterator().next();
        double tensorBefore = data.samplesOf(job).stream()
                .filter(s -> (s.getNode() + "/" + s.getGpu()).equals(gpu)
                        && ts(s) < mining.get("start_ts").asLong()
                        && s.getUtil() > 90)
                .mapToDouble(GpuSample::getTensorActive)
                .average()
                .orElseThrow();
        long hashing = series.stream()
                .filter(s -> s.getUtil() > 90 && s.getTensorActive() < tensorBefore / 2)
                .count();
        assertThat((double) hashing / series.size()).isBetween(0.3, 0.85);
        List<Flow> pool = flowsIn(data, mining).stream()
                .filter(f ->
                        f.getDstPort() == 443 && rareDestinations(data, job).contains(f.getDstIp()))
                .toList();
        assertThat(pool).anySatisfy(f -> assertThat(f.getConnState()).isEqualTo("S1"));
        assertThat(pool)
                .allSatisfy(f -> assertThat(f.getOrigBytes() + f.getRespBytes()).isLessThan(50_000));
    }

    @Test
    void aTunnelOver443IsLongLivedAndSmallBothWays() throws IOException {
        SimulatedDataset data = simulate(IncidentKind.TUNNEL_443, 0.75);
        JsonNode tunnel = data.label("tunnel-443", "REVERSE_TUNNEL");
        String job = tunnel.get("job_id").asText();
        List<Flow> flows = flowsIn(data, tunnel).stream()
                .filter(f ->
                        f.getDstPort() == 443 && rareDestinations(data, job).contains(f.getDstIp()))
                .toList();
        assertThat(flows.stream().filter(f -> "S1".equals(f.getConnState())).count())
                .isGreaterThanOrEqualTo(10);
        assertThat(flows).allSatisfy(f -> {
            assertThat(f.getOrigBytes() + f.getRespBytes()).isLessThan(200_000);
            assertThat(f.getOrigPkts()).isPositive();
            assertThat(f.getRespPkts()).isPositive();
        });
        assertThat(tunnel.get("end_ts").asLong() - tunnel.get("start_ts").asLong())
                .isGreaterThanOrEqualTo(20 * MINUTE);
    }

    @Test
    void aSlowScanSpreadsFewProbesOverHalfAnHour() throws IOException {
        SimulatedDataset data = simulate(IncidentKind.SLOW_SCAN, 0.75);
        JsonNode scan = data.label("slow-scan", "NETWORK_SCAN");
        List<Flow> probes = flowsIn(data, scan).stream()
                .filter(f -> internal(f.getDstIp()) && unanswered(f))
                .toList();
        assertThat(probes.size()).isBetween(25, 60);
        assertThat(scan.get("end_ts").asLong() - scan.get("start_ts").asLong()).isBetween(20 * MINUTE, 33 * MINUTE);
        Map<Long, Long> perMinute =
                probes.stream().collect(Collectors.groupingBy(f -> ts(f) / MINUTE, Collectors.counting()));
        assertThat(perMinute.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(8));
        assertThat(probes.stream().map(Flow::getDstIp).distinct().count()).isGreaterThanOrEqualTo(20);
    }

    @Test
    void aProxiedMinerShowsOnTheGpusAndOnlyAsALongSessionToTheProxyOnTheNetwork() throws IOException {
        SimulatedDataset data = simulate(IncidentKind.PROXIED_MINER, 0.5);
        JsonNode mining = data.label("proxied-miner", "CRYPTO_MINING");
        String job = mining.get("job_id").asText();
        assertThat(gpusWithNewProcess(data, mining)).isNotEmpty();
        List<Flow> flows = flowsIn(data, mining);
        assertThat(flows).anySatisfy(f -> {
            assertThat(f.getDstIp()).isEqualTo(Addresses.PROXY);
            assertThat(f.getDstPort()).isEqualTo(3128);
            assertThat(f.getConnState()).isEqualTo("S1");
        });
        assertThat(flows)
                .noneMatch(f -> List.of(3333, 4444, 14444, 5555, 7777, 14433).contains(f.getDstPort()));
        assertThat(data.flows.stream()
                        .filter(f -> f.getDstIp().equals(Addresses.PROXY))
                        .map(f -> data.jobOf(f.getSrcIp())))
                .anyMatch(other -> !other.equals(job));
    }

    @Test
    void anExfiltrationUploadsHundredsOfMibToAnAddressNoOtherJobUses() throws IOException {
        SimulatedDataset data = simulate(IncidentKind.EXFILTRATION, 0.5);
        JsonNode upload = data.label("exfiltration", "EXFILTRATION");
        String job = upload.get("job_id").asText();
        Set<String> rare = rareDestinations(data, job);
        Map<String, Long> up = new TreeMap<>();
        Map<String, Long> down = new TreeMap<>();
        for (Flow f : flowsIn(data, upload)) {
            if (rare.contains(f.getDstIp())) {
                up.merge(f.getDstIp(), f.getOrigBytes(), Long::sum);
                down.merge(f.getDstIp(), f.getRespBytes(), Long::sum);
            }
        }
        assertThat(up).hasSize(1);
        String drop = up.keySet().iterator().next();
        assertThat(up.get(drop)).isGreaterThan(300L << 20);
        assertThat(down.get(drop)).isLessThan(up.get(drop) / 100);
    }

    @Test
    void anExternalPortScanTriesHundredsOfPortsOfOneOutsideHostWithinSeconds() throws IOException {
        SimulatedDataset data = simulate(IncidentKind.EXTERNAL_PORT_SCAN, 0.5);
        JsonNode scan = data.label("external-port-scan", "NETWORK_SCAN");
        List<Flow> probes = flowsIn(data, scan).stream()
                .filter(f -> !internal(f.getDstIp())
                        && rareDestinations(data, scan.get("job_id").asText()).contains(f.getDstIp()))
                .toList();
        assertThat(probes.stream().map(Flow::getDstIp).distinct()).hasSize(1);
        assertThat(probes.stream().map(Flow::getDstPort).distinct().count()).isGreaterThanOrEqualTo(300);
        assertThat(probes.stream().filter(SimulatedDataset::unanswered).count()).isGreaterThan(probes.size() * 9L / 10);
        assertThat(scan.get("end_ts").asLong() - scan.get("start_ts").asLong()).isLessThan(MINUTE);
    }

    @Test
    void anExternalSweepTriesAFewPortsAcrossManyOutsideHosts() throws IOException {
        SimulatedDataset data = simulate(IncidentKind.EXTERNAL_SWEEP, 0.5);
        JsonNode scan = data.label("external-sweep", "NETWORK_SCAN");
        Set<String> ips = data.ips(scan.get("job_id").asText());
        List<Flow> probes = data.flows.stream()
                .filter(f -> ips.contains(f.getSrcIp())
                        && !internal(f.getDstIp())
                        && within(startTs(f), scan)
                        && within(ts(f), scan)
                        && unanswered(f))
                .toList();
        assertThat(probes.stream().map(Flow::getDstIp).distinct().count()).isGreaterThanOrEqualTo(30);
        Map<Integer, Long> byPort =
                probes.stream().collect(Collectors.groupingBy(Flow::getDstPort, Collectors.counting()));
        assertThat(byPort.entrySet().stream().filter(e -> e.getValue() >= 10)).hasSizeBetween(1, 3);
        assertThat(scan.get("end_ts").asLong() - scan.get("start_ts").asLong()).isLessThanOrEqualTo(7 * MINUTE);
    }

    @Test
    void aUdpScanTriesManyPortsOfOneHostThatRefusesSomeByIcmpThenOnePortAcrossAPodNetwork() throws IOException {
        SimulatedDataset data = simulate(IncidentKind.UDP_SCAN, 0.5);
        JsonNode scan = data.label("udp-scan", "NETWORK_SCAN");
        Set<String> ips = data.ips(scan.get("job_id").asText());
        List<Flow> probes = data.flows.stream()
                .filter(f -> ips.contains(f.getSrcIp())
                        && "UDP".equals(f.getProtocol())
                        && within(startTs(f), scan)
                        && f.getDstPort() < f.getSrcPort())
                .toList();
        Map<String, Long> portsByHost = probes.stream()
                .collect(Collectors.groupingBy(
                        Flow::getDstIp, Collectors.mapping(Flow::getDstPort, Collectors.counting())));
        String vertical = portsByHost.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .orElseThrow()
                .getKey();
        assertThat(portsByHost.get(vertical)).isGreaterThanOrEqualTo(30);
        assertThat(probes.stream()
                        .filter(f -> !f.getDstIp().equals(vertical))
                        .map(Flow::getDstIp)
                        .distinct()
                        .count())
                .as("the sweep's addresses")
                .isGreaterThanOrEqualTo(30);
        List<Flow> unreachables = data.flows.stream()
                .filter(f -> f.getSrcIp().equals(vertical)
                        && ips.contains(f.getDstIp())
                        && "ICMP".equals(f.getProtocol())
                        && f.getSrcPort() == 3
                        && f.getDstPort() == 3)
                .toList();
        long refused = unreachables.stream().mapToLong(Flow::getOrigPkts).sum();
        long closed = probes.stream()
                .filter(f -> f.getDstIp().equals(vertical) && f.getRespPkts() == 0)
                .count();
        assertThat(refused).as("port unreachables, rate-limited").isBetween(1L, closed);
        assertThat(scan.get("end_ts").asLong() - scan.get("start_ts").asLong()).isLessThanOrEqualTo(10 * MINUTE);
    }
}
