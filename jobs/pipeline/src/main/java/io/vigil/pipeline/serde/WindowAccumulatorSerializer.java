package io.vigil.pipeline.serde;

import io.vigil.models.features.Contact;
import io.vigil.models.features.DistinctCounter;
import io.vigil.models.features.GpuStats;
import io.vigil.models.features.WindowAccumulator;
import io.vigil.records.IpAddresses;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.util.CollectionUtil;

/**
 * {@link WindowAccumulator}, one job's window (or a reader's partial of it), written field by field, with the
 * {@link Contact}s, {@link GpuStats} and {@link DistinctCounter}s in it: it is the per-job window's state and crosses
 * the shuffle into it as each reader's partial of samples and each subtask's partial of contacts. Flink's POJO
 * serializer builds every nested object before reading a field and sets each field by reflection, boxed. Maps and
 * lists are read back as Flink's map and list serializers read them (same order, same sizing). Every field of the
 * classes written here must be written here: {@code WindowAccumulatorSerializerTest} fills each one and reads it back.
 * Stateless: one instance serves every thread.
 */
public final class WindowAccumulatorSerializer extends FieldByFieldSerializer<WindowAccumulator> {
    private static final long serialVersionUID = 1L;

    public static final WindowAccumulatorSerializer INSTANCE = new WindowAccumulatorSerializer();

    /** What the pipeline passes for a job's window. */
    public static final TypeInformation<WindowAccumulator> TYPE =
            new RecordTypeInfo<>(WindowAccumulator.class, INSTANCE);

    private WindowAccumulatorSerializer() {}

    /** One instance per JVM, also after Java serialization (the job graph carries serializers). */
    private Object readResolve() {
        return INSTANCE;
    }

    @Override
    public WindowAccumulator createInstance() {
        return new WindowAccumulator();
    }

    @Override
    protected void write(WindowAccumulator w, DataOutputView out) throws IOException {
        writeNullable(w, out);
    }

    @Override
    protected WindowAccumulator read(DataInputView in) throws IOException {
        return readNullable(in);
    }

    /** Writes a window, or null. */
    public static void writeNullable(WindowAccumulator w, DataOutputView out) throws IOException {
        out.writeBoolean(w != null);
        if (w == null) {
            return;
        }
        StringSerializer.INSTANCE.serialize(w.jobId, out);
        out.writeLong(w.flows);
        out.writeLong(w.contactCount);
        out.writeLong(w.externalHosts);
        out.writeLong(w.externalBytesOut);
        out.writeLong(w.externalBytesIn);
        out.writeLong(w.externalInboundHosts);
        out.writeLong(w.rareHosts);
        out.writeLong(w.rareBytesOut);
        out.writeLong(w.rareBytesIn);
        out.writeLong(w.rareLongLivedHosts);
        out.writeLong(w.rareLongestMs);
        out.writeDouble(w.rareInteractivity);
        out.writeLong(w.rareSshFlows);
        out.writeLong(w.internalHosts);
        writeCounter(w.tailExternalHosts, out);
        writeCounter(w.tailExternalInboundHosts, out);
        writeCounter(w.tailInternalHosts, out);
        out.writeLong(w.attempts);
        out.writeLong(w.failedAttempts);
        writeCounter(w.failedHosts, out);
        out.writeInt(w.failedPortsOneHost);
        if (w.scanPorts == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(w.scanPorts.size());
            for (Map.Entry<Integer, WindowAccumulator.PortReach> e : w.scanPorts.entrySet()) {
                out.writeInt(e.getKey());
                WindowAccumulator.PortReach reach = e.getValue();
                out.writeBoolean(reach != null);
                if (reach != null) {
                    writeCounter(reach.tried, out);
                    writeCounter(reach.failed, out);
                    writeCounter(reach.silent, out);
                }
            }
        }
        writeCounter(w.overflowFailedTargets, out);
        out.writeLong(w.metadataFlows);
        if (w.contacts == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(w.contacts.size());
            for (Contact c : w.contacts) {
                writeContact(c, out);
            }
        }
        out.writeLong(w.samples);
        out.writeLong(w.utilSum);
        out.writeLong(w.profiledSamples);
        out.writeLong(w.smSum);
        out.writeLong(w.tensorSum);
        out.writeLong(w.dramSamples);
        out.writeLong(w.dramSum);
        out.writeLong(w.busySmSum);
        out.writeLong(w.busyTensorSum);
        out.writeBoolean(w.minerProcess);
        if (w.gpus == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(w.gpus.size());
            for (Map.Entry<String, GpuStats> e : w.gpus.entrySet()) {
                StringSerializer.INSTANCE.serialize(e.getKey(), out);
                writeGpu(e.getValue(), out);
            }
        }
        out.writeLong(w.gpuOverflowSamples);
    }

    /** Reads what {@link #writeNullable} wrote. */
    public static WindowAccumulator readNullable(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        WindowAccumulator w = new WindowAccumulator();
        w.jobId = StringSerializer.INSTANCE.deserialize(in);
        w.flows = in.readLong();
        w.contactCount = in.readLong();
        w.externalHosts = in.readLong();
        w.externalBytesOut = in.readLong();
        w.externalBytesIn = in.readLong();
        w.externalInboundHosts = in.readLong();
        w.rareHosts = in.readLong();
        w.rareBytesOut = in.readLong();
        w.rareBytesIn = in.readLong();
        w.rareLongLivedHosts = in.readLong();
        w.rareLongestMs = in.readLong();
        w.rareInteractivity = in.readDouble();
        w.rareSshFlows = in.readLong();
        w.internalHosts = in.readLong();
        w.tailExternalHosts = readCounter(in);
        w.tailExternalInboundHosts = readCounter(in);
        w.tailInternalHosts = readCounter(in);
        w.attempts = in.readLong();
        w.failedAttempts = in.readLong();
        w.failedHosts = readCounter(in);
        w.failedPortsOneHost = in.readInt();
        int scanPorts = in.readInt();
        if (scanPorts < 0) {
            w.scanPorts = null;
        } else {
            Map<Integer, WindowAccumulator.PortReach> map = CollectionUtil.newHashMapWithExpectedSize(scanPorts);
            for (int i = 0; i < scanPorts; i++) {
                int port = in.readInt();
                WindowAccumulator.PortReach reach = null;
                if (in.readBoolean()) {
                    reach = new WindowAccumulator.PortReach();
                    reach.tried = readCounter(in);
                    reach.failed = readCounter(in);
                    reach.silent = readCounter(in);
                }
                map.put(port, reach);
            }
            w.scanPorts = map;
        }
        w.overflowFailedTargets = readCounter(in);
        w.metadataFlows = in.readLong();
        int contacts = in.readInt();
        if (contacts < 0) {
            w.contacts = null;
        } else {
            List<Contact> list = new ArrayList<>(contacts);
            for (int i = 0; i < contacts; i++) {
                list.add(readContact(in));
            }
            w.contacts = list;
        }
        w.samples = in.readLong();
        w.utilSum = in.readLong();
        w.profiledSamples = in.readLong();
        w.smSum = in.readLong();
        w.tensorSum = in.readLong();
        w.dramSamples = in.readLong();
        w.dramSum = in.readLong();
        w.busySmSum = in.readLong();
        w.busyTensorSum = in.readLong();
        w.minerProcess = in.readBoolean();
        int gpus = in.readInt();
        if (gpus < 0) {
            w.gpus = null;
        } else {
            Map<String, GpuStats> map = CollectionUtil.newHashMapWithExpectedSize(gpus);
            for (int i = 0; i < gpus; i++) {
                String key = StringSerializer.INSTANCE.deserialize(in);
                map.put(key, readGpu(in));
            }
            w.gpus = map;
        }
        w.gpuOverflowSamples = in.readLong();
        return w;
    }

    /** A copy of a contact that shares nothing with it, through bytes. */
    public static Contact copy(Contact from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            writeContact(from, out);
            return readContact(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException("copying a contact of job " + from.jobId, e);
        }
    }

    /** Writes a contact, or null. */
    public static void writeContact(Contact c, DataOutputView out) throws IOException {
        out.writeBoolean(c != null);
        if (c == null) {
            return;
        }
        StringSerializer.INSTANCE.serialize(c.jobId, out);
        out.writeLong(c.windowStart);
        out.writeLong(c.windowEnd);
        StringSerializer.INSTANCE.serialize(c.remoteIp, out);
        out.writeBoolean(c.external);
        out.writeBoolean(c.metadataService);
        StringSerializer.INSTANCE.serialize(c.remoteKind == null ? null : c.remoteKind.name(), out);
        out.writeInt(c.topPort);
        out.writeInt(c.distinctPorts);
        StringSerializer.INSTANCE.serialize(c.protocol, out);
        out.writeBoolean(c.outbound);
        out.writeBoolean(c.inbound);
        out.writeLong(c.flows);
        out.writeLong(c.outboundFlows);
        out.writeLong(c.attempts);
        out.writeLong(c.unanswered);
        writeInts(c.attemptPorts, out);
        writeInts(c.failedPorts, out);
        writeInts(c.silentPorts, out);
        out.writeLong(c.bytesOut);
        out.writeLong(c.bytesIn);
        out.writeLong(c.errorBytesIn);
        out.writeLong(c.pktsOut);
        out.writeLong(c.pktsIn);
        out.writeLong(c.longLivedFlows);
        out.writeLong(c.longestDurationMs);
        out.writeInt(c.jobsThisWindow);
        out.writeInt(c.jobsRecent);
    }

    /** Reads what {@link #writeContact} wrote. */
    public static Contact readContact(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        Contact c = new Contact();
        c.jobId = StringSerializer.INSTANCE.deserialize(in);
        c.windowStart = in.readLong();
        c.windowEnd = in.readLong();
        c.remoteIp = StringSerializer.INSTANCE.deserialize(in);
        c.external = in.readBoolean();
        c.metadataService = in.readBoolean();
        String kind = StringSerializer.INSTANCE.deserialize(in);
        c.remoteKind = kind == null ? null : IpAddresses.Kind.valueOf(kind);
        c.topPort = in.readInt();
        c.distinctPorts = in.readInt();
        c.protocol = StringSerializer.INSTANCE.deserialize(in);
        c.outbound = in.readBoolean();
        c.inbound = in.readBoolean();
        c.flows = in.readLong();
        c.outboundFlows = in.readLong();
        c.attempts = in.readLong();
        c.unanswered = in.readLong();
        c.attemptPorts = readInts(in);
        c.failedPorts = readInts(in);
        c.silentPorts = readInts(in);
        c.bytesOut = in.readLong();
        c.bytesIn = in.readLong();
        c.errorBytesIn = in.readLong();
        c.pktsOut = in.readLong();
        c.pktsIn = in.readLong();
        c.longLivedFlows = in.readLong();
        c.longestDurationMs = in.readLong();
        c.jobsThisWindow = in.readInt();
        c.jobsRecent = in.readInt();
        return c;
    }

    private static void writeGpu(GpuStats g, DataOutputView out) throws IOException {
        out.writeBoolean(g != null);
        if (g == null) {
            return;
        }
        StringSerializer.INSTANCE.serialize(g.node, out);
        out.writeInt(g.gpu);
        out.writeLong(g.samples);
        out.writeLong(g.utilSum);
        out.writeLong(g.profiledSamples);
        out.writeLong(g.smSum);
        out.writeLong(g.tensorSum);
        out.writeLong(g.hashingSamples);
        out.writeLong(g.dramSamples);
        out.writeLong(g.dramSum);
        out.writeLong(g.powerSamples);
        out.writeLong(g.powerSum);
        out.writeLong(g.maxFbMib);
        if (g.processes == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(g.processes.size());
            for (Map.Entry<String, Long> e : g.processes.entrySet()) {
                StringSerializer.INSTANCE.serialize(e.getKey(), out);
                out.writeBoolean(e.getValue() != null);
                if (e.getValue() != null) {
                    out.writeLong(e.getValue());
                }
            }
        }
        out.writeLong(g.processOverflow);
        out.writeLong(g.extraProcessSum);
    }

    private static GpuStats readGpu(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        GpuStats g = new GpuStats();
        g.node = StringSerializer.INSTANCE.deserialize(in);
        g.gpu = in.readInt();
        g.samples = in.readLong();
        g.utilSum = in.readLong();
        g.profiledSamples = in.readLong();
        g.smSum = in.readLong();
        g.tensorSum = in.readLong();
        g.hashingSamples = in.readLong();
        g.dramSamples = in.readLong();
        g.dramSum = in.readLong();
        g.powerSamples = in.readLong();
        g.powerSum = in.readLong();
        g.maxFbMib = in.readLong();
        int processes = in.readInt();
        if (processes < 0) {
            g.processes = null;
        } else {
            Map<String, Long> map = CollectionUtil.newHashMapWithExpectedSize(processes);
            for (int i = 0; i < processes; i++) {
                String name = StringSerializer.INSTANCE.deserialize(in);
                map.put(name, in.readBoolean() ? in.readLong() : null);
            }
            g.processes = map;
        }
        g.processOverflow = in.readLong();
        g.extraProcessSum = in.readLong();
        return g;
    }

    private static void writeCounter(DistinctCounter d, DataOutputView out) throws IOException {
        out.writeBoolean(d != null);
        if (d == null) {
            return;
        }
        if (d.hashes == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(d.hashes.length);
            for (long h : d.hashes) {
                out.writeLong(h);
            }
        }
        if (d.registers == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(d.registers.length);
            out.write(d.registers);
        }
    }

    private static DistinctCounter readCounter(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        DistinctCounter d = new DistinctCounter();
        int hashes = in.readInt();
        if (hashes < 0) {
            d.hashes = null;
        } else {
            long[] h = new long[hashes];
            for (int i = 0; i < hashes; i++) {
                h[i] = in.readLong();
            }
            d.hashes = h;
        }
        int registers = in.readInt();
        if (registers < 0) {
            d.registers = null;
        } else {
            byte[] r = new byte[registers];
            in.readFully(r);
            d.registers = r;
        }
        return d;
    }

    private static void writeInts(int[] values, DataOutputView out) throws IOException {
        if (values == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(values.length);
        for (int v : values) {
            out.writeInt(v);
        }
    }

    private static int[] readInts(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        int[] values = new int[n];
        for (int i = 0; i < n; i++) {
            values[i] = in.readInt();
        }
        return values;
    }

    @Override
    public TypeSerializerSnapshot<WindowAccumulator> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The snapshot: no configuration, the format's version only. */
    public static final class Snapshot extends RecordSerializerSnapshot<WindowAccumulator> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
