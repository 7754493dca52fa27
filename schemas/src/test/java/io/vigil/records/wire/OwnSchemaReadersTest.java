package io.vigil.records.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.records.Flow;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The hand-written readers give what Avro's own reader gives, for every field, null or not. */
class OwnSchemaReadersTest {
    /** Blocks of at most 64 bytes: a few processes each, so a sample's processes take several. */
    private static final EncoderFactory SMALL_BLOCKS = new EncoderFactory().configureBlockSize(64);

    private final Random random = new Random(16);

    @Test
    void areWrittenForTodaysSchemas() {
        assertThat(SchemaNormalization.parsingFingerprint64(RecordType.FLOW.schema()))
                .as("flow.avsc changed: update OwnSchemaReaders.FlowReader, then its FLOW_FINGERPRINT")
                .isEqualTo(OwnSchemaReaders.FLOW_FINGERPRINT);
        assertThat(SchemaNormalization.parsingFingerprint64(RecordType.GPU.schema()))
                .as("gpu_sample.avsc changed: update OwnSchemaReaders.GpuSampleReader, then its GPU_FINGERPRINT")
                .isEqualTo(OwnSchemaReaders.GPU_FINGERPRINT);
        assertThat(OwnSchemaReaders.<Flow>forType(RecordType.FLOW)).isNotNull();
        assertThat(OwnSchemaReaders.<GpuSample>forType(RecordType.GPU)).isNotNull();
        assertThat(OwnSchemaReaders.<Object>forType(RecordType.ASSIGNMENT)).isNull();
    }

    @Test
    void readFlowsAsAvroDoes() throws IOException {
        assertReadAsAvroDoes(RecordType.FLOW, this::randomFlow);
    }

    @Test
    void readGpuSamplesAsAvroDoes() throws IOException {
        assertReadAsAvroDoes(RecordType.GPU, this::randomSample);
    }

    @Test
    void refuseAUnionBranchTheSchemaDoesNotHave() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Encoder e = EncoderFactory.get().binaryEncoder(out, null);
        e.writeLong(1L); // ts
        e.writeLong(1L); // start_ts
        e.writeString("n");
        e.writeIndex(2); // job_id: [null, string] has no branch 2
        e.flush();
        DatumReader<Flow> own = OwnSchemaReaders.forType(RecordType.FLOW);
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(out.toByteArray(), null);
        assertThatThrownBy(() -> own.read(null, in))
                .isInstanceOf(AvroRuntimeException.class)
                .hasMessageContaining("union branch 2");
    }

    /**
     * 500 random records, each written whole and in blocks (an array in several blocks that give their size in bytes,
     * as some writers do).
     */
    private <T extends SpecificRecord> void assertReadAsAvroDoes(RecordType<T> type, Supplier<T> randomRecord)
            throws IOException {
        DatumReader<T> own = OwnSchemaReaders.forType(type);
        for (int i = 0; i < 500; i++) {
            T record = randomRecord.get();
            assertSameAsAvro(type, own, record, false);
            assertSameAsAvro(type, own, record, true);
        }
    }

    private <T extends SpecificRecord> void assertSameAsAvro(
            RecordType<T> type, DatumReader<T> own, T record, boolean inBlocks) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Encoder encoder = inBlocks
                ? SMALL_BLOCKS.blockingBinaryEncoder(out, null)
                : EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<T>(type.schema()).write(record, encoder);
        encoder.flush();
        byte[] bytes = out.toByteArray();

        T avro = new SpecificDatumReader<T>(type.schema())
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(bytes, null);
        T ours = own.read(null, in);
        assertThat(in.isEnd()).as("read the whole datum").isTrue();
        assertThat(ours).isEqualTo(avro).isEqualTo(record);
        assertThat(ours.toString()).isEqualTo(avro.toString());
        for (int field = 0; field < type.schema().getFields().size(); field++) {
            Object a = avro.get(field);
            Object o = ours.get(field);
            assertThat(o == null ? null : o.getClass())
                    .as(type.schema().getFields().get(field).name())
                    .isEqualTo(a == null ? null : a instanceof List ? ArrayList.class : a.getClass());
        }
    }

    private Flow randomFlow() {
        return Flow.newBuilder()
                .setTs(Instant.ofEpochMilli(random.nextLong(0, 4_000_000_000_000L)))
                .setStartTs(Instant.ofEpochMilli(random.nextLong(-1_000, 4_000_000_000_000L)))
                .setNode(text())
                .setJobId(random.nextBoolean() ? null : text())
                .setSrcIp(text())
                .setDstIp(text())
                .setSrcPort(random.nextInt())
                .setDstPort(random.nextInt(65_536))
                .setProtocol(text())
                .setOrigBytes(random.nextLong())
                .setRespBytes(random.nextLong(0, 1L << 40))
                .setOrigPkts(random.nextLong())
                .setRespPkts(random.nextInt(100))
                .setConnState(random.nextBoolean() ? null : text())
                .build();
    }

    private GpuSample randomSample() {
        List<GpuProcess> processes = new ArrayList<>();
        int count = random.nextInt(4) == 0 ? random.nextInt(300) : random.nextInt(3);
        for (int i = 0; i < count; i++) {
            processes.add(GpuProcess.newBuilder()
                    .setPid(random.nextLong())
                    .setName(text())
                    .setUsedMib(random.nextLong(0, 100_000))
                    .build());
        }
        return GpuSample.newBuilder()
                .setTs(Instant.ofEpochMilli(random.nextLong(0, 4_000_000_000_000L)))
                .setNode(text())
                .setGpu(random.nextInt(-2, 16))
                .setGpuUuid(random.nextBoolean() ? null : text())
                .setJobId(random.nextBoolean() ? null : text())
                .setPod(random.nextBoolean() ? null : text())
                .setUtil(random.nextDouble() * 100)
                .setSmActive(random.nextBoolean() ? null : random.nextDouble())
                .setTensorActive(random.nextBoolean() ? null : random.nextDouble())
                .setDramActive(random.nextBoolean() ? null : -random.nextDouble())
                .setFbUsedMib(random.nextBoolean() ? null : random.nextLong())
                .setPowerW(random.nextBoolean() ? null : random.nextDouble() * 700)
                .setTempC(random.nextBoolean() ? null : Double.NaN)
                .setSmClockMhz(random.nextBoolean() ? null : random.nextInt())
                .setProcesses(processes)
                .build();
    }

    /** Text with the characters names and commands carry: ASCII, accents, CJK, an emoji; sometimes empty. */
    private String text() {
        String[] pieces = {"gpu-node-07", "10.244.3.12", "2001:db8::1", "é", "训练", "🚀", "", "job-α", " "};
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(4); i > 0; i--) {
            s.append(pieces[random.nextInt(pieces.length)]);
        }
        return s.toString();
    }
}
