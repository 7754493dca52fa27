package io.vigil.tools.replay;

import io.vigil.records.RecordType;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of a replay: the alerts, windows, dead letters and episode flags as JSON lines in a stable order (the same input
 * gives the same bytes; see {@link ReplayRecords}), the backtest ({@code summary.json}, {@link ReplaySummary}) and
 * the page to read ({@code report.html}, {@link ReplayReport}).
 */
public final class ReplayOutputs {
    public static final String ALERTS = "alerts.jsonl";
    public static final String WINDOWS = "windows.jsonl";
    public static final String DEAD_LETTERS = "deadletter.jsonl";
    /** The episode flags the trainer would read from vigil.episode-flags: one per (incident, episode) named. */
    public static final String EPISODE_FLAGS = "episode_flags.jsonl";

    public static final String SUMMARY = "summary.json";
    public static final String REPORT = "report.html";

    private ReplayOutputs() {}

    /**
     * Checks {@code out} before anything runs: a directory that is empty, or may be overwritten ({@code force}),
     * or that is not there yet.
     *
     * @throws Replay.BadInput saying what is wrong
     */
    public static void check(Path out, boolean force) {
        if (out == null) {
            throw new Replay.BadInput("--out DIR is required");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new Replay.BadInput("--out " + out + " exists and is not a directory");
        }
        if (Files.isDirectory(out) && !force) {
            try (Stream<Path> entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw new Replay.BadInput(
                            "--out " + out + " is not empty; pass --force to overwrite the replay's files in it");
                }
            } catch (IOException e) {
                throw new Replay.BadInput("cannot read --out " + out + ": " + e.getMessage());
            }
        }
    }

    /** Creates {@code out} (a checked one) before the replay runs, so that it cannot fail after. */
    public static void create(Path out) {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new Replay.BadInput("cannot create --out " + out + ": " + e);
        }
    }

    /** Writes the replay's files into {@code dir}, replacing files of the same names. */
    public static void write(Replay.Outcome outcome, Path dir) throws IOException {
        List<Replay.DatasetResult> datasets = outcome.datasets();
        writeLines(
                dir.resolve(ALERTS),
                ReplayRecords.sorted(
                        datasets, Replay.DatasetResult::alerts, ReplayRecords.ALERT_ORDER, RecordType.ALERT));
        writeLines(
                dir.resolve(WINDOWS),
                ReplayRecords.sorted(
                        datasets, Replay.DatasetResult::windows, ReplayRecords.WINDOW_ORDER, RecordType.WINDOW));
        writeLines(
                dir.resolve(DEAD_LETTERS),
                ReplayRecords.sorted(
                        datasets,
                        Replay.DatasetResult::deadLetters,
                        ReplayRecords.DEAD_LETTER_ORDER,
                        RecordType.DEAD_LETTER));
        writeLines(
                dir.resolve(EPISODE_FLAGS),
                ReplayRecords.sorted(
                        datasets,
                        Replay.DatasetResult::episodeFlags,
                        ReplayRecords.FLAG_ORDER,
                        RecordType.EPISODE_FLAG));
        Files.writeString(dir.resolve(SUMMARY), ReplaySummary.json(outcome), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(REPORT), ReplayReport.html(outcome), StandardCharsets.UTF_8);
    }

    private static void writeLines(Path file, List<String> lines) throws IOException {
        try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            for (String line : lines) {
                w.write(line);
                w.write('\n');
            }
        }
    }
}
