package io.vigil.records.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vigil.records.Decoded;
import io.vigil.records.RecordRejected;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads and writes one canonical record per JSON line, with the Avro schema's field names. The schema
 * drives both directions, so a field added to an .avsc file needs no change here.
 *
 * <p>Reading never throws for bad input: it returns {@link Decoded#rejected} with a reason code. Unknown
 * JSON fields are ignored and absent fields take the schema's default, so newer and older writers mix.
 * Timestamps are epoch milliseconds; {@code bytes} fields are base64 text. Text is written with
 * {@link JsonEscapes}: no control or bidi character of a record reaches a terminal that shows the line.
 */
public final class JsonRecordCodec<T extends SpecificRecord> {
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonEscapes.factory())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();
    private static final ObjectReader READER = MAPPER.reader();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private final RecordType<T> type;

    private JsonRecordCodec(RecordType<T> type) {
        this.type = type;
    }

    public static <T extends SpecificRecord> JsonRecordCodec<T> of(RecordType<T> type) {
        return new JsonRecordCodec<>(type);
    }

    public RecordType<T> type() {
        return type;
    }

    /** Decodes and checks one line. Never throws for bad input. */
    public Decoded<T> decode(String line) {
        if (line == null || line.isBlank()) {
            return Decoded.rejected(RejectReason.MALFORMED, null, "empty line");
        }
        JsonNode node;
        try {
            node = READER.readTree(line);
        } catch (JsonProcessingException e) {
            return Decoded.rejected(RejectReason.MALFORMED, null, "not JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            return Decoded.rejected(RejectReason.MALFORMED, null, "not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            return Decoded.rejected(RejectReason.MALFORMED, null, "not a JSON object");
        }
        try {
            @SuppressWarnings("unchecked")
            T record = (T) readRecord(type.schema(), node, "");
            type.check(record);
            return Decoded.accepted(record);
        } catch (RecordRejected e) {
            return Decoded.rejected(e.rejection());
        }
    }

    /** One line of JSON, without the newline. */
    public String encode(T record) {
        StringWriter out = new StringWriter(256);
        write(record, out);
        return out.toString();
    }

    /** Writes one line of JSON, without the newline. */
    public void write(T record, Writer out) {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            writeValue(g, type.schema(), record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NotFinite e) {
            throw new IllegalArgumentException("cannot write " + e.value + " as JSON at " + e.path);
        }
    }

    // ---- reading ----

    private static IndexedRecord readRecord(Schema schema, JsonNode object, String path) throws RecordRejected {
        IndexedRecord record = (IndexedRecord) SpecificData.get().newRecord(null, schema);
        for (Schema.Field field : schema.getFields()) {
            String fieldPath = path.isEmpty() ? field.name() : path + "." + field.name();
            JsonNode value = object.get(field.name());
            Object decoded;
            if (value == null || value.isMissingNode() || (value.isNull() && !isNullable(field.schema()))) {
                if (value == null && field.hasDefaultValue()) {
                    decoded = SpecificData.get()
                            .deepCopy(field.schema(), SpecificData.get().getDefaultValue(field));
                } else if (isTimestamp(nonNull(field.schema()))) {
                    throw new RecordRejected(RejectReason.MISSING_TIME, fieldPath, fieldPath + " is missing");
                } else {
                    throw new RecordRejected(RejectReason.MISSING_FIELD, fieldPath, fieldPath + " is missing");
                }
            } else {
                decoded = readValue(field.schema(), value, fieldPath);
            }
            record.put(field.pos(), decoded);
        }
        return record;
    }

    private static Object readValue(Schema schema, JsonNode v, String path) throws RecordRejected {
        switch (schema.getType()) {
            case UNION:
                if (v.isNull()) {
                    return null;
                }
                return readValue(nonNull(schema), v, path);
            case NULL:
                if (!v.isNull()) {
                    throw wrongType(path, "null", v);
                }
                return null;
            case STRING:
                if (!v.isTextual()) {
                    throw wrongType(path, "text", v);
                }
                return v.textValue();
            case INT:
                if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                    throw wrongType(path, "a 32-bit integer", v);
                }
                return v.intValue();
            case LONG:
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    throw wrongType(path, isTimestamp(schema) ? "epoch milliseconds (an integer)" : "an integer", v);
                }
                long l = v.longValue();
                if (isTimestamp(schema)) {
                    if (l < 0) {
                        throw new RecordRejected(RejectReason.NEGATIVE_TIME, path, path + " is before 1970: " + l);
                    }
                    return Instant.ofEpochMilli(l);
                }
                return l;
            case DOUBLE:
            case FLOAT: {
                if (!v.isNumber()) {
                    throw wrongType(path, "a number", v);
                }
                double d = v.doubleValue();
                if (!Double.isFinite(d)) {
                    throw new RecordRejected(
                            RejectReason.OUT_OF_RANGE, path, path + " " + v + " is not a finite number");
                }
                return schema.getType() == Schema.Type.FLOAT ? (Object) (float) d : (Object) d;
            }
            case BOOLEAN:
                if (!v.isBoolean()) {
                    throw wrongType(path, "true or false", v);
                }
                return v.booleanValue();
            case ENUM:
                if (!v.isTextual()) {
                    throw wrongType(path, "one of " + schema.getEnumSymbols(), v);
                }
                if (!schema.hasEnumSymbol(v.textValue())) {
                    throw new RecordRejected(
                            RejectReason.UNKNOWN_ENUM,
                            path,
                            path + " '" + abbreviate(v.textValue()) + "' is not one of " + schema.getEnumSymbols());
                }
                return SpecificData.get().createEnum(v.textValue(), schema);
            case ARRAY: {
                if (!v.isArray()) {
                    throw wrongType(path, "an array", v);
                }
                List<Object> list = new ArrayList<>(v.size());
                for (int i = 0; i < v.size(); i++) {
                    list.add(readValue(schema.getElementType(), v.get(i), path + "[" + i + "]"));
                }
                return list;
            }
            case MAP: {
                if (!v.isObject()) {
                    throw wrongType(path, "an object", v);
                }
                Map<String, Object> map = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> it = v.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    map.put(e.getKey(), readValue(schema.getValueType(), e.getValue(), path + "." + e.getKey()));
                }
                return map;
            }
            case RECORD:
                if (!v.isObject()) {
                    throw wrongType(path, "an object", v);
                }
                return readRecord(schema, v, path);
            case BYTES:
                if (!v.isTextual()) {
                    throw wrongType(path, "base64 text", v);
                }
                try {
                    return ByteBuffer.wrap(Base64.getDecoder().decode(v.textValue()));
                } catch (IllegalArgumentException e) {
                    throw wrongType(path, "base64 text", v);
                }
            default:
                throw new IllegalStateException("schema type not supported in JSON lines: " + schema.getType());
        }
    }

    // ---- writing ----

    /**
     * A number JSON cannot carry. The path to it is built on the way out, each record adding its field, rather than
     * for every field written (a flow's dead letter is written as JSON for every flow no job owns).
     */
    private static final class NotFinite extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final double value;
        final String path;

        NotFinite(double value, String path) {
            super(null, null, false, false);
            this.value = value;
            this.path = path;
        }
    }

    private static void writeValue(JsonGenerator g, Schema schema, Object value) throws IOException {
        switch (schema.getType()) {
            case UNION:
                if (value == null) {
                    g.writeNull();
                } else {
                    writeValue(g, nonNull(schema), value); // our unions are all [null, X]
                }
                return;
            case NULL:
                g.writeNull();
                return;
            case RECORD: {
                IndexedRecord record = (IndexedRecord) value;
                g.writeStartObject();
                for (Schema.Field field : schema.getFields()) {
                    g.writeFieldName(field.name());
                    try {
                        writeValue(g, field.schema(), record.get(field.pos()));
                    } catch (NotFinite e) {
                        throw new NotFinite(e.value, "." + field.name() + e.path);
                    }
                }
                g.writeEndObject();
                return;
            }
            case STRING:
            case ENUM:
                g.writeString(value.toString());
                return;
            case INT:
                g.writeNumber(((Number) value).intValue());
                return;
            case LONG:
                g.writeNumber(value instanceof Instant i ? i.toEpochMilli() : ((Number) value).longValue());
                return;
            case DOUBLE:
            case FLOAT: {
                double d = ((Number) value).doubleValue();
                if (!Double.isFinite(d)) {
                    throw new NotFinite(d, "");
                }
                g.writeNumber(d);
                return;
            }
            case BOOLEAN:
                g.writeBoolean((Boolean) value);
                return;
            case ARRAY:
                g.writeStartArray();
                for (Object item : (List<?>) value) {
                    writeValue(g, schema.getElementType(), item);
                }
                g.writeEndArray();
                return;
            case MAP:
                g.writeStartObject();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    g.writeFieldName(e.getKey().toString());
                    writeValue(g, schema.getValueType(), e.getValue());
                }
                g.writeEndObject();
                return;
            case BYTES: {
                ByteBuffer buf = ((ByteBuffer) value).duplicate();
                byte[] bytes = new byte[buf.remaining()];
                buf.get(bytes);
                g.writeString(Base64.getEncoder().encodeToString(bytes));
                return;
            }
            default:
                throw new IllegalStateException("schema type not supported in JSON lines: " + schema.getType());
        }
    }

    // ---- helpers ----

    private static boolean isNullable(Schema schema) {
        return schema.getType() == Schema.Type.NULL
                || (schema.getType() == Schema.Type.UNION
                        && schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL));
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() != Schema.Type.NULL) {
                return branch;
            }
        }
        return schema;
    }

    private static boolean isTimestamp(Schema schema) {
        LogicalType lt = schema.getLogicalType();
        return lt instanceof LogicalTypes.TimestampMillis;
    }

    private static RecordRejected wrongType(String path, String expected, JsonNode actual) {
        return new RecordRejected(
                RejectReason.WRONG_TYPE,
                path,
                path + " should be " + expected + ", not " + abbreviate(actual.toString()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return abbreviate(nl < 0 ? s : s.substring(0, nl));
    }
}
