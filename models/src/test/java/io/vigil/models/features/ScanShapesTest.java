package io.vigil.models.features;

import static io.vigil.models.features.FeatureSet.FAILED_ATTEMPT_RATIO;
import static io.vigil.models.features.FeatureSet.FAILED_HOSTS;
import static io.vigil.models.features.FeatureSet.FAILED_HOSTS_ONE_PORT;
import static io.vigil.models.features.FeatureSet.FAILED_PORTS_ONE_HOST;
import static io.vigil.models.features.FeatureSet.FAILED_TARGETS;
import static io.vigil.models.features.FeatureSet.RECENT_FAILED_TARGETS;
import static io.vigil.models.features.WindowScene.scene;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vigil.records.Fixtures;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Scans of every shape and pace, TCP and UDP, against the busy benign clients they must not be confused with,
 * at the feature level: failed targets in a window, and over the job's last half hour ({@link ScanMemory}).
 */
class ScanShapesTest {
    private static final double EPS = 1e-9;
    private static final long MINUTE = 60_000L;

    private static Map<String, Double> features(List<JobFlow> flows) {
        return scene().with(flows).featureMap();
    }

    private static long count(Map<String, Double> f, String name) {
        return Math.round(Math.expm1(f.get(name)));
    }

    /** Minutes of a job as the scoring step sees them: each window's features, then the job's scan memory. */
    private static List<Map<String, Double>> minutes(int n, IntFunction<List<JobFlow>> minute) {
        List<Map<String, Double>> out = new ArrayList<>();
        ScanMemory memory = ScanMemory.empty();
        for (int m = 0; m < n; m++) {
            WindowAccumulator w = scene().with(minute.apply(m)).window();
            double[] x = w.features(FeatureSet.CURRENT);
            memory = memory.recall(
                    FeatureSet.CURRENT, x, Fixtures.BEGINNING.toEpochMilli() + m * MINUTE, w.failedTargets());
            out.add(FeatureSet.CURRENT.toMap(x));
        }
        return out;
    }

    // ------------------------------------------------------------------ TCP, one window

    @Test
    void aScanScatteredOverHostsAndPortsIsManyFailedTargetsThoughNeitherProjectionIsLarge() {
        Map<String, Double> f = features(Probes.scatteredScan());
        System.out.println("scattered scan, 46 probes over 19 hosts x 20 ports: " + f);

        assertThat(count(f, FAILED_TARGETS)).isEqualTo(46);
        assertThat(count(f, FAILED_HOSTS)).isEqualTo(19);
        assertThat(count(f, FAILED_PORTS_ONE_HOST)).isLessThanOrEqualTo(3);
        assertThat(count(f, FAILED_HOSTS_ONE_PORT)).isLessThanOrEqualTo(6);
        assertThat(f.get(RECENT_FAILED_TARGETS)).as("the window alone").isEqualTo(f.get(FAILED_TARGETS));
    }

    @Test
    void verticalAndHorizontalScansAreFailedTargetsToo() {
        assertThat(count(features(Probes.verticalScanOfExternalHost("203.0.113.9")), FAILED_TARGETS))
                .isEqualTo(ContactStats.MAX_PORTS); // the ports kept of one host in a window
        assertThat(count(features(Probes.sshSweepOfExternalHosts(50)), FAILED_TARGETS))
                .isEqualTo(50);
    }

    @Test
    void aCrawlersDeadServersAreNoFailedTargetsBecauseMostServersOnItsPortAnswer() {
        Map<String, Double> f = features(Probes.crawler());

        assertThat(count(f, FAILED_HOSTS)).isEqualTo(6);
        assertThat(f.get(FAILED_TARGETS)).isZero();
        assertThat(f.get(RECENT_FAILED_TARGETS)).isZero();
    }

    @Test
    void failedTargetsOnPortsBeyondTheKeptOnesCountWhateverTheOrder() {
        List<JobFlow> scan = new ArrayList<>();
        for (int port = 1000; port < 1000 + 3 * WindowAccumulator.MAX_SCAN_PORTS; port++) {
            scan.add(WindowScene.of(WindowScene.outbound("10.0.9." + (port % 7 + 1), port)
                    .setConnState("S0")
                    .setRespPkts(0)));
        }
        WindowAccumulator forward = scene().with(scan).window();
        WindowAccumulator backward = new WindowAccumulator();
        List<Contact> contacts = new ArrayList<>(scene().with(scan).contacts());
        Collections.reverse(contacts);
        WindowAccumulator half = new WindowAccumulator();
        for (int i = 0; i < contacts.size(); i++) {
            (i % 2 == 0 ? backward : half).add(contacts.get(i));
        }
        backward.merge(half);

        assertThat(forward.failedTargets().count()).isEqualTo(3L * WindowAccumulator.MAX_SCAN_PORTS);
        assertThat(backward.failedTargets()).isEqualTo(forward.failedTargets());
        assertThat(backward.scanPorts).isEqualTo(forward.scanPorts);
    }

    // ------------------------------------------------------------------ UDP

    @Test
    void aUdpScanOfClosedPortsIsFailedPortsOfOneHostEvenWithFewUnreachables() {
        // 198 closed ports, 6 unreachables (rate-limited): the rest silent, on far more ports than one-way UDP uses;
        // a contact keeps the 64 ports with most bytes, then the lowest: DNS (53) and NTP (123), answered, and 62
        // closed ones
        Map<String, Double> f = features(Probes.udpPortScan("10.0.9.50", 6));
        System.out.println("UDP scan of 200 ports, 6 unreachables back: " + f);

        assertThat(count(f, FAILED_PORTS_ONE_HOST)).isEqualTo(ContactStats.MAX_PORTS - 2);
        assertThat(count(f, FAILED_HOSTS))
                .as("it answered DNS and NTP: there and talking")
                .isZero();
        assertThat(count(f, FAILED_TARGETS)).isEqualTo(ContactStats.MAX_PORTS - 2);
        assertThat(f.get(FAILED_ATTEMPT_RATIO)).isCloseTo(62.0 / (64 + 1), within(EPS));
    }

    @Test
    void refusedDatagramsAreFailedAttemptsMatchedToTheHostsUnreachablesByNumber() {
        ContactStats s = stats(Probes.udpProbesRefused("10.0.9.51", 161, 623));
        ContactStats.UdpVerdict udp = s.udp();

        assertThat(udp.failedPorts()).containsExactly(161, 623);
        assertThat(udp.silentPorts()).isEmpty();
        assertThat(s.judgedAttempts(udp)).isEqualTo(2);
        assertThat(s.judgedFailures(udp)).isEqualTo(2);
        assertThat(s.remoteSilent()).as("ICMP errors are no service's answer").isTrue();

        Map<String, Double> f = features(Probes.udpProbesRefused("10.0.9.51", 161, 623));
        assertThat(count(f, FAILED_HOSTS))
                .as("an unreachable's quoted bytes are no payload")
                .isEqualTo(1);
        assertThat(count(f, FAILED_PORTS_ONE_HOST)).isEqualTo(2);
    }

    @Test
    void fewerUnreachablesThanSilentPortsRefuseOnlyAsManyAndTheRestStaySilent() {
        List<JobFlow> flows = new ArrayList<>(Probes.udpProbesRefused("10.0.9.52", 161));
        flows.add(Probes.datagram("10.0.9.52", 61_234, 500, 40, 0));
        ContactStats.UdpVerdict udp = stats(flows).udp();

        assertThat(udp.failedPorts()).hasSize(1);
        assertThat(udp.silentPorts()).hasSize(1);
        assertThat(udp.attempts()).isEqualTo(1);
    }

    @Test
    void oneWayUdpToAFewCollectorsIsNoFailure() {
        Map<String, Double> f = features(Probes.choresAndChecks());
        System.out.println("statsd, syslog, traces, NTP, health checks, scrapes: " + f);

        assertThat(f.get(FAILED_HOSTS)).isZero();
        assertThat(f.get(FAILED_ATTEMPT_RATIO)).isZero();
        assertThat(f.get(FAILED_PORTS_ONE_HOST)).isZero();
        assertThat(f.get(FAILED_TARGETS))
                .as("statsd, syslog and traces: three ports, one host each")
                .isZero();
    }

    @Test
    void aHostSilentOnManyPortsIsProbedWithoutASingleUnreachable() {
        List<JobFlow> flows = new ArrayList<>();
        for (int port : new int[] {161, 500, 623, 1900, 5060}) {
            flows.add(Probes.datagram("203.0.113.40", 61_234, port, 40, 0));
        }
        ContactStats.UdpVerdict udp = stats(flows).udp();

        assertThat(udp.failedPorts()).containsExactly(161, 500, 623, 1900, 5060);
        assertThat(count(features(flows), FAILED_PORTS_ONE_HOST)).isEqualTo(5);
    }

    @Test
    void aSilentSweepOfOneUdpPortIsManyFailedHostsOnIt() {
        Map<String, Double> f = features(Probes.snmpSweep(40));

        assertThat(count(f, FAILED_HOSTS_ONE_PORT)).isEqualTo(40);
        assertThat(count(f, FAILED_TARGETS)).isEqualTo(40);
        assertThat(f.get(FAILED_HOSTS)).as("one silent datagram judges no host").isZero();
        Map<String, Double> few = features(Probes.snmpSweep(ContactStats.UDP_SILENT_JUDGED - 1));
        assertThat(few.get(FAILED_HOSTS_ONE_PORT))
                .as("a one-way protocol's collectors")
                .isZero();
        assertThat(few.get(FAILED_TARGETS)).isZero();
        assertThat(count(features(Probes.snmpSweep(ContactStats.UDP_SILENT_JUDGED)), FAILED_TARGETS))
                .isEqualTo(ContactStats.UDP_SILENT_JUDGED);
    }

    @Test
    void dnsToAFewResolversIsAnsweredAndAResolverThatRefusesIsAFailedHostButNoTargetOnAPortThatAnswers() {
        Map<String, Double> f = features(Probes.dnsToResolvers());

        assertThat(f.get(FAILED_TARGETS))
                .as("four of the five resolvers on port 53 answered")
                .isZero();
        assertThat(count(f, FAILED_HOSTS))
                .as("the resolver that does not listen")
                .isEqualTo(1);
        assertThat(f.get(FAILED_ATTEMPT_RATIO)).isCloseTo(1.0 / (72 + 1), within(EPS));
    }

    @Test
    void aSingleRefusedQueryIsAFaultNotAShareOfFailures() {
        // an inference server's only outbound attempt in a window: one DNS query an outside resolver refused
        Map<String, Double> f = features(
                List.of(Probes.datagram("192.0.2.53", 34_011, 53, 38, 0), Probes.icmpFrom("192.0.2.53", 3, 3, 1)));

        assertThat(count(f, FAILED_HOSTS)).isEqualTo(1);
        assertThat(f.get(FAILED_ATTEMPT_RATIO))
                .as("1 failed of 1, with one answered attempt more")
                .isCloseTo(0.5, within(EPS));
    }

    @Test
    void repliesFromTheJobsOwnServicePortAndPeerPortsProbeNothing() {
        JobFlow ssdpReply = Probes.datagram("192.168.1.7", 1900, 40_007, 320, 0);
        JobFlow ntp = Probes.datagram("203.0.113.123", 123, 123, 48, 0);
        JobFlow query = Probes.datagram("10.0.0.10", 40_053, 53, 40, 0);

        assertThat(ssdpReply.udpProbe()).isFalse();
        assertThat(ntp.udpProbe()).isFalse();
        assertThat(query.udpProbe()).isTrue();
        assertThat(features(Probes.chromecastSsdp()).get(FAILED_TARGETS)).isZero();
        assertThat(features(Probes.icmpPortUnreachable()).get(FAILED_TARGETS)).isZero();
    }

    @Test
    void aStatelessExportersAnswerAsAFlowOfItsOwnIsNoSilence() {
        // goflow2 / VPC: each direction its own record, no state; the resolver's answer comes back as its own flow
        JobFlow query = WindowScene.of(WindowScene.outbound("10.0.0.10", 53)
                .setSrcPort(40_053)
                .setProtocol("UDP")
                .setConnState(null)
                .setOrigPkts(1)
                .setRespPkts(0));
        JobFlow answer = Probes.in(Probes.inbound("10.0.0.10", 53, 40_053, "UDP")
                .setConnState(null)
                .setOrigBytes(120)
                .setOrigPkts(1));
        ContactStats alone = stats(List.of(query));
        ContactStats answered = stats(List.of(query, answer));

        assertThat(alone.udp().silentPorts()).containsExactly(53);
        assertThat(answered.udp().silentPorts()).isEmpty();
        assertThat(answered.udp().failedPorts()).isEmpty();
    }

    // ------------------------------------------------------------------ slower than a window

    @Test
    void aVerticalScanOfAPortEveryTenSecondsAddsUpOverMinutes() {
        List<Map<String, Double>> m = minutes(6, Probes::slowVerticalScanMinute);

        for (int i = 0; i < m.size(); i++) {
            assertThat(count(m.get(i), FAILED_TARGETS)).isEqualTo(6);
            assertThat(count(m.get(i), RECENT_FAILED_TARGETS)).isEqualTo(6L * (i + 1));
        }
    }

    @Test
    void aSweepOfAHostAMinuteAddsUpOverHalfAnHourAndTheMemoryForgetsPastItsHorizon() {
        List<Map<String, Double>> m = minutes(60, Probes::slowSweepMinute);
        // the minutes start on an epoch boundary (03:00): at minute k the memory holds minutes since epoch (k/10 - 3)
        for (int k : new int[] {0, 9, 29, 39, 40, 59}) {
            long from =
                    Math.max(0, (k / ScanMemory.EPOCH_MINUTES - (ScanMemory.EPOCHS - 1)) * ScanMemory.EPOCH_MINUTES);
            assertThat(count(m.get(k), RECENT_FAILED_TARGETS))
                    .as("minute %d", k)
                    .isEqualTo(k - from + 1);
            assertThat(count(m.get(k), FAILED_TARGETS)).isEqualTo(1);
        }
        assertThat(count(m.get(39), RECENT_FAILED_TARGETS)).isEqualTo(40);
        assertThat(count(m.get(40), RECENT_FAILED_TARGETS)).isEqualTo(31);
    }

    @Test
    void aScanThatStoppedRaisesNothingInTheMinutesAfterIt() {
        List<Map<String, Double>> m =
                minutes(8, minute -> minute < 4 ? Probes.slowVerticalScanMinute(minute) : List.of());

        assertThat(count(m.get(3), RECENT_FAILED_TARGETS)).isEqualTo(24);
        for (int i = 4; i < 8; i++) {
            assertThat(m.get(i).get(RECENT_FAILED_TARGETS)).isZero();
        }
    }

    @Test
    void aCrawlerAndAJobsChoresOverHalfAnHourAddUpToNothing() {
        List<Map<String, Double>> crawler = minutes(40, Probes::crawlerMinute);
        List<Map<String, Double>> chores = minutes(40, minute -> {
            List<JobFlow> flows = new ArrayList<>(Probes.choresAndChecks());
            flows.addAll(Probes.dnsToResolvers());
            return flows;
        });

        assertThat(crawler.stream().map(f -> f.get(RECENT_FAILED_TARGETS))).containsOnly(0.0);
        assertThat(chores.stream().map(f -> f.get(RECENT_FAILED_TARGETS))).containsOnly(0.0);
    }

    private static ContactStats stats(List<JobFlow> flows) {
        ContactStats s = new ContactStats();
        flows.forEach(s::add);
        return s;
    }
}
