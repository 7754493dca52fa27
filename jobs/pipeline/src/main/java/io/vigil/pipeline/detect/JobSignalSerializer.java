package io.vigil.pipeline.detect;

import io.vigil.pipeline.serde.FieldByFieldSerializer;
import io.vigil.pipeline.serde.GpuSampleSerializer;
import io.vigil.pipeline.serde.RecordSerializerSnapshot;
import io.vigil.pipeline.serde.WindowAccumulatorSerializer;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link JobSignal}: a byte saying which is set, then the contact or the partial as {@link WindowAccumulatorSerializer}
 * writes them, or the sample as {@link GpuSampleSerializer} does. Stateless: one instance serves every thread.
 */
final class JobSignalSerializer extends FieldByFieldSerializer<JobSignal> {
    private static final long serialVersionUID = 1L;

    static final JobSignalSerializer INSTANCE = new JobSignalSerializer();

    private static final int CONTACT = 1;
    private static final int SAMPLE = 1 << 1;
    private static final int PARTIAL = 1 << 2;

    private JobSignalSerializer() {}

    /** One instance per JVM, also after Java serialization (the job graph carries serializers). */
    private Object readResolve() {
        return INSTANCE;
    }

    @Override
    public JobSignal createInstance() {
        return new JobSignal();
    }

    @Override
    protected void write(JobSignal s, DataOutputView out) throws IOException {
        out.writeByte((s.contact != null ? CONTACT : 0)
                | (s.sample != null ? SAMPLE : 0)
                | (s.partial != null ? PARTIAL : 0));
        if (s.contact != null) {
            WindowAccumulatorSerializer.writeContact(s.contact, out);
        }
        if (s.sample != null) {
            GpuSampleSerializer.INSTANCE.serialize(s.sample, out);
        }
        if (s.partial != null) {
            WindowAccumulatorSerializer.writeNullable(s.partial, out);
        }
    }

    @Override
    protected JobSignal read(DataInputView in) throws IOException {
        int flags = in.readUnsignedByte();
        JobSignal s = new JobSignal();
        s.contact = (flags & CONTACT) != 0 ? WindowAccumulatorSerializer.readContact(in) : null;
        s.sample = (flags & SAMPLE) != 0 ? GpuSampleSerializer.INSTANCE.deserialize(in) : null;
        s.partial = (flags & PARTIAL) != 0 ? WindowAccumulatorSerializer.readNullable(in) : null;
        return s;
    }

    @Override
    public TypeSerializerSnapshot<JobSignal> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The snapshot: no configuration, the format's version only. */
    public static final class Snapshot extends RecordSerializerSnapshot<JobSignal> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
