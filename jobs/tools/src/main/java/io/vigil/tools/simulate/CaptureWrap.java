package io.vigil.tools.simulate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.models.features.NetworkScope;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonEscapes;
import io.vigil.records.json.JsonRecordCodec;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * {@code vigil wrap-capture}: a real Zeek conn.log folded into a Vigil dataset. Real internal hosts with the
 * most sustained traffic become training jobs' pods (one job per host, holding the eight GPUs of a node of
 * its own); the scheduler's START and STOP bracket the capture; each node's GPUs report a steady, benign
 * training load through the simulator's device model; the flows stay the original conn.log, byte for byte
 * (gzip); {@code labels.json} comes from the capture's protocol facts ({@link CaptureLabels}), and
 * {@code source.json} says the dataset is real and which {@code --flow-format} reads it. Deterministic:
 * the same conn.log, hosts and seed give the same bytes.
 */
public final class CaptureWrap {
    /** The file a dataset says where it comes from in (what {@code vigil evaluate} reads). */
    public static final String SOURCE_FILE = "source.json";
    /** How long before the first connection the jobs start, and after the last one they stop. */
    static final long MARGIN_MS = 60_000;

    static final int GPUS = Node.GPUS;
    /** Frame buffer the training process holds on each GPU, MiB (an 80 GB part, most of it in use). */
    static final long TRAINING_FB_MIB = 62_000;

    /**
     * What to fold.
     *
     * @param format {@link ConnLog#TSV}, {@link ConnLog#JSON}, or null to tell from the file
     * @param hosts the pods' addresses, or empty to choose {@code hostCount} by traffic
     * @param origin where the capture comes from, for the README and source.json (free text)
     * @param license the capture's licence and attribution (free text)
     * @param command the exact command that made the dataset, for the README
     */
    public record Request(
            Path connLog,
            String format,
            Path out,
            List<String> hosts,
            int hostCount,
            long seed,
            int sampleIntervalSeconds,
            String origin,
            String license,
            String command) {
        public Request {
            hosts = List.copyOf(hosts);
            if (hostCount < 1) {
                throw new IllegalArgumentException("--host-count must be at least 1, not " + hostCount);
            }
            if (sampleIntervalSeconds < 1 || sampleIntervalSeconds > 3600) {
                throw new IllegalArgumentException("--sample-interval-s must be 1..3600, not " + sampleIntervalSeconds);
            }
        }
    }

    /** One host's traffic: minutes with any connection of it, connections it originated and answered. */
    public record HostTraffic(String ip, int activeMinutes, int originated, int answered) {}

    /** A host that plays a job's pod. */
    public record JobHost(HostTraffic traffic, String jobId, String node, String pod) {}

    /** What was written. */
    public record Result(
            String format,
            int connections,
            int skippedLines,
            long firstTs,
            long lastTs,
            List<JobHost> hosts,
            List<CaptureLabels.Finding> labels,
            long samples) {}

    private CaptureWrap() {}

    /**
     * The internal hosts of a capture by how sustained their traffic is: minutes with any connection first,
     * then connections originated, then address. Only hosts that originated something are candidates (a
     * broadcast or multicast address only ever answers), and never the unspecified address.
     */
    public static List<HostTraffic> rankHosts(List<ConnLog.Row> rows, NetworkScope scope) {
        Map<String, Set<Long>> minutes = new HashMap<>();
        Map<String, int[]> counts = new HashMap<>();
        for (ConnLog.Row r : rows) {
            for (String h : new String[] {r.origH(), r.respH()}) {
                for (long m = r.start() / 60_000; m <= r.end() / 60_000; m++) {
                    minutes.computeIfAbsent(h, k -> new HashSet<>()).add(m);
                }
            }
            counts.computeIfAbsent(r.origH(), k -> new int[2])[0]++;
            counts.computeIfAbsent(r.respH(), k -> new int[2])[1]++;
        }
        List<HostTraffic> ranked = new ArrayList<>();
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            String ip = e.getKey();
            if (e.getValue()[0] == 0 || !scope.isInternal(ip) || ip.equals("0.0.0.0") || ip.equals("::")) {
                continue;
            }
            ranked.add(new HostTraffic(ip, minutes.get(ip).size(), e.getValue()[0], e.getValue()[1]));
        }
        ranked.sort(Comparator.comparingInt(HostTraffic::activeMinutes)
                .reversed()
                .thenComparing(Comparator.comparingInt(HostTraffic::originated).reversed())
                .thenComparing(HostTraffic::ip));
        return List.copyOf(ranked);
    }

    /** Folds the capture into {@code request.out()} (which must exist and be empty, or be overwritable). */
    public static Result run(Request request) throws IOException {
        String format = request.format() != null ? request.format() : ConnLog.sniff(request.connLog());
        List<String> text = lines(request.connLog());
        ConnLog.Read read = ConnLog.parse(text, format);
        if (read.rows().isEmpty()) {
            throw new IllegalArgumentException(request.connLog() + ": no connection read as " + format
                    + (read.skipped() > 0
                            ? " (" + read.skipped() + " lines were not connections: is it the other Zeek format?)"
                            : ""));
        }
        NetworkScope scope = NetworkScope.defaults();
        List<HostTraffic> ranked = rankHosts(read.rows(), scope);
        List<HostTraffic> chosen = new ArrayList<>();
        if (request.hosts().isEmpty()) {
            chosen.addAll(ranked.subList(0, Math.min(request.hostCount(), ranked.size())));
        } else {
            for (String h : request.hosts()) {
                HostTraffic t = ranked.stream()
                        .filter(x -> x.ip().equals(h))
                        .findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("host " + h
                                + " is not an internal address that originated a connection in " + request.connLog()));
                chosen.add(t);
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException(request.connLog() + ": no internal host originated a connection");
        }
        long first = read.rows().stream().mapToLong(ConnLog.Row::start).min().orElseThrow();
        long last = read.rows().stream().mapToLong(ConnLog.Row::end).max().orElseThrow();
        long start = first - MARGIN_MS;
        long stop = last + MARGIN_MS;

        List<JobHost> jobs = new ArrayList<>();
        Map<String, String> jobsByHost = new LinkedHashMap<>();
        for (int i = 0; i < chosen.size(); i++) {
            HostTraffic t = chosen.get(i);
            String job = "capture-" + t.ip().replace('.', '-').replace(':', '-');
            jobs.add(new JobHost(t, job, Addresses.nodeName(i), "captures/" + job + "-0"));
            jobsByHost.put(t.ip(), job);
        }
        List<CaptureLabels.Finding> findings = CaptureLabels.label(read.rows(), jobsByHost, scope);

        Path out = request.out();
        Files.createDirectories(out);
        String flowsFile = format.equals(ConnLog.JSON) ? "conn.json.gz" : "conn.log.gz";
        try (Writer w = gzipWriter(out.resolve(flowsFile))) {
            for (String line : text) {
                w.write(line);
                w.write('\n');
            }
        }
        writeAssignments(out, jobs, start, stop);
        long samples = writeGpu(out, jobs, start, stop, request);
        Files.writeString(out.resolve("labels.json"), labelsJson(findings), StandardCharsets.UTF_8);
        Result result = new Result(
                format, read.rows().size(), read.skipped(), first, last, List.copyOf(jobs), findings, samples);
        Files.writeString(
                out.resolve(SOURCE_FILE), sourceJson(request, result, flowsFile, sha256(text)), StandardCharsets.UTF_8);
        List<CaptureLabels.Attempts> attempts = CaptureLabels.attempts(read.rows(), List.copyOf(jobsByHost.keySet()));
        Files.writeString(
                out.resolve("README.md"), readme(request, result, flowsFile, ranked, attempts), StandardCharsets.UTF_8);
        return result;
    }

    private static void writeAssignments(Path out, List<JobHost> jobs, long start, long stop) throws IOException {
        JsonRecordCodec<Assignment> codec = JsonRecordCodec.of(RecordType.ASSIGNMENT);
        List<Integer> gpus = new ArrayList<>();
        for (int g = 0; g < GPUS; g++) {
            gpus.add(g);
        }
        try (Writer w = gzipWriter(out.resolve("assignments.jsonl.gz"))) {
            for (AssignmentEvent event : new AssignmentEvent[] {AssignmentEvent.START, AssignmentEvent.STOP}) {
                for (JobHost j : jobs) {
                    Map<String, String> labels = new TreeMap<>(Map.of("kind", "training", "source", "capture"));
                    w.write(codec.encode(new Assignment(
                            Instant.ofEpochMilli(event == AssignmentEvent.START ? start : stop),
                            event,
                            j.jobId(),
                            j.node(),
                            j.pod(),
                            j.traffic().ip(),
                            gpus,
                            new LinkedHashMap<>(labels))));
                    w.write('\n');
                }
            }
        }
    }

    /**
     * Every GPU of every job's node at the DCGM exporter's interval from START to STOP: a steady data-parallel
     * training step (busy SMs and tensor pipes, one python3 process holding most of the memory), through the
     * simulator's device model for power, temperature and clocks. Benign by construction: the capture says
     * nothing about GPUs, so nothing here may suggest misuse.
     */
    private static long writeGpu(Path out, List<JobHost> jobs, long start, long stop, Request request)
            throws IOException {
        JsonRecordCodec<GpuSample> codec = JsonRecordCodec.of(RecordType.GPU);
        long interval = request.sampleIntervalSeconds() * 1000L;
        List<GpuSample> samples = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            JobHost j = jobs.get(i);
            Node node = new Node(i, request.seed(), interval);
            Rng step = Rng.of(request.seed(), "capture-step:" + j.jobId());
            long basePid = step.betweenLong(1_000, 3_900_000);
            double smLevel = step.uniform(0.78, 0.88);
            double tensorLevel = step.uniform(0.38, 0.52);
            double dramLevel = step.uniform(0.33, 0.45);
            for (int g = 0; g < GPUS; g++) {
                GpuDevice device = node.gpus[g];
                Rng noise = Rng.of(request.seed(), "capture-load:" + j.jobId() + ":" + g);
                for (long t = start + node.samplePhaseMs; t < stop; t += interval) {
                    Load load = Load.idle()
                            .set(
                                    noise.uniform(96, 100),
                                    smLevel + noise.gaussian() * 0.015,
                                    tensorLevel + noise.gaussian() * 0.015,
                                    dramLevel + noise.gaussian() * 0.015);
                    load.process(basePid + g * 7L, "python3", TRAINING_FB_MIB + Math.round(noise.gaussian() * 40));
                    samples.add(device.sample(t, load, j.pod()));
                }
            }
        }
        samples.sort(Comparator.comparing((GpuSample s) -> s.getTs())
                .thenComparing(s -> s.getNode().toString())
                .thenComparingInt(GpuSample::getGpu));
        try (Writer w = gzipWriter(out.resolve("gpu.jsonl.gz"))) {
            for (GpuSample s : samples) {
                w.write(codec.encode(s));
                w.write('\n');
            }
        }
        return samples.size();
    }

    static String labelsJson(List<CaptureLabels.Finding> findings) {
        ObjectMapper mapper = new ObjectMapper(JsonEscapes.factory()).enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode root = mapper.createArrayNode();
        for (CaptureLabels.Finding f : findings) {
            ObjectNode o = root.addObject();
            o.put("incident", f.incident());
            o.put("job_id", f.jobId());
            o.put("category", f.category().name());
            o.put("start_ts", f.startTs());
            o.put("end_ts", Math.max(f.endTs(), f.startTs() + 1));
            o.put("rule", f.evidence());
        }
        return write(mapper, root);
    }

    private static String sourceJson(Request request, Result result, String flowsFile, String sha256) {
        ObjectMapper mapper = new ObjectMapper(JsonEscapes.factory()).enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("kind", "real");
        root.put("flow_format", result.format());
        root.put("flows_file", flowsFile);
        root.put("origin", request.origin());
        root.put("license", request.license());
        ObjectNode capture = root.putObject("capture");
        capture.put("file", request.connLog().getFileName().toString());
        capture.put("sha256_of_text", sha256);
        capture.put("connections", result.connections());
        capture.put("lines_not_connections", result.skippedLines());
        capture.put("first_ts", result.firstTs());
        capture.put("last_ts", result.lastTs());
        root.put("seed", request.seed());
        root.put("sample_interval_s", request.sampleIntervalSeconds());
        ArrayNode hosts = root.putArray("hosts");
        for (JobHost j : result.hosts()) {
            hosts.addObject()
                    .put("ip", j.traffic().ip())
                    .put("job_id", j.jobId())
                    .put("node", j.node())
                    .put("pod", j.pod())
                    .put("active_minutes", j.traffic().activeMinutes())
                    .put("originated", j.traffic().originated())
                    .put("answered", j.traffic().answered());
        }
        root.put("command", request.command());
        return write(mapper, root);
    }

    private static String readme(
            Request request,
            Result result,
            String flowsFile,
            List<HostTraffic> ranked,
            List<CaptureLabels.Attempts> attempts) {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(request.out().getFileName()).append("\n\n");
        b.append(
                        "A **real** capture folded into a Vigil dataset by `vigil wrap-capture`. The flows are the original Zeek")
                .append(" conn.log, unchanged (`")
                .append(flowsFile)
                .append("`, read with `--flow-format ")
                .append(result.format())
                .append("`; `source.json` says so, so `vigil replay` and `vigil evaluate` pick the format themselves).")
                .append(" The jobs, their GPU samples and the scheduler's records are written around real hosts: the")
                .append(" capture has no GPUs and no scheduler.\n\n");
        b.append("## Where it comes from\n\n")
                .append(request.origin() == null ? "(not given)" : request.origin())
                .append("\n\n");
        b.append("Licence and attribution: ")
                .append(request.license() == null ? "(not given)" : request.license())
                .append("\n\n");
        b.append(String.format(
                Locale.ROOT,
                "%d connections from %s to %s (%.1f minutes)%s.%n%n",
                result.connections(),
                Instant.ofEpochMilli(result.firstTs()),
                Instant.ofEpochMilli(result.lastTs()),
                (result.lastTs() - result.firstTs()) / 60_000.0,
                result.skippedLines() == 0 ? "" : "; " + result.skippedLines() + " lines were not connections"));
        b.append("## How it was made\n\n```\n").append(request.command()).append("\n```\n\n");
        b.append("Jobs: each chosen host is the pod of one training job holding all eight GPUs of a node of its own;")
                .append(" START one minute before the first connection, STOP one minute after the last. Hosts ")
                .append(
                        request.hosts().isEmpty()
                                ? "chosen by traffic (internal addresses that originated connections,"
                                        + " most active minutes first, then most connections originated)"
                                : "given with --hosts")
                .append(
                        ":\n\n| host | job | node | active minutes | originated | answered |\n|---|---|---|---|---|---|\n");
        for (JobHost j : result.hosts()) {
            b.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %d | %d | %d |%n",
                    j.traffic().ip(),
                    j.jobId(),
                    j.node(),
                    j.traffic().activeMinutes(),
                    j.traffic().originated(),
                    j.traffic().answered()));
        }
        b.append(String.format(Locale.ROOT, "%nOf %d internal hosts that originated a connection.%n%n", ranked.size()));
        b.append(String.format(
                Locale.ROOT,
                "GPU samples: %d, every %d s, a steady benign training load (simulator's H100"
                        + " device model, seed %d). They carry no information from the capture.%n%n",
                result.samples(),
                request.sampleIntervalSeconds(),
                request.seed()));
        b.append("## Labels\n\n").append(RULES).append('\n');
        b.append("Failed attempts the chosen hosts originated (whatever the rules made of them):\n\n")
                .append("| host | failed attempts | distinct host:port | hosts | ports |\n|---|---|---|---|---|\n");
        for (CaptureLabels.Attempts a : attempts) {
            b.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %d | %d | %d |%n",
                    a.host(),
                    a.failed(),
                    a.targets(),
                    a.hosts(),
                    a.ports()));
        }
        b.append('\n');
        if (result.labels().isEmpty()) {
            b.append(
                    "No incident met a rule: `labels.json` is empty, so every alert on this dataset counts as false.\n");
        } else {
            b.append("| incident | job | category | from | to | facts |\n|---|---|---|---|---|---|\n");
            for (CaptureLabels.Finding f : result.labels()) {
                b.append(String.format(
                        Locale.ROOT,
                        "| %s | %s | %s | %s | %s | %s |%n",
                        f.incident(),
                        f.jobId(),
                        f.category(),
                        Instant.ofEpochMilli(f.startTs()),
                        Instant.ofEpochMilli(f.endTs()),
                        f.evidence()));
            }
        }
        return b.toString();
    }

    /** The labelling rules and their limits, as every real dataset's README states them. */
    static final String RULES = String.format(
            Locale.ROOT,
            """
            Labels come from protocol facts in the conn.log alone (`CaptureLabels`), never from Vigil's detectors, and \
            only for what the chosen hosts originated:

            - **NETWORK_SCAN** (Zeek's former scan policy, policy/misc/scan.zeek, with its constants): a *failed \
            attempt* is a TCP connection that never carried data: `S0`, `REJ`, `SH`, or `RSTO`/`RSTOS0` with no \
            payload either way. A scan is at least %d distinct ports of one host, or at least %d distinct hosts on \
            one port, or (an addition to Zeek's policy, for probes of a few ports over many hosts) at least %2$d \
            distinct host:port targets, within %d minutes, inside or outside the network. The label runs from the first to the last \
            failed attempt of the episode (attempts less than %d minutes apart). UDP and ICMP never count.
            - **REVERSE_TUNNEL**: an SSH connection (Zeek's protocol detection, `service` ssh, any port) to an \
            outside address, open at least %d minutes (the first interval of Zeek's long-connections package), \
            with data both ways.

            Limits: a tunnel inside TLS or HTTP is not recognised (a conn.log cannot tell it from a long HTTPS \
            session); a scan slower than the thresholds is not labelled; mining and exfiltration are never \
            labelled (a conn.log has no GPU and no intent). A host the capture's own authors call malicious for \
            other reasons (malware C2, say) is labelled only where a rule holds.
            """,
            CaptureLabels.PORT_SCAN_THRESHOLD,
            CaptureLabels.ADDR_SCAN_THRESHOLD,
            CaptureLabels.SCAN_INTERVAL_MIN,
            CaptureLabels.SCAN_INTERVAL_MIN,
            CaptureLabels.TUNNEL_MIN_MINUTES);

    private static List<String> lines(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = ConnLog.reader(file)) {
            String line;
            while ((line = r.readLine()) != null) {
                out.add(line);
            }
        }
        return out;
    }

    /** gzip with Java's fixed header (no name, mtime 0): equal text gives equal bytes. */
    private static Writer gzipWriter(Path file) throws IOException {
        OutputStream os = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16);
        return new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
    }

    private static String sha256(List<String> lines) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String l : lines) {
                md.update(l.getBytes(StandardCharsets.UTF_8));
                md.update((byte) '\n');
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String write(ObjectMapper mapper, Object node) {
        try {
            return mapper.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
