package io.vigil.pipeline.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.JobContacts;
import io.vigil.models.features.JobFlow;
import io.vigil.models.features.PortStats;
import io.vigil.models.features.WindowAccumulator;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The per-job contacts come back from {@link JobContactsSerializer} as they went in: every field of every class it
 * writes (filled here by reflection, so that a field added later and not written fails this test), the maps' order
 * included.
 */
class JobContactsSerializerTest {
    private final TypeSerializer<JobContacts> serializer = JobContactsSerializer.TYPE.createSerializer(null);
    /** JobContacts with every field filled; its tail a window of one sample. */
    private static final EveryField EVERY_FIELD = new EveryField(Map.of(
            "remotes",
                    every -> {
                        Map<String, JobContacts.Remote> remotes = new HashMap<>();
                        remotes.put("10.1.2.3", every.filled(JobContacts.Remote.class));
                        remotes.put("203.0.113.10", every.filled(JobContacts.Remote.class));
                        return remotes;
                    },
            "ports",
                    every -> {
                        Map<Integer, PortStats> ports = new HashMap<>();
                        ports.put(22, every.filled(PortStats.class));
                        ports.put(443, every.filled(PortStats.class));
                        return ports;
                    },
            "tail",
                    every -> {
                        WindowAccumulator tail = new WindowAccumulator();
                        tail.add(GpuSample.newBuilder()
                                .setTs(Instant.ofEpochMilli(1_770_714_030_000L))
                                .setNode("gpu-node-01")
                                .setGpu(3)
                                .setJobId("job-a")
                                .setUtil(97)
                                .setProcesses(List.of())
                                .build());
                        return tail;
                    }));

    @Test
    void everyFieldComesBack() throws IOException {
        JobContacts contacts = EVERY_FIELD.filled(JobContacts.class);

        JobContacts back = roundTrip(contacts);

        assertThat(back).usingRecursiveComparison().isEqualTo(contacts);
        assertThat(serializer.copy(contacts)).usingRecursiveComparison().isEqualTo(contacts);
    }

    @Test
    void contactsFoldedFromFlowsComeBackWithTheirMapsInTheOrderFlinksPojoSerializerGaveThem() throws IOException {
        JobContacts contacts = new JobContacts();
        for (int i = 0; i < 300; i++) {
            contacts.add(
                    JobFlow.of(flow("10.244.0.5", "10.9." + (i % 40) + "." + (i % 7), 1000 + i % 13), "job-a", true));
        }
        contacts.add(JobFlow.of(flow("10.244.0.5", "203.0.113.10", 443), "job-a", true));
        TypeSerializer<JobContacts> flinks =
                TypeInformation.of(JobContacts.class).createSerializer(new SerializerConfigImpl());
        assertThat(flinks).as("the serializer this one replaces").isInstanceOf(PojoSerializer.class);

        JobContacts back = roundTrip(contacts);
        JobContacts before = roundTrip(flinks, contacts);

        assertThat(back).usingRecursiveComparison().isEqualTo(contacts);
        // what iterates the maps after a shuffle or a restore (the window's merge, the evidence) sees them as before
        assertThat(List.copyOf(back.remotes.keySet())).containsExactlyElementsOf(before.remotes.keySet());
        for (String ip : before.remotes.keySet()) {
            assertThat(List.copyOf(back.remotes.get(ip).stats.ports.keySet()))
                    .containsExactlyElementsOf(
                            before.remotes.get(ip).stats.ports.keySet());
        }
    }

    @Test
    void nullsComeBackAsNulls() throws IOException {
        JobContacts contacts = new JobContacts();
        contacts.remotes = null;
        assertThat(roundTrip(contacts)).usingRecursiveComparison().isEqualTo(contacts);

        JobContacts withEmpty = new JobContacts();
        JobContacts.Remote remote = new JobContacts.Remote();
        remote.stats.ports.put(53, null);
        withEmpty.remotes.put("10.0.0.1", remote);
        withEmpty.remotes.put("10.0.0.2", null);
        JobContacts.Remote bare = new JobContacts.Remote();
        bare.stats = null;
        withEmpty.remotes.put("10.0.0.3", bare);
        assertThat(roundTrip(withEmpty)).usingRecursiveComparison().isEqualTo(withEmpty);
    }

    @Test
    void itsSnapshotRestoresItAndIsCompatibleWithItself() throws IOException {
        TypeSerializerSnapshot<JobContacts> snapshot = serializer.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        TypeSerializerSnapshot<JobContacts> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

        assertThat(read.restoreSerializer()).isEqualTo(serializer);
        assertThat(read.resolveSchemaCompatibility(snapshot).isCompatibleAsIs()).isTrue();
    }

    @Test
    void stateKeptWithFlinksPojoSerializerIsIncompatible() {
        TypeSerializerSnapshot<JobContacts> pojo = TypeInformation.of(JobContacts.class)
                .createSerializer(new SerializerConfigImpl())
                .snapshotConfiguration();

        // a savepoint of a build before this serializer: refused, not misread (deploy/README.md: upgrade afresh)
        assertThat(serializer
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(pojo)
                        .isIncompatible())
                .isTrue();
    }

    private JobContacts roundTrip(JobContacts contacts) throws IOException {
        return roundTrip(serializer, contacts);
    }

    private static JobContacts roundTrip(TypeSerializer<JobContacts> serializer, JobContacts contacts)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(contacts, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        JobContacts back = serializer.deserialize(in);
        assertThat(in.available()).as("every byte read").isZero();
        return back;
    }

    private static Flow flow(String src, String dst, int dstPort) {
        return Flow.newBuilder()
                .setTs(Instant.ofEpochMilli(1_770_714_030_000L))
                .setStartTs(Instant.ofEpochMilli(1_770_714_000_000L))
                .setNode("gpu-node-01")
                .setJobId(null)
                .setSrcIp(src)
                .setDstIp(dst)
                .setSrcPort(40_000)
                .setDstPort(dstPort)
                .setProtocol("TCP")
                .setOrigBytes(1200)
                .setRespBytes(300)
                .setOrigPkts(5)
                .setRespPkts(dstPort == 22 ? 0 : 3)
                .setConnState(dstPort == 22 ? "S0" : "SF")
                .build();
    }
}
