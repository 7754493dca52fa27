package io.vigil.models.features;

import static io.vigil.models.features.FeatureSet.EXTERNAL_HOSTS;
import static io.vigil.models.features.FeatureSet.EXTERNAL_INBOUND_HOSTS;
import static io.vigil.models.features.FeatureSet.FAILED_ATTEMPT_RATIO;
import static io.vigil.models.features.FeatureSet.FAILED_HOSTS;
import static io.vigil.models.features.FeatureSet.FAILED_HOSTS_ONE_PORT;
import static io.vigil.models.features.FeatureSet.FAILED_PORTS_ONE_HOST;
import static io.vigil.models.features.FeatureSet.FLOWS;
import static io.vigil.models.features.FeatureSet.INTERNAL_HOSTS;
import static io.vigil.models.features.FeatureSet.RARE_EXTERNAL_HOSTS;
import static io.vigil.models.features.WindowScene.scene;
import static java.lang.Math.log1p;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vigil.records.Fixtures;
import io.vigil.records.IpAddresses;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** LAN chatter is no destination and no target; failed attempts to any host, inside or out, are. */
class NetworkHygieneTest {
    private static final double EPS = 1e-9;

    private static Map<String, Double> features(List<JobFlow> flows) {
        return scene().with(flows).featureMap();
    }

    private static void noScanNoDestination(Map<String, Double> f) {
        assertThat(f.get(FAILED_HOSTS)).isZero();
        assertThat(f.get(FAILED_ATTEMPT_RATIO)).isZero();
        assertThat(f.get(FAILED_PORTS_ONE_HOST)).isZero();
        assertThat(f.get(FAILED_HOSTS_ONE_PORT)).isZero();
        assertThat(f.get(EXTERNAL_HOSTS)).isZero();
        assertThat(f.get(RARE_EXTERNAL_HOSTS)).isZero();
        assertThat(f.get(EXTERNAL_INBOUND_HOSTS)).isZero();
    }

    @Test
    void ssdpAndMdnsChatterIsNeitherAScanNorAnExternalDestination() {
        Map<String, Double> f = features(Probes.chromecastSsdp());
        System.out.println("chromecast/SSDP: " + f);

        noScanNoDestination(f);
        assertThat(f.get(FLOWS)).isCloseTo(log1p(90), within(EPS)); // the flows still count
        // the 30 devices the pod answered from port 1900 are hosts it sent to; multicast groups are not
        assertThat(f.get(INTERNAL_HOSTS)).isCloseTo(log1p(30), within(EPS));
    }

    @Test
    void broadcastNetbiosAndDhcpAreNoHosts() {
        Map<String, Double> f = features(Probes.broadcastNetbios());

        noScanNoDestination(f);
        assertThat(f.get(INTERNAL_HOSTS)).isZero();
        assertThat(f.get(FLOWS)).isCloseTo(log1p(60), within(EPS));
    }

    @Test
    void icmpErrorsEitherWayAreNeverAttemptsTargetsOrDestinations() {
        Map<String, Double> f = features(Probes.icmpPortUnreachable());

        noScanNoDestination(f);
        assertThat(f.get(INTERNAL_HOSTS)).isZero();
        assertThat(f.get(FLOWS)).isCloseTo(log1p(80), within(EPS));
    }

    @Test
    void aVerticalScanOfAnExternalHostIsManyFailedPortsOfOneHost() {
        Map<String, Double> f = features(Probes.verticalScanOfExternalHost("203.0.113.9"));
        System.out.println("vertical scan, 300 ports of one external host: " + f);

        assertThat(f.get(FAILED_PORTS_ONE_HOST)).isCloseTo(log1p(ContactStats.MAX_PORTS), within(EPS));
        assertThat(f.get(FAILED_HOSTS)).isCloseTo(log1p(1), within(EPS));
        assertThat(f.get(FAILED_ATTEMPT_RATIO)) // the open ports were torn down without a byte; one answered attempt
                // more
                .isCloseTo(300.0 / 301, within(EPS));
        assertThat(f.get(EXTERNAL_HOSTS)).isCloseTo(log1p(1), within(EPS));
    }

    @Test
    void aHorizontalSweepOfExternalHostsIsManyFailedHostsOnOnePort() {
        Map<String, Double> f = features(Probes.sshSweepOfExternalHosts(50));

        assertThat(f.get(FAILED_HOSTS_ONE_PORT)).isCloseTo(log1p(50), within(EPS));
        assertThat(f.get(FAILED_HOSTS)).isCloseTo(log1p(50), within(EPS));
        assertThat(f.get(FAILED_ATTEMPT_RATIO)).isCloseTo(50.0 / 51, within(EPS));
        assertThat(f.get(EXTERNAL_HOSTS)).isCloseTo(log1p(50), within(EPS));
    }

    @Test
    void aSweepOfAMillionAddressesKeepsTheJobsWindowBoundedAndCountsThemWithinAFewPercent() {
        WindowAccumulator w = new WindowAccumulator();
        int hosts = 1_000_000;
        for (int h = 0; h < hosts; h++) {
            Contact c = new Contact();
            c.jobId = Fixtures.JOB;
            c.remoteIp = "198.18." + (h >> 16) + "." + ((h >> 8) & 0xff) + "." + (h & 0xff);
            c.external = true;
            c.outbound = true;
            c.flows = 1;
            c.outboundFlows = 1;
            c.attempts = 1;
            c.unanswered = 1;
            c.attemptPorts = new int[] {22};
            c.failedPorts = new int[] {22};
            w.add(c);
        }
        Map<String, Double> f = FeatureSet.CURRENT.toMap(w.features(FeatureSet.CURRENT));

        assertThat(Math.expm1(f.get(FAILED_HOSTS))).isCloseTo(hosts, within(0.1 * hosts));
        assertThat(Math.expm1(f.get(FAILED_HOSTS_ONE_PORT))).isCloseTo(hosts, within(0.1 * hosts));
        assertThat(w.contacts).hasSizeLessThanOrEqualTo(WindowAccumulator.MAX_CONTACTS);
        assertThat(w.failedHosts.registers).hasSize(DistinctCounter.REGISTERS);
        assertThat(w.scanPorts).hasSize(1);
    }

    @Test
    void aCrawlerWhoseServersAnswerSweepsNothing() {
        Map<String, Double> f = features(Probes.crawler());
        System.out.println("crawler, 206 web servers on 443: " + f);

        assertThat(f.get(FAILED_HOSTS_ONE_PORT)).isZero(); // 6 dead of 206 tried on 443
        assertThat(f.get(FAILED_PORTS_ONE_HOST)).isCloseTo(log1p(1), within(EPS));
        assertThat(f.get(FAILED_HOSTS)).isCloseTo(log1p(6), within(EPS));
        // every lookup an answered datagram: attempts that succeeded, 206 of them
        assertThat(f.get(FAILED_ATTEMPT_RATIO)).isCloseTo(6.0 / (206 + 206 + 1), within(EPS));
    }

    @Test
    void udpWithoutAReplyIsNoFailedAttemptButAnUnansweredTcpSynIs() {
        JobFlow udp = WindowScene.of(WindowScene.outbound("10.0.9.9", 123)
                .setProtocol("UDP")
                .setConnState("S0")
                .setRespPkts(0));
        JobFlow tcp = WindowScene.of(
                WindowScene.outbound("10.0.9.9", 123).setConnState("S0").setRespPkts(0));
        JobFlow echo = WindowScene.of(WindowScene.outbound("10.0.9.9", 0)
                .setSrcPort(8)
                .setProtocol("ICMP")
                .setConnState("OTH")
                .setRespPkts(0));
        JobFlow v6Echo = WindowScene.of(WindowScene.outbound("fd00::9", 0)
                .setSrcPort(128)
                .setProtocol("ICMPv6")
                .setConnState("OTH")
                .setRespPkts(0));

        assertThat(udp.attempt()).isFalse();
        assertThat(udp.failedAttempt()).isFalse();
        assertThat(tcp.failedAttempt()).isTrue();
        assertThat(echo.failedAttempt()).as("a ping sweep is still a sweep").isTrue();
        assertThat(v6Echo.failedAttempt()).isTrue();
    }

    @Test
    void aRecordOfTheRespondersSideAloneIsNoAttemptOfTheJobs() {
        // Zeek RSTRH: a SYN-ACK and a RST from the responder, nothing from the job (a SYN before the capture,
        // backscatter)
        JobFlow respondersSide = WindowScene.of(WindowScene.outbound("10.0.9.9", 3389)
                .setConnState("RSTRH")
                .setOrigPkts(0)
                .setRespPkts(2));
        JobFlow probe = WindowScene.of(WindowScene.outbound("10.0.9.9", 3389)
                .setConnState("S0")
                .setOrigPkts(1)
                .setRespPkts(0)
                .setOrigBytes(0)
                .setRespBytes(0));
        JobFlow noPacketCounts = WindowScene.of(WindowScene.outbound("10.0.9.9", 3389)
                .setConnState(null)
                .setOrigPkts(0)
                .setRespPkts(0));

        assertThat(respondersSide.attempt()).isFalse();
        assertThat(respondersSide.failedAttempt()).isFalse();
        assertThat(probe.failedAttempt()).isTrue();
        assertThat(noPacketCounts.attempt())
                .as("an exporter without packet counts")
                .isTrue();
    }

    @Test
    void aServiceThatAnsweredInTheWindowIsNoFailedTarget() {
        // a client's keep-alive connections to one web server: most torn down by a lone RST, one answered
        List<JobFlow> flows = List.of(
                WindowScene.of(WindowScene.outbound("10.0.9.9", 443)
                        .setConnState("RSTOS0")
                        .setOrigPkts(2)
                        .setRespPkts(0)
                        .setOrigBytes(0)
                        .setRespBytes(0)),
                WindowScene.of(WindowScene.outbound("10.0.9.9", 443)
                        .setConnState("RSTOS0")
                        .setOrigPkts(2)
                        .setRespPkts(0)
                        .setOrigBytes(0)
                        .setRespBytes(0)),
                WindowScene.of(WindowScene.outbound("10.0.9.9", 443)
                        .setConnState("RSTO")
                        .setOrigPkts(8)
                        .setRespPkts(4)
                        .setOrigBytes(197)
                        .setRespBytes(0)));
        Map<String, Double> f = features(flows);

        assertThat(f.get(FAILED_PORTS_ONE_HOST)).isZero();
        assertThat(f.get(FAILED_HOSTS_ONE_PORT)).isZero();
        assertThat(f.get(FeatureSet.FAILED_TARGETS)).isZero();
        assertThat(f.get(FAILED_ATTEMPT_RATIO)).isCloseTo(2.0 / (3 + 1), within(EPS));
    }

    @ParameterizedTest
    @CsvSource({
        "S0, 0, 0, 0, true",
        "REJ, 1, 0, 0, true",
        "RSTOS0, 0, 0, 0, true",
        "SH, 0, 0, 0, true",
        "RSTRH, 1, 0, 0, true",
        "SHR, 1, 0, 0, true",
        "RSTO, 1, 0, 0, true",
        "RSTR, 1, 0, 0, true",
        "RSTO, 4, 0, 300, false",
        "RSTR, 3, 0, 120, false",
        "SF, 5, 0, 0, false",
        "S1, 5, 0, 900, false",
        "OTH, 0, 0, 0, true",
        "OTH, 2, 0, 80, false",
        ", 0, 0, 0, true",
        ", 3, 0, 0, false",
        // the responder's payload: the middle or end of a connection whose SYN the sensor missed (pre-3.2.1 Zeek
        // wrote RSTOS0 for it), not a refusal; the source's bytes alone (VPC's header bytes of a REJECT) are no answer
        "RSTOS0, 4, 1064, 1366, false",
        "RSTRH, 4, 19, 147, false",
        "SHR, 2, 60, 60, false",
        "REJ, 1, 0, 60, true"
    })
    void failedHandshakesFromZeekStates(String state, long respPkts, long respPayload, long payload, boolean failed) {
        assertThat(ConnStates.failedHandshake(state, respPkts, respPayload, payload))
                .isEqualTo(failed);
    }

    @ParameterizedTest
    @CsvSource({
        "ICMP, 3, false, true",
        "ICMP, 11, false, true",
        "ICMP, 12, false, true",
        "ICMP, 5, false, true",
        "ICMP, 4, false, true",
        "ICMP, 8, false, false",
        "ICMP, 0, false, false",
        "ICMPv6, 1, true, true",
        "ICMPv6, 2, true, true",
        "ICMPv6, 3, true, true",
        "ICMPv6, 4, true, true",
        "ICMPv6, 128, true, false",
        "ICMPv6, 129, true, false",
        "ICMPv6, 135, true, false"
    })
    void icmpErrorTypesOfBothFamilies(String protocol, int type, boolean v6, boolean error) {
        assertThat(Icmp.isV6(protocol, null)).isEqualTo(v6);
        assertThat(Icmp.isError(type, v6)).isEqualTo(error);
    }

    @ParameterizedTest
    @CsvSource({
        "10.0.3.255, BROADCAST",
        "10.255.255.255, BROADCAST",
        "100.127.255.255, BROADCAST",
        "100.64.0.255, UNICAST",
        "203.0.113.255, UNICAST",
        "169.254.169.254, METADATA_SERVICE",
        "239.255.255.250, MULTICAST",
        "ff02::fb, MULTICAST",
        "fe80::1, LINK_LOCAL",
        "::, UNSPECIFIED"
    })
    void theScopeAddsEachInternalRangesDirectedBroadcast(String ip, IpAddresses.Kind kind) {
        assertThat(NetworkScope.defaults().kind(ip)).isEqualTo(kind);
        assertThat(NetworkScope.defaults().isHost(ip)).isEqualTo(kind.isHost());
    }

    @Test
    void aConfiguredRangeHasItsOwnDirectedBroadcast() {
        NetworkScope scope = NetworkScope.of(List.of("203.0.113.0/28", "198.51.100.7/32"));

        assertThat(scope.kind("203.0.113.15")).isEqualTo(IpAddresses.Kind.BROADCAST);
        assertThat(scope.kind("203.0.113.14")).isEqualTo(IpAddresses.Kind.UNICAST);
        assertThat(scope.kind("198.51.100.7")).isEqualTo(IpAddresses.Kind.UNICAST); // a /32 has no broadcast
        assertThat(scope.isExternal("239.255.255.250")).isTrue();
        assertThat(scope.isHost("239.255.255.250")).isFalse();
    }

    @Test
    void sumsSaturateInsteadOfWrapping() {
        JobFlow huge = WindowScene.of(WindowScene.outbound("203.0.113.50", 443)
                .setOrigBytes(Long.MAX_VALUE)
                .setRespBytes(10));
        JobFlow more = WindowScene.of(WindowScene.outbound("203.0.113.50", 443)
                .setOrigBytes(Long.MAX_VALUE)
                .setRespBytes(10));
        Map<String, Double> f = scene().with(huge).with(more).featureMap();

        assertThat(Sums.add(Long.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(Sums.add(-5, 3)).isEqualTo(3);
        assertThat(f.get(FeatureSet.EXTERNAL_BYTES_OUT)).isCloseTo(log1p(Long.MAX_VALUE), within(1e-6));
    }
}
