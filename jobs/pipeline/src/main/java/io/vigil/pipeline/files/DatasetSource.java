package io.vigil.pipeline.files;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.records.formats.Formats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a dataset comes from, which {@code vigil evaluate} reports apart: {@value #REAL} (a capture of real
 * traffic, {@code source.json} with {@code "kind": "real"}, as {@code vigil wrap-capture} writes it),
 * {@value #SIMULATED} (a {@code simulation.json}, as {@code vigil simulate} writes it), or
 * {@value #UNKNOWN}. A {@code source.json} may also name the format of the dataset's flows
 * ({@code "flow_format": "zeek-tsv"}): the dataset knows what its own file is, so replay reads it so
 * whatever {@code --flow-format} says for the others.
 *
 * @param flowFormat the flows' format from source.json, or null when the dataset does not say
 */
public record DatasetSource(String kind, String flowFormat) {
    public static final String FILE_NAME = "source.json";
    public static final String REAL = "real";
    public static final String SIMULATED = "simulated";
    public static final String UNKNOWN = "unknown";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * @throws IllegalArgumentException when source.json is not a JSON object, or names an unknown flow format
     * @throws UncheckedIOException when it cannot be read
     */
    public static DatasetSource of(Path dataset) {
        Path file = dataset.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return new DatasetSource(
                    Files.isRegularFile(dataset.resolve("simulation.json")) ? SIMULATED : UNKNOWN, null);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object");
        }
        String kind =
                root.path("kind").isTextual() && !root.path("kind").textValue().isBlank()
                        ? root.path("kind").textValue()
                        : UNKNOWN;
        String format =
                root.path("flow_format").isTextual() ? root.path("flow_format").textValue() : null;
        if (format != null && !Formats.FLOW_FORMATS.contains(format)) {
            throw new IllegalArgumentException(
                    file + ": flow_format '" + format + "' is not one of " + Formats.FLOW_FORMATS);
        }
        return new DatasetSource(kind, format);
    }
}
