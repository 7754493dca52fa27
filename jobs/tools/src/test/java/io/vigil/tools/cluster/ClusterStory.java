package io.vigil.tools.cluster;

import io.vigil.pipeline.detect.Alerts;
import io.vigil.records.AgentEvent;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Flow;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import io.vigil.records.IncidentState;
import io.vigil.settings.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * A longer cluster story than the pipeline tests' {@code Scenario}, built the same way, for streaming
 * through a real cluster while it fails: two training jobs, told minute by minute for as long as the test
 * needs; in some minutes (scans) the second one probes the internal network (many hosts and service ports,
 * mostly unanswered, plus the cloud metadata service), each started by a tool call of the agent's episode (an
 * nmap, reported on the agent-events topic). Each scan is one incident: it opens, and closes after its
 * quiet windows (fewer than the quiet minutes between scans: two alerts per scan). Which minutes scan is decided
 * while the story is told ({@link #minute(boolean)}), so that a test can hold the next incident back until
 * the failure before it has been dealt with; the quiet minutes between them leave room for a failure to
 * land between alerts. Not thread-safe: one thread tells the story, others read it once it has ended.
 */
final class ClusterStory {
    static final Instant BEGINNING = Instant.parse("2026-02-14T03:00:00Z");
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final String TRAINER = "job-trainer";
    static final String PROBER = "job-prober";
    static final String TRAINER_IP = "10.0.1.1";
    static final String PROBER_IP = "10.0.2.1";
    static final String TRAINER_NODE = "node-1";
    static final String PROBER_NODE = "node-2";
    static final String STORAGE_IP = "10.9.0.20";
    static final String TRACKER_IP = "198.51.100.10";
    static final String METADATA_IP = "169.254.169.254";
    static final int[] SERVICE_PORTS = {22, 80, 443, 2379, 3306, 5432, 6379, 8080, 9200, 27017};
    /** Hosts one scan probes (6 ticks of 10); each scan probes new ones. */
    static final int HOSTS_PER_SCAN = 60;

    /** One record, the topic it goes to, its event time and key (the node that reported it). */
    record Timed(Topic topic, SpecificRecord record, long ts, String node, int order) {}

    private final List<Integer> scanMinutes = new ArrayList<>();
    private int minutes;
    private boolean ended;

    /** The scheduler starts both jobs at the beginning. */
    List<Timed> beginning() {
        List<Timed> records = new ArrayList<>();
        assignment(records, AssignmentEvent.START, TRAINER, TRAINER_IP, TRAINER_NODE, BEGINNING);
        assignment(records, AssignmentEvent.START, PROBER, PROBER_IP, PROBER_NODE, BEGINNING);
        return records;
    }

    /** The next minute of both jobs, event-time ordered; with {@code scan}, the prober probes the network in it. */
    List<Timed> minute(boolean scan) {
        if (ended) {
            throw new IllegalStateException("the story has ended");
        }
        int minute = minutes++;
        List<Timed> records = new ArrayList<>();
        job(records, minute, TRAINER_IP, TRAINER_NODE);
        job(records, minute, PROBER_IP, PROBER_NODE);
        if (scan) {
            int host = scanMinutes.size() * HOSTS_PER_SCAN;
            scanMinutes.add(minute);
            for (int tick = 0; tick < 6; tick++) {
                Instant at = at(minute, tick * 10 + 5);
                for (int i = 0; i < 10; i++, host++) {
                    String dst = "10.0." + (50 + host / 250) + "." + (1 + host % 250);
                    boolean answered = host % 7 == 0;
                    flow(
                            records,
                            PROBER_IP,
                            dst,
                            SERVICE_PORTS[host % SERVICE_PORTS.length],
                            at,
                            at.minusMillis(300),
                            answered ? 300 : 0,
                            answered ? 120 : 0,
                            answered ? "REJ" : "S0",
                            PROBER_NODE);
                }
            }
            flow(records, PROBER_IP, METADATA_IP, 80, at(minute, 30), at(minute, 29), 200, 1_500, "SF", PROBER_NODE);
            AgentEvent call = AgentEvent.newBuilder()
                    .setTs(at(minute, 4))
                    .setStartTs(at(minute, 3))
                    .setJobId(PROBER)
                    .setEpisodeId(episode(scanMinutes.size() - 1))
                    .setStep(7L)
                    .setRolloutWorker(PROBER + "-0")
                    .setNode(PROBER_NODE)
                    .setTool("bash")
                    .setCommand("nmap -sS -p 22,80,443 10.0.50.0/24")
                    .setExitCode(0)
                    .setSandbox(null)
                    .build();
            records.add(new Timed(Topic.AGENT_EVENTS, call, call.getTs().toEpochMilli(), PROBER_NODE, 1));
        }
        // event-time order; at equal times assignments first (a job's START precedes its first flow)
        records.sort(Comparator.comparingLong(Timed::ts).thenComparingInt(Timed::order));
        return records;
    }

    /** The scheduler stops both jobs at the end of the last minute told; the story is over. */
    List<Timed> end() {
        ended = true;
        Instant stop = at(minutes, 0);
        List<Timed> records = new ArrayList<>();
        assignment(records, AssignmentEvent.STOP, TRAINER, TRAINER_IP, TRAINER_NODE, stop);
        assignment(records, AssignmentEvent.STOP, PROBER, PROBER_IP, PROBER_NODE, stop);
        return records;
    }

    /** Minutes told so far. */
    int minutes() {
        return minutes;
    }

    /** Scans told so far. */
    int scans() {
        return scanMinutes.size();
    }

    private void job(List<Timed> records, int minute, String ip, String node) {
        for (int tick = 0; tick < 6; tick++) {
            Instant at = at(minute, tick * 10);
            for (int gpu = 0; gpu < 4; gpu++) {
                GpuSample s = GpuSample.newBuilder()
                        .setTs(at)
                        .setNode(node)
                        .setGpu(gpu)
                        .setGpuUuid(null)
                        .setUtil(93 + gpu)
                        .setSmActive(0.82)
                        .setTensorActive(0.55)
                        .setDramActive(0.41)
                        .setFbUsedMib(61_000L)
                        .setPowerW(610.0)
                        .setTempC(66.0)
                        .setSmClockMhz(1_980)
                        .setProcesses(List.of(new GpuProcess(4242L, "python", 60_000L)))
                        .build();
                records.add(new Timed(Topic.GPU, s, at.toEpochMilli(), node, 2));
            }
            // dataset reads from internal storage
            flow(
                    records,
                    ip,
                    STORAGE_IP,
                    443,
                    at(minute, tick * 10 + 9),
                    at(minute, tick * 10),
                    40_000,
                    90_000_000,
                    "SF",
                    node);
        }
        // the experiment tracker: one long-lived HTTPS connection, re-reported every minute
        flow(records, ip, TRACKER_IP, 443, at(minute, 59), BEGINNING, 52_000, 9_000, "S1", node);
    }

    private static void flow(
            List<Timed> records,
            String src,
            String dst,
            int port,
            Instant ts,
            Instant start,
            long out,
            long in,
            String state,
            String node) {
        Flow f = Flow.newBuilder()
                .setTs(ts)
                .setStartTs(start)
                .setNode(node)
                .setJobId(null)
                .setSrcIp(src)
                .setDstIp(dst)
                .setSrcPort(40_000 + port % 1000)
                .setDstPort(port)
                .setProtocol("TCP")
                .setOrigBytes(out)
                .setRespBytes(in)
                .setOrigPkts(Math.max(1, out / 1400))
                .setRespPkts(in / 1400)
                .setConnState(state)
                .build();
        records.add(new Timed(Topic.FLOWS, f, ts.toEpochMilli(), node, 1));
    }

    private static void assignment(
            List<Timed> records, AssignmentEvent event, String job, String ip, String node, Instant at) {
        Assignment a = Assignment.newBuilder()
                .setTs(at)
                .setEvent(event)
                .setJobId(job)
                .setNode(node)
                .setPod(job + "-0")
                .setIp(ip)
                .setGpus(List.of(0, 1, 2, 3))
                .setLabels(null)
                .build();
        records.add(new Timed(Topic.ASSIGNMENTS, a, at.toEpochMilli(), node, 0));
    }

    static Instant at(int minute, int second) {
        return BEGINNING.plus(WINDOW.multipliedBy(minute)).plusSeconds(second);
    }

    /**
     * The alert ids the story told must give: per scan, the prober's incident opening at the end of the scan's
     * window and closing {@code quietWindows} windows later (no fewer quiet minutes before the next scan).
     */
    Set<String> expectedAlertIds(int quietWindows) {
        Set<String> ids = new LinkedHashSet<>();
        for (int minute : scanMinutes) {
            long start = at(minute, 0).toEpochMilli();
            ids.add(Alerts.transitionId(
                    PROBER, start, IncidentState.OPEN, at(minute + 1, 0).toEpochMilli()));
            ids.add(Alerts.transitionId(
                    PROBER,
                    start,
                    IncidentState.CLOSE,
                    at(minute + 1 + quietWindows, 0).toEpochMilli()));
        }
        return ids;
    }

    /** The episode whose tool call started the {@code n}-th scan (from 0). */
    static String episode(int n) {
        return "episode-" + n;
    }

    /** The episode flags the story told must give: per scan, its incident naming the scan's episode, once. */
    Set<String> expectedFlagIds() {
        Set<String> ids = new LinkedHashSet<>();
        for (int n = 0; n < scanMinutes.size(); n++) {
            String incident =
                    Alerts.incidentId(PROBER, at(scanMinutes.get(n), 0).toEpochMilli());
            ids.add(Alerts.flagId(incident, episode(n)));
        }
        return ids;
    }

    /** Every (job, window start) the story told must have scored: both jobs, every minute. */
    Set<String> expectedWindows() {
        Set<String> keys = new LinkedHashSet<>();
        for (String job : List.of(TRAINER, PROBER)) {
            for (int minute = 0; minute < minutes; minute++) {
                keys.add(job + "@" + at(minute, 0).toEpochMilli());
            }
        }
        return keys;
    }
}
