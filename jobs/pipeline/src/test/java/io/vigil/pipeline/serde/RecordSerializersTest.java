package io.vigil.pipeline.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.pipeline.attribution.FlowLookup;
import io.vigil.pipeline.attribution.FlowLookupSerializer;
import io.vigil.records.Fixtures;
import io.vigil.records.Flow;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.junit.jupiter.api.Test;

/**
 * What Flink's serializer test suite does not cover: the schemas the serializers were written for, raw
 * double bits, deep copies, snapshots of other serializers and of other versions, and a whole recorded
 * dataset round-tripped.
 */
class RecordSerializersTest {

    @Test
    void theSerializersKnowEveryFieldOfTheSchemas() {
        // A field added to flow.avsc or gpu_sample.avsc must be added to its serializer (and the format's
        // version bumped): until then this fails, and the round trips lose the field.
        assertThat(Flow.getClassSchema().getFields())
                .extracting(f -> f.name())
                .containsExactly(
                        "ts",
                        "start_ts",
                        "node",
                        "job_id",
                        "src_ip",
                        "dst_ip",
                        "src_port",
                        "dst_port",
                        "protocol",
                        "orig_bytes",
                        "resp_bytes",
                        "orig_pkts",
                        "resp_pkts",
                        "conn_state");
        assertThat(GpuSample.getClassSchema().getFields())
                .extracting(f -> f.name())
                .containsExactly(
                        "ts",
                        "node",
                        "gpu",
                        "gpu_uuid",
                        "job_id",
                        "pod",
                        "util",
                        "sm_active",
                        "tensor_active",
                        "dram_active",
                        "fb_used_mib",
                        "power_w",
                        "temp_c",
                        "sm_clock_mhz",
                        "processes");
        assertThat(GpuProcess.getClassSchema().getFields())
                .extracting(f -> f.name())
                .containsExactly("pid", "name", "used_mib");
    }

    @Test
    void doublesKeepTheirExactBits() throws IOException {
        double oddNaN = Double.longBitsToDouble(0x7ff8_0000_dead_beefL);
        GpuSample s =
                Fixtures.gpuSampleBuilder().setUtil(oddNaN).setPowerW(-0.0).build();
        GpuSample back = roundTrip(GpuSampleSerializer.INSTANCE, s);
        assertThat(Double.doubleToRawLongBits(back.getUtil())).isEqualTo(0x7ff8_0000_dead_beefL);
        assertThat(Double.doubleToRawLongBits(back.getPowerW())).isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @Test
    void aCopyOfASampleSharesNoMutableObjectWithTheOriginal() {
        GpuSample original = Fixtures.gpuSample();
        GpuSample copy = GpuSampleSerializer.INSTANCE.copy(original);
        assertThat(SameFields.same(copy, original)).isTrue();
        assertThat(copy.getProcesses()).isNotSameAs(original.getProcesses());
        for (int i = 0; i < copy.getProcesses().size(); i++) {
            assertThat(copy.getProcesses().get(i))
                    .isNotSameAs(original.getProcesses().get(i));
        }
        copy.getProcesses().get(0).setName("changed");
        copy.setJobId("other");
        assertThat(original.getProcesses().get(0).getName()).isEqualTo("python");
        assertThat(original.getJobId()).isEqualTo(Fixtures.JOB);

        FlowLookup lookup = new FlowLookup(Fixtures.flow(), true);
        FlowLookup lookupCopy = FlowLookupSerializer.INSTANCE.copy(lookup);
        assertThat(lookupCopy.flow).isNotSameAs(lookup.flow);
        assertThat(SameFields.same(lookupCopy, lookup)).isTrue();
    }

    @Test
    void aNullProcessIsRefusedAsAvroRefusedIt() {
        List<GpuProcess> processes = new ArrayList<>();
        processes.add(null);
        GpuSample s = Fixtures.gpuSampleBuilder().build();
        s.setProcesses(processes);
        assertThatThrownBy(() -> GpuSampleSerializer.INSTANCE.serialize(s, new DataOutputSerializer(64)))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("processes");
    }

    @Test
    void deserializingIntoAReusedRecordOverwritesEveryField() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        GpuSampleSerializer.INSTANCE.serialize(new GpuSample(), out);
        GpuSample reused = GpuSampleSerializer.INSTANCE.deserialize(
                Fixtures.gpuSample(), new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(SameFields.same(reused, new GpuSample())).isTrue();

        out.clear();
        FlowLookupSerializer.INSTANCE.serialize(new FlowLookup(new Flow(), false), out);
        FlowLookup lookup = FlowLookupSerializer.INSTANCE.deserialize(
                new FlowLookup(Fixtures.flow(), true), new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(SameFields.same(lookup, new FlowLookup(new Flow(), false))).isTrue();
    }

    @Test
    void snapshotsRestoreTheSameSerializerAndAreCompatibleWithThemselvesOnly() throws IOException {
        List<TypeSerializer<?>> serializers =
                List.of(FlowSerializer.INSTANCE, GpuSampleSerializer.INSTANCE, FlowLookupSerializer.INSTANCE);
        for (TypeSerializer<?> serializer : serializers) {
            TypeSerializerSnapshot<?> read = writeAndRead(serializer.snapshotConfiguration());
            assertThat(read.getClass())
                    .isEqualTo(serializer.snapshotConfiguration().getClass());
            assertThat(read.restoreSerializer()).isSameAs(serializer);
            assertThat(resolve(serializer.snapshotConfiguration(), read).isCompatibleAsIs())
                    .isTrue();
            for (TypeSerializer<?> other : serializers) {
                if (other != serializer) {
                    assertThat(resolve(serializer.snapshotConfiguration(), other.snapshotConfiguration())
                                    .isIncompatible())
                            .as("%s against %s", serializer, other)
                            .isTrue();
                }
            }
        }
    }

    @Test
    void stateKeptWithFlinksAvroSerializerIsIncompatible() throws IOException {
        // What a savepoint of an earlier build holds for a GpuSample list in attribution state
        TypeSerializerSnapshot<GpuSample> avro =
                writeAndRead(new AvroSerializer<>(GpuSample.class).snapshotConfiguration());
        assertThat(GpuSampleSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(avro)
                        .isIncompatible())
                .isTrue();
        TypeSerializerSnapshot<Flow> avroFlow = writeAndRead(new AvroSerializer<>(Flow.class).snapshotConfiguration());
        assertThat(FlowSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(avroFlow)
                        .isIncompatible())
                .isTrue();
    }

    @Test
    void aSnapshotOfAFutureFormatIsRefusedWhenRead() {
        assertThatThrownBy(() -> new FlowSerializer.Snapshot()
                        .readSnapshot(
                                RecordSerializerSnapshot.VERSION + 1,
                                new DataInputDeserializer(new byte[0]),
                                getClass().getClassLoader()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version " + (RecordSerializerSnapshot.VERSION + 1));
    }

    @Test
    void everyRecordOfADatasetRoundTripsAndCopies() throws IOException {
        Path dataset = Path.of("../../replay-data/rome-2026-02");
        List<Flow> flows = read(dataset.resolve("flows.jsonl.gz"), JsonRecordCodec.of(RecordType.FLOW));
        List<GpuSample> samples = read(dataset.resolve("gpu.jsonl.gz"), JsonRecordCodec.of(RecordType.GPU));
        assertThat(flows).hasSizeGreaterThan(1000);
        assertThat(samples).hasSizeGreaterThan(1000);
        checkAll(FlowSerializer.INSTANCE, flows);
        checkAll(GpuSampleSerializer.INSTANCE, samples);
        List<FlowLookup> lookups = new ArrayList<>();
        for (Flow f : flows) {
            lookups.add(new FlowLookup(f, f.getJobId() != null));
        }
        checkAll(FlowLookupSerializer.INSTANCE, lookups);
    }

    /** All in one buffer, read back in order and copied stream to stream; each also copied as an object. */
    private static <T> void checkAll(TypeSerializer<T> serializer, List<T> records) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(1 << 20);
        for (T r : records) {
            serializer.serialize(r, out);
        }
        byte[] bytes = out.getCopyOfBuffer();
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        for (T r : records) {
            T back = serializer.deserialize(in);
            if (!SameFields.same(back, r) || !SameFields.same(serializer.copy(r), r)) {
                throw new AssertionError("did not round-trip: " + r);
            }
        }
        assertThat(in.available()).isZero();
        DataOutputSerializer copied = new DataOutputSerializer(bytes.length);
        DataInputDeserializer again = new DataInputDeserializer(bytes);
        for (int i = 0; i < records.size(); i++) {
            serializer.copy(again, copied);
        }
        assertThat(copied.getCopyOfBuffer()).isEqualTo(bytes);
    }

    private static <T extends SpecificRecord> List<T> read(Path file, JsonRecordCodec<T> codec) throws IOException {
        List<T> records = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                records.add(codec.decode(line).record());
            }
        }
        return records;
    }

    private static <T> T roundTrip(TypeSerializer<T> serializer, T record) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(record, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @SuppressWarnings("unchecked")
    private static <T> TypeSerializerSnapshot<T> writeAndRead(TypeSerializerSnapshot<T> snapshot) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        return TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), RecordSerializersTest.class.getClassLoader());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static TypeSerializerSchemaCompatibility<?> resolve(
            TypeSerializerSnapshot current, TypeSerializerSnapshot old) {
        return current.resolveSchemaCompatibility(old);
    }
}
