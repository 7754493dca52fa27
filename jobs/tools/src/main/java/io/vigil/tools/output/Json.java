package io.vigil.tools.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.records.json.JsonEscapes;
import java.io.UncheckedIOException;

/**
 * The JSON files the verbs write (a replay's summary.json, evaluate's figures, a simulated dataset's labels and
 * manifest): two spaces of indent, {@code "key": value}, one element a line, LF line ends and a final newline, so
 * the same figures give the same bytes on every platform. Numbers that are figures are rounded to four places,
 * and an undefined one (no window, no incident) is {@code null}. Text is escaped as RFC 8259 asks and beyond
 * ({@link JsonEscapes}: DEL, C1 controls, bidi and other format characters, U+2028/U+2029), so a file that
 * reaches a terminal shows its job ids as text.
 */
public final class Json {
    private static final ObjectMapper MAPPER =
            JsonMapper.builder(JsonEscapes.factory()).build();

    private Json() {}

    /** An empty object to fill; key order is insertion order. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** An empty array to fill. */
    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** The value (a tree, a map, a list...) as the file's text. */
    public static String text(Object value) {
        try {
            return MAPPER.writer(printer()).writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code value} rounded to four places; null when it is null, NaN or infinite. */
    public static void putRounded(ObjectNode node, String field, Double value) {
        if (value == null || value.isNaN() || value.isInfinite()) {
            node.putNull(field);
        } else {
            node.put(field, round(value));
        }
    }

    /** Four places: figures, not the last bits of a floating-point sum. */
    public static double round(double v) {
        return Math.round(v * 10_000.0) / 10_000.0;
    }

    private static DefaultPrettyPrinter printer() {
        DefaultIndenter lf = new DefaultIndenter("  ", "\n");
        return new DefaultPrettyPrinter()
                .withSeparators(
                        Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(lf)
                .withArrayIndenter(lf);
    }
}
