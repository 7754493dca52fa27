package io.vigil.pipeline.serde;

import io.vigil.records.Flow;
import java.io.IOException;
import java.time.Instant;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * {@link Flow}, field by field. Format (version {@value RecordSerializerSnapshot#VERSION}): a flags byte
 * (which instants are there); the instants ({@link Wire#writeInstant}); the ports and counters, fixed
 * width; then the strings ({@link StringValue}, which has its own null). Every field round-trips, null or
 * not, including fields the schema requires (a record made with {@code new Flow()} has nulls there).
 * Stateless: one instance serves every thread.
 */
public final class FlowSerializer extends TypeSerializerSingleton<Flow> {
    private static final long serialVersionUID = 1L;

    public static final FlowSerializer INSTANCE = new FlowSerializer();

    private static final int TS = 1;
    private static final int START_TS = 1 << 1;
    /** Positions for {@code put}: the setters refuse a null instant. */
    private static final int TS_POS = Flow.getClassSchema().getField("ts").pos();

    private static final int START_TS_POS =
            Flow.getClassSchema().getField("start_ts").pos();
    /** Ports and counters: 2 ints, 4 longs. */
    private static final int FIXED = 2 * Wire.INT + 4 * Wire.LONG;

    private static final int STRINGS = 6;

    private FlowSerializer() {}

    /** One instance per JVM, also after Java serialization (the job graph carries serializers). */
    private Object readResolve() {
        return INSTANCE;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public Flow createInstance() {
        return new Flow();
    }

    @Override
    public Flow copy(Flow from) {
        return copy(from, new Flow());
    }

    /** All fields but the strings and instants are primitives, and those are immutable: a shallow copy is a deep one. */
    @Override
    public Flow copy(Flow from, Flow reuse) {
        reuse.put(TS_POS, from.getTs());
        reuse.put(START_TS_POS, from.getStartTs());
        reuse.setNode(from.getNode());
        reuse.setJobId(from.getJobId());
        reuse.setSrcIp(from.getSrcIp());
        reuse.setDstIp(from.getDstIp());
        reuse.setSrcPort(from.getSrcPort());
        reuse.setDstPort(from.getDstPort());
        reuse.setProtocol(from.getProtocol());
        reuse.setOrigBytes(from.getOrigBytes());
        reuse.setRespBytes(from.getRespBytes());
        reuse.setOrigPkts(from.getOrigPkts());
        reuse.setRespPkts(from.getRespPkts());
        reuse.setConnState(from.getConnState());
        return reuse;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Flow f, DataOutputView out) throws IOException {
        write(f, out);
    }

    @Override
    public Flow deserialize(DataInputView in) throws IOException {
        return read(new Flow(), in);
    }

    @Override
    public Flow deserialize(Flow reuse, DataInputView in) throws IOException {
        return read(reuse, in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        transfer(in, out);
    }

    @Override
    public TypeSerializerSnapshot<Flow> snapshotConfiguration() {
        return new Snapshot();
    }

    public static void write(Flow f, DataOutputView out) throws IOException {
        Instant ts = f.getTs();
        Instant startTs = f.getStartTs();
        out.writeByte((ts != null ? TS : 0) | (startTs != null ? START_TS : 0));
        if (ts != null) {
            Wire.writeInstant(ts, out);
        }
        if (startTs != null) {
            Wire.writeInstant(startTs, out);
        }
        out.writeInt(f.getSrcPort());
        out.writeInt(f.getDstPort());
        out.writeLong(f.getOrigBytes());
        out.writeLong(f.getRespBytes());
        out.writeLong(f.getOrigPkts());
        out.writeLong(f.getRespPkts());
        StringValue.writeString(f.getNode(), out);
        StringValue.writeString(f.getJobId(), out);
        StringValue.writeString(f.getSrcIp(), out);
        StringValue.writeString(f.getDstIp(), out);
        StringValue.writeString(f.getProtocol(), out);
        StringValue.writeString(f.getConnState(), out);
    }

    public static Flow read(Flow f, DataInputView in) throws IOException {
        int flags = in.readUnsignedByte();
        if ((flags & TS) != 0) {
            f.setTs(Wire.readInstant(in));
        } else {
            f.put(TS_POS, null);
        }
        if ((flags & START_TS) != 0) {
            f.setStartTs(Wire.readInstant(in));
        } else {
            f.put(START_TS_POS, null);
        }
        f.setSrcPort(in.readInt());
        f.setDstPort(in.readInt());
        f.setOrigBytes(in.readLong());
        f.setRespBytes(in.readLong());
        f.setOrigPkts(in.readLong());
        f.setRespPkts(in.readLong());
        f.setNode(StringValue.readString(in));
        f.setJobId(StringValue.readString(in));
        f.setSrcIp(StringValue.readString(in));
        f.setDstIp(StringValue.readString(in));
        f.setProtocol(StringValue.readString(in));
        f.setConnState(StringValue.readString(in));
        return f;
    }

    /** Copies one serialized flow without decoding it. */
    public static void transfer(DataInputView in, DataOutputView out) throws IOException {
        int flags = in.readUnsignedByte();
        out.writeByte(flags);
        out.write(in, Integer.bitCount(flags & (TS | START_TS)) * Wire.LONG + FIXED);
        for (int i = 0; i < STRINGS; i++) {
            StringValue.copyString(in, out);
        }
    }

    /** The snapshot: no configuration, the record format's version only. */
    public static final class Snapshot extends RecordSerializerSnapshot<Flow> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
