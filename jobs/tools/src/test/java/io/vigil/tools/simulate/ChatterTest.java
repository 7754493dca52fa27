package io.vigil.tools.simulate;

import static io.vigil.tools.simulate.SimulatedDataset.benign;
import static io.vigil.tools.simulate.SimulatedDataset.internal;
import static io.vigil.tools.simulate.SimulatedDataset.ipv6;
import static io.vigil.tools.simulate.SimulatedDataset.startTs;
import static io.vigil.tools.simulate.SimulatedDataset.ts;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.Flow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every dataset carries the background chatter of a real LAN, as exporters log it, and the host-network job owns its node's. */
class ChatterTest {
    @TempDir
    static Path dir;

    static SimulatedDataset data;

    @BeforeAll
    static void simulate() throws IOException {
        data = SimulatedDataset.simulate(benign(31, 4, 2), dir.resolve("benign"));
    }

    static boolean udp(Flow f, int port) {
        return "UDP".equals(f.getProtocol()) && f.getDstPort() == port;
    }

    static boolean documentation(String ip) {
        return ip.startsWith("192.0.2.")
                || ip.startsWith("198.51.100.")
                || ip.startsWith("203.0.113.")
                || ip.startsWith("2001:db8:");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void everyDatasetHasTheLansChatter(long seed, @TempDir Path other) throws IOException {
        SimulatedDataset d = SimulatedDataset.simulate(benign(seed, 2, 0.5), other);
        Map<String, Predicate<Flow>> kinds = new TreeMap<>();
        kinds.put("NTP", f -> udp(f, 123) && "SF".equals(f.getConnState()) && f.getOrigBytes() == 48);
        kinds.put("DHCP renewal", f -> udp(f, 67) && f.getSrcPort() == 68);
        kinds.put("DNS", f -> udp(f, 53) && "SF".equals(f.getConnState()));
        kinds.put(
                "multicast discovery, unanswered",
                f -> (f.getDstIp().startsWith("224.0.0.")
                                || f.getDstIp().startsWith("239.255.255.250")
                                || f.getDstIp().startsWith("ff02::"))
                        && "S0".equals(f.getConnState())
                        && f.getRespPkts() == 0);
        kinds.put("LLMNR", f -> udp(f, 5355));
        kinds.put(
                "ICMP port unreachable",
                f -> "ICMP".equals(f.getProtocol())
                        && "OTH".equals(f.getConnState())
                        && (f.getSrcPort() == 3 && f.getDstPort() == 3 || f.getSrcPort() == 1 && f.getDstPort() == 4));
        kinds.put("node-exporter scrape", f -> f.getDstPort() == 9100 && "SF".equals(f.getConnState()));
        kinds.put("dcgm-exporter scrape", f -> f.getDstPort() == 9400 && "SF".equals(f.getConnState()));
        kinds.put(
                "kubelet health check",
                f -> f.getSrcIp().startsWith("10.10.0.")
                        && f.getDstIp().startsWith("10.244.")
                        && "TCP".equals(f.getProtocol())
                        && ts(f) - startTs(f) < 1_000);
        kinds.put("IPv6", f -> ipv6(f.getSrcIp()));
        for (Map.Entry<String, Predicate<Flow>> k : kinds.entrySet()) {
            assertThat(d.flows).as(k.getKey() + " in seed " + seed).anyMatch(k.getValue());
        }
    }

    @Test
    void theHostNetworkJobHoldsItsNodesAddressesBothIpv4AndIpv6SoTheNodesChatterIsItsOwn() {
        String job = data.simulation.get("jobs").get(0).get("job_id").asText();
        assertThat(data.simulation.get("jobs").get(0).get("host_network").asBoolean())
                .isTrue();
        Set<String> ips = data.ips(job);
        assertThat(ips).anyMatch(ip -> ip.startsWith("10.10.0.")).anyMatch(ip -> ip.startsWith("fd00:10:10::"));
        List<Flow> own = data.flows.stream()
                .filter(f -> ips.contains(f.getSrcIp()) || ips.contains(f.getDstIp()))
                .toList();
        assertThat(own)
                .anyMatch(f -> udp(f, 123))
                .anyMatch(f -> udp(f, 53) && ipv6(f.getSrcIp()))
                .anyMatch(f -> f.getDstIp().equals(Addresses.MDNS)
                        || f.getDstIp().equals(Addresses.SSDP)
                        || f.getDstIp().equals(Addresses.LLMNR))
                .anyMatch(f -> f.getDstPort() == 9100 && ipv6(f.getDstIp()));
    }

    @Test
    void ssdpSearchesAreAnsweredByEachDeviceAsItsOwnUnansweredFlow() {
        List<Flow> searches = data.flows.stream()
                .filter(f -> f.getDstIp().equals(Addresses.SSDP)
                        && f.getDstPort() == 1900
                        && f.getSrcIp().startsWith("10.10.0."))
                .toList();
        assertThat(searches)
                .isNotEmpty()
                .allSatisfy(f -> assertThat(f.getConnState()).isEqualTo("S0"));
        Flow search = searches.get(0);
        assertThat(data.flows).anySatisfy(f -> {
            assertThat(f.getSrcPort()).isEqualTo(1900);
            assertThat(f.getDstIp()).isEqualTo(search.getSrcIp());
            assertThat(f.getDstPort()).isEqualTo(search.getSrcPort());
            assertThat(f.getConnState()).isEqualTo("S0");
            assertThat(Addresses.LAN_DEVICES).contains(f.getSrcIp());
        });
    }

    @Test
    void icmpErrorsGoBackToTheSenderOfTheDatagramWithTypeAndCodeInThePorts() {
        List<Flow> errors =
                data.flows.stream().filter(f -> "ICMP".equals(f.getProtocol())).toList();
        assertThat(errors).isNotEmpty().allSatisfy(f -> {
            assertThat(f.getConnState()).isEqualTo("OTH");
            assertThat(ipv6(f.getSrcIp()) ? List.of(1, 4) : List.of(3, 3))
                    .containsExactly(f.getSrcPort(), f.getDstPort());
            // each answers a UDP datagram the target sent to the error's sender a moment before
            assertThat(data.flows)
                    .anyMatch(u -> "UDP".equals(u.getProtocol())
                            && u.getSrcIp().equals(f.getDstIp())
                            && u.getDstIp().equals(f.getSrcIp())
                            && startTs(u) <= startTs(f)
                            && startTs(f) - startTs(u) < 120_000);
        });
        assertThat(errors).anyMatch(f -> ipv6(f.getSrcIp())).anyMatch(f -> !internal(f.getSrcIp()));
    }

    @Test
    void theMonitoringHostScrapesEveryNodeWithManyShortInboundConnections() {
        Map<String, Long> scrapes = data.flows.stream()
                .filter(f -> (f.getDstPort() == 9100 || f.getDstPort() == 9400))
                .peek(f -> assertThat(f.getSrcIp()).isIn(Addresses.PROMETHEUS, "fd00:10:20::60"))
                .peek(f -> assertThat(ts(f) - startTs(f)).isLessThan(1_000))
                .collect(Collectors.groupingBy(Flow::getNode, TreeMap::new, Collectors.counting()));
        assertThat(scrapes).hasSize(4).allSatisfy((node, n) -> assertThat(n).isGreaterThan(2 * 60 * 2));
    }

    @Test
    void someLookupsGoToOutsideResolversAndSomePackagesComeFromACdn() {
        assertThat(data.flows)
                .anyMatch(f -> f.getDstPort() == 53 && documentation(f.getDstIp()) && data.jobOf(f.getSrcIp()) != null);
        assertThat(data.flows)
                .anyMatch(f -> f.getDstPort() == 443
                        && Addresses.PACKAGE_CDN.contains(f.getDstIp())
                        && "SF".equals(f.getConnState()));
    }

    @Test
    void aWebBrowsingAgentFetchesFromManyOutsideServersOver443AndTheyAnswer() {
        Map<String, Set<String>> serversByJob = new TreeMap<>();
        Map<String, Long> answered = new TreeMap<>();
        Map<String, Long> all = new TreeMap<>();
        for (Flow f : data.flows) {
            String job = data.jobOf(f.getSrcIp());
            int host = f.getDstIp().indexOf(':') < 0
                    ? Integer.parseInt(f.getDstIp().substring(f.getDstIp().lastIndexOf('.') + 1))
                    : -1;
            if (job != null && f.getDstPort() == 443 && documentation(f.getDstIp()) && host >= 100 && host <= 127) {
                serversByJob.computeIfAbsent(job, k -> new TreeSet<>()).add(f.getDstIp());
                all.merge(job, 1L, Long::sum);
                answered.merge(job, "SF".equals(f.getConnState()) ? 1L : 0L, Long::sum);
            }
        }
        String browser = serversByJob.entrySet().stream()
                .max(Map.Entry.comparingByValue((a, b) -> a.size() - b.size()))
                .orElseThrow()
                .getKey();
        assertThat(browser).startsWith("rl-");
        assertThat(serversByJob.get(browser)).hasSizeGreaterThanOrEqualTo(40);
        assertThat((double) answered.get(browser) / all.get(browser)).isGreaterThan(0.98);
    }

    @Test
    void outsideAddressesAreOnlyDocumentationRanges() {
        Set<String> outside = new TreeSet<>();
        for (Flow f : data.flows) {
            for (String ip : List.of(f.getSrcIp(), f.getDstIp())) {
                if (!internal(ip)) {
                    outside.add(ip);
                }
            }
        }
        assertThat(outside).isNotEmpty().allMatch(ChatterTest::documentation);
    }
}
