package io.vigil.tools.replay;

import io.vigil.pipeline.detect.DetectSettings;
import io.vigil.pipeline.files.DatasetFiles;
import io.vigil.pipeline.ingest.InputStats;
import io.vigil.records.RejectReason;
import io.vigil.records.formats.Formats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a user should be told about a replay's input, from what each file's reader counted: a file that broke,
 * a file most of whose lines did not decode (and the format they look like), records with implausible times,
 * and a recording too short for the destination warm-up. Each warning says what it means for the result.
 */
final class InputWarnings {
    /** Reasons that say a line was not understood, as opposed to understood and refused. */
    private static final Set<String> NOT_UNDERSTOOD = Set.of(
            RejectReason.MALFORMED.code(),
            RejectReason.WRONG_TYPE.code(),
            RejectReason.MISSING_FIELD.code(),
            RejectReason.MISSING_TIME.code(),
            RejectReason.UNKNOWN_ENUM.code(),
            RejectReason.BAD_ENCODING.code(),
            RejectReason.UNSUPPORTED.code(),
            RejectReason.BAD_IP.code());

    private InputWarnings() {}

    static List<String> of(Replay.Dataset dataset, List<InputStats> files, DetectSettings settings) {
        List<String> out = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (InputStats f : files) {
            if (f.failure != null) {
                out.add(String.format(
                        Locale.ROOT,
                        "%s is truncated or corrupt (%s): the %d lines before were read;"
                                + " counted as a dead letter truncated (--input-strict stops instead)",
                        f.source,
                        f.failure,
                        f.lines));
            }
            long notUnderstood = f.deadLetters().entrySet().stream()
                    .filter(e -> NOT_UNDERSTOOD.contains(e.getKey()))
                    .mapToLong(Map.Entry::getValue)
                    .sum();
            if (notUnderstood > 0 && notUnderstood * 2 > notUnderstood + f.records) {
                Path file = fileOf(dataset, f.source);
                String guessed = file == null ? null : Formats.guess(DatasetFiles.firstLines(file, 20));
                String flag = f.recordType.equals("gpu") ? "--gpu-format" : "--flow-format";
                out.add(String.format(
                        Locale.ROOT,
                        "most lines of %s (%d of %d records) did not decode as %s%s",
                        f.source,
                        notUnderstood,
                        notUnderstood + f.records,
                        f.format,
                        guessed != null
                                        && !guessed.equals(f.format)
                                        && !(Formats.VIGIL.equals(guessed) && Formats.VIGIL_JSON.equals(f.format))
                                ? "; it looks like " + guessed + ": try " + flag + " " + guessed
                                : guessed == null ? "; its first lines look like no format Vigil reads" : ""));
            }
            long past = f.deadLetters().getOrDefault(RejectReason.PAST_TIME.code(), 0L);
            long future = f.deadLetters().getOrDefault(RejectReason.FUTURE_TIME.code(), 0L);
            if (past > 0) {
                out.add(String.format(
                        Locale.ROOT,
                        "%d record%s of %s %s times before %s or far before the rest of the file"
                                + " (dead letters past_time): an exporter's clock not set?",
                        past,
                        past == 1 ? "" : "s",
                        f.source,
                        past == 1 ? "has" : "have",
                        Instant.ofEpochMilli(dataset.formats().bounds().epochFloorMs())));
            }
            if (future > 0) {
                out.add(String.format(
                        Locale.ROOT,
                        "%d record%s of %s %s times far after the rest of the file"
                                + " (dead letters future_time): left out, so they move no window or report axis",
                        future,
                        future == 1 ? "" : "s",
                        f.source,
                        future == 1 ? "has" : "have"));
            }
            if (!f.recordType.equals("assignment") && f.firstTs != Long.MIN_VALUE) {
                first = Math.min(first, f.firstTs);
                last = Math.max(last, f.lastTs);
            }
        }
        Duration warmup = settings.fleetWarmup();
        if (first != Long.MAX_VALUE && last - first < warmup.toMillis()) {
            out.add(String.format(
                    Locale.ROOT,
                    "the flows and GPU samples cover %s, less than the destination warm-up (%s,"
                            + " destination.warmup.ms): until it has passed no destination is called rare, so traffic to a new"
                            + " destination (exfiltration, a tunnel) cannot stand out in this replay; for a short capture pass a"
                            + " shorter --destination-warmup-ms",
                    human(last - first),
                    human(warmup.toMillis())));
        }
        return out;
    }

    private static Path fileOf(Replay.Dataset dataset, String source) {
        String name = source.substring(source.lastIndexOf('/') + 1);
        return dataset.files().stream()
                .filter(p -> p.getFileName().toString().equals(name))
                .findFirst()
                .orElse(null);
    }

    static String human(long ms) {
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        if (ms < 3_600_000) {
            return String.format(Locale.ROOT, "%.1f min", ms / 60_000.0);
        }
        return String.format(Locale.ROOT, "%.1f h", ms / 3_600_000.0);
    }
}
