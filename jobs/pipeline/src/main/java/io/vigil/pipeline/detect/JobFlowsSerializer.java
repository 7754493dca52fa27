package io.vigil.pipeline.detect;

import io.vigil.models.features.JobFlow;
import io.vigil.pipeline.serde.JobContactsSerializer;
import io.vigil.pipeline.serde.RecordSerializerSnapshot;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link JobFlows}: a byte saying which is set, then the partial as {@link JobContactsSerializer} writes it (what
 * nearly every one carries), or the flow as Flink's POJO serializer writes it (a flow passed on alone: late, or
 * without a key).
 */
final class JobFlowsSerializer extends TypeSerializer<JobFlows> {
    private static final long serialVersionUID = 1L;

    private static final int FLOW = 1;
    private static final int PARTIAL = 1 << 1;

    private static final JobContactsSerializer PARTIALS = JobContactsSerializer.INSTANCE;
    /** Flink's serializer of a flow, made on first use. */
    private transient TypeSerializer<JobFlow> flows;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<JobFlows> duplicate() {
        return new JobFlowsSerializer();
    }

    @Override
    public JobFlows createInstance() {
        return new JobFlows();
    }

    @Override
    public JobFlows copy(JobFlows from) {
        JobFlows c = new JobFlows();
        c.flow = from.flow == null ? null : flows().copy(from.flow);
        c.partial = PARTIALS.copy(from.partial);
        return c;
    }

    @Override
    public JobFlows copy(JobFlows from, JobFlows reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(JobFlows f, DataOutputView out) throws IOException {
        out.writeByte((f.flow != null ? FLOW : 0) | (f.partial != null ? PARTIAL : 0));
        if (f.flow != null) {
            flows().serialize(f.flow, out);
        }
        if (f.partial != null) {
            PARTIALS.serialize(f.partial, out);
        }
    }

    @Override
    public JobFlows deserialize(DataInputView in) throws IOException {
        int flags = in.readUnsignedByte();
        JobFlows f = new JobFlows();
        f.flow = (flags & FLOW) != 0 ? flows().deserialize(in) : null;
        f.partial = (flags & PARTIAL) != 0 ? PARTIALS.deserialize(in) : null;
        return f;
    }

    @Override
    public JobFlows deserialize(JobFlows reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    private TypeSerializer<JobFlow> flows() {
        if (flows == null) {
            flows = TypeInformation.of(JobFlow.class).createSerializer(new SerializerConfigImpl());
        }
        return flows;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobFlowsSerializer;
    }

    @Override
    public int hashCode() {
        return Objects.hash(JobFlowsSerializer.class);
    }

    @Override
    public TypeSerializerSnapshot<JobFlows> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The snapshot: no configuration, the format's version only. */
    public static final class Snapshot extends RecordSerializerSnapshot<JobFlows> {
        public Snapshot() {
            super(JobFlowsSerializer::new);
        }
    }
}
