package io.vigil.tools.replay;

import io.vigil.records.RecordType;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The files of a replay: the alerts, windows and dead letters as JSON lines in a stable order (the same input
 * gives the same bytes; see {@link ReplayRecords}), the backtest ({@code summary.json}, {@link ReplaySummary}) and
 * the page to read ({@code report.html}, {@link ReplayReport}).
 */
public final class ReplayOutputs {
    public static final String ALERTS = "alerts.jsonl";
    public static final String WINDOWS = "windows.jsonl";
    public static final String DEAD_LETTERS = "deadletter.jsonl";
    public static final String SUMMARY = "summary.json";
    public static final String REPORT = "report.html";

    private ReplayOutputs() {}

    static void write(Replay.Outcome outcome, Path dir) throws IOException {
        List<Replay.DatasetResult> datasets = outcome.datasets();
        writeLines(dir.resolve(ALERTS),
                ReplayRecords.sorted(datasets, Replay.DatasetResult::alerts, ReplayRecords.ALERT_ORDER, RecordType.ALERT));
        writeLines(dir.resolve(WINDOWS),
                ReplayRecords.sorted(datasets, Replay.DatasetResult::windows, ReplayRecords.WINDOW_ORDER, RecordType.WINDOW));
        writeLines(dir.resolve(DEAD_LETTERS), ReplayRecords.sorted(datasets, Replay.DatasetResult::deadLetters,
                ReplayRecords.DEAD_LETTER_ORDER, RecordType.DEAD_LETTER));
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
