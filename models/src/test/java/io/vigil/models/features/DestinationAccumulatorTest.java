package io.vigil.models.features;

import static io.vigil.models.features.WindowScene.TEN_MINUTES_EARLIER;
import static io.vigil.models.features.WindowScene.WINDOW_END;
import static io.vigil.models.features.WindowScene.WINDOW_START;
import static io.vigil.records.Fixtures.BEGINNING;
import static io.vigil.records.Fixtures.ONE_MINUTE_LATER;
import static io.vigil.records.Fixtures.POD_IP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.records.Fixtures;
import io.vigil.records.Flow;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DestinationAccumulatorTest {
    private static final String REMOTE = "10.0.9.9";
    private static final String JOB_A = "job-a";
    private static final String JOB_B = "job-b";

    /** One report of a connection from a job's pod to {@link #REMOTE}. */
    private static Flow.Builder report(int port) {
        return Fixtures.flowBuilder()
                .setSrcIp(POD_IP)
                .setDstIp(REMOTE)
                .setDstPort(port)
                .setProtocol("TCP")
                .setStartTs(BEGINNING.plusSeconds(1))
                .setTs(BEGINNING.plusSeconds(3))
                .setOrigBytes(1_000)
                .setRespBytes(2_000)
                .setOrigPkts(10)
                .setRespPkts(12)
                .setConnState("SF");
    }

    private static JobFlow out(String job, Flow.Builder f) {
        return JobFlow.of(f.build(), job, true);
    }

    private static Contact only(DestinationAccumulator acc) {
        List<Contact> contacts = acc.contacts(WINDOW_START, WINDOW_END, 0);
        assertThat(contacts).hasSize(1);
        return contacts.get(0);
    }

    @Test
    void keepsEachJobsExchangeWithTheAddressApart() {
        DestinationAccumulator acc = new DestinationAccumulator();
        acc.add(out(JOB_A, report(443)));
        acc.add(out(JOB_A, report(443).setOrigBytes(5_000)));
        acc.add(out(JOB_B, report(80).setOrigBytes(1)));

        List<Contact> contacts = acc.contacts(WINDOW_START, WINDOW_END, 7);

        assertThat(contacts).extracting(c -> c.jobId).containsExactly(JOB_A, JOB_B);
        Contact a = contacts.get(0);
        assertThat(a.remoteIp).isEqualTo(REMOTE);
        assertThat(a.windowStart).isEqualTo(WINDOW_START);
        assertThat(a.windowEnd).isEqualTo(WINDOW_END);
        assertThat(a.flows).isEqualTo(2);
        assertThat(a.outboundFlows).isEqualTo(2);
        assertThat(a.bytesOut).isEqualTo(6_000);
        assertThat(a.bytesIn).isEqualTo(4_000);
        assertThat(a.pktsOut).isEqualTo(20);
        assertThat(a.pktsIn).isEqualTo(24);
        assertThat(a.topPort).isEqualTo(443);
        assertThat(a.protocol).isEqualTo("TCP");
        assertThat(a.outbound).isTrue();
        assertThat(a.inbound).isFalse();
        assertThat(a.external).isFalse();
        assertThat(a.jobsThisWindow).isEqualTo(2);
        assertThat(a.jobsRecent).isEqualTo(7);
        assertThat(contacts.get(1).topPort).isEqualTo(80);
        assertThat(acc.jobIds()).containsExactly(JOB_A, JOB_B);
    }

    @Test
    void neverReportsFewerRecentJobsThanThisWindowHas() {
        DestinationAccumulator acc = new DestinationAccumulator();
        acc.add(out(JOB_A, report(443)));
        acc.add(out(JOB_B, report(443)));

        assertThat(acc.contacts(WINDOW_START, WINDOW_END, 1))
                .allSatisfy(c -> assertThat(c.jobsRecent).isEqualTo(2));
    }

    @ParameterizedTest
    @CsvSource({
        "S0, 0, true",
        "REJ, 1, true",
        "RSTOS0, 0, true",
        "RSTRH, 1, true",
        "SH, 0, true",
        "SHR, 1, true",
        "OTH, 0, true",
        "OTH, 3, false",
        "SF, 5, false",
        "S1, 5, false",
        "S2, 5, false",
        "S3, 5, false",
        "RSTO, 5, false",
        "RSTR, 5, false"
    })
    void countsAttemptsTheResponderNeverAnsweredByZeekState(String state, long respPkts, boolean unanswered) {
        DestinationAccumulator acc = new DestinationAccumulator();
        // no payload from the responder (a state's word is taken only then: ConnStates)
        acc.add(out(JOB_A, report(22).setConnState(state).setRespPkts(respPkts).setRespBytes(0)));

        assertThat(only(acc).unanswered).isEqualTo(unanswered ? 1 : 0);
    }

    @ParameterizedTest
    @CsvSource({"TCP, 0, true", "TCP, 2, false", "UDP, 0, false", "ICMP, 0, false"})
    void judgesStatelessExportsByTheRepliesOfTcpOnly(String protocol, long respPkts, boolean unanswered) {
        DestinationAccumulator acc = new DestinationAccumulator();
        acc.add(out(JOB_A, report(22).setConnState(null).setProtocol(protocol).setRespPkts(respPkts)));

        assertThat(only(acc).unanswered).isEqualTo(unanswered ? 1 : 0);
    }

    @Test
    void doesNotBlameTheJobForAttemptsOthersMadeToIt() {
        Flow probeOfTheJob = report(22)
                .setSrcIp(REMOTE)
                .setDstIp(POD_IP)
                .setConnState("S0")
                .setRespPkts(0)
                .build();
        DestinationAccumulator acc = new DestinationAccumulator();
        acc.add(JobFlow.of(probeOfTheJob, JOB_A, false));

        Contact c = only(acc);
        assertThat(c.unanswered).isZero();
        assertThat(c.inbound).isTrue();
        assertThat(c.outbound).isFalse();
        assertThat(c.outboundFlows).isZero();
        assertThat(c.topPort).isEqualTo(22);
    }

    @Test
    void countsStillOpenAndFiveMinuteConnectionsAsLongLived() {
        DestinationAccumulator acc = new DestinationAccumulator();
        acc.add(out(JOB_A, report(22).setConnState("S1").setStartTs(BEGINNING).setTs(BEGINNING.plusSeconds(20))));
        acc.add(out(
                JOB_A,
                report(22).setConnState("SF").setStartTs(TEN_MINUTES_EARLIER).setTs(BEGINNING.plusSeconds(20))));
        acc.add(out(JOB_A, report(22).setConnState("SF").setStartTs(BEGINNING).setTs(BEGINNING.plusSeconds(299))));

        Contact c = only(acc);
        assertThat(c.longLivedFlows).isEqualTo(2);
        assertThat(c.longestDurationMs).isEqualTo(620_000);
    }

    @Test
    void namesThePortWithMostBytesAndCountsDistinctPorts() {
        DestinationAccumulator acc = new DestinationAccumulator();
        acc.add(out(JOB_A, report(80).setOrigBytes(10)));
        acc.add(out(JOB_A, report(80).setOrigBytes(10)));
        acc.add(out(JOB_A, report(5432).setOrigBytes(90_000)));
        acc.add(out(JOB_A, report(53).setProtocol("UDP").setOrigBytes(5)));

        Contact c = only(acc);
        assertThat(c.topPort).isEqualTo(5432);
        assertThat(c.distinctPorts).isEqualTo(3);
    }

    @Test
    void namesTheBusiestPortWhenNoPortCarriesBytes() {
        DestinationAccumulator acc = new DestinationAccumulator();
        acc.add(out(JOB_A, report(8080).setOrigBytes(0).setRespBytes(0).setConnState("S0")));
        acc.add(out(JOB_A, report(22).setOrigBytes(0).setRespBytes(0).setConnState("S0")));
        acc.add(out(JOB_A, report(22).setOrigBytes(0).setRespBytes(0).setConnState("S0")));

        assertThat(only(acc).topPort).isEqualTo(22);
    }

    @Test
    void capsThePortsOfOneContactButNotItsCounts() {
        DestinationAccumulator acc = new DestinationAccumulator();
        for (int port = 1; port <= 1_000; port++) {
            acc.add(out(JOB_A, report(port).setConnState("REJ").setOrigBytes(0).setRespBytes(0)));
        }

        Contact c = only(acc);
        assertThat(c.distinctPorts).isEqualTo(ContactStats.MAX_PORTS);
        assertThat(c.flows).isEqualTo(1_000);
        assertThat(c.unanswered).isEqualTo(1_000);
        assertThat(acc.jobs.get(JOB_A).portOverflowFlows).isEqualTo(1_000 - ContactStats.MAX_PORTS);
    }

    @Test
    void aScanBeyondThePortCapKeepsTheSamePortsWhateverTheOrderOrGroupingOfItsFlows() {
        List<JobFlow> probes = new ArrayList<>();
        for (int port = 1; port <= 1_000; port++) {
            probes.add(
                    out(JOB_A, report(port).setConnState("REJ").setOrigBytes(0).setRespBytes(0)));
        }
        DestinationAccumulator inOrder = new DestinationAccumulator();
        probes.forEach(inOrder::add);
        Contact expected = only(inOrder);
        assertThat(expected.failedPorts)
                .as("one flow per port: the lowest ports")
                .startsWith(1, 2, 3);
        assertThat(expected.topPort).isEqualTo(1);

        for (int seed = 0; seed < 5; seed++) {
            List<JobFlow> shuffled = new ArrayList<>(probes);
            Collections.shuffle(shuffled, new Random(seed));
            DestinationAccumulator added = new DestinationAccumulator();
            shuffled.forEach(added::add);
            DestinationAccumulator first = new DestinationAccumulator();
            DestinationAccumulator second = new DestinationAccumulator();
            for (int i = 0; i < shuffled.size(); i++) {
                (i < 500 ? first : second).add(shuffled.get(i));
            }
            first.merge(second);

            assertThat(only(added)).as("seed %d, added", seed).isEqualTo(expected);
            assertThat(only(first)).as("seed %d, merged", seed).isEqualTo(expected);
            assertThat(added.jobs.get(JOB_A).portOverflowFlows).isEqualTo(1_000 - ContactStats.MAX_PORTS);
        }
    }

    @Test
    void givesTheSameContactsWhetherFlowsAreAddedOrPartialsMerged() {
        List<JobFlow> flows = new ArrayList<>();
        String[] states = {"SF", "S0", "S1", "REJ", "OTH", null};
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            flows.add(out(
                    "job-" + random.nextInt(6),
                    report(20 + random.nextInt(40))
                            .setConnState(states[random.nextInt(states.length)])
                            .setStartTs(BEGINNING.minusSeconds(random.nextInt(900)))
                            .setTs(ONE_MINUTE_LATER)
                            .setOrigBytes(random.nextInt(100_000))
                            .setRespBytes(random.nextInt(100_000))
                            .setOrigPkts(random.nextInt(100))
                            .setRespPkts(random.nextInt(3))));
        }
        DestinationAccumulator all = new DestinationAccumulator();
        flows.forEach(all::add);

        for (int seed = 0; seed < 5; seed++) {
            List<JobFlow> shuffled = new ArrayList<>(flows);
            Collections.shuffle(shuffled, new Random(seed));
            DestinationAccumulator a = new DestinationAccumulator();
            DestinationAccumulator b = new DestinationAccumulator();
            DestinationAccumulator c = new DestinationAccumulator();
            for (int i = 0; i < shuffled.size(); i++) {
                (i % 3 == 0 ? a : i % 3 == 1 ? b : c).add(shuffled.get(i));
            }
            DestinationAccumulator leftFirst = new DestinationAccumulator();
            leftFirst.merge(a);
            leftFirst.merge(b);
            leftFirst.merge(c);
            DestinationAccumulator bc = new DestinationAccumulator();
            bc.merge(b);
            bc.merge(c);
            c.merge(a);
            a.merge(bc);

            assertThat(leftFirst.contacts(WINDOW_START, WINDOW_END, 3))
                    .isEqualTo(all.contacts(WINDOW_START, WINDOW_END, 3));
            assertThat(a.contacts(WINDOW_START, WINDOW_END, 3)).isEqualTo(all.contacts(WINDOW_START, WINDOW_END, 3));
            assertThat(a).isEqualTo(all);
        }
    }

    @Test
    void leavesTheMergedPartialUnchanged() {
        DestinationAccumulator a = new DestinationAccumulator();
        DestinationAccumulator b = new DestinationAccumulator();
        b.add(out(JOB_A, report(443)));

        a.merge(b);
        a.add(out(JOB_A, report(443)));

        assertThat(b.jobs.get(JOB_A).flows).isEqualTo(1);
        assertThat(a.jobs.get(JOB_A).flows).isEqualTo(2);
    }

    @Test
    void keepsTheBiggestJobsWhenMoreThanTheCapTalkToOneAddress() {
        DestinationAccumulator acc = new DestinationAccumulator();
        int jobs = DestinationAccumulator.MAX_JOBS + 10;
        for (int i = 0; i < jobs; i++) {
            acc.add(out(
                    String.format("job-%05d", i),
                    report(53).setOrigBytes(100 + i).setRespBytes(0)));
        }

        List<Contact> contacts = acc.contacts(WINDOW_START, WINDOW_END, 0);
        assertThat(contacts).hasSize(DestinationAccumulator.MAX_JOBS);
        assertThat(contacts)
                .extracting(c -> c.jobId)
                .doesNotContain("job-00000", "job-00009")
                .contains(String.format("job-%05d", jobs - 1));
        assertThat(contacts.get(0).jobsThisWindow).isEqualTo(DestinationAccumulator.MAX_JOBS);
        assertThat(acc.droppedFlows).isEqualTo(10);
        assertThat(acc.droppedBytes).isEqualTo((100 + 109) * 10 / 2);
    }

    @Test
    void capsJobsWhenPartialsAreMergedToo() {
        DestinationAccumulator a = new DestinationAccumulator();
        DestinationAccumulator b = new DestinationAccumulator();
        for (int i = 0; i < DestinationAccumulator.MAX_JOBS; i++) {
            a.add(out("a-" + i, report(53).setOrigBytes(1_000).setRespBytes(0)));
            b.add(out("b-" + i, report(53).setOrigBytes(i < 5 ? 5_000 : 10).setRespBytes(0)));
        }

        a.merge(b);

        assertThat(a.jobs)
                .hasSize(DestinationAccumulator.MAX_JOBS)
                .containsKeys("b-0", "b-4")
                .doesNotContainKey("b-5");
        assertThat(a.droppedFlows).isEqualTo(DestinationAccumulator.MAX_JOBS);
    }

    @Test
    void refusesFlowsOfAnotherAddress() {
        DestinationAccumulator acc = new DestinationAccumulator();
        acc.add(out(JOB_A, report(443)));

        assertThatThrownBy(() -> acc.add(out(JOB_A, report(443).setDstIp("10.0.9.10"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10.0.9.10");
    }

    @ParameterizedTest
    @ValueSource(strings = {"203.0.113.9", "169.254.169.254"})
    void carriesTheAddressClassIntoEachContact(String remote) {
        DestinationAccumulator acc = new DestinationAccumulator();
        acc.add(out(JOB_A, report(80).setDstIp(remote)));

        Contact c = only(acc);
        assertThat(c.external).isEqualTo(remote.startsWith("203."));
        assertThat(c.metadataService).isEqualTo(remote.startsWith("169."));
    }

    @Test
    void givesNoContactsForAnEmptyWindow() {
        assertThat(new DestinationAccumulator().contacts(WINDOW_START, WINDOW_END, 0))
                .isEmpty();
        assertThat(new DestinationAccumulator().isEmpty()).isTrue();
    }
}
