package io.vigil.tools.windows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * One analyst's verdict on one window or one incident's span, from a feedback file: JSON lines (gzip'd when the
 * name ends in {@code .gz}), one verdict each, blank lines skipped; or one message of the feedback topic, the same
 * JSON ({@link FeedbackTopic}; {@code vigil verdict} writes it with {@link #json()}):
 *
 * <pre>
 * {"job_id": "rl-agent-7", "window_start": "2026-02-14T03:02:00Z", "verdict": "true_positive", "category": "CRYPTO_MINING"}
 * {"alert_id": "0b6c…", "job_id": "train-3", "window_start": 1771038120000, "verdict": "false_positive"}
 * {"alert_id": "9f2e…", "job_id": "train-3", "window_start": "2026-02-14T03:00:00Z", "window_end": "2026-02-14T03:09:00Z", "verdict": "false_positive", "author": "ana", "note": "nightly backup"}
 * </pre>
 *
 * <ul>
 *   <li>{@code job_id} (required): the job, as the pipeline names it (an alert's {@code job_id}).
 *   <li>{@code window_start} (required): epoch ms or an ISO-8601 instant; the verdict is for the job's window
 *       that holds this instant, so an alert's {@code window_start} names its window exactly.
 *   <li>{@code window_end} (optional, after {@code window_start}): the verdict is for every window of the job
 *       that overlaps {@code [window_start, window_end)}: an incident's first window start to last window end.
 *   <li>{@code verdict} (required): {@code true_positive} (the window is misuse) or {@code false_positive} (it is
 *       benign, whatever labels.json says).
 *   <li>{@code category} (optional, true positives only): what kind of misuse; without it the window keeps the
 *       category labels.json gives it, else {@code UNKNOWN}.
 *   <li>{@code alert_id} (optional): the alert judged; it names the incident of a window no labels.json names.
 *   <li>{@code dataset} (optional): only windows of this dataset (directory name); else any dataset's.
 *   <li>{@code author}, {@code note} (optional text): who judged, and why; kept with the verdict, not used to label.
 * </ul>
 * Other fields are ignored. A line that breaks these rules is refused with the file, the line number and what is
 * wrong: a training set built on half a file would be wrong quietly.
 *
 * @param source {@code file:line} (or {@code topic-partition@offset}), for messages
 * @param dataset null for any dataset
 * @param category null when the verdict does not name one
 * @param alertId null when not given
 * @param windowEnd null: the verdict is for the one window holding {@code windowStart}
 * @param author null when not given
 * @param note null when not given
 */
public record Feedback(
        String source,
        String dataset,
        String jobId,
        long windowStart,
        Judgement judgement,
        Category category,
        String alertId,
        Long windowEnd,
        String author,
        String note) {

    /** What the analyst decided. */
    public enum Judgement {
        TRUE_POSITIVE,
        FALSE_POSITIVE;

        /** How a verdict names it: {@code true_positive}, {@code false_positive}. */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The judgement a verdict's word names, or empty for any other word. */
        public static Optional<Judgement> of(String code) {
            return Arrays.stream(values()).filter(j -> j.code().equals(code)).findFirst();
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
        Judgement judgement = Judgement.of(verdictText)
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
        Long end = null;
        if (node.hasNonNull("window_end")) {
            end = time(node, "window_end", source);
            if (end <= start) {
                throw new BadFeedback(source + ": window_end " + Instant.ofEpochMilli(end)
                        + " is not after window_start " + Instant.ofEpochMilli(start));
            }
        }
        return new Feedback(
                source,
                text(node, "dataset", source, false),
                job,
                start,
                judgement,
                category,
                text(node, "alert_id", source, false),
                end,
                text(node, "author", source, false),
                text(node, "note", source, false));
    }

    /** This verdict as one JSON object, the way {@link #parse} reads it (times as ISO-8601; no source). */
    public String json() {
        ObjectNode node = JSON.createObjectNode();
        if (alertId != null) {
            node.put("alert_id", alertId);
        }
        node.put("job_id", jobId);
        node.put("window_start", Instant.ofEpochMilli(windowStart).toString());
        if (windowEnd != null) {
            node.put("window_end", Instant.ofEpochMilli(windowEnd).toString());
        }
        node.put("verdict", judgement.code());
        if (category != null) {
            node.put("category", category.name());
        }
        if (dataset != null) {
            node.put("dataset", dataset);
        }
        if (author != null) {
            node.put("author", author);
        }
        if (note != null) {
            node.put("note", note);
        }
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of text and numbers always writes", e);
        }
    }

    /**
     * Whether this verdict is about the window {@code [start, end)} of {@code job} in {@code dataset}: the window
     * holds {@code window_start}, or, with a {@code window_end}, overlaps {@code [window_start, window_end)}.
     */
    public boolean matches(String windowDataset, String job, long start, long end) {
        boolean when =
                windowEnd == null ? start <= windowStart && windowStart < end : start < windowEnd && windowStart < end;
        return jobId.equals(job) && when && (dataset == null || dataset.equals(windowDataset));
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
