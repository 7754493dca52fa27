package io.vigil.pipeline.detect;

import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Flow;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;

/**
 * Telemetry of training jobs written minute by minute, for tests that need more minutes than
 * {@link Scenario}'s story: each job's four GPUs sampled every 10 s, its dataset reads from internal
 * storage, the fleet's experiment tracker, and, in the minutes asked for, a scan of the internal network
 * as in the story (many hosts and service ports, mostly unanswered, and the cloud metadata service).
 * Minutes count from {@link Scenario#BEGINNING}.
 */
final class Telemetry {
    /** One training job: its pod's address and node. */
    record Job(String id, String ip, String node) {}

    final List<Flow> flows = new ArrayList<>();
    final List<GpuSample> samples = new ArrayList<>();
    final List<Assignment> assignments = new ArrayList<>();
    private int scannedHosts;

    void start(Job job, int minute) {
        start(job, Scenario.at(minute, 0));
    }

    void start(Job job, Instant at) {
        assignments.add(Scenario.assignment(AssignmentEvent.START, job.id(), job.ip(), job.node(), at));
    }

    void stop(Job job, int minute) {
        assignments.add(
                Scenario.assignment(AssignmentEvent.STOP, job.id(), job.ip(), job.node(), Scenario.at(minute, 0)));
    }

    void minute(Job job, int minute, boolean scanning) {
        for (int tick = 0; tick < 6; tick++) {
            Instant at = Scenario.at(minute, tick * 10);
            for (int gpu = 0; gpu < 4; gpu++) {
                samples.add(GpuSample.newBuilder()
                        .setTs(at)
                        .setNode(job.node())
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
                        .build());
            }
            flows.add(Scenario.flow(
                    job.ip(),
                    Scenario.STORAGE_IP,
                    443,
                    Scenario.at(minute, tick * 10 + 9),
                    at,
                    40_000,
                    90_000_000,
                    "SF"));
            if (scanning) {
                Instant probe = Scenario.at(minute, tick * 10 + 5);
                for (int i = 0; i < 10; i++, scannedHosts++) {
                    String dst = "10.0." + (50 + scannedHosts / 250 % 150) + "." + (1 + scannedHosts % 250);
                    boolean answered = scannedHosts % 7 == 0;
                    flows.add(Scenario.flow(
                            job.ip(),
                            dst,
                            Scenario.SERVICE_PORTS[scannedHosts % Scenario.SERVICE_PORTS.length],
                            probe,
                            probe.minusMillis(300),
                            answered ? 300 : 0,
                            answered ? 120 : 0,
                            answered ? "REJ" : "S0"));
                }
            }
        }
        if (scanning) {
            flows.add(Scenario.flow(
                    job.ip(),
                    Scenario.METADATA_IP,
                    80,
                    Scenario.at(minute, 30),
                    Scenario.at(minute, 29),
                    200,
                    1_500,
                    "SF"));
        }
        // one long-lived HTTPS connection to the tracker, re-reported every minute
        flows.add(Scenario.flow(
                job.ip(), Scenario.TRACKER_IP, 443, Scenario.at(minute, 59), Scenario.BEGINNING, 52_000, 9_000, "S1"));
    }

    /** The records so far in time order, and forgets them: what one phase of a test sends. */
    Telemetry drained() {
        Telemetry phase = new Telemetry();
        phase.flows.addAll(sorted(flows, Flow::getTs));
        phase.samples.addAll(sorted(samples, GpuSample::getTs));
        phase.assignments.addAll(sorted(assignments, Assignment::getTs));
        flows.clear();
        samples.clear();
        assignments.clear();
        return phase;
    }

    /** Writes the records as a dataset directory of JSON lines. */
    Path writeDataset(Path dir) throws IOException {
        Files.createDirectories(dir);
        write(dir.resolve("flows.jsonl"), RecordType.FLOW, sorted(flows, Flow::getTs));
        write(dir.resolve("gpu.jsonl"), RecordType.GPU, sorted(samples, GpuSample::getTs));
        write(dir.resolve("assignments.jsonl"), RecordType.ASSIGNMENT, sorted(assignments, Assignment::getTs));
        return dir;
    }

    private static <T> List<T> sorted(List<T> records, Function<T, Instant> time) {
        List<T> copy = new ArrayList<>(records);
        copy.sort(Comparator.comparing(time));
        return copy;
    }

    private static <T extends SpecificRecord> void write(Path file, RecordType<T> type, List<T> records)
            throws IOException {
        JsonRecordCodec<T> codec = JsonRecordCodec.of(type);
        Files.write(file, records.stream().map(codec::encode).toList());
    }
}
