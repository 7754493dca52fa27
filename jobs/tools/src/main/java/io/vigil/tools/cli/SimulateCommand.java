package io.vigil.tools.cli;

import io.vigil.tools.simulate.IncidentRequest;
import io.vigil.tools.simulate.SimulationSpec;
import io.vigil.tools.simulate.Simulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes deterministic cluster telemetry, benign workloads and injected incidents, as a dataset. */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Write deterministic cluster telemetry as a dataset: flows.jsonl.gz, gpu.jsonl.gz, assignments.jsonl.gz,"
                    + " agent_events.jsonl.gz (the RL agents' tool calls; each sorted by time), labels.json (the"
                    + " injected incidents' intervals and the agent's call behind each), simulation.json"
                    + " (parameters, layout, counts) and README.md. The same arguments give byte-identical files.",
            "",
            "The cluster runs data-parallel bf16 training across nodes (on the host network), an RL agent with"
                    + " tool use that also browses many web servers, FP32 training that restarts once, inference"
                    + " serving, notebooks reached over SSH from a bastion, more jobs of mixed kinds, and idle GPUs."
                    + " Benign traps in every dataset: long-lived HTTPS to a fleet-wide experiment tracker, idle tensor"
                    + " cores (FP32), checkpoint exports to a shared cloud object store, git over SSH, external APIs on"
                    + " odd ports.",
            "",
            "Job life cycles in every dataset: a restart (STOP, then START of the same job id), a preemption"
                    + " (rescheduled, on another node when one has room), processes that vanish and come back"
                    + " under new pids, checkpoint saves (bursts of writes, GPUs idle for a minute) and loads,"
                    + " warm-ups, data-loader stalls (GPUs idle for minutes, network quiet), and quiet tails before"
                    + " STOP.",
            "",
            "Background chatter of every node (and so of the host-network job): NTP, DHCP, DNS (some to outside"
                    + " resolvers), mDNS, SSDP and its replies, LLMNR, NetBIOS broadcasts, ICMP port unreachable,"
                    + " metric scrapes and health checks inbound from the monitoring host and kubelet, package"
                    + " mirrors and CDNs; some over IPv6. Outside hosts are in 192.0.2.0/24, 198.51.100.0/24,"
                    + " 203.0.113.0/24 and 2001:db8::/32 only.",
            ""
        },
        footer = {
            "",
            "Incident kinds (--incident KIND[@OFFSET_MINUTES]):",
            "  rome           the ROME sequence in an RL job: internal probing (many hosts",
            "                 and ports, mostly unanswered) and the cloud metadata service,",
            "                 then a reverse SSH tunnel to an outside host on 22, then xmrig",
            "                 on some of the job's GPUs with a stratum pool connection",
            "  stealth-miner  a miner under a borrowed process name on one GPU, part-time,",
            "                 its pool reached over 443",
            "  tunnel-443     a reverse tunnel to an outside host over 443",
            "  slow-scan      40-60 internal probes spread over about half an hour",
            "  proxied-miner  a miner whose pool traffic goes through the internal proxy",
            "  exfiltration   a sustained upload (hundreds of MiB to GiB) to an outside",
            "                 host no other job uses",
            "  external-port-scan",
            "                 a vertical scan of one outside host: 300-1000 ports in",
            "                 seconds",
            "  external-sweep a horizontal sweep of outside hosts: 1-3 ports across 40-250",
            "                 addresses of a range in minutes",
            "  udp-scan       UDP probing of the cluster: 30-200 UDP ports of one internal",
            "                 host (closed ones refused with ICMP port unreachable, rate-",
            "                 limited), then one UDP port across 30-120 pod addresses",
            "",
            "Exit codes: 0 written; 2 bad arguments or --out not empty without --force; 1 a failure while writing."
        })
final class SimulateCommand implements Callable<Integer> {
    static final List<String> DATASET_FILES = List.of(
            "flows.jsonl.gz",
            "gpu.jsonl.gz",
            "assignments.jsonl.gz",
            "agent_events.jsonl.gz",
            "labels.json",
            "simulation.json",
            "README.md");

    @Spec
    CommandSpec spec;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Directory to write the dataset to (created if missing; must be empty unless --force).")
    Path out;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "" + SimulationSpec.DEFAULT_SEED,
            description = "Seed of everything random: same seed and flags, same bytes. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--nodes",
            paramLabel = "N",
            defaultValue = "" + SimulationSpec.DEFAULT_NODES,
            description = "GPU nodes (8 H100s each), " + SimulationSpec.MIN_NODES + ".." + SimulationSpec.MAX_NODES
                    + ". Default: ${DEFAULT-VALUE}.")
    int nodes;

    @Option(
            names = "--hours",
            paramLabel = "H",
            defaultValue = SimulationSpec.DEFAULT_HOURS,
            description =
                    "Length of the simulated span in hours, decimal (0.25 is 15 minutes). Default: ${DEFAULT-VALUE}.")
    double hours;

    @Option(
            names = "--start",
            paramLabel = "ISO-8601",
            defaultValue = SimulationSpec.DEFAULT_START,
            description = "Start of the span, an instant such as 2026-02-14T00:00:00Z. Default: ${DEFAULT-VALUE}.")
    String start;

    @Option(
            names = "--sample-interval-s",
            paramLabel = "S",
            defaultValue = "" + SimulationSpec.DEFAULT_SAMPLE_INTERVAL_S,
            description = "Seconds between GPU samples (DCGM scrape interval). Default: ${DEFAULT-VALUE}.")
    int sampleIntervalSeconds;

    @Option(
            names = "--export-interval-s",
            paramLabel = "S",
            defaultValue = "" + SimulationSpec.DEFAULT_EXPORT_INTERVAL_S,
            description = "Flow exporter's active timeout: an open connection is reported again (conn_state S1) after"
                    + " this many seconds. Default: ${DEFAULT-VALUE}.")
    int exportIntervalSeconds;

    @Option(
            names = "--incident",
            paramLabel = "KIND[@OFFSET_MINUTES]",
            description = "Inject an incident (repeatable), optionally starting OFFSET_MINUTES (decimal) after the"
                    + " start; without an offset the seed picks one in the first 10-40%% of the span. Kinds: rome,"
                    + " stealth-miner, tunnel-443, slow-scan, proxied-miner, exfiltration, external-port-scan,"
                    + " external-sweep, udp-scan (see below). Without"
                    + " --incident and --benign-only: one rome.")
    List<String> incidents = new ArrayList<>();

    @Option(names = "--benign-only", description = "Inject no incident: a benign baseline (the traps are still there).")
    boolean benignOnly;

    @Option(names = "--force", description = "Write into a non-empty --out, replacing the dataset files there.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        SimulationSpec sim;
        try {
            List<IncidentRequest> requests = new ArrayList<>();
            for (String text : incidents) {
                requests.add(IncidentRequest.parse(text));
            }
            sim = new SimulationSpec(
                    seed,
                    nodes,
                    hours,
                    parseStart(start),
                    sampleIntervalSeconds,
                    exportIntervalSeconds,
                    requests,
                    benignOnly);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            err.println("vigil simulate: --out " + out + " is a file, not a directory");
            return 2;
        }
        if (!force && isNonEmptyDirectory(out)) {
            err.println(
                    "vigil simulate: --out " + out + " is not empty; use --force to replace the dataset files in it,"
                            + " or choose another directory");
            return 2;
        }
        Files.createDirectories(out);
        ProgressLine progress = new ProgressLine(err, System.console() != null);
        long began = System.nanoTime();
        Simulator.Result result = Simulator.run(sim, out, progress);
        double seconds = (System.nanoTime() - began) / 1e9;
        progress.done();
        err.println(String.format(
                Locale.ROOT,
                "wrote %s: %,d flows, %,d GPU samples, %,d assignments, %,d agent tool calls, %d labels in %.1f s",
                out,
                result.flows(),
                result.samples(),
                result.assignments(),
                result.agentEvents(),
                result.labels().size(),
                seconds));
        err.flush();
        return 0;
    }

    private static Instant parseStart(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "--start must be an ISO-8601 instant such as 2026-02-14T00:00:00Z, not '" + text + "'");
        }
    }

    private static boolean isNonEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        }
    }

    /**
     * {@code simulated 00:40 / 02:00  (123,456 flows, 45,678 samples)} on stderr: rewritten in place on a
     * terminal, else one line per tenth of the span.
     */
    static final class ProgressLine implements Simulator.Progress {
        private final PrintWriter err;
        private final boolean terminal;
        private int lastTenth = -1;
        private boolean open;

        ProgressLine(PrintWriter err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        @Override
        public void update(long simulatedMs, long totalMs, long flows, long samples) {
            String line = String.format(
                    Locale.ROOT,
                    "simulated %s / %s  (%,d flows, %,d samples)",
                    clock(simulatedMs),
                    clock(totalMs),
                    flows,
                    samples);
            if (terminal) {
                err.print("\r" + line);
                err.flush();
                open = true;
                return;
            }
            int tenth = (int) Math.min(10, simulatedMs * 10 / Math.max(1, totalMs));
            if (tenth > lastTenth) {
                lastTenth = tenth;
                err.println(line);
                err.flush();
            }
        }

        void done() {
            if (open) {
                err.println();
                open = false;
            }
        }

        /** hh:mm of a span. */
        static String clock(long ms) {
            long minutes = ms / 60_000;
            return String.format(Locale.ROOT, "%02d:%02d", minutes / 60, minutes % 60);
        }
    }
}
