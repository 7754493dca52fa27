package io.vigil.tools.cli;

import io.vigil.models.features.NetworkScope;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.records.Printable;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.Topic;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.replay.Replay;
import io.vigil.tools.stream.DatasetStream;
import io.vigil.tools.stream.Drill;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Streams recorded datasets onto the live input topics: a quick start for a cluster, and fire drills. */
@Command(
        name = "stream",
        mixinStandardHelpOptions = true,
        description = {
            "Publish recorded datasets (any format `replay` reads) to the input topics of a running detect job, as"
                    + " the collectors and the scheduler feed would: flows, GPU samples and assignments on their topics,"
                    + " keyed by node, in event-time order across the three, at a pace. A progress line on stderr"
                    + " (records, event time reached, lag behind the pace). Dataset lines that do not decode are"
                    + " counted and shown, never sent. At the end it prints the labelled incidents (labels.json) it"
                    + " expects the job to alert on; with --verify it waits for them on the alert topic.",
            "Fire drill: --shift-to-now plays the dataset as if it happened now; --drill NAME renames its jobs, pods"
                    + " and nodes to drill-NAME-... and moves its internal addresses into --drill-cidrs, so it never"
                    + " collides with a real job and its alerts carry job ids a SIEM can filter on.",
            "Progress: the records the broker acknowledged are kept in a small file (--progress-file; by default"
                    + " $XDG_STATE_HOME/vigil/stream/ or ~/.local/state/vigil/stream/, one per datasets, broker, topics"
                    + " and drill). --resume continues after them: no record is sent twice, except those acknowledged in"
                    + " the last second before a hard kill (kill -9, power loss); Ctrl-C saves the file first.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:streamed (and with --verify, every expected incident's alert arrived)",
            "1:the broker refused records, or the stream failed",
            "2:bad usage or a bad dataset",
            "3:--verify: some expected incidents had no alert within --verify-timeout",
            "130:interrupted (the progress is saved: --resume continues)"
        })
final class StreamCommand implements Callable<Integer>, UsesSettings {
    @Spec
    CommandSpec spec;

    @Parameters(
            arity = "1..*",
            paramLabel = "DATASET",
            description = "Dataset directories, streamed one after the other.")
    List<Path> datasets;

    @Option(
            names = "--speed",
            paramLabel = "X|max",
            description = "Simulated seconds per second (60: an hour in a minute), or max: as fast as the broker"
                    + " takes them. Default: ${DEFAULT-VALUE}.")
    String speed = "60";

    @Option(
            names = "--shift-to-now",
            description = "Move every time of each dataset so that it plays as happening now: its last record is"
                    + " sent at the moment it records (never ahead of the clock); at --speed 1 it begins now. Jobs"
                    + " running when the recording began start when its telemetry does. On a detect job that is"
                    + " already live, use --speed 1: a faster stream's early records would be behind its watermark.")
    boolean shiftToNow;

    @Option(
            names = "--drill",
            paramLabel = "NAME",
            description = "Fire drill: job ids, pods and nodes become drill-NAME-<original>, internal addresses move"
                    + " into --drill-cidrs, the same way in every record and in the expected incidents.")
    String drill;

    @Option(
            names = "--drill-cidrs",
            paramLabel = "CIDR",
            split = ",",
            description = "Where a drill's internal addresses go: one IPv4 range (/24 or wider) and one IPv6 (/64 or"
                    + " wider), unused by the cluster and inside the detect job's network.internal.cidrs."
                    + " Default: 100.127.0.0/16,fdd7:1117:d711::/48.")
    List<String> drillCidrs = new ArrayList<>(Drill.DEFAULT_CIDRS);

    @Option(
            names = "--resume",
            description = "Continue an interrupted stream after the last records the broker acknowledged.")
    boolean resume;

    @Option(
            names = "--progress-file",
            paramLabel = "FILE",
            description = "Where the stream keeps what the broker acknowledged. Default: one file per stream under"
                    + " $XDG_STATE_HOME/vigil/stream/ (or ~/.local/state/vigil/stream/).")
    Path progressFile;

    @Option(
            names = "--no-clock-ticks",
            negatable = true,
            description = "Leave out the clock ticks: a tick every 5 s of event time on every input partition (an idle"
                    + " sample and an empty flow of node vigil-stream-clock, or drill-NAME-clock, that the job"
                    + " dead-letters), which keep every partition's watermark moving and, after the data, let the"
                    + " last windows close. Leave them out on a fleet whose collectors keep event time moving.")
    boolean clockTicks = true;

    @Option(
            names = "--verify",
            description = "After streaming, read the alert topic (read_committed) and wait for an alert of each"
                    + " expected incident's job and category; say which arrived, and how long after its first record.")
    boolean verify;

    @Option(
            names = "--verify-timeout",
            paramLabel = "SECONDS",
            description = "How long --verify waits after the data. Default: ${DEFAULT-VALUE}.")
    long verifyTimeoutS = 300;

    @Override
    public List<String> settingKeys() {
        List<String> keys = new ArrayList<>(List.of(
                VigilConfig.BOOTSTRAP_SERVERS,
                VigilConfig.SCHEMA_REGISTRY_URL,
                VigilConfig.WINDOW_SIZE_MS,
                VigilConfig.OUT_OF_ORDERNESS_MS,
                VigilConfig.INCIDENT_CLOSE_QUIET_WINDOWS,
                VigilConfig.INTERNAL_CIDRS));
        keys.addAll(InputFormats.FILE_SETTINGS);
        for (Topic t : List.of(Topic.FLOWS, Topic.GPU, Topic.ASSIGNMENTS, Topic.AGENT_EVENTS, Topic.ALERTS)) {
            keys.add(t.nameSetting());
        }
        return keys;
    }

    @Override
    public Integer call() throws Exception {
        VigilConfig config = SettingOptions.read(spec, settingKeys());
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        double pace;
        if (speed.equalsIgnoreCase("max")) {
            pace = Double.POSITIVE_INFINITY;
        } else {
            try {
                pace = Double.parseDouble(speed);
            } catch (NumberFormatException e) {
                pace = -1;
            }
            if (!(pace > 0) || Double.isInfinite(pace)) {
                err.println("vigil stream: --speed must be a number above 0 or max, not " + Printable.escape(speed));
                return 2;
            }
        }
        List<Replay.Dataset> checked;
        Drill namespace = null;
        try {
            checked = Replay.datasets(datasets, InputFormats.from(config));
            if (drill != null) {
                List<String> internal = config.getList(VigilConfig.INTERNAL_CIDRS);
                namespace = new Drill(
                        drill, internal.isEmpty() ? NetworkScope.defaults() : NetworkScope.of(internal), drillCidrs);
            }
        } catch (Replay.BadInput | IllegalArgumentException e) {
            err.println("vigil stream: " + Printable.escape(e.getMessage()));
            return 2;
        }
        DatasetStream stream = new DatasetStream(
                config,
                new DatasetStream.Options(
                        checked,
                        pace,
                        shiftToNow,
                        namespace,
                        resume,
                        progressFile,
                        clockTicks,
                        verify,
                        Duration.ofSeconds(verifyTimeoutS)),
                out,
                err);
        // Ctrl-C: stop at the next record, wait for the broker's acknowledgements, save the progress
        Thread hook = new Thread(
                () -> {
                    stream.stop();
                    try {
                        stream.awaitFinished(Duration.ofSeconds(60));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "vigil-stream-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        DatasetStream.Outcome outcome;
        try {
            outcome = stream.run();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for this run to return
            }
        }
        if (outcome.stopped()) {
            return 130;
        }
        if (verify && !outcome.allArrived()) {
            return 3;
        }
        return 0;
    }
}
