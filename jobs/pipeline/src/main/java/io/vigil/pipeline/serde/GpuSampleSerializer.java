package io.vigil.pipeline.serde;

import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * {@link GpuSample} with its {@link GpuProcess}es, field by field. Format (version
 * {@value RecordSerializerSnapshot#VERSION}): two bytes of flags (whether the instant is there, which
 * optional readings are, whether the process list is); the instant ({@link Wire#writeInstant}); the GPU index and utilisation; the optional readings that are there, fixed
 * width; the strings ({@link StringValue}, which has its own null); then the process count and per process
 * pid, memory and name. Every field round-trips, null or not, including fields the schema requires (a
 * sample made with {@code new GpuSample()} has nulls there); the process list comes back as an {@link ArrayList} (Avro's reader made a {@code GenericData.Array}: both
 * are lists with the same elements, equal and printed alike). A null process inside the list is refused,
 * as Avro refused it. Stateless: one instance serves every thread.
 */
public final class GpuSampleSerializer extends TypeSerializerSingleton<GpuSample> {
    private static final long serialVersionUID = 1L;

    public static final GpuSampleSerializer INSTANCE = new GpuSampleSerializer();

    private static final int TS = 1;
    /** Position for {@code put}: the setter refuses a null instant. */
    private static final int TS_POS = GpuSample.getClassSchema().getField("ts").pos();

    private static final int SM_ACTIVE = 1 << 1;
    private static final int TENSOR_ACTIVE = 1 << 2;
    private static final int DRAM_ACTIVE = 1 << 3;
    private static final int FB_USED_MIB = 1 << 4;
    private static final int POWER_W = 1 << 5;
    private static final int TEMP_C = 1 << 6;
    private static final int SM_CLOCK_MHZ = 1 << 7;
    private static final int PROCESSES = 1 << 8;
    /** GPU index and utilisation. */
    private static final int FIXED = Wire.INT + Wire.DOUBLE;

    private static final int STRINGS = 4;
    /** A process's pid and memory. */
    private static final int PROCESS_FIXED = 2 * Wire.LONG;

    private GpuSampleSerializer() {}

    /** One instance per JVM, also after Java serialization (the job graph carries serializers). */
    private Object readResolve() {
        return INSTANCE;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public GpuSample createInstance() {
        return new GpuSample();
    }

    @Override
    public GpuSample copy(GpuSample from) {
        return copy(from, new GpuSample());
    }

    /** A deep copy: the processes are new objects in a new list; every other field is immutable or primitive. */
    @Override
    public GpuSample copy(GpuSample from, GpuSample reuse) {
        reuse.put(TS_POS, from.getTs());
        reuse.setNode(from.getNode());
        reuse.setGpu(from.getGpu());
        reuse.setGpuUuid(from.getGpuUuid());
        reuse.setJobId(from.getJobId());
        reuse.setPod(from.getPod());
        reuse.setUtil(from.getUtil());
        reuse.setSmActive(from.getSmActive());
        reuse.setTensorActive(from.getTensorActive());
        reuse.setDramActive(from.getDramActive());
        reuse.setFbUsedMib(from.getFbUsedMib());
        reuse.setPowerW(from.getPowerW());
        reuse.setTempC(from.getTempC());
        reuse.setSmClockMhz(from.getSmClockMhz());
        List<GpuProcess> processes = from.getProcesses();
        if (processes == null) {
            reuse.setProcesses(null);
        } else {
            List<GpuProcess> copies = new ArrayList<>(processes.size());
            for (GpuProcess p : processes) {
                GpuProcess c = new GpuProcess();
                c.setPid(p.getPid());
                c.setName(p.getName());
                c.setUsedMib(p.getUsedMib());
                copies.add(c);
            }
            reuse.setProcesses(copies);
        }
        return reuse;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(GpuSample s, DataOutputView out) throws IOException {
        List<GpuProcess> processes = s.getProcesses();
        int flags = (s.getTs() != null ? TS : 0)
                | (s.getSmActive() != null ? SM_ACTIVE : 0)
                | (s.getTensorActive() != null ? TENSOR_ACTIVE : 0)
                | (s.getDramActive() != null ? DRAM_ACTIVE : 0)
                | (s.getFbUsedMib() != null ? FB_USED_MIB : 0)
                | (s.getPowerW() != null ? POWER_W : 0)
                | (s.getTempC() != null ? TEMP_C : 0)
                | (s.getSmClockMhz() != null ? SM_CLOCK_MHZ : 0)
                | (processes != null ? PROCESSES : 0);
        out.writeShort(flags);
        if ((flags & TS) != 0) {
            Wire.writeInstant(s.getTs(), out);
        }
        out.writeInt(s.getGpu());
        Wire.writeDouble(s.getUtil(), out);
        if ((flags & SM_ACTIVE) != 0) {
            Wire.writeDouble(s.getSmActive(), out);
        }
        if ((flags & TENSOR_ACTIVE) != 0) {
            Wire.writeDouble(s.getTensorActive(), out);
        }
        if ((flags & DRAM_ACTIVE) != 0) {
            Wire.writeDouble(s.getDramActive(), out);
        }
        if ((flags & FB_USED_MIB) != 0) {
            out.writeLong(s.getFbUsedMib());
        }
        if ((flags & POWER_W) != 0) {
            Wire.writeDouble(s.getPowerW(), out);
        }
        if ((flags & TEMP_C) != 0) {
            Wire.writeDouble(s.getTempC(), out);
        }
        if ((flags & SM_CLOCK_MHZ) != 0) {
            out.writeInt(s.getSmClockMhz());
        }
        StringValue.writeString(s.getNode(), out);
        StringValue.writeString(s.getGpuUuid(), out);
        StringValue.writeString(s.getJobId(), out);
        StringValue.writeString(s.getPod(), out);
        if (processes != null) {
            int n = processes.size();
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                GpuProcess p = processes.get(i);
                if (p == null) {
                    throw new NullPointerException("GpuSample.processes holds a null process (at " + i + ")");
                }
                out.writeLong(p.getPid());
                out.writeLong(p.getUsedMib());
                StringValue.writeString(p.getName(), out);
            }
        }
    }

    @Override
    public GpuSample deserialize(DataInputView in) throws IOException {
        return deserialize(new GpuSample(), in);
    }

    @Override
    public GpuSample deserialize(GpuSample s, DataInputView in) throws IOException {
        int flags = in.readUnsignedShort();
        if ((flags & TS) != 0) {
            s.setTs(Wire.readInstant(in));
        } else {
            s.put(TS_POS, null);
        }
        s.setGpu(in.readInt());
        s.setUtil(Wire.readDouble(in));
        s.setSmActive((flags & SM_ACTIVE) != 0 ? Wire.readDouble(in) : null);
        s.setTensorActive((flags & TENSOR_ACTIVE) != 0 ? Wire.readDouble(in) : null);
        s.setDramActive((flags & DRAM_ACTIVE) != 0 ? Wire.readDouble(in) : null);
        s.setFbUsedMib((flags & FB_USED_MIB) != 0 ? in.readLong() : null);
        s.setPowerW((flags & POWER_W) != 0 ? Wire.readDouble(in) : null);
        s.setTempC((flags & TEMP_C) != 0 ? Wire.readDouble(in) : null);
        s.setSmClockMhz((flags & SM_CLOCK_MHZ) != 0 ? in.readInt() : null);
        s.setNode(StringValue.readString(in));
        s.setGpuUuid(StringValue.readString(in));
        s.setJobId(StringValue.readString(in));
        s.setPod(StringValue.readString(in));
        if ((flags & PROCESSES) != 0) {
            int n = in.readInt();
            List<GpuProcess> processes = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                GpuProcess p = new GpuProcess();
                p.setPid(in.readLong());
                p.setUsedMib(in.readLong());
                p.setName(StringValue.readString(in));
                processes.add(p);
            }
            s.setProcesses(processes);
        } else {
            s.setProcesses(null);
        }
        return s;
    }

    /** Copies one serialized sample without decoding it. */
    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        int flags = in.readUnsignedShort();
        out.writeShort(flags);
        int fixed = FIXED
                + Integer.bitCount(
                                flags & (TS | SM_ACTIVE | TENSOR_ACTIVE | DRAM_ACTIVE | FB_USED_MIB | POWER_W | TEMP_C))
                        * Wire.LONG
                + ((flags & SM_CLOCK_MHZ) != 0 ? Wire.INT : 0);
        out.write(in, fixed);
        for (int i = 0; i < STRINGS; i++) {
            StringValue.copyString(in, out);
        }
        if ((flags & PROCESSES) != 0) {
            int n = in.readInt();
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                out.write(in, PROCESS_FIXED);
                StringValue.copyString(in, out);
            }
        }
    }

    @Override
    public TypeSerializerSnapshot<GpuSample> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The snapshot: no configuration, the record format's version only. */
    public static final class Snapshot extends RecordSerializerSnapshot<GpuSample> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
