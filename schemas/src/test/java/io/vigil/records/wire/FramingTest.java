package io.vigil.records.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import io.vigil.records.Assignment;
import io.vigil.records.Decoded;
import io.vigil.records.Fixtures;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import io.vigil.records.Rejection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class FramingTest {
    private static final String FLOW_TOPIC = "vigil.flows";
    private static final String FLOW_SUBJECT = FLOW_TOPIC + "-value";

    private FakeSchemaRegistry registry;

    @BeforeEach
    void startRegistry() {
        registry = new FakeSchemaRegistry();
    }

    @AfterEach
    void stopRegistry() {
        registry.close();
    }

    enum Kind {
        SINGLE_OBJECT,
        CONFLUENT
    }

    /** A framing as one process would build it: each Confluent one has its own registry client and caches. */
    private <T extends SpecificRecord> RecordFraming<T> framing(Kind kind, RecordType<T> type) {
        return switch (kind) {
            case SINGLE_OBJECT -> new SingleObjectFraming<>(type);
            case CONFLUENT -> new ConfluentFraming<>(type, new SchemaRegistryClient(registry.url()), topicOf(type));
        };
    }

    private static String topicOf(RecordType<?> type) {
        return type == RecordType.FLOW ? FLOW_TOPIC : "vigil." + type.name();
    }

    static Stream<Arguments> framedTypes() {
        List<Arguments> cases = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (RecordType<?> type :
                    List.of(RecordType.FLOW, RecordType.GPU, RecordType.ASSIGNMENT, RecordType.ALERT)) {
                cases.add(Arguments.of(kind, type));
            }
        }
        return cases.stream();
    }

    // ---- round trips ----

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("framedTypes")
    void readsBackWhatAnotherProcessWrote(Kind kind, RecordType<?> type) {
        assertRoundTrip(kind, type);
    }

    private <T extends SpecificRecord> void assertRoundTrip(Kind kind, RecordType<T> type) {
        T original = Fixtures.sample(type);
        RecordFraming<T> writer = framing(kind, type);
        RecordFraming<T> reader = framing(kind, type);

        Decoded<T> decoded = reader.decode(writer.encode(original));

        assertThat(decoded.isAccepted()).as("%s", decoded).isTrue();
        assertThat(decoded.record()).isEqualTo(original);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void readsBackWhatItWroteItself(Kind kind) {
        RecordFraming<Flow> framing = framing(kind, RecordType.FLOW);

        for (int i = 0; i < 3; i++) {
            Flow flow = Fixtures.flowBuilder().setOrigBytes(i).build();
            assertThat(framing.decode(framing.encode(flow)).record()).isEqualTo(flow);
        }
    }

    // ---- single-object layout ----

    @Test
    void singleObjectMessagesStartWithC301AndTheSchemasFingerprint() throws IOException {
        byte[] message = new SingleObjectFraming<>(RecordType.FLOW).encode(Fixtures.flow());

        assertThat(Arrays.copyOfRange(message, 0, 2)).containsExactly(0xC3, 0x01);
        assertThat(Arrays.copyOfRange(message, 2, 10)).isEqualTo(fingerprintAsAvroWritesIt(Flow.getClassSchema()));
        assertThat(datumAfter(message, 10)).isEqualTo(Fixtures.flow());
    }

    @Test
    void singleObjectMessagesOfEachTypeCarryTheirOwnFingerprint() {
        byte[] gpu = new SingleObjectFraming<>(RecordType.GPU).encode(Fixtures.gpuSample());
        byte[] assignment = new SingleObjectFraming<>(RecordType.ASSIGNMENT).encode(Fixtures.assignment());

        assertThat(Arrays.copyOfRange(gpu, 2, 10)).isEqualTo(fingerprintAsAvroWritesIt(GpuSample.getClassSchema()));
        assertThat(Arrays.copyOfRange(assignment, 2, 10))
                .isEqualTo(fingerprintAsAvroWritesIt(Assignment.getClassSchema()));
    }

    @Test
    void singleObjectFramingIsNamedForLogs() {
        assertThat(new SingleObjectFraming<>(RecordType.FLOW).name()).isEqualTo("single-object");
    }

    private static byte[] fingerprintAsAvroWritesIt(Schema schema) {
        return ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(SchemaNormalization.parsingFingerprint64(schema))
                .array();
    }

    private static Flow datumAfter(byte[] message, int offset) throws IOException {
        return new SpecificDatumReader<>(Flow.class)
                .read(null, DecoderFactory.get().binaryDecoder(message, offset, message.length - offset, null));
    }

    // ---- Confluent layout and the registry ----

    @Test
    void confluentMessagesStartWithZeroAndTheRegisteredIdBigEndian() throws IOException {
        try (FakeSchemaRegistry numbered = FakeSchemaRegistry.withIdsFrom(0x01020304)) {
            RecordFraming<Flow> framing =
                    new ConfluentFraming<>(RecordType.FLOW, new SchemaRegistryClient(numbered.url()), FLOW_TOPIC);

            byte[] message = framing.encode(Fixtures.flow());

            assertThat(numbered.latestId(FLOW_SUBJECT)).isEqualTo(0x01020304);
            assertThat(Arrays.copyOfRange(message, 0, 5)).containsExactly(0x00, 0x01, 0x02, 0x03, 0x04);
            assertThat(datumAfter(message, 5)).isEqualTo(Fixtures.flow());
        }
    }

    @Test
    void registersTheWriterSchemaUnderTheTopicsValueSubject() {
        RecordFraming<Flow> framing = framing(Kind.CONFLUENT, RecordType.FLOW);

        framing.encode(Fixtures.flow());

        assertThat(registry.subjects()).containsExactly(FLOW_SUBJECT);
        assertThat(new Schema.Parser().parse(registry.schemaText(registry.latestId(FLOW_SUBJECT))))
                .isEqualTo(Flow.getClassSchema());
    }

    @Test
    void theSameSchemaHasTheSameIdOnEveryTopic() {
        byte[] first = new ConfluentFraming<>(RecordType.FLOW, new SchemaRegistryClient(registry.url()), "site-a.flows")
                .encode(Fixtures.flow());
        byte[] second = new ConfluentFraming<>(
                        RecordType.FLOW, new SchemaRegistryClient(registry.url()), "site-b.flows")
                .encode(Fixtures.flow());

        assertThat(registry.subjects()).containsExactlyInAnyOrder("site-a.flows-value", "site-b.flows-value");
        assertThat(Arrays.copyOfRange(second, 0, 5)).isEqualTo(Arrays.copyOfRange(first, 0, 5));
    }

    @Test
    void asksTheRegistryOnceToWriteManyRecords() {
        RecordFraming<Flow> framing = framing(Kind.CONFLUENT, RecordType.FLOW);

        for (int i = 0; i < 200; i++) {
            framing.encode(Fixtures.flowBuilder().setOrigBytes(i).build());
        }

        assertThat(registry.registrationRequests()).isEqualTo(1);
        assertThat(registry.requestCount()).isEqualTo(1);
    }

    @Test
    void asksTheRegistryOnceToReadManyRecords() {
        RecordFraming<Flow> writer = framing(Kind.CONFLUENT, RecordType.FLOW);
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            messages.add(writer.encode(Fixtures.flowBuilder().setOrigBytes(i).build()));
        }
        RecordFraming<Flow> reader = framing(Kind.CONFLUENT, RecordType.FLOW);

        for (int i = 0; i < messages.size(); i++) {
            Decoded<Flow> decoded = reader.decode(messages.get(i));
            assertThat(decoded.record().getOrigBytes()).isEqualTo(i);
        }

        assertThat(registry.schemaLookups()).isEqualTo(1);
        assertThat(registry.requestCount()).isEqualTo(2);
    }

    @Test
    void aWriterReadsItsOwnMessagesWithoutAskingTheRegistry() {
        RecordFraming<Flow> framing = framing(Kind.CONFLUENT, RecordType.FLOW);

        framing.decode(framing.encode(Fixtures.flow()));

        assertThat(registry.schemaLookups()).isZero();
    }

    @Test
    void confluentFramingIsNamedForLogs() {
        assertThat(framing(Kind.CONFLUENT, RecordType.FLOW).name()).isEqualTo("confluent");
    }

    // ---- bad bytes: undecodable, never thrown ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsGarbageAsUndecodable(Kind kind) {
        RecordFraming<Flow> framing = framing(kind, RecordType.FLOW);
        Random random = new Random(42);
        List<byte[]> garbage = new ArrayList<>(List.of(
                "hello, world".getBytes(StandardCharsets.UTF_8),
                "{\"ts\": 1}".getBytes(StandardCharsets.UTF_8),
                new byte[] {0},
                new byte[] {(byte) 0xC3},
                new byte[64],
                filled(64, (byte) 0xFF)));
        for (int i = 0; i < 50; i++) {
            byte[] noise = new byte[1 + random.nextInt(200)];
            random.nextBytes(noise);
            garbage.add(noise);
        }

        for (byte[] message : garbage) {
            assertUndecodable(framing, message);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsAnEmptyMessage(Kind kind) {
        assertUndecodable(framing(kind, RecordType.FLOW), new byte[0]);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsATombstone(Kind kind) {
        assertUndecodable(framing(kind, RecordType.FLOW), null);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsATruncatedMessage(Kind kind) {
        RecordFraming<Flow> framing = framing(kind, RecordType.FLOW);
        byte[] message = framing.encode(Fixtures.flow());
        int header = kind == Kind.CONFLUENT ? 5 : 10;

        assertUndecodable(framing, Arrays.copyOf(message, message.length - 1));
        assertUndecodable(framing, Arrays.copyOf(message, message.length / 2));
        assertUndecodable(framing, Arrays.copyOf(message, header));
        assertUndecodable(framing, Arrays.copyOf(message, header - 1));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsAWrongMagicByte(Kind kind) {
        RecordFraming<Flow> framing = framing(kind, RecordType.FLOW);
        byte[] message = framing.encode(Fixtures.flow());

        byte[] wrongMagic = message.clone();
        wrongMagic[0] = (byte) (wrongMagic[0] + 1);
        assertUndecodable(framing, wrongMagic);

        if (kind == Kind.SINGLE_OBJECT) {
            byte[] wrongVersion = message.clone();
            wrongVersion[1] = 0x02;
            assertUndecodable(framing, wrongVersion);
        }
    }

    @Test
    void rejectsASingleObjectMessageWithAnUnknownFingerprint() {
        RecordFraming<Flow> framing = framing(Kind.SINGLE_OBJECT, RecordType.FLOW);
        byte[] message = framing.encode(Fixtures.flow());
        message[5] ^= 0x5A;

        Rejection rejection = assertUndecodable(framing, message);
        assertThat(rejection.detail()).contains("does not know");
    }

    @Test
    void rejectsAConfluentMessageWithAnIdTheRegistryDoesNotHave() {
        RecordFraming<Flow> framing = framing(Kind.CONFLUENT, RecordType.FLOW);
        byte[] message = framing.encode(Fixtures.flow());
        message[4] = 99;

        Rejection rejection = assertUndecodable(framing, message);
        assertThat(rejection.detail()).contains("99");
        assertThat(registry.schemaLookups()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsGarbageAfterAValidHeader(Kind kind) {
        RecordFraming<Flow> framing = framing(kind, RecordType.FLOW);
        byte[] message = framing.encode(Fixtures.flow());
        int header = kind == Kind.CONFLUENT ? 5 : 10;

        byte[] corrupt = Arrays.copyOf(message, header + 20);
        Arrays.fill(corrupt, header, corrupt.length, (byte) 0xFF);

        assertUndecodable(framing, corrupt);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsAMessageOfAnotherRecordType(Kind kind) {
        byte[] gpuMessage = framing(kind, RecordType.GPU).encode(Fixtures.gpuSample());

        assertUndecodable(framing(kind, RecordType.FLOW), gpuMessage);
    }

    /**
     * A few bytes that declare a string of almost 2 GiB. Avro allocates what the length says before
     * reading, so unless something bounds it this is an OutOfMemoryError out of decode(), which would
     * take down the consumer instead of dead-lettering one message.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsAHugeDeclaredLengthWithoutAllocatingIt(Kind kind) {
        RecordFraming<Flow> framing = framing(kind, RecordType.FLOW);
        byte[] header = Arrays.copyOf(framing.encode(Fixtures.flow()), kind == Kind.CONFLUENT ? 5 : 10);
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.writeBytes(header);
        writeLong(message, Fixtures.ONE_MINUTE_LATER.toEpochMilli()); // ts
        writeLong(message, Fixtures.BEGINNING.toEpochMilli()); // start_ts
        writeLong(message, 0x7FFF_FFF0L); // node: the length of the string that follows
        message.writeBytes("gpu-node-07".getBytes(StandardCharsets.UTF_8));

        assertUndecodable(framing, message.toByteArray());
    }

    // ---- decoded but not usable: the domain checks ----

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsAFlowWithNegativeBytesAfterDecodingIt(Kind kind) {
        RecordFraming<Flow> framing = framing(kind, RecordType.FLOW);
        byte[] message = framing.encode(Fixtures.flowBuilder().setOrigBytes(-5).build());

        assertRejected(framing.decode(message), RejectReason.NEGATIVE_COUNT, "orig_bytes");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsAGpuSampleWithUtilAbove100AfterDecodingIt(Kind kind) {
        RecordFraming<GpuSample> framing = framing(kind, RecordType.GPU);
        byte[] message =
                framing.encode(Fixtures.gpuSampleBuilder().setUtil(100.5).build());

        assertRejected(framing.decode(message), RejectReason.OUT_OF_RANGE, "util");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rejectsAnAssignmentWithABadIpAfterDecodingIt(Kind kind) {
        RecordFraming<Assignment> framing = framing(kind, RecordType.ASSIGNMENT);
        byte[] message = framing.encode(
                Fixtures.assignmentBuilder().setIp("trainer-0.svc").build());

        assertRejected(framing.decode(message), RejectReason.BAD_IP, "ip");
    }

    // ---- choosing a framing, and the registry's URL ----

    @Test
    void usesSingleObjectEncodingWithoutARegistry() {
        assertThat(Framings.forTopic(RecordType.FLOW, FLOW_TOPIC, null)).isInstanceOf(SingleObjectFraming.class);
        assertThat(Framings.forTopic(RecordType.FLOW, FLOW_TOPIC, "")).isInstanceOf(SingleObjectFraming.class);
        assertThat(Framings.forTopic(RecordType.FLOW, FLOW_TOPIC, "  ")).isInstanceOf(SingleObjectFraming.class);
    }

    @Test
    void usesTheConfluentFormatWithARegistry() {
        RecordFraming<Flow> framing = Framings.forTopic(RecordType.FLOW, FLOW_TOPIC, registry.url());

        byte[] message = framing.encode(Fixtures.flow());

        assertThat(framing).isInstanceOf(ConfluentFraming.class);
        assertThat(message[0]).isZero();
        assertThat(registry.subjects()).containsExactly(FLOW_SUBJECT);
        assertThat(framing.decode(message).record()).isEqualTo(Fixtures.flow());
    }

    @Test
    void acceptsARegistryUrlWithATrailingSlash() {
        RecordFraming<Flow> framing = Framings.forTopic(RecordType.FLOW, FLOW_TOPIC, registry.url() + "/");

        framing.encode(Fixtures.flow());

        assertThat(registry.subjects()).containsExactly(FLOW_SUBJECT);
    }

    @Test
    void sendsCredentialsInTheUrlAsBasicAuth() {
        try (FakeSchemaRegistry secured = FakeSchemaRegistry.withBasicAuth("vigil", "s3cret")) {
            String url = "http://vigil:s3cret@127.0.0.1:" + secured.port();
            RecordFraming<Flow> writer = Framings.forTopic(RecordType.FLOW, FLOW_TOPIC, url);
            RecordFraming<Flow> reader = Framings.forTopic(RecordType.FLOW, FLOW_TOPIC, url);

            Decoded<Flow> decoded = reader.decode(writer.encode(Fixtures.flow()));

            assertThat(decoded.record()).isEqualTo(Fixtures.flow());
            assertThat(secured.requestCount()).isEqualTo(2);
            assertThat(secured.authorizationHeaders()).containsOnly(basic("vigil:s3cret"));
        }
    }

    @Test
    void decodesPercentEncodedCredentials() {
        try (FakeSchemaRegistry secured = FakeSchemaRegistry.withBasicAuth("svc@corp", "p@ss:w0rd/1")) {
            String url = "http://svc%40corp:p%40ss%3Aw0rd%2F1@127.0.0.1:" + secured.port();

            Framings.forTopic(RecordType.FLOW, FLOW_TOPIC, url).encode(Fixtures.flow());

            assertThat(secured.authorizationHeaders()).containsExactly(basic("svc@corp:p@ss:w0rd/1"));
        }
    }

    @Test
    void sendsNoAuthorizationWithoutCredentials() {
        framing(Kind.CONFLUENT, RecordType.FLOW).encode(Fixtures.flow());

        assertThat(registry.authorizationHeaders()).containsExactly((String) null);
    }

    @Test
    void keepsCredentialsOutOfItsDescription() {
        SchemaRegistryClient client = new SchemaRegistryClient("http://vigil:s3cret@127.0.0.1:8081");

        assertThat(client.toString()).contains("127.0.0.1:8081").doesNotContain("s3cret");
    }

    @Test
    void refusedCredentialsFailTheWriterInsteadOfRejectingRecords() {
        try (FakeSchemaRegistry secured = FakeSchemaRegistry.withBasicAuth("vigil", "s3cret")) {
            RecordFraming<Flow> framing =
                    Framings.forTopic(RecordType.FLOW, FLOW_TOPIC, "http://vigil:wrong@127.0.0.1:" + secured.port());

            assertThatThrownBy(() -> framing.encode(Fixtures.flow()))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("401");
        }
    }

    @Test
    void anUnreachableRegistryFailsTheReaderInsteadOfRejectingRecords() {
        byte[] message = framing(Kind.CONFLUENT, RecordType.FLOW).encode(Fixtures.flow());
        RecordFraming<Flow> reader = framing(Kind.CONFLUENT, RecordType.FLOW);
        registry.close();

        assertThatThrownBy(() -> reader.decode(message)).isInstanceOf(UncheckedIOException.class);
    }

    // ---- helpers ----

    private static Rejection assertUndecodable(RecordFraming<?> framing, byte[] message) {
        String shown = message == null
                ? "null"
                : Base64.getEncoder().encodeToString(Arrays.copyOf(message, Math.min(message.length, 40)));
        Decoded<?>[] decoded = new Decoded<?>[1];

        Throwable thrown = catchThrowable(() -> decoded[0] = framing.decode(message));

        assertNotThrown(thrown, framing.name() + " decoding " + shown);
        assertThat(decoded[0].isAccepted())
                .as("%s decoding %s: %s", framing.name(), shown, decoded[0])
                .isFalse();
        Rejection rejection = decoded[0].rejection();
        assertThat(rejection.reason())
                .as("%s decoding %s: %s", framing.name(), shown, rejection)
                .isEqualTo(RejectReason.UNDECODABLE);
        assertThat(rejection.field()).isNull();
        assertThat(rejection.detail()).isNotBlank();
        return rejection;
    }

    /** Fails with what threw and where, in a few lines rather than a whole stack trace. */
    private static void assertNotThrown(Throwable thrown, String what) {
        if (thrown != null) {
            StringBuilder where = new StringBuilder();
            StackTraceElement[] frames = thrown.getStackTrace();
            for (int i = 0; i < Math.min(4, frames.length); i++) {
                where.append("\n\tat ").append(frames[i]);
            }
            fail(what + " threw " + thrown + where);
        }
    }

    private static void assertRejected(Decoded<?> decoded, RejectReason reason, String field) {
        assertThat(decoded.isAccepted()).as("%s", decoded).isFalse();
        assertThat(decoded.rejection().reason()).as("%s", decoded.rejection()).isEqualTo(reason);
        assertThat(decoded.rejection().field()).isEqualTo(field);
    }

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }

    /** An Avro long: zig-zag, then 7 bits a byte, low bits first. */
    private static void writeLong(ByteArrayOutputStream out, long value) {
        long n = (value << 1) ^ (value >> 63);
        while ((n & ~0x7FL) != 0) {
            out.write((int) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
    }
}
