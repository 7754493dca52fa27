package io.vigil.pipeline.detect;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.models.eval.Label;
import io.vigil.models.eval.Labels;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Category;
import io.vigil.records.Flow;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import io.vigil.records.IncidentState;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * A small, fully known cluster story for pipeline tests: two training jobs for six minutes; during
 * minutes 2 and 3 the second one probes the internal network (many hosts and service ports, mostly
 * unanswered, plus the cloud metadata service). Both talk to a fleet-wide experiment tracker. Its ground
 * truth ({@link #labels()}, written as labels.json) is that probing interval, category NETWORK_SCAN.
 */
public final class Scenario {
    static final Instant BEGINNING = Instant.parse("2026-02-14T03:00:00Z");
    public static final Duration WINDOW = Duration.ofMinutes(1);
    static final int MINUTES = 6;
    public static final String TRAINER = "job-trainer";
    public static final String PROBER = "job-prober";
    /** The incident's name in labels.json. */
    public static final String INCIDENT = "probe";

    static final String TRAINER_IP = "10.0.1.1";
    static final String PROBER_IP = "10.0.2.1";
    static final String STORAGE_IP = "10.9.0.20";
    static final String TRACKER_IP = "198.51.100.10";
    static final String METADATA_IP = "169.254.169.254";
    static final int SCAN_FROM_MINUTE = 2;
    static final int SCAN_TO_MINUTE = 4; // exclusive
    static final int[] SERVICE_PORTS = {22, 80, 443, 2379, 3306, 5432, 6379, 8080, 9200, 27017};

    final List<Flow> flows = new ArrayList<>();
    final List<GpuSample> samples = new ArrayList<>();
    final List<Assignment> assignments = new ArrayList<>();
    /** The probing job's id: {@link #PROBER}, or another (a test of how ids from data are shown). */
    public final String prober;

    public Scenario() {
        this(PROBER);
    }

    public Scenario(String proberJobId) {
        this.prober = proberJobId;
        job(TRAINER, TRAINER_IP, "node-1");
        job(prober, PROBER_IP, "node-2");
        int host = 0;
        for (int minute = SCAN_FROM_MINUTE; minute < SCAN_TO_MINUTE; minute++) {
            for (int tick = 0; tick < 6; tick++) {
                Instant at = at(minute, tick * 10 + 5);
                for (int i = 0; i < 10; i++, host++) {
                    String dst = "10.0." + (50 + host / 250) + "." + (1 + host % 250);
                    boolean answered = host % 7 == 0;
                    flows.add(flow(
                            PROBER_IP,
                            dst,
                            SERVICE_PORTS[host % SERVICE_PORTS.length],
                            at,
                            at.minusMillis(300),
                            answered ? 300 : 0,
                            answered ? 120 : 0,
                            answered ? "REJ" : "S0"));
                }
            }
            flows.add(flow(PROBER_IP, METADATA_IP, 80, at(minute, 30), at(minute, 29), 200, 1_500, "SF"));
        }
        flows.sort(Comparator.comparing(Flow::getTs));
        samples.sort(Comparator.comparing(GpuSample::getTs));
        assignments.sort(Comparator.comparing(Assignment::getTs));
    }

    private void job(String job, String ip, String node) {
        assignments.add(assignment(AssignmentEvent.START, job, ip, node, BEGINNING));
        assignments.add(assignment(AssignmentEvent.STOP, job, ip, node, at(MINUTES, 0)));
        for (int minute = 0; minute < MINUTES; minute++) {
            for (int tick = 0; tick < 6; tick++) {
                Instant at = at(minute, tick * 10);
                for (int gpu = 0; gpu < 4; gpu++) {
                    samples.add(GpuSample.newBuilder()
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
                            .build());
                }
                // dataset reads from internal storage
                flows.add(flow(
                        ip,
                        STORAGE_IP,
                        443,
                        at(minute, tick * 10 + 9),
                        at(minute, tick * 10),
                        40_000,
                        90_000_000,
                        "SF"));
            }
            // the experiment tracker: one long-lived HTTPS connection, re-reported every minute
            flows.add(flow(ip, TRACKER_IP, 443, at(minute, 59), BEGINNING, 52_000, 9_000, "S1"));
        }
    }

    /** The story's flows, in time order. */
    public List<Flow> flows() {
        return flows;
    }

    /** The story's GPU samples, in time order. */
    public List<GpuSample> samples() {
        return samples;
    }

    /** The scheduler's STARTs and STOPs, in time order. */
    public List<Assignment> assignments() {
        return assignments;
    }

    static Instant at(int minute, int second) {
        return BEGINNING.plus(WINDOW.multipliedBy(minute)).plusSeconds(second);
    }

    static Flow flow(String src, String dst, int port, Instant ts, Instant start, long out, long in, String state) {
        return Flow.newBuilder()
                .setTs(ts)
                .setStartTs(start)
                .setNode("node-x")
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
    }

    static Assignment assignment(AssignmentEvent event, String job, String ip, String node, Instant at) {
        return Assignment.newBuilder()
                .setTs(at)
                .setEvent(event)
                .setJobId(job)
                .setNode(node)
                .setPod(job + "-0")
                .setIp(ip)
                .setGpus(List.of(0, 1, 2, 3))
                .setLabels(null)
                .build();
    }

    /** Windows [start, end) of the probing job that must alert, as epoch ms starts. */
    public static List<Long> probingWindowStarts() {
        List<Long> starts = new ArrayList<>();
        for (int minute = SCAN_FROM_MINUTE; minute < SCAN_TO_MINUTE; minute++) {
            starts.add(at(minute, 0).toEpochMilli());
        }
        return starts;
    }

    /**
     * The prober's incident as the alert topic tells it: OPEN at its first probing window, CLOSE when the job
     * stops (at the end of the window its STOP falls in, [6, 7): before its quiet windows would close it).
     */
    public static List<String> incidentAlertIds() {
        long first = probingWindowStarts().get(0);
        return List.of(
                Alerts.transitionId(PROBER, first, IncidentState.OPEN, first + WINDOW.toMillis()),
                Alerts.transitionId(
                        PROBER, first, IncidentState.CLOSE, at(MINUTES + 1, 0).toEpochMilli()));
    }

    /** The ground truth: the probing job scanned the network from minute 2 to minute 4. */
    public List<Label> labels() {
        return List.of(new Label(
                INCIDENT,
                prober,
                Category.NETWORK_SCAN,
                at(SCAN_FROM_MINUTE, 0).toEpochMilli(),
                at(SCAN_TO_MINUTE, 0).toEpochMilli()));
    }

    /** Writes the story as a dataset directory (gzip JSON lines), with {@code badFlowLines} in the middle of flows. */
    public Path writeDataset(Path dir, List<String> badFlowLines) throws IOException {
        return writeDataset(dir, flows, badFlowLines, List.of());
    }

    /** Writes the story with the given flows in file order, bad lines in the middle and {@code lastFlows} at the end. */
    Path writeDataset(Path dir, List<Flow> flowsInFileOrder, List<String> badFlowLines, List<Flow> lastFlows)
            throws IOException {
        Files.createDirectories(dir);
        try (Writer w = gzipWriter(dir.resolve("flows.jsonl.gz"))) {
            JsonRecordCodec<Flow> codec = JsonRecordCodec.of(RecordType.FLOW);
            for (int i = 0; i < flowsInFileOrder.size(); i++) {
                w.write(codec.encode(flowsInFileOrder.get(i)));
                w.write('\n');
                if (i == flowsInFileOrder.size() / 2) {
                    for (String bad : badFlowLines) {
                        w.write(bad);
                        w.write('\n');
                    }
                }
            }
            for (Flow f : lastFlows) {
                w.write(codec.encode(f));
                w.write('\n');
            }
        }
        try (Writer w = gzipWriter(dir.resolve("gpu.jsonl.gz"))) {
            JsonRecordCodec<GpuSample> codec = JsonRecordCodec.of(RecordType.GPU);
            for (GpuSample s : samples) {
                w.write(codec.encode(s));
                w.write('\n');
            }
        }
        Files.writeString(
                dir.resolve("assignments.jsonl"),
                String.join(
                                "\n",
                                assignments.stream()
                                        .map(JsonRecordCodec.of(RecordType.ASSIGNMENT)::encode)
                                        .toList()) + "\n");
        writeLabels(dir);
        return dir;
    }

    /** Writes the story as a dataset of Avro object container files (deflate), with its labels. */
    public Path writeAvroDataset(Path dir) throws IOException {
        Files.createDirectories(dir);
        writeAvro(dir.resolve("flows.avro"), RecordType.FLOW, flows);
        writeAvro(dir.resolve("gpu.avro"), RecordType.GPU, samples);
        writeAvro(dir.resolve("assignments.avro"), RecordType.ASSIGNMENT, assignments);
        writeLabels(dir);
        return dir;
    }

    /** labels.json, as a person would write it. */
    public void writeLabels(Path dir) throws IOException {
        StringBuilder json = new StringBuilder("[\n");
        List<Label> labels = labels();
        for (int i = 0; i < labels.size(); i++) {
            Label l = labels.get(i);
            json.append(String.format(
                    "  {\"incident\": %s, \"job_id\": %s, \"category\": \"%s\", \"start_ts\": %d, \"end_ts\": %d}%s%n",
                    quote(l.incident()),
                    quote(l.jobId()),
                    l.category(),
                    l.startTs(),
                    l.endTs(),
                    i < labels.size() - 1 ? "," : ""));
        }
        Files.writeString(dir.resolve(Labels.FILE_NAME), json.append("]\n").toString());
    }

    /** A JSON string, whatever the id holds (a test of hostile ids puts control characters in one). */
    private static String quote(String s) throws IOException {
        return new ObjectMapper().writeValueAsString(s);
    }

    private static <T extends SpecificRecord> void writeAvro(Path file, RecordType<T> type, List<T> records)
            throws IOException {
        try (DataFileWriter<T> w = new DataFileWriter<>(new SpecificDatumWriter<>(type.recordClass()))) {
            w.setCodec(CodecFactory.deflateCodec(6));
            w.create(type.schema(), file.toFile());
            for (T r : records) {
                w.append(r);
            }
        }
    }

    private static Writer gzipWriter(Path file) throws IOException {
        OutputStream out = new GZIPOutputStream(Files.newOutputStream(file));
        return new OutputStreamWriter(out, StandardCharsets.UTF_8);
    }
}
