package io.vigil.records.formats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.records.Decoded;
import io.vigil.records.RejectReason;
import java.util.List;
import java.util.function.Function;

/**
 * A format of one JSON object per line (goflow2, Zeek's JSON logs): blank and {@code #} lines are skipped,
 * a line that is not a JSON object is {@code malformed}, and each object is converted by the format.
 */
abstract class JsonObjectLines<T> implements LineFormat<T> {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Converts one parsed object. Never throws for bad input: a rejection says why. */
    abstract Decoded<T> decodeObject(JsonNode object);

    @Override
    public Reader<T> newReader(String sourceName) {
        return line -> line.isBlank() || line.startsWith("#") ? List.of() : List.of(decode(line));
    }

    Decoded<T> decode(String line) {
        return decode(line, this::decodeObject);
    }

    /** Parses one line and converts the object with {@code convert}. */
    Decoded<T> decode(String line, Function<JsonNode, Decoded<T>> convert) {
        JsonNode o;
        try {
            o = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            return Decoded.rejected(
                    RejectReason.MALFORMED, null, "not JSON: " + Values.abbreviate(e.getOriginalMessage()));
        }
        if (o == null || !o.isObject()) {
            return Decoded.rejected(RejectReason.MALFORMED, null, "not a JSON object");
        }
        return convert.apply(o);
    }
}
