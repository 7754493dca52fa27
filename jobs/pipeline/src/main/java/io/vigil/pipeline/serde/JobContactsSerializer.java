package io.vigil.pipeline.serde;

import io.vigil.models.features.ContactStats;
import io.vigil.models.features.JobContacts;
import io.vigil.models.features.PortStats;
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
 * {@link JobContacts}, the contacts of one job in one window, written field by field: it crosses the shuffle into the
 * per-job contacts window as each reader's partial ({@code JobFlows}) and is that window's state. Flink's POJO
 * serializer spent most of that stage's time on it: it builds every nested object (a whole window accumulator for the
 * tail, a map per contact) before reading a field, and sets each field by reflection, boxed. The maps are read back
 * as Flink's map serializer reads them (same order, same sizing), so what iterates them sees them as before.
 *
 * <p>The long tail ({@link JobContacts#tail}, beyond {@link JobContacts#MAX_REMOTES} contacts) is written as
 * {@link WindowAccumulatorSerializer} writes a window. Every field of the classes written here must be written here:
 * {@code JobContactsSerializerTest} fills each one and reads it back. Stateless: one instance serves every thread.
 */
public final class JobContactsSerializer extends FieldByFieldSerializer<JobContacts> {
    private static final long serialVersionUID = 1L;

    public static final JobContactsSerializer INSTANCE = new JobContactsSerializer();

    /** What the pipeline passes for the per-job contacts: the window's accumulator and the readers' partials. */
    public static final TypeInformation<JobContacts> TYPE = new RecordTypeInfo<>(JobContacts.class, INSTANCE);

    private static final int REMOTE_EXTERNAL = 1;
    private static final int REMOTE_METADATA_SERVICE = 1 << 1;
    private static final int REMOTE_KIND = 1 << 2;
    private static final int REMOTE_STATS = 1 << 3;

    private static final int STATS_OUTBOUND = 1;
    private static final int STATS_INBOUND = 1 << 1;
    private static final int STATS_PORTS = 1 << 2;

    private static final int PORT_PROTOCOL = 1;

    private JobContactsSerializer() {}

    /** One instance per JVM, also after Java serialization (the job graph carries serializers). */
    private Object readResolve() {
        return INSTANCE;
    }

    @Override
    public JobContacts createInstance() {
        return new JobContacts();
    }

    @Override
    protected void write(JobContacts c, DataOutputView out) throws IOException {
        StringSerializer.INSTANCE.serialize(c.jobId, out);
        if (c.remotes == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(c.remotes.size());
            for (Map.Entry<String, JobContacts.Remote> e : c.remotes.entrySet()) {
                StringSerializer.INSTANCE.serialize(e.getKey(), out);
                writeRemote(e.getValue(), out);
            }
        }
        WindowAccumulatorSerializer.writeNullable(c.tail, out);
    }

    @Override
    protected JobContacts read(DataInputView in) throws IOException {
        JobContacts c = new JobContacts();
        c.jobId = StringSerializer.INSTANCE.deserialize(in);
        int remotes = in.readInt();
        if (remotes < 0) {
            c.remotes = null;
        } else {
            Map<String, JobContacts.Remote> map = CollectionUtil.newHashMapWithExpectedSize(remotes);
            for (int i = 0; i < remotes; i++) {
                String ip = StringSerializer.INSTANCE.deserialize(in);
                map.put(ip, readRemote(in));
            }
            c.remotes = map;
        }
        c.tail = WindowAccumulatorSerializer.readNullable(in);
        return c;
    }

    private static void writeRemote(JobContacts.Remote r, DataOutputView out) throws IOException {
        if (r == null) {
            out.writeByte(-1);
            return;
        }
        out.writeByte((r.external ? REMOTE_EXTERNAL : 0)
                | (r.metadataService ? REMOTE_METADATA_SERVICE : 0)
                | (r.remoteKind != null ? REMOTE_KIND : 0)
                | (r.stats != null ? REMOTE_STATS : 0));
        if (r.remoteKind != null) {
            out.writeUTF(r.remoteKind.name());
        }
        if (r.stats != null) {
            writeStats(r.stats, out);
        }
    }

    private static JobContacts.Remote readRemote(DataInputView in) throws IOException {
        int flags = in.readByte();
        if (flags < 0) {
            return null;
        }
        JobContacts.Remote r = new JobContacts.Remote();
        r.external = (flags & REMOTE_EXTERNAL) != 0;
        r.metadataService = (flags & REMOTE_METADATA_SERVICE) != 0;
        r.remoteKind = (flags & REMOTE_KIND) != 0 ? IpAddresses.Kind.valueOf(in.readUTF()) : null;
        r.stats = (flags & REMOTE_STATS) != 0 ? readStats(in) : null;
        return r;
    }

    static void writeStats(ContactStats s, DataOutputView out) throws IOException {
        out.writeByte((s.outbound ? STATS_OUTBOUND : 0)
                | (s.inbound ? STATS_INBOUND : 0)
                | (s.ports != null ? STATS_PORTS : 0));
        out.writeLong(s.flows);
        out.writeLong(s.outboundFlows);
        out.writeLong(s.bytesOut);
        out.writeLong(s.bytesIn);
        out.writeLong(s.pktsOut);
        out.writeLong(s.pktsIn);
        out.writeLong(s.attempts);
        out.writeLong(s.unanswered);
        out.writeLong(s.statelessUnanswered);
        out.writeLong(s.icmpErrors);
        out.writeLong(s.errorPktsIn);
        out.writeLong(s.errorBytesIn);
        out.writeLong(s.unreachables);
        out.writeLong(s.portOverflowFlows);
        out.writeLong(s.longLivedFlows);
        out.writeLong(s.longestDurationMs);
        if (s.ports != null) {
            out.writeInt(s.ports.size());
            for (Map.Entry<Integer, PortStats> e : s.ports.entrySet()) {
                out.writeInt(e.getKey());
                writePort(e.getValue(), out);
            }
        }
    }

    static ContactStats readStats(DataInputView in) throws IOException {
        int flags = in.readByte();
        ContactStats s = new ContactStats();
        s.outbound = (flags & STATS_OUTBOUND) != 0;
        s.inbound = (flags & STATS_INBOUND) != 0;
        s.flows = in.readLong();
        s.outboundFlows = in.readLong();
        s.bytesOut = in.readLong();
        s.bytesIn = in.readLong();
        s.pktsOut = in.readLong();
        s.pktsIn = in.readLong();
        s.attempts = in.readLong();
        s.unanswered = in.readLong();
        s.statelessUnanswered = in.readLong();
        s.icmpErrors = in.readLong();
        s.errorPktsIn = in.readLong();
        s.errorBytesIn = in.readLong();
        s.unreachables = in.readLong();
        s.portOverflowFlows = in.readLong();
        s.longLivedFlows = in.readLong();
        s.longestDurationMs = in.readLong();
        if ((flags & STATS_PORTS) != 0) {
            int ports = in.readInt();
            Map<Integer, PortStats> map = CollectionUtil.newHashMapWithExpectedSize(ports);
            for (int i = 0; i < ports; i++) {
                int port = in.readInt();
                map.put(port, readPort(in));
            }
            s.ports = map;
        } else {
            s.ports = null;
        }
        return s;
    }

    private static void writePort(PortStats p, DataOutputView out) throws IOException {
        if (p == null) {
            out.writeByte(-1);
            return;
        }
        out.writeByte(p.protocol != null ? PORT_PROTOCOL : 0);
        if (p.protocol != null) {
            out.writeUTF(p.protocol);
        }
        out.writeLong(p.flows);
        out.writeLong(p.bytes);
        out.writeLong(p.attempts);
        out.writeLong(p.failed);
        out.writeLong(p.statelessFailed);
        out.writeLong(p.udpProbes);
        out.writeLong(p.udpAnswered);
        out.writeLong(p.udpStatelessSilent);
    }

    private static PortStats readPort(DataInputView in) throws IOException {
        int flags = in.readByte();
        if (flags < 0) {
            return null;
        }
        PortStats p = new PortStats();
        p.protocol = (flags & PORT_PROTOCOL) != 0 ? in.readUTF() : null;
        p.flows = in.readLong();
        p.bytes = in.readLong();
        p.attempts = in.readLong();
        p.failed = in.readLong();
        p.statelessFailed = in.readLong();
        p.udpProbes = in.readLong();
        p.udpAnswered = in.readLong();
        p.udpStatelessSilent = in.readLong();
        return p;
    }

    @Override
    public TypeSerializerSnapshot<JobContacts> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The snapshot: no configuration, the format's version only. */
    public static final class Snapshot extends RecordSerializerSnapshot<JobContacts> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
