package io.vigil.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.records.json.JsonRecordCodec;
import io.vigil.records.wire.ConfluentFraming;
import io.vigil.records.wire.FakeSchemaRegistry;
import io.vigil.records.wire.SchemaRegistryClient;
import io.vigil.records.wire.SingleObjectFraming;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * Records written by today's code must stay readable by the next release, and the next release's records
 * by today's code, as long as a field is only ever added with a default. "Next" here is today's Flow
 * with one more optional field, {@code vlan}.
 */
class SchemaEvolutionTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Flow as the next release might have it: one more field, optional, defaulting to null. */
    static final Schema NEXT_FLOW = withField(
            Flow.getClassSchema(),
            "{\"name\": \"vlan\", \"type\": [\"null\", \"int\"], \"default\": null, \"doc\": \"802.1Q VLAN id.\"}");

    @Test
    void theNextFlowIsCompatibleWithTodaysBothWays() {
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(NEXT_FLOW, Flow.getClassSchema())
                        .getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(Flow.getClassSchema(), NEXT_FLOW)
                        .getType())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(SchemaNormalization.parsingFingerprint64(NEXT_FLOW))
                .isNotEqualTo(SchemaNormalization.parsingFingerprint64(Flow.getClassSchema()));
    }

    // (a) a plain binary datum

    @Test
    void aNewerReaderReadsTodaysDatumWithTheNewFieldNull() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(Flow.class).write(Fixtures.flow(), encoder);
        encoder.flush();

        GenericRecord read = new GenericDatumReader<GenericRecord>(Flow.getClassSchema(), NEXT_FLOW)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));

        assertThat(read.getSchema()).isEqualTo(NEXT_FLOW);
        assertThat(read.get("vlan")).isNull();
        assertHoldsTheSameFieldsAs(read, Fixtures.flow());
    }

    // (b) single-object encoding, today's writer, next reader

    @Test
    void aNewerReaderReadsTodaysSingleObjectMessages() throws IOException {
        byte[] message = new SingleObjectFraming<>(RecordType.FLOW).encode(Fixtures.flow());
        BinaryMessageDecoder<GenericRecord> nextDecoder = new BinaryMessageDecoder<>(GenericData.get(), NEXT_FLOW);
        nextDecoder.addSchema(Flow.getClassSchema());

        GenericRecord read = nextDecoder.decode(message);

        assertThat(read.get("vlan")).isNull();
        assertHoldsTheSameFieldsAs(read, Fixtures.flow());
    }

    @Test
    void aNewerReaderMustBeToldTodaysSchema() {
        byte[] message = new SingleObjectFraming<>(RecordType.FLOW).encode(Fixtures.flow());

        assertThatThrownBy(() -> new BinaryMessageDecoder<GenericRecord>(GenericData.get(), NEXT_FLOW).decode(message))
                .isInstanceOf(MissingSchemaException.class);
    }

    // (c) single-object encoding, next writer, today's reader

    @Test
    void todaysReaderReadsNewerSingleObjectMessagesOnceToldTheirSchema() {
        byte[] message = nextSingleObjectMessage(Fixtures.flow(), 42);

        Decoded<Flow> decoded =
                new SingleObjectFraming<>(RecordType.FLOW).alsoRead(NEXT_FLOW).decode(message);

        assertThat(decoded.isAccepted()).as("%s", decoded).isTrue();
        assertThat(decoded.record()).isEqualTo(Fixtures.flow());
    }

    @Test
    void todaysReaderRejectsNewerSingleObjectMessagesAsUndecodableWhenNotToldTheirSchema() {
        byte[] message = nextSingleObjectMessage(Fixtures.flow(), 42);

        Decoded<Flow> decoded = new SingleObjectFraming<>(RecordType.FLOW).decode(message);

        assertThat(decoded.isAccepted()).isFalse();
        assertThat(decoded.rejection().reason()).isEqualTo(RejectReason.UNDECODABLE);
    }

    @Test
    void aReaderToldANewerSchemaStillReadsTodaysMessages() {
        SingleObjectFraming<Flow> reader = new SingleObjectFraming<>(RecordType.FLOW).alsoRead(NEXT_FLOW);

        Decoded<Flow> today = reader.decode(new SingleObjectFraming<>(RecordType.FLOW).encode(Fixtures.flow()));
        Decoded<Flow> next = reader.decode(nextSingleObjectMessage(Fixtures.flow(), null));

        assertThat(today.record()).isEqualTo(Fixtures.flow());
        assertThat(next.record()).isEqualTo(Fixtures.flow());
    }

    @Test
    void newerMessagesStillGetTheDomainChecks() {
        byte[] message = nextSingleObjectMessage(
                Fixtures.flowBuilder().setDstPort(70_000).build(), 7);

        Decoded<Flow> decoded =
                new SingleObjectFraming<>(RecordType.FLOW).alsoRead(NEXT_FLOW).decode(message);

        assertThat(decoded.rejection().reason()).isEqualTo(RejectReason.OUT_OF_RANGE);
        assertThat(decoded.rejection().field()).isEqualTo("dst_port");
    }

    // (d) JSON lines

    @Test
    void todaysCodecReadsJsonLinesFromANewerWriter() {
        JsonRecordCodec<Flow> codec = JsonRecordCodec.of(RecordType.FLOW);
        ObjectNode newer = (ObjectNode) tree(codec.encode(Fixtures.flow()));
        newer.put("vlan", 42);

        Decoded<Flow> decoded = codec.decode(newer.toString());

        assertThat(decoded.isAccepted()).as("%s", decoded).isTrue();
        assertThat(decoded.record()).isEqualTo(Fixtures.flow());
    }

    @Test
    void todaysCodecReadsJsonLinesFromAnOlderWriterWithoutOptionalFields() {
        JsonRecordCodec<Flow> codec = JsonRecordCodec.of(RecordType.FLOW);
        ObjectNode older = (ObjectNode) tree(codec.encode(Fixtures.flow()));
        older.remove(List.of("job_id", "conn_state"));

        Decoded<Flow> decoded = codec.decode(older.toString());

        assertThat(decoded.record())
                .isEqualTo(
                        Fixtures.flowBuilder().setJobId(null).setConnState(null).build());
    }

    // (e) Confluent framing: the writer's schema comes from the registry

    @Test
    void todaysReaderReadsNewerConfluentMessagesThroughTheRegistry() throws IOException {
        try (FakeSchemaRegistry registry = new FakeSchemaRegistry()) {
            int nextId = registry.register("vigil.flows-value", NEXT_FLOW);
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            message.write(0);
            message.write(ByteBuffer.allocate(4).putInt(nextId).array());
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(message, null);
            new GenericDatumWriter<GenericRecord>(NEXT_FLOW).write(nextVersionOf(Fixtures.flow(), 42), encoder);
            encoder.flush();

            Decoded<Flow> decoded = new ConfluentFraming<>(
                            RecordType.FLOW, new SchemaRegistryClient(registry.url()), "vigil.flows")
                    .decode(message.toByteArray());

            assertThat(decoded.isAccepted()).as("%s", decoded).isTrue();
            assertThat(decoded.record()).isEqualTo(Fixtures.flow());
        }
    }

    // enums: Category promises UNKNOWN to readers that do not know a newer symbol

    @Test
    void aReaderFallsBackToUnknownForACategoryAddedLater() throws IOException {
        Schema nextAlert = withCategorySymbol(Alert.getClassSchema(), "DATA_POISONING");
        GenericRecord alert = toSchema(Fixtures.alert(), Alert.getClassSchema(), nextAlert);
        Schema nextCategory = nextAlert.getField("categories").schema().getElementType();
        alert.put(
                "categories",
                List.of(
                        new GenericData.EnumSymbol(nextCategory, "DATA_POISONING"),
                        new GenericData.EnumSymbol(nextCategory, "CRYPTO_MINING")));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(nextAlert).write(alert, encoder);
        encoder.flush();
        Alert read = new SpecificDatumReader<Alert>(nextAlert, Alert.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));

        assertThat(read.getCategories()).containsExactly(Category.UNKNOWN, Category.CRYPTO_MINING);
        assertThat(read.getAlertId()).isEqualTo(Fixtures.alert().getAlertId());
    }

    // the alert of incidents (one per transition) evolved from the per-window alert by fields with defaults only:
    // the alert topic keeps one record type and its registry subject accepts the new version (BACKWARD, FORWARD
    // and FULL compatibility, the checks a schema registry runs, are these two)

    @Test
    void theAlertOfIncidentsAndThePerWindowAlertReadEachOther() {
        Schema perWindow = PER_WINDOW_ALERT;
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(Alert.getClassSchema(), perWindow)
                        .getType())
                .as("today's reader, a per-window writer")
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(perWindow, Alert.getClassSchema())
                        .getType())
                .as("a per-window reader, today's writer")
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(SchemaNormalization.parsingFingerprint64(perWindow))
                .isNotEqualTo(SchemaNormalization.parsingFingerprint64(Alert.getClassSchema()));
    }

    @Test
    void aPerWindowAlertReadsAsAnAlertWithoutAnIncidentState() throws IOException {
        GenericRecord old = toSchema(Fixtures.alert(), Alert.getClassSchema(), PER_WINDOW_ALERT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(PER_WINDOW_ALERT).write(old, encoder);
        encoder.flush();

        Alert read = new SpecificDatumReader<Alert>(PER_WINDOW_ALERT, Alert.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));

        assertThat(read.getIncidentState()).isNull();
        assertThat(read.getTransitionCauses()).isEmpty();
        assertThat(read.getFirstWindowStart()).isNull();
        assertThat(read.getFlaggedWindows()).isZero();
        assertThat(read.getIncidentCategories()).isEmpty();
        assertThat(read.getAlertId()).isEqualTo(Fixtures.alert().getAlertId());
        assertThat(read.getEvidence()).isEqualTo(Fixtures.alert().getEvidence());
    }

    @Test
    void aPerWindowReaderReadsATransitionAsTheFlaggedWindowItCarries() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(Alert.class).write(Fixtures.alert(), encoder);
        encoder.flush();

        GenericRecord read = new GenericDatumReader<GenericRecord>(Alert.getClassSchema(), PER_WINDOW_ALERT)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));

        assertThat(read.getSchema().getField("incident_state")).isNull();
        assertThat(read.get("window_start")).isEqualTo(Fixtures.BEGINNING.toEpochMilli());
        assertThat(read.get("score")).isEqualTo(0.93);
        assertThat(read.get("incident_id").toString())
                .isEqualTo(Fixtures.alert().getIncidentId());
    }

    @Test
    void aReaderFallsBackForATransitionAddedLater() throws IOException {
        Schema next = withSymbol(Alert.getClassSchema(), "IncidentState", "REOPEN");
        GenericRecord alert = toSchema(Fixtures.alert(), Alert.getClassSchema(), next);
        Schema state = next.getField("incident_state").schema().getTypes().get(1);
        alert.put("incident_state", new GenericData.EnumSymbol(state, "REOPEN"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(next).write(alert, encoder);
        encoder.flush();
        Alert read = new SpecificDatumReader<Alert>(next, Alert.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));

        assertThat(read.getIncidentState()).isEqualTo(IncidentState.UPDATE);
    }

    // ---- helpers ----

    /**
     * The alert as written before incidents had a lifecycle, one per flagged window: the schema file of that
     * release (its categories are today's, which evolve on their own, above).
     */
    static final Schema PER_WINDOW_ALERT = resourceSchema("alert-per-window.avsc");

    private static Schema resourceSchema(String name) {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream(name)) {
            Schema.Parser parser = new Schema.Parser();
            parser.parse(Category.getClassSchema().toString());
            return parser.parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Today's flow as the next release would hold it, with a VLAN id (or none). */
    static GenericRecord nextVersionOf(Flow flow, Integer vlan) {
        GenericRecordBuilder next = new GenericRecordBuilder(NEXT_FLOW);
        for (Schema.Field field : Flow.getClassSchema().getFields()) {
            Object value = flow.get(field.pos());
            next.set(field.name(), value instanceof Instant instant ? instant.toEpochMilli() : value);
        }
        return next.set("vlan", vlan).build();
    }

    private static byte[] nextSingleObjectMessage(Flow flow, Integer vlan) {
        try {
            ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), NEXT_FLOW)
                    .encode(nextVersionOf(flow, vlan));
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every field today's flow has, with the same value; timestamps as the epoch millis Avro writes. */
    private static void assertHoldsTheSameFieldsAs(GenericRecord read, Flow flow) {
        for (Schema.Field field : Flow.getClassSchema().getFields()) {
            Object expected = flow.get(field.pos());
            if (expected instanceof Instant instant) {
                expected = instant.toEpochMilli();
            }
            Object actual = read.get(field.name());
            if (actual instanceof CharSequence text) {
                actual = text.toString();
            }
            assertThat(actual).as(field.name()).isEqualTo(expected);
        }
    }

    /** A record converted to another version of its schema, the way a reader of that version sees it. */
    private static GenericRecord toSchema(SpecificRecord record, Schema writer, Schema reader) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(writer).write(record, encoder);
        encoder.flush();
        return new GenericDatumReader<GenericRecord>(writer, reader)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    }

    private static Schema withField(Schema schema, String fieldJson) {
        ObjectNode json = (ObjectNode) tree(schema.toString());
        ((ArrayNode) json.get("fields")).add(tree(fieldJson));
        return new Schema.Parser().parse(json.toString());
    }

    private static Schema withCategorySymbol(Schema schema, String symbol) {
        return withSymbol(schema, "Category", symbol);
    }

    /** The schema with one more symbol in the named enum, before its last. */
    private static Schema withSymbol(Schema schema, String enumName, String symbol) {
        JsonNode json = tree(schema.toString());
        ObjectNode category = findNamed(json, enumName);
        ArrayNode symbols = (ArrayNode) category.get("symbols");
        symbols.insert(symbols.size() - 1, symbol);
        return new Schema.Parser().parse(json.toString());
    }

    private static ObjectNode findNamed(JsonNode node, String name) {
        if (node.isObject() && name.equals(node.path("name").asText()) && node.has("symbols")) {
            return (ObjectNode) node;
        }
        for (JsonNode child : node) {
            ObjectNode found = findNamed(child, name);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
