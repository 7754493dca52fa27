package io.vigil.records.wire;

import io.vigil.records.Flow;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.Decoder;

/**
 * Readers for the two records every input reader decodes by the million, flows and GPU samples, when they were
 * written with the reader's own schema: field by field, in the schema's order, into the generated class's
 * setters. Avro's resolving reader cannot be told the writer's schema is its own: it boxes every number, sets
 * every field through a lambda and a converter, and builds a generic array for the processes, which made
 * decoding a fifth of the readers' CPU (BENCHMARKS.md, issue #16). Data written with any other schema still goes
 * through Avro's resolution.
 *
 * <p>Each reader is written for one version of its schema and is used only while the type's schema is that one
 * (its parsing fingerprint, {@link #FLOW_FINGERPRINT}, {@link #GPU_FINGERPRINT}): a schema whose fields change
 * falls back to Avro's reader, and {@code OwnSchemaReadersTest} fails until the reader and the fingerprint are
 * updated together. The fingerprint leaves out logical types and {@code avro.java.string}; a change of those only
 * is caught by the test, which compares both readers' records.
 *
 * <p>The values read are the same as Avro's: strings as {@code String} (the schemas' {@code avro.java.string}),
 * {@code timestamp-millis} as {@code Instant}, a union's null branch first.
 */
final class OwnSchemaReaders {
    /** The parsing fingerprint of flow.avsc these readers were written for. */
    static final long FLOW_FINGERPRINT = 6203310985263878181L;
    /** The parsing fingerprint of gpu_sample.avsc these readers were written for. */
    static final long GPU_FINGERPRINT = -5990508641593445852L;

    private OwnSchemaReaders() {}

    /** The reader written for this type's schema, or null: none, or the schema is not the one it was written for. */
    @SuppressWarnings("unchecked")
    static <T> DatumReader<T> forType(RecordType<?> type) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(type.schema());
        if (type == RecordType.FLOW && fingerprint == FLOW_FINGERPRINT) {
            return (DatumReader<T>) new FlowReader();
        }
        if (type == RecordType.GPU && fingerprint == GPU_FINGERPRINT) {
            return (DatumReader<T>) new GpuSampleReader();
        }
        return null;
    }

    private abstract static class OwnReader<T> implements DatumReader<T> {
        @Override
        public void setSchema(Schema schema) {
            throw new UnsupportedOperationException("reads its own schema only");
        }
    }

    static final class FlowReader extends OwnReader<Flow> {
        @Override
        public Flow read(Flow reuse, Decoder in) throws IOException {
            Flow flow = new Flow();
            flow.setTs(Instant.ofEpochMilli(in.readLong()));
            flow.setStartTs(Instant.ofEpochMilli(in.readLong()));
            flow.setNode(in.readString());
            flow.setJobId(nullableString(in));
            flow.setSrcIp(in.readString());
            flow.setDstIp(in.readString());
            flow.setSrcPort(in.readInt());
            flow.setDstPort(in.readInt());
            flow.setProtocol(in.readString());
            flow.setOrigBytes(in.readLong());
            flow.setRespBytes(in.readLong());
            flow.setOrigPkts(in.readLong());
            flow.setRespPkts(in.readLong());
            flow.setConnState(nullableString(in));
            return flow;
        }
    }

    static final class GpuSampleReader extends OwnReader<GpuSample> {
        @Override
        public GpuSample read(GpuSample reuse, Decoder in) throws IOException {
            GpuSample sample = new GpuSample();
            sample.setTs(Instant.ofEpochMilli(in.readLong()));
            sample.setNode(in.readString());
            sample.setGpu(in.readInt());
            sample.setGpuUuid(nullableString(in));
            sample.setJobId(nullableString(in));
            sample.setPod(nullableString(in));
            sample.setUtil(in.readDouble());
            sample.setSmActive(isNull(in) ? null : in.readDouble());
            sample.setTensorActive(isNull(in) ? null : in.readDouble());
            sample.setDramActive(isNull(in) ? null : in.readDouble());
            sample.setFbUsedMib(isNull(in) ? null : in.readLong());
            sample.setPowerW(isNull(in) ? null : in.readDouble());
            sample.setTempC(isNull(in) ? null : in.readDouble());
            sample.setSmClockMhz(isNull(in) ? null : in.readInt());
            sample.setProcesses(processes(in));
            return sample;
        }

        private static List<GpuProcess> processes(Decoder in) throws IOException {
            long block = in.readArrayStart();
            List<GpuProcess> processes = new ArrayList<>((int) Math.min(block, 16));
            while (block > 0) {
                for (long i = 0; i < block; i++) {
                    GpuProcess process = new GpuProcess();
                    process.setPid(in.readLong());
                    process.setName(in.readString());
                    process.setUsedMib(in.readLong());
                    processes.add(process);
                }
                block = in.arrayNext();
            }
            return processes;
        }
    }

    private static String nullableString(Decoder in) throws IOException {
        return isNull(in) ? null : in.readString();
    }

    /** Reads a {@code ["null", X]} union's branch: true for null, false for X, which the caller then reads. */
    private static boolean isNull(Decoder in) throws IOException {
        int branch = in.readIndex();
        if (branch == 0) {
            return true;
        }
        if (branch == 1) {
            return false;
        }
        throw new AvroRuntimeException("union branch " + branch + " of a [null, value] union");
    }
}
