package io.vigil.models.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.records.Category;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a dataset's {@code labels.json}: a JSON array of
 * {@code {"incident": "...", "job_id": "...", "category": "NETWORK_SCAN", "start_ts": ms, "end_ts": ms}}, and
 * where an agent under training caused it, {@code "episode_id": "..."} and {@code "call_step": n} (the step of the
 * episode's tool call that did it; both optional).
 * Times are epoch milliseconds, or ISO-8601 instants ({@code "2026-02-14T03:02:00Z"}) for hand-written
 * files. Unknown fields (a note, a source) are ignored. A dataset without the file has no labels.
 *
 * <p>Bad input is refused as a whole, with an {@link IllegalArgumentException} naming the file, the
 * entry (0-based, and its incident when known) and what is wrong: a backtest over half a ground truth
 * would report wrong numbers quietly.
 */
public final class Labels {
    /** The file name inside a dataset directory. */
    public static final String FILE_NAME = "labels.json";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Labels() {}

    /** The labels of a dataset directory; none when it has no {@value #FILE_NAME}. */
    public static List<Label> ofDataset(Path dataset) {
        return read(dataset.resolve(FILE_NAME));
    }

    /** The labels in a file; none when the file does not exist. */
    public static List<Label> read(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses the text of a labels file; {@code fileName} is for messages. */
    public static List<Label> parse(String json, String fileName) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(fileName + ": not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            return List.of(); // an empty file: no labels
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException(
                    fileName + ": expected a JSON array of labels, found " + root.getNodeType());
        }
        List<Label> labels = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            JsonNode entry = root.get(i);
            String where = fileName + ": entry " + i;
            if (!entry.isObject()) {
                throw new IllegalArgumentException(where + ": expected an object, found " + entry.getNodeType());
            }
            JsonNode incidentNode = entry.get("incident");
            if (incidentNode != null && incidentNode.isTextual()) {
                where += " (incident \"" + incidentNode.textValue() + "\")";
            }
            String incident = text(entry, "incident", where);
            String job = text(entry, "job_id", where);
            String categoryName = text(entry, "category", where);
            Category category;
            try {
                category = Category.valueOf(categoryName);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": category \"" + categoryName + "\" is not one of "
                        + Arrays.toString(Category.values()));
            }
            long start = time(entry, "start_ts", where);
            long end = time(entry, "end_ts", where);
            String episode = entry.hasNonNull("episode_id") ? text(entry, "episode_id", where) : null;
            Long step = null;
            JsonNode stepNode = entry.get("call_step");
            if (stepNode != null && !stepNode.isNull()) {
                if (!stepNode.isIntegralNumber() || !stepNode.canConvertToLong()) {
                    throw new IllegalArgumentException(where + ": call_step must be a whole number, found " + stepNode);
                }
                step = stepNode.longValue();
            }
            try {
                labels.add(new Label(incident, job, category, start, end, episode, step));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
        }
        return List.copyOf(labels);
    }

    private static String text(JsonNode entry, String field, String where) {
        JsonNode v = entry.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(where + ": " + field + " is missing");
        }
        if (!v.isTextual() || v.textValue().isBlank()) {
            throw new IllegalArgumentException(where + ": " + field + " must be non-empty text, found " + v);
        }
        return v.textValue();
    }

    private static long time(JsonNode entry, String field, String where) {
        JsonNode v = entry.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(where + ": " + field + " is missing");
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v.isTextual()) {
            try {
                return Instant.parse(v.textValue()).toEpochMilli();
            } catch (DateTimeParseException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException(where + ": " + field
                + " must be epoch milliseconds or an ISO-8601 instant like 2026-02-14T03:02:00Z, found " + v);
    }
}
