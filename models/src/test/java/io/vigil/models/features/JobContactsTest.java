package io.vigil.models.features;

import static io.vigil.models.features.FeatureSet.EXTERNAL_BYTES_OUT;
import static io.vigil.models.features.FeatureSet.EXTERNAL_HOSTS;
import static io.vigil.models.features.FeatureSet.FAILED_ATTEMPT_RATIO;
import static io.vigil.models.features.FeatureSet.FAILED_HOSTS;
import static io.vigil.models.features.FeatureSet.FAILED_HOSTS_ONE_PORT;
import static io.vigil.models.features.FeatureSet.RARE_EXTERNAL_BYTES_OUT;
import static io.vigil.models.features.FeatureSet.RARE_EXTERNAL_HOSTS;
import static io.vigil.models.features.WindowScene.DROP_IP;
import static io.vigil.models.features.WindowScene.TRACKER_IP;
import static io.vigil.models.features.WindowScene.TUNNEL_IP;
import static io.vigil.models.features.WindowScene.WINDOW_END;
import static io.vigil.models.features.WindowScene.WINDOW_START;
import static io.vigil.models.features.WindowScene.apiCall;
import static io.vigil.models.features.WindowScene.internalScan;
import static io.vigil.models.features.WindowScene.metadataCall;
import static io.vigil.models.features.WindowScene.ncclPeers;
import static io.vigil.models.features.WindowScene.of;
import static io.vigil.models.features.WindowScene.outbound;
import static io.vigil.models.features.WindowScene.scene;
import static io.vigil.models.features.WindowScene.trackerConnection;
import static io.vigil.models.features.WindowScene.tunnel;
import static io.vigil.models.features.WindowScene.upload;
import static java.lang.Math.log1p;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vigil.records.Fixtures;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A job's contacts of one window: exact below the cap, bounded past it, and which the fleet is asked about. */
class JobContactsTest {

    /** One unanswered SYN to the i-th address of 198.18.0.0/15 (external, a host), port 22. */
    static JobFlow probe(int i) {
        return of(outbound("198." + (18 + (i >> 16)) + "." + (i >> 8 & 0xff) + "." + (i & 0xff), 22)
                .setConnState("S0")
                .setOrigBytes(0)
                .setRespBytes(0)
                .setOrigPkts(1)
                .setRespPkts(0));
    }

    static List<JobFlow> sweep(int addresses) {
        List<JobFlow> out = new ArrayList<>();
        for (int i = 0; i < addresses; i++) {
            out.add(probe(i));
        }
        return out;
    }

    /** Everything a window hands on, folded as the job's window folds it (popularity: nobody else). */
    static WindowAccumulator window(JobContacts contacts) {
        JobContacts.Split split = contacts.split(WINDOW_START, WINDOW_END);
        WindowAccumulator w = new WindowAccumulator();
        if (split.rest() != null) {
            w.merge(split.rest());
        }
        for (DestinationAccumulator asked : split.ask()) {
            asked.contacts(WINDOW_START, WINDOW_END, 1).forEach(w::add);
        }
        return w;
    }

    static JobContacts contactsOf(List<JobFlow> flows) {
        JobContacts c = new JobContacts();
        flows.forEach(c::add);
        return c;
    }

    static Map<String, Double> features(WindowAccumulator w) {
        return FeatureSet.CURRENT.toMap(w.features(FeatureSet.CURRENT));
    }

    @Test
    void belowTheCapTheWindowIsWhatAskingAboutEveryContactGives() {
        List<WindowScene> scenes = List.of(
                scene().with(internalScan(120))
                        .with(ncclPeers(15))
                        .with(tunnel(TUNNEL_IP, 22))
                        .with(upload(DROP_IP, 90L << 20))
                        .with(trackerConnection(TRACKER_IP))
                        .with(metadataCall())
                        .popular(TRACKER_IP, 30, 10),
                scene().with(Probes.crawler()),
                scene().with(Probes.chromecastSsdp()),
                scene().with(Probes.icmpPortUnreachable()),
                scene().with(Probes.verticalScanOfExternalHost("203.0.113.9")),
                scene().with(Probes.sshSweepOfExternalHosts(200)).with(apiCall("198.51.100.77", 8443)));
        for (WindowScene s : scenes) {
            WindowAccumulator asked = s.window();
            WindowAccumulator everyContact = s.windowOfEveryContact();
            assertThat(asked.features(FeatureSet.CURRENT)).containsExactly(everyContact.features(FeatureSet.CURRENT));
            assertThat(asked.evidence(32)).isEqualTo(everyContact.evidence(32));
        }
    }

    @Test
    void belowTheCapAddingAndMergingInAnyGroupingGiveTheSameWindow() {
        List<JobFlow> flows = new ArrayList<>(internalScan(100));
        flows.addAll(ncclPeers(8));
        flows.add(tunnel(TUNNEL_IP, 22));
        flows.add(upload(DROP_IP, 40L << 20));
        flows.add(upload(DROP_IP, 10L << 20));
        flows.addAll(Probes.crawler());
        JobContacts whole = contactsOf(flows);
        WindowAccumulator expected = window(whole);
        List<DestinationAccumulator> expectedAsk =
                whole.split(WINDOW_START, WINDOW_END).ask();

        for (int seed = 0; seed < 4; seed++) {
            List<JobFlow> shuffled = new ArrayList<>(flows);
            Collections.shuffle(shuffled, new Random(seed));
            JobContacts[] parts = {new JobContacts(), new JobContacts(), new JobContacts()};
            for (int i = 0; i < shuffled.size(); i++) {
                parts[i % 3].add(shuffled.get(i));
            }
            JobContacts merged = new JobContacts();
            for (JobContacts p : parts) {
                merged.merge(p);
            }
            assertThat(merged.tail).isNull();
            assertThat(merged.split(WINDOW_START, WINDOW_END).ask()).isEqualTo(expectedAsk);
            assertThat(window(merged).features(FeatureSet.CURRENT))
                    .containsExactly(expected.features(FeatureSet.CURRENT));
            assertThat(window(merged).evidence(32)).isEqualTo(expected.evidence(32));
        }
    }

    @Test
    void onlyExternalHostsTheJobReachedAreAskedAbout() {
        List<JobFlow> flows = new ArrayList<>(internalScan(20)); // internal: never rare
        flows.addAll(Probes.sshSweepOfExternalHosts(20)); // external, never answered
        flows.addAll(Probes.broadcastNetbios()); // no hosts
        flows.add(metadataCall()); // link-local
        flows.add(tunnel(TUNNEL_IP, 22));
        flows.add(trackerConnection(TRACKER_IP));

        JobContacts.Split split = contactsOf(flows).split(WINDOW_START, WINDOW_END);

        assertThat(split.ask()).extracting(d -> d.remoteIp).containsExactly(TRACKER_IP, TUNNEL_IP);
        assertThat(split.ask()).allSatisfy(d -> assertThat(d.jobIds()).containsExactly(Fixtures.JOB));
        assertThat(split.rest().contacts).noneMatch(Contact::rare);
    }

    @Test
    void atMostMaxAskedAreAskedAboutHalfByBytesTheRestByTheLongestConnections() {
        List<JobFlow> flows = new ArrayList<>();
        int hosts = JobContacts.MAX_ASKED * 2;
        for (int h = 0; h < hosts; h++) {
            // bytes rise with h, duration falls with h: the last half has most bytes, the first half the longest
            flows.add(of(outbound("203.0." + (h >> 8) + "." + (h & 0xff), 443)
                    .setConnState("SF")
                    .setStartTs(Fixtures.BEGINNING.minusSeconds(10L * (hosts - h)))
                    .setTs(Fixtures.BEGINNING.plusSeconds(30))
                    .setOrigBytes(1_000L * (h + 1))
                    .setRespBytes(1_000)
                    .setOrigPkts(10)
                    .setRespPkts(10)));
        }
        JobContacts.Split split = contactsOf(flows).split(WINDOW_START, WINDOW_END);

        assertThat(split.ask()).hasSize(JobContacts.MAX_ASKED);
        List<String> byBytes = flows.subList(hosts - JobContacts.MAX_ASKED / 2, hosts).stream()
                .map(f -> f.remoteIp)
                .toList();
        List<String> longest = flows.subList(0, JobContacts.MAX_ASKED / 2).stream()
                .map(f -> f.remoteIp)
                .toList();
        assertThat(split.ask()).extracting(d -> d.remoteIp).containsAll(byBytes).containsAll(longest);
        // the others were not asked: their popularity is unknown, never rare
        assertThat(features(window(contactsOf(flows))).get(RARE_EXTERNAL_HOSTS))
                .isCloseTo(log1p(JobContacts.MAX_ASKED), within(1e-9));
        assertThat(features(window(contactsOf(flows))).get(EXTERNAL_HOSTS)).isCloseTo(log1p(hosts), within(1e-9));
    }

    @Test
    void aSweepPastTheCapKeepsMaxRemotesAndCountsTheRestInTheTail() {
        int addresses = 20_000;
        List<JobFlow> flows = new ArrayList<>(sweep(addresses));
        flows.add(upload(DROP_IP, 90L << 20)); // an upload hidden in the sweep
        flows.add(trackerConnection(TRACKER_IP));
        Collections.shuffle(flows, new Random(7));
        JobContacts contacts = contactsOf(flows);

        assertThat(contacts.remotes).hasSize(JobContacts.MAX_REMOTES).containsKeys(DROP_IP, TRACKER_IP);
        assertThat(contacts.flows()).isEqualTo(addresses + 2);
        JobContacts.Split split = contacts.split(WINDOW_START, WINDOW_END);
        assertThat(split.ask()).extracting(d -> d.remoteIp).containsExactlyInAnyOrder(DROP_IP, TRACKER_IP);

        Map<String, Double> f = features(window(contacts));
        assertThat(Math.expm1(f.get(FAILED_HOSTS))).isCloseTo(addresses, within(0.1 * addresses));
        assertThat(Math.expm1(f.get(FAILED_HOSTS_ONE_PORT))).isCloseTo(addresses, within(0.1 * addresses));
        assertThat(Math.expm1(f.get(EXTERNAL_HOSTS))).isCloseTo(addresses, within(0.1 * addresses));
        assertThat(f.get(FAILED_ATTEMPT_RATIO)).isGreaterThan(0.99);
        // the upload and the tracker's connection are whole, and rare (nobody else here talks to them)
        long rareOut = (90L << 20) + trackerConnection(TRACKER_IP).bytesOut;
        assertThat(Math.expm1(f.get(RARE_EXTERNAL_BYTES_OUT))).isCloseTo(rareOut, within(1.0));
        assertThat(Math.expm1(f.get(RARE_EXTERNAL_HOSTS))).isCloseTo(2, within(1e-6));
        assertThat(Math.expm1(f.get(EXTERNAL_BYTES_OUT))).isCloseTo(rareOut, within(1.0));
    }

    @Test
    void whatItHoldsDoesNotGrowWithTheSweep() {
        JobContacts small = contactsOf(sweep(2_000));
        JobContacts large = contactsOf(sweep(20_000));

        assertThat(large.remotes).hasSameSizeAs(small.remotes).hasSize(JobContacts.MAX_REMOTES);
        assertThat(large.tail.failedHosts.registers).hasSameSizeAs(small.tail.failedHosts.registers);
        assertThat(large.tail.tailExternalHosts.registers).hasSize(DistinctCounter.REGISTERS);
        assertThat(large.tail.contacts).isEmpty();
        assertThat(large.tail.scanPorts).hasSize(1);
        assertThat(large.split(WINDOW_START, WINDOW_END).ask()).isEmpty();
    }

    @Test
    void mergingPartsPastTheCapKeepsTheCap() {
        JobContacts merged = new JobContacts();
        for (int part = 0; part < 4; part++) {
            JobContacts p = new JobContacts();
            for (int i = part; i < 8_000; i += 4) {
                p.add(probe(i));
            }
            merged.merge(p);
        }
        assertThat(merged.remotes).hasSize(JobContacts.MAX_REMOTES);
        assertThat(merged.flows()).isEqualTo(8_000);
        assertThat(Math.expm1(features(window(merged)).get(FAILED_HOSTS))).isCloseTo(8_000, within(800.0));
    }

    @Test
    void refusesAnotherJobsFlow() {
        JobContacts c = contactsOf(List.of(tunnel(TUNNEL_IP, 22)));
        JobFlow other = tunnel(TUNNEL_IP, 22);
        other.jobId = "another-job";
        assertThatThrownBy(() -> c.add(other)).isInstanceOf(IllegalArgumentException.class);
    }
}
