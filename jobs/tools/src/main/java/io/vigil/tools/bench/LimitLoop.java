package io.vigil.tools.bench;

import io.vigil.models.features.Contact;
import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.features.JobContacts;
import io.vigil.models.features.JobFlow;
import io.vigil.models.features.NetworkScope;
import io.vigil.models.features.WindowAccumulator;
import io.vigil.models.model.ModelTrust;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.pipeline.detect.Scorers;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.AvroLimits;
import io.vigil.records.Decoded;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The limit the pipeline is measured against: the same work on the same bytes in one plain Java loop, without Flink
 * or Kafka (decode, attribute by a map, per-job contacts, per-destination and per-job windows, features, score).
 *
 * <p>It runs in the bench's JVM after the pipeline, and in a JVM of its own ({@link #main}). Its figure is its
 * thread's CPU time plus the garbage collector's meanwhile. In the bench's JVM that collector also collects what the
 * pipeline's run left on the heap, and how much of it falls in the loop's run varies from run to run (0.8 to 2.0
 * CPU-s for the same build and bytes); in a JVM of its own the collection it is charged is its own.
 */
final class LimitLoop {
    /** Runs of the loop; the one with the least CPU time counts (the first also warms up the JIT). */
    static final int RUNS = 3;

    /** The messages as they were put on the topics. */
    record Messages(List<byte[]> flows, List<byte[]> samples, List<byte[]> assignments) {
        void write(Path file) throws IOException {
            try (DataOutputStream out =
                    new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
                for (List<byte[]> list : List.of(flows, samples, assignments)) {
                    out.writeInt(list.size());
                    for (byte[] m : list) {
                        out.writeInt(m.length);
                        out.write(m);
                    }
                }
            }
        }

        static Messages read(Path file) throws IOException {
            try (DataInputStream in =
                    new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
                return new Messages(list(in), list(in), list(in));
            }
        }

        private static List<byte[]> list(DataInputStream in) throws IOException {
            int n = in.readInt();
            List<byte[]> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] m = new byte[in.readInt()];
                in.readFully(m);
                list.add(m);
            }
            return list;
        }
    }

    /** One run: wall seconds, CPU seconds of its thread, CPU seconds of the garbage collector meanwhile. */
    record Run(double seconds, double cpuSeconds, double gcSeconds) {
        static final Run NONE = new Run(Double.MAX_VALUE, Double.MAX_VALUE, 0);
    }

    private LimitLoop() {}

    /** The run with the least CPU time of {@code runs}, in this JVM. */
    static Run fastest(Messages messages, WindowScorer scorer, int runs) {
        Run fastest = Run.NONE;
        for (int run = 0; run < runs; run++) {
            Run one = run(messages, scorer);
            if (one.cpuSeconds() < fastest.cpuSeconds()) {
                fastest = one;
            }
        }
        return fastest;
    }

    /**
     * The same in a JVM of its own, started with this JVM's options ({@code -Xmx}...) and class path: {@code
     * modelPath} null for the packaged default model. The messages go through a temporary file.
     *
     * @throws IOException if the JVM cannot be started or does not report a run
     */
    static Run fastestInOwnJvm(Messages messages, String modelPath, int runs) throws IOException, InterruptedException {
        Path file = Files.createTempFile("vigil-bench-limit-", ".bin");
        try {
            messages.write(file);
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current()
                    .info()
                    .command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString()));
            for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (option.startsWith("-X")) {
                    command.add(option);
                }
            }
            command.addAll(List.of(
                    "-cp",
                    System.getProperty("java.class.path"),
                    LimitLoop.class.getName(),
                    file.toString(),
                    modelPath == null ? "" : modelPath,
                    Integer.toString(runs)));
            Process process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int exit = process.waitFor();
            String[] figures = output.isEmpty() ? new String[0] : output.split("\\s+");
            if (exit != 0 || figures.length != 4 || !figures[0].equals("limit")) {
                throw new IOException("the limit loop's own JVM exited " + exit + " with '" + output + "'");
            }
            return new Run(
                    Double.parseDouble(figures[1]), Double.parseDouble(figures[2]), Double.parseDouble(figures[3]));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** In a JVM of its own: {@code MESSAGES_FILE MODEL_PATH_OR_EMPTY RUNS}; prints {@code limit SECONDS CPU GC}. */
    public static void main(String[] args) throws Exception {
        AvroLimits.install();
        Messages messages = Messages.read(Path.of(args[0]));
        WindowScorer scorer = Scorers.load(args[1].isEmpty() ? null : args[1], ModelTrust.of(List.of(), true));
        Run run = fastest(messages, scorer, Integer.parseInt(args[2]));
        System.out.println("limit " + run.seconds() + " " + run.cpuSeconds() + " " + run.gcSeconds());
    }

    /** One run of the loop, timed. */
    static Run run(Messages p, WindowScorer scorer) {
        long start = System.nanoTime();
        VmCpu vmCpu = VmCpu.start();
        long cpuStart = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        RecordFraming<Flow> flows = Framings.forTopic(RecordType.FLOW, "f", null);
        RecordFraming<GpuSample> samples = Framings.forTopic(RecordType.GPU, "g", null);
        RecordFraming<Assignment> assignments = Framings.forTopic(RecordType.ASSIGNMENT, "a", null);
        NetworkScope scope = NetworkScope.defaults();
        Map<String, String> jobByIp = new HashMap<>();
        Map<String, String> jobByGpu = new HashMap<>();
        for (byte[] m : p.assignments()) {
            Decoded<Assignment> d = assignments.decode(m);
            if (d.isAccepted() && d.record().getEvent() == AssignmentEvent.START) {
                jobByIp.put(d.record().getIp(), d.record().getJobId());
                for (int gpu : d.record().getGpus()) {
                    jobByGpu.put(d.record().getNode() + "#" + gpu, d.record().getJobId());
                }
            }
        }
        long window = 60_000;
        Map<String, JobContacts> jobContacts = new HashMap<>();
        Map<String, WindowAccumulator> jobWindows = new HashMap<>();
        for (byte[] m : p.flows()) {
            Decoded<Flow> d = flows.decode(m);
            if (!d.isAccepted()) {
                continue;
            }
            Flow f = d.record();
            long w = f.getTs().toEpochMilli() / window;
            String src = jobByIp.get(f.getSrcIp());
            if (src != null) {
                jobContacts
                        .computeIfAbsent(w + "|" + src, k -> new JobContacts())
                        .add(JobFlow.of(f, src, true, scope));
            }
            String dst = jobByIp.get(f.getDstIp());
            if (dst != null) {
                jobContacts
                        .computeIfAbsent(w + "|" + dst, k -> new JobContacts())
                        .add(JobFlow.of(f, dst, false, scope));
            }
        }
        for (byte[] m : p.samples()) {
            Decoded<GpuSample> d = samples.decode(m);
            if (!d.isAccepted()) {
                continue;
            }
            GpuSample s = d.record();
            String job = jobByGpu.get(s.getNode() + "#" + s.getGpu());
            if (job != null) {
                jobWindows
                        .computeIfAbsent(job + "|" + s.getTs().toEpochMilli() / window, k -> new WindowAccumulator())
                        .add(s);
            }
        }
        Map<String, DestinationAccumulator> destinations = new HashMap<>();
        for (Map.Entry<String, JobContacts> e : jobContacts.entrySet()) {
            long w = Long.parseLong(e.getKey().substring(0, e.getKey().indexOf('|')));
            JobContacts.Split split = e.getValue().split(w * window, (w + 1) * window);
            if (split.rest() != null) {
                jobWindows
                        .computeIfAbsent(e.getValue().jobId + "|" + w, k -> new WindowAccumulator())
                        .merge(split.rest());
            }
            for (DestinationAccumulator asked : split.ask()) {
                destinations
                        .computeIfAbsent(w + "|" + asked.remoteIp, k -> new DestinationAccumulator())
                        .merge(asked);
            }
        }
        for (Map.Entry<String, DestinationAccumulator> e : destinations.entrySet()) {
            long w = Long.parseLong(e.getKey().substring(0, e.getKey().indexOf('|')));
            for (Contact c : e.getValue()
                    .contacts(
                            w * window, (w + 1) * window, e.getValue().jobIds().size())) {
                jobWindows
                        .computeIfAbsent(c.jobId + "|" + w, k -> new WindowAccumulator())
                        .add(c);
            }
        }
        double sum = 0;
        for (WindowAccumulator acc : jobWindows.values()) {
            sum += scorer.score(acc.features(FeatureSet.CURRENT)).score();
        }
        if (sum < 0) {
            throw new IllegalStateException(); // keeps the work observable
        }
        return new Run(
                (System.nanoTime() - start) / 1e9,
                (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart) / 1e9,
                vmCpu.since().get(VmCpu.Kind.GC));
    }
}
