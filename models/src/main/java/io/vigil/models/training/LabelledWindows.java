package io.vigil.models.training;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.models.features.FeatureSet;
import io.vigil.records.Category;
import io.vigil.records.json.JsonEscapes;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The labelled-windows file ({@code vigil windows --out F}, {@code vigil train --windows F}): gzip'd or
 * plain JSON lines, one window each, features by name:
 *
 * <pre>{"dataset":"rome-2026-02","job_id":"job-7","window_start":1771027200000,"window_end":1771027260000,
 *  "label":null,"incident":null,"features":{"flows":3.2,...}}</pre>
 *
 * <p>{@code label} is null for a benign window, else a {@link Category} name; {@code incident} names the
 * incident of a labelled window. Features are written in the feature set's order and read by name, so a file
 * written with more features still reads. Same windows, same bytes: Java's gzip header carries no time.
 */
public final class LabelledWindows {
    private static final ObjectMapper JSON = new ObjectMapper(JsonEscapes.factory());

    private LabelledWindows() {}

    /**
     * Writes windows, deterministically (same windows, same bytes); gzip when the name ends in .gz.
     *
     * @throws IllegalArgumentException for a window whose features do not fit the set or are not finite
     */
    public static void write(Path file, FeatureSet featureSet, List<LabelledWindow> windows) throws IOException {
        try (OutputStream out = open(file)) {
            for (LabelledWindow window : windows) {
                out.write(line(featureSet, window));
            }
        }
    }

    /** One window as its line, newline included. */
    static byte[] line(FeatureSet featureSet, LabelledWindow w) throws IOException {
        featureSet.checkLength(w.features());
        List<String> names = featureSet.names();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (JsonGenerator json = JSON.getFactory().createGenerator(bytes, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("dataset", w.dataset());
            json.writeStringField("job_id", w.jobId());
            json.writeNumberField("window_start", w.windowStart());
            json.writeNumberField("window_end", w.windowEnd());
            json.writeStringField("label", w.label() == null ? null : w.label().name());
            json.writeStringField("incident", w.incident());
            json.writeObjectFieldStart("features");
            for (int i = 0; i < names.size(); i++) {
                double v = w.features()[i];
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("window " + w.dataset() + "/" + w.jobId() + "@" + w.windowStart()
                            + ": feature '" + names.get(i) + "' is not finite: " + v);
                }
                json.writeNumberField(names.get(i), v);
            }
            json.writeEndObject();
            json.writeEndObject();
        }
        bytes.write('\n');
        return bytes.toByteArray();
    }

    /** Reads windows; a bad line is an IOException naming the file, line and what is wrong. Blank lines are skipped. */
    public static List<LabelledWindow> read(Path file, FeatureSet featureSet) throws IOException {
        List<LabelledWindow> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file);
                BufferedReader reader = new BufferedReader(new InputStreamReader(
                        file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in,
                        StandardCharsets.UTF_8))) {
            String text;
            int number = 0;
            while ((text = reader.readLine()) != null) {
                number++;
                if (text.isBlank()) {
                    continue;
                }
                try {
                    out.add(parse(text, featureSet));
                } catch (BadLine e) {
                    throw new IOException(file + ":" + number + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    private static LabelledWindow parse(String text, FeatureSet featureSet) throws BadLine {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BadLine("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new BadLine("not a JSON object");
        }
        String dataset = text(node, "dataset", false);
        String jobId = text(node, "job_id", false);
        long start = millis(node, "window_start");
        long end = millis(node, "window_end");
        if (end <= start) {
            throw new BadLine("window_end " + end + " is not after window_start " + start);
        }
        String labelName = text(node, "label", true);
        Category label;
        try {
            label = labelName == null ? null : Category.valueOf(labelName);
        } catch (IllegalArgumentException e) {
            throw new BadLine(
                    "label '" + labelName + "' is not a category (" + List.of(Category.values()) + ") or null");
        }
        String incident = text(node, "incident", true);
        JsonNode features = node.get("features");
        if (features == null || !features.isObject()) {
            throw new BadLine("'features' must be an object of name to number");
        }
        Map<String, Double> byName = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = features.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isNumber()) {
                if (featureSet.contains(e.getKey())) {
                    throw new BadLine("feature '" + e.getKey() + "' is not a number: " + e.getValue());
                }
                continue;
            }
            byName.put(e.getKey(), e.getValue().doubleValue());
        }
        double[] vector;
        try {
            vector = featureSet.fromMap(byName);
        } catch (IllegalArgumentException e) {
            throw new BadLine(e.getMessage());
        }
        for (int i = 0; i < vector.length; i++) {
            if (!Double.isFinite(vector[i])) {
                throw new BadLine("feature '" + featureSet.names().get(i) + "' is not finite");
            }
        }
        return new LabelledWindow(dataset, jobId, start, end, vector, label, incident);
    }

    private static String text(JsonNode node, String field, boolean nullable) throws BadLine {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (nullable) {
                return null;
            }
            throw new BadLine("'" + field + "' is missing");
        }
        if (!value.isTextual() || (!nullable && value.asText().isBlank())) {
            throw new BadLine(
                    "'" + field + "' must be a " + (nullable ? "string or null" : "non-blank string") + ": " + value);
        }
        return value.asText();
    }

    private static long millis(JsonNode node, String field) throws BadLine {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new BadLine("'" + field + "' is missing");
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new BadLine("'" + field + "' must be epoch milliseconds (an integer): " + value);
        }
        return value.longValue();
    }

    private static OutputStream open(Path file) throws IOException {
        OutputStream out = Files.newOutputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) {
            // GZIPOutputStream writes 0 as the header's modification time: the bytes depend on the content only.
            return new GZIPOutputStream(out, 1 << 16);
        }
        return new BufferedOutputStream(out, 1 << 16);
    }

    /** What is wrong with one line; the reader adds the file and line number. */
    private static final class BadLine extends Exception {
        private static final long serialVersionUID = 1L;

        BadLine(String message) {
            super(message, null, false, false);
        }
    }
}
