package io.vigil.pipeline.serde;

import io.vigil.models.features.ContactStats;
import io.vigil.models.features.DestinationAccumulator;
import io.vigil.records.IpAddresses;
import java.io.IOException;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.util.CollectionUtil;

/**
 * {@link DestinationAccumulator}, one remote address's contacts in one window, written field by field (each job's
 * {@link ContactStats} as {@link JobContactsSerializer} writes them): what the per-job windows ask the fleet view
 * about crosses the shuffle by address in it, and it is the per-destination window's state. Its map is read back as
 * Flink's map serializer reads it. Every field must be written here: {@code DestinationAccumulatorSerializerTest}
 * fills each one and reads it back. Stateless: one instance serves every thread.
 */
public final class DestinationAccumulatorSerializer extends FieldByFieldSerializer<DestinationAccumulator> {
    private static final long serialVersionUID = 1L;

    public static final DestinationAccumulatorSerializer INSTANCE = new DestinationAccumulatorSerializer();

    /** What the pipeline passes for a destination's window and the questions asked of it. */
    public static final TypeInformation<DestinationAccumulator> TYPE =
            new RecordTypeInfo<>(DestinationAccumulator.class, INSTANCE);

    private static final int EXTERNAL = 1;
    private static final int METADATA_SERVICE = 1 << 1;
    private static final int KIND = 1 << 2;
    private static final int JOBS = 1 << 3;

    private DestinationAccumulatorSerializer() {}

    /** One instance per JVM, also after Java serialization (the job graph carries serializers). */
    private Object readResolve() {
        return INSTANCE;
    }

    @Override
    public DestinationAccumulator createInstance() {
        return new DestinationAccumulator();
    }

    @Override
    protected void write(DestinationAccumulator d, DataOutputView out) throws IOException {
        StringSerializer.INSTANCE.serialize(d.remoteIp, out);
        out.writeByte((d.external ? EXTERNAL : 0)
                | (d.metadataService ? METADATA_SERVICE : 0)
                | (d.remoteKind != null ? KIND : 0)
                | (d.jobs != null ? JOBS : 0));
        if (d.remoteKind != null) {
            out.writeUTF(d.remoteKind.name());
        }
        if (d.jobs != null) {
            out.writeInt(d.jobs.size());
            for (Map.Entry<String, ContactStats> e : d.jobs.entrySet()) {
                StringSerializer.INSTANCE.serialize(e.getKey(), out);
                out.writeBoolean(e.getValue() != null);
                if (e.getValue() != null) {
                    JobContactsSerializer.writeStats(e.getValue(), out);
                }
            }
        }
        out.writeLong(d.droppedFlows);
        out.writeLong(d.droppedBytes);
        out.writeLong(d.watchingSince);
    }

    @Override
    protected DestinationAccumulator read(DataInputView in) throws IOException {
        DestinationAccumulator d = new DestinationAccumulator();
        d.remoteIp = StringSerializer.INSTANCE.deserialize(in);
        int flags = in.readByte();
        d.external = (flags & EXTERNAL) != 0;
        d.metadataService = (flags & METADATA_SERVICE) != 0;
        d.remoteKind = (flags & KIND) != 0 ? IpAddresses.Kind.valueOf(in.readUTF()) : null;
        if ((flags & JOBS) != 0) {
            int jobs = in.readInt();
            Map<String, ContactStats> map = CollectionUtil.newHashMapWithExpectedSize(jobs);
            for (int i = 0; i < jobs; i++) {
                String job = StringSerializer.INSTANCE.deserialize(in);
                map.put(job, in.readBoolean() ? JobContactsSerializer.readStats(in) : null);
            }
            d.jobs = map;
        } else {
            d.jobs = null;
        }
        d.droppedFlows = in.readLong();
        d.droppedBytes = in.readLong();
        d.watchingSince = in.readLong();
        return d;
    }

    @Override
    public TypeSerializerSnapshot<DestinationAccumulator> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The snapshot: no configuration, the format's version only. */
    public static final class Snapshot extends RecordSerializerSnapshot<DestinationAccumulator> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
