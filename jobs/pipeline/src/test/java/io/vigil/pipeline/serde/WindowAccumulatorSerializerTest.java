package io.vigil.pipeline.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.Contact;
import io.vigil.models.features.DistinctCounter;
import io.vigil.models.features.GpuStats;
import io.vigil.models.features.WindowAccumulator;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
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
 * A job's window comes back from {@link WindowAccumulatorSerializer} as it went in: every field of every class it
 * writes (filled here by reflection, so that a field added later and not written fails this test), the maps' order
 * as Flink's POJO serializer gave it.
 */
class WindowAccumulatorSerializerTest {
    private final TypeSerializer<WindowAccumulator> serializer =
            WindowAccumulatorSerializer.TYPE.createSerializer(new SerializerConfigImpl());
    /** Windows with every field filled, two of each in their maps and lists. */
    static final EveryField EVERY_FIELD = new EveryField(Map.of(
            "contacts", every -> new ArrayList<>(List.of(every.filled(Contact.class), every.filled(Contact.class))),
            "scanPorts",
                    every -> {
                        Map<Integer, WindowAccumulator.PortReach> ports = new HashMap<>();
                        ports.put(22, every.filled(WindowAccumulator.PortReach.class));
                        ports.put(3389, every.filled(WindowAccumulator.PortReach.class));
                        return ports;
                    },
            "gpus",
                    every -> {
                        Map<String, GpuStats> gpus = new HashMap<>();
                        gpus.put("gpu-node-01#0", every.filled(GpuStats.class));
                        gpus.put("gpu-node-01#1", every.filled(GpuStats.class));
                        return gpus;
                    },
            "processes",
                    every -> {
                        Map<String, Long> processes = new HashMap<>();
                        processes.put("python", every.next());
                        processes.put("xmrig", every.next());
                        return processes;
                    }));

    @Test
    void everyFieldComesBack() throws IOException {
        WindowAccumulator window = EVERY_FIELD.filled(WindowAccumulator.class);

        assertThat(roundTrip(serializer, window)).usingRecursiveComparison().isEqualTo(window);
        assertThat(serializer.copy(window)).usingRecursiveComparison().isEqualTo(window);
        Contact contact = window.contacts.get(0);
        assertThat(WindowAccumulatorSerializer.copy(contact))
                .usingRecursiveComparison()
                .isEqualTo(contact)
                .isNotSameAs(contact);
    }

    @Test
    void aWindowOfSamplesComesBackWithItsMapsInTheOrderFlinksPojoSerializerGaveThem() throws IOException {
        WindowAccumulator window = new WindowAccumulator();
        for (int i = 0; i < 200; i++) {
            window.add(sample("gpu-node-0" + (i % 5), i % 8, i));
        }
        TypeSerializer<WindowAccumulator> flinks =
                TypeInformation.of(WindowAccumulator.class).createSerializer(new SerializerConfigImpl());
        assertThat(flinks).as("the serializer this one replaces").isInstanceOf(PojoSerializer.class);

        WindowAccumulator back = roundTrip(serializer, window);
        WindowAccumulator before = roundTrip(flinks, window);

        assertThat(back).usingRecursiveComparison().isEqualTo(window);
        assertThat(List.copyOf(back.gpus.keySet())).containsExactlyElementsOf(before.gpus.keySet());
        for (String gpu : before.gpus.keySet()) {
            assertThat(List.copyOf(back.gpus.get(gpu).processes.keySet()))
                    .containsExactlyElementsOf(before.gpus.get(gpu).processes.keySet());
        }
    }

    @Test
    void nullsComeBackAsNulls() throws IOException {
        WindowAccumulator window = new WindowAccumulator();
        window.scanPorts = null;
        window.contacts = null;
        window.gpus = null;
        window.failedHosts = null;
        assertThat(roundTrip(serializer, window)).usingRecursiveComparison().isEqualTo(window);

        WindowAccumulator holes = new WindowAccumulator();
        holes.scanPorts.put(22, null);
        holes.contacts.add(null);
        holes.gpus.put("gpu-node-01#0", null);
        GpuStats gpu = new GpuStats();
        gpu.processes.put("python", null);
        gpu.processes = new HashMap<>(gpu.processes);
        holes.gpus.put("gpu-node-01#1", gpu);
        DistinctCounter bare = new DistinctCounter();
        bare.hashes = null;
        holes.tailInternalHosts = bare;
        Contact contact = new Contact();
        contact.attemptPorts = null;
        holes.contacts.add(contact);
        assertThat(roundTrip(serializer, holes)).usingRecursiveComparison().isEqualTo(holes);
        assertThat(roundTrip(serializer, null)).isNull();
    }

    @Test
    void itsSnapshotRestoresItAndIsCompatibleWithItself() throws IOException {
        TypeSerializerSnapshot<WindowAccumulator> snapshot = serializer.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        TypeSerializerSnapshot<WindowAccumulator> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

        assertThat(read.restoreSerializer()).isSameAs(WindowAccumulatorSerializer.INSTANCE);
        assertThat(read.resolveSchemaCompatibility(snapshot).isCompatibleAsIs()).isTrue();
    }

    private static WindowAccumulator roundTrip(TypeSerializer<WindowAccumulator> serializer, WindowAccumulator w)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(w, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        WindowAccumulator back = serializer.deserialize(in);
        assertThat(in.available()).as("every byte read").isZero();
        return back;
    }

    private static GpuSample sample(String node, int gpu, int i) {
        return GpuSample.newBuilder()
                .setTs(Instant.ofEpochMilli(1_770_714_000_000L + i * 1000L))
                .setNode(node)
                .setGpu(gpu)
                .setJobId("job-a")
                .setUtil(90)
                .setProcesses(List.of(GpuProcess.newBuilder()
                        .setPid(7 + i % 3)
                        .setName("proc-" + (i % 3))
                        .setUsedMib(100)
                        .build()))
                .build();
    }
}
