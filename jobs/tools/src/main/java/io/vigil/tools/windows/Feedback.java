package io.vigil.tools.windows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.records.Category;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * One analyst's verdict on one window, from a feedback file: JSON lines (gzip'd when the name ends in
 * {@code .gz}), one verdict each, blank lines skipped:
 *
 * <pre>
 * {"job_id": "rl-agent-7", "window_start": "2026-02-14T03:02:00Z", "verdict": "true_positive", "category": "CRYPTO_MINING"}
 * {"alert_id": "0b6c…", "job_id": "train-3", "window_start": 1771038120000, "verdict": "false_positive"}
 * </pre>
 *
 * <ul>
 *   <li>{@code job_id} (required): the job, as the pipeline names it (an alert's {@code job_id}).
 *   <li>{@code window_start} (required): epoch ms or an ISO-8601 instant; the verdict is for the job's window
 *       that holds this instant, so an alert's {@code window_start} names its window exactly.
 *   <li>{@code verdict} (required): {@code true_positive} (the window is misuse) or {@code false_positive} (it is
 *       benign, whatever labels.json says).
 *   <li>{@code category} (optional, true positives only): what kind of misuse; without it the window keeps the
 *       category labels.json gives it, else {@code UNKNOWN}.
 *   <li>{@code alert_id} (optional): the alert judged; it names the incident of a window no labels.json names.
 *   <li>{@code dataset} (optional): only windows of this dataset (directory name); else any dataset's.
 * </ul>
 * Other fields (an analyst's name, a note) are ignored. A line that breaks these rules is refused with the
 * file, the line number and what is wrong: a training set built on half a file would be wrong quietly.
 *
 * @param source {@code file:line}, for messages
 * @param dataset null for any dataset
 * @param category null when the verdict does not name one
 * @param alertId null when not given
 */
public record Feedback(
        String source,
        String dataset,
        String jobId,
        long windowStart,
        Judgement judgement,
        Category category,
        String alertId) {

    /** What the analyst decided. */
    public enum Judgement {
        TRUE_POSITIVE,
        FALSE_POSITIVE;

        String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A feedback file that cannot be used: the message names the file and line. */
    public static final class BadFeedback extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadFeedback(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every verdict of a file, in file order. */
    public static List<Feedback> read(Path file) throws IOException {
        List<Feedback> verdicts = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (!line.isBlank()) {
                    verdicts.add(parse(line, file + ":" + number));
                }
            }
        }
        return verdicts;
    }

    /** One line; {@code source} ({@code file:line}) begins every message. */
    public static Feedback parse(String line, String source) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadFeedback(source + ": not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new BadFeedback(
                    source + ": expected a JSON object, found " + (node == null ? "nothing" : node.getNodeType()));
        }
        String job = text(node, "job_id", source, true);
        long start = time(node, "window_start", source);
        String verdictText = text(node, "verdict", source, true);
        Judgement judgement = Arrays.stream(Judgement.values())
                .filter(j -> j.code().equals(verdictText))
                .findFirst()
                .orElseThrow(() -> new BadFeedback(
                        source + ": verdict \"" + verdictText + "\" is not true_positive or false_positive"));
        String categoryText = text(node, "category", source, false);
        Category category = null;
        if (categoryText != null) {
            if (judgement == Judgement.FALSE_POSITIVE) {
                throw new BadFeedback(
                        source + ": a false_positive has no category (the window is benign); remove \"category\"");
            }
            try {
                category = Category.valueOf(categoryText);
            } catch (IllegalArgumentException e) {
                throw new BadFeedback(source + ": category \"" + categoryText + "\" is not one of "
                        + Arrays.toString(Category.values()));
            }
        }
        return new Feedback(
                source,
                text(node, "dataset", source, false),
                job,
                start,
                judgement,
                category,
                text(node, "alert_id", source, false));
    }

    /** Whether this verdict is about the window {@code [start, end)} of {@code job} in {@code dataset}. */
    public boolean matches(String windowDataset, String job, long start, long end) {
        return jobId.equals(job)
                && start <= windowStart
                && windowStart < end
                && (dataset == null || dataset.equals(windowDataset));
    }

    private static String text(JsonNode node, String field, String source, boolean required) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new BadFeedback(source + ": " + field + " is missing");
            }
            return null;
        }
        if (!v.isTextual() || v.textValue().isBlank()) {
            throw new BadFeedback(source + ": " + field + " must be non-empty text, found " + v);
        }
        return v.textValue();
    }

    private static long time(JsonNode node, String field, String source) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new BadFeedback(source + ": " + field + " is missing");
        }
        if (v.isIntegralNumber() && v.canConvertToLong() && v.longValue() >= 0) {
            return v.longValue();
        }
        if (v.isTextual()) {
            try {
                return Instant.parse(v.textValue()).toEpochMilli();
            } catch (DateTimeParseException e) {
                // the message below says what is expected
            }
        }
        throw new BadFeedback(source + ": " + field
                + " must be epoch milliseconds or an ISO-8601 instant like 2026-02-14T03:02:00Z, found " + v);
    }
}
