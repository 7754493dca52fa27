package io.vigil.tools.cluster;

import io.vigil.settings.Topic;
import io.vigil.pipeline.detect.Alerts;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Flow;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
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
 * through a real cluster while it fails: two training jobs for {@code minutes}; in each of the
 * {@code scanMinutes} the second one probes the internal network (many hosts and service ports, mostly
 * unanswered, plus the cloud metadata service). Each probing minute is one alert; the quiet minutes
 * between them leave room for a failure to land between alerts.
 */
final class ClusterStory {
    static final Instant BEGINNING = Instant.parse("2026-02-14T03:00:00Z");
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final String TRAINER = "job-trainer";
    static final String PROBER = "job-prober";
    static final String TRAINER_IP = "10.0.1.1";
    static final String PROBER_IP = "10.0.2.1";
    static final String STORAGE_IP = "10.9.0.20";
    static final String TRACKER_IP = "198.51.100.10";
    static final String METADATA_IP = "169.254.169.254";
    static final int[] SERVICE_PORTS = {22, 80, 443, 2379, 3306, 5432, 6379, 8080, 9200, 27017};

    /** One record, the topic it goes to, its event time and key (the node that reported it). */
    record Timed(Topic topic, SpecificRecord record, long ts, String node, int order) {}

    final int minutes;
    final List<Integer> scanMinutes;
    final List<Timed> records = new ArrayList<>();

    ClusterStory(int minutes, Integer... scanMinutes) {
        this.minutes = minutes;
        this.scanMinutes = List.of(scanMinutes);
        job(TRAINER, TRAINER_IP, "node-1");
        job(PROBER, PROBER_IP, "node-2");
        int host = 0;
        for (int minute : this.scanMinutes) {
            for (int tick = 0; tick < 6; tick++) {
                Instant at = at(minute, tick * 10 + 5);
                for (int i = 0; i < 10; i++, host++) {
                    String dst = "10.0." + (50 + host / 250) + "." + (1 + host % 250);
                    boolean answered = host % 7 == 0;
                    flow(PROBER_IP, dst, SERVICE_PORTS[host % SERVICE_PORTS.length], at, at.minusMillis(300),
                            answered ? 300 : 0, answered ? 120 : 0, answered ? "REJ" : "S0", "node-2");
                }
            }
            flow(PROBER_IP, METADATA_IP, 80, at(minute, 30), at(minute, 29), 200, 1_500, "SF", "node-2");
        }
        // event-time order; at equal times assignments first (a job's START precedes its first flow)
        records.sort(Comparator.comparingLong(Timed::ts).thenComparingInt(Timed::order));
    }

    private void job(String job, String ip, String node) {
        records.add(new Timed(Topic.ASSIGNMENTS, assignment(AssignmentEvent.START, job, ip, node, BEGINNING), BEGINNING.toEpochMilli(), node, 0));
        Instant stop = at(minutes, 0);
        records.add(new Timed(Topic.ASSIGNMENTS, assignment(AssignmentEvent.STOP, job, ip, node, stop), stop.toEpochMilli(), node, 0));
        for (int minute = 0; minute < minutes; minute++) {
            for (int tick = 0; tick < 6; tick++) {
                Instant at = at(minute, tick * 10);
                for (int gpu = 0; gpu < 4; gpu++) {
                    GpuSample s = GpuSample.newBuilder().setTs(at).setNode(node).setGpu(gpu).setGpuUuid(null)
                            .setUtil(93 + gpu).setSmActive(0.82).setTensorActive(0.55).setDramActive(0.41)
                            .setFbUsedMib(61_000L).setPowerW(610.0).setTempC(66.0).setSmClockMhz(1_980)
                            .setProcesses(List.of(new GpuProcess(4242L, "python", 60_000L)))
                            .build();
                    records.add(new Timed(Topic.GPU, s, at.toEpochMilli(), node, 2));
                }
                // dataset reads from internal storage
                flow(ip, STORAGE_IP, 443, at(minute, tick * 10 + 9), at(minute, tick * 10), 40_000, 90_000_000, "SF", node);
            }
            // the experiment tracker: one long-lived HTTPS connection, re-reported every minute
            flow(ip, TRACKER_IP, 443, at(minute, 59), BEGINNING, 52_000, 9_000, "S1", node);
        }
    }

    private void flow(String src, String dst, int port, Instant ts, Instant start, long out, long in, String state, String node) {
        Flow f = Flow.newBuilder().setTs(ts).setStartTs(start).setNode(node).setJobId(null)
                .setSrcIp(src).setDstIp(dst).setSrcPort(40_000 + port % 1000).setDstPort(port).setProtocol("TCP")
                .setOrigBytes(out).setRespBytes(in).setOrigPkts(Math.max(1, out / 1400)).setRespPkts(in / 1400)
                .setConnState(state).build();
        records.add(new Timed(Topic.FLOWS, f, ts.toEpochMilli(), node, 1));
    }

    private static Assignment assignment(AssignmentEvent event, String job, String ip, String node, Instant at) {
        return Assignment.newBuilder().setTs(at).setEvent(event).setJobId(job).setNode(node).setPod(job + "-0")
                .setIp(ip).setGpus(List.of(0, 1, 2, 3)).setLabels(null).build();
    }

    static Instant at(int minute, int second) {
        return BEGINNING.plus(WINDOW.multipliedBy(minute)).plusSeconds(second);
    }

    long firstTs() {
        return records.get(0).ts();
    }

    long lastTs() {
        return records.get(records.size() - 1).ts();
    }

    /** The alert ids the story must give: one per probing minute, for the prober. */
    Set<String> expectedAlertIds(String modelVersion) {
        Set<String> ids = new LinkedHashSet<>();
        for (int minute : scanMinutes) {
            long start = at(minute, 0).toEpochMilli();
            ids.add(Alerts.alertId(PROBER, start, start + WINDOW.toMillis(), modelVersion));
        }
        return ids;
    }

    /** Every (job, window start) that must be scored: both jobs, every minute. */
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
