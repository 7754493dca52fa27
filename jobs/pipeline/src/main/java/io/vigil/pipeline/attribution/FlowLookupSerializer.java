package io.vigil.pipeline.attribution;

import io.vigil.pipeline.serde.FlowSerializer;
import io.vigil.pipeline.serde.RecordSerializerSnapshot;
import io.vigil.records.Flow;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link FlowLookup}: a flags byte (whether it waits on its destination, whether it has a flow), then the
 * flow as {@link FlowSerializer} writes it. Stateless: one instance serves every thread.
 */
public final class FlowLookupSerializer extends TypeSerializerSingleton<FlowLookup> {
    private static final long serialVersionUID = 1L;

    public static final FlowLookupSerializer INSTANCE = new FlowLookupSerializer();

    private static final int WAITS_ON_DESTINATION = 1;
    private static final int FLOW = 1 << 1;

    private FlowLookupSerializer() {}

    /** One instance per JVM, also after Java serialization (the job graph carries serializers). */
    private Object readResolve() {
        return INSTANCE;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public FlowLookup createInstance() {
        return new FlowLookup();
    }

    @Override
    public FlowLookup copy(FlowLookup from) {
        return new FlowLookup(
                from.flow == null ? null : FlowSerializer.INSTANCE.copy(from.flow), from.waitsOnDestination);
    }

    @Override
    public FlowLookup copy(FlowLookup from, FlowLookup reuse) {
        reuse.waitsOnDestination = from.waitsOnDestination;
        if (from.flow == null) {
            reuse.flow = null;
        } else {
            reuse.flow = FlowSerializer.INSTANCE.copy(from.flow, reuse.flow != null ? reuse.flow : new Flow());
        }
        return reuse;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(FlowLookup lookup, DataOutputView out) throws IOException {
        out.writeByte((lookup.waitsOnDestination ? WAITS_ON_DESTINATION : 0) | (lookup.flow != null ? FLOW : 0));
        if (lookup.flow != null) {
            FlowSerializer.write(lookup.flow, out);
        }
    }

    @Override
    public FlowLookup deserialize(DataInputView in) throws IOException {
        return deserialize(new FlowLookup(), in);
    }

    @Override
    public FlowLookup deserialize(FlowLookup reuse, DataInputView in) throws IOException {
        int flags = in.readUnsignedByte();
        reuse.waitsOnDestination = (flags & WAITS_ON_DESTINATION) != 0;
        reuse.flow = (flags & FLOW) != 0 ? FlowSerializer.read(reuse.flow != null ? reuse.flow : new Flow(), in) : null;
        return reuse;
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        int flags = in.readUnsignedByte();
        out.writeByte(flags);
        if ((flags & FLOW) != 0) {
            FlowSerializer.transfer(in, out);
        }
    }

    @Override
    public TypeSerializerSnapshot<FlowLookup> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The snapshot: no configuration, the record format's version only. */
    public static final class Snapshot extends RecordSerializerSnapshot<FlowLookup> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
