package io.vigil.tools.cli;

import io.vigil.records.Printable;
import io.vigil.tools.simulate.CaptureWrap;
import io.vigil.tools.simulate.ConnLog;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Folds a real Zeek conn.log into a labelled Vigil dataset: jobs and GPU samples written around real hosts. */
@Command(
        name = "wrap-capture",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Fold a real Zeek conn.log (TSV or JSON, plain or .gz) into a Vigil dataset: the internal hosts with the most"
                    + " sustained traffic (or --hosts) become the pods of training jobs, each holding the eight GPUs of a"
                    + " node; assignments.jsonl.gz starts them a minute before the first connection and stops them a"
                    + " minute after the last; gpu.jsonl.gz has a steady, benign training load for their GPUs (seeded);"
                    + " the flows are the original conn.log (conn.log.gz or conn.json.gz); labels.json holds the scans"
                    + " and SSH tunnels the chosen hosts originated, by Zeek's protocol facts (README.md states the"
                    + " rules); source.json marks the dataset real and names its --flow-format.",
            ""
        },
        footer = {
            "",
            "Exit codes: 0 written; 2 bad arguments, an unreadable conn.log, or --out not empty without --force."
        })
final class WrapCaptureCommand implements Callable<Integer> {
    static final int DEFAULT_HOST_COUNT = 4;
    static final long DEFAULT_SEED = 1;
    static final int DEFAULT_SAMPLE_INTERVAL_S = 10;

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "CONN_LOG",
            description = "A Zeek conn.log: TSV with its header, or JSON lines.")
    Path connLog;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Directory to write the dataset to (created if missing; must be empty unless --force).")
    Path out;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            description = "zeek-tsv or zeek-json. Default: told from the first line ({ is JSON).")
    String format;

    @Option(
            names = "--hosts",
            split = ",",
            paramLabel = "IP",
            description =
                    "The pods' addresses (comma-separated). Default: the --host-count most active internal hosts.")
    List<String> hosts = new ArrayList<>();

    @Option(
            names = "--host-count",
            paramLabel = "N",
            defaultValue = "" + DEFAULT_HOST_COUNT,
            description = "How many hosts to choose by traffic when --hosts is not given. Default: ${DEFAULT-VALUE}.")
    int hostCount;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "" + DEFAULT_SEED,
            description =
                    "Seed of the GPU samples: same conn.log, hosts and seed, same bytes. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--sample-interval-s",
            paramLabel = "S",
            defaultValue = "" + DEFAULT_SAMPLE_INTERVAL_S,
            description = "Seconds between GPU samples. Default: ${DEFAULT-VALUE}.")
    int sampleIntervalSeconds;

    @Option(
            names = "--origin",
            paramLabel = "TEXT",
            description = "Where the capture comes from (repository, path, commit), for README.md and source.json.")
    String origin;

    @Option(
            names = "--license",
            paramLabel = "TEXT",
            description = "The capture's licence and attribution, for README.md and source.json.")
    String license;

    @Option(names = "--force", description = "Write into a non-empty --out, replacing the dataset files there.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(connLog)) {
            err.println("vigil wrap-capture: " + Printable.escape(connLog) + " is not a file");
            return 2;
        }
        if (format != null && !format.equals(ConnLog.TSV) && !format.equals(ConnLog.JSON)) {
            err.println("vigil wrap-capture: --format must be " + ConnLog.TSV + " or " + ConnLog.JSON + ", not "
                    + Printable.escape(format));
            return 2;
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            err.println("vigil wrap-capture: --out " + Printable.escape(out) + " is a file, not a directory");
            return 2;
        }
        if (!force && isNonEmptyDirectory(out)) {
            err.println("vigil wrap-capture: --out " + Printable.escape(out)
                    + " is not empty; use --force to replace the dataset files in it");
            return 2;
        }
        CaptureWrap.Result result;
        try {
            CaptureWrap.Request request = new CaptureWrap.Request(
                    connLog,
                    format,
                    out,
                    hosts,
                    hostCount,
                    seed,
                    sampleIntervalSeconds,
                    origin,
                    license,
                    commandLine());
            result = CaptureWrap.run(request);
        } catch (IllegalArgumentException e) {
            err.println("vigil wrap-capture: " + Printable.escape(e.getMessage()));
            return 2;
        }
        err.println(Printable.escape(String.format(
                Locale.ROOT,
                "wrote %s: %,d connections (%s), %d job host%s (%s), %,d GPU samples, %d label%s",
                out,
                result.connections(),
                result.format(),
                result.hosts().size(),
                result.hosts().size() == 1 ? "" : "s",
                String.join(
                        ", ", result.hosts().stream().map(h -> h.traffic().ip()).toList()),
                result.samples(),
                result.labels().size(),
                result.labels().size() == 1 ? "" : "s")));
        err.flush();
        return 0;
    }

    /** The command that makes this dataset again, for its README. */
    private String commandLine() {
        StringBuilder b = new StringBuilder("vigil wrap-capture ")
                .append(connLog)
                .append(" --out ")
                .append(out);
        if (format != null) {
            b.append(" --format ").append(format);
        }
        if (!hosts.isEmpty()) {
            b.append(" --hosts ").append(String.join(",", hosts));
        } else {
            b.append(" --host-count ").append(hostCount);
        }
        b.append(" --seed ").append(seed).append(" --sample-interval-s ").append(sampleIntervalSeconds);
        if (origin != null) {
            b.append(" --origin ").append(quote(origin));
        }
        if (license != null) {
            b.append(" --license ").append(quote(license));
        }
        return b.toString();
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static boolean isNonEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        }
    }
}
