package io.vigil.pipeline.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.Contact;
import io.vigil.models.features.DistinctCounter;
import io.vigil.models.features.GpuStats;
import io.vigil.models.features.WindowAccumulator;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import io.vigil.records.IpAddresses;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
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
    private long next = 1;

    @Test
    void everyFieldComesBack() throws IOException {
        WindowAccumulator window = filled(WindowAccumulator.class);

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
        if (serializer instanceof WindowAccumulatorSerializer) {
            WindowAccumulatorSerializer.write(w, out);
        } else {
            serializer.serialize(w, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        WindowAccumulator back = serializer instanceof WindowAccumulatorSerializer
                ? WindowAccumulatorSerializer.read(in)
                : serializer.deserialize(in);
        assertThat(in.available()).as("every byte read").isZero();
        return back;
    }

    /** An instance with every field set to a value of its own, not its default. */
    private <T> T filled(Class<T> type) {
        try {
            T t = type.getDeclaredConstructor().newInstance();
            for (Field f : type.getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) || Modifier.isTransient(m)) {
                    continue;
                }
                f.setAccessible(true);
                f.set(t, value(f));
            }
            return t;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private Object value(Field f) {
        Class<?> c = f.getType();
        if (c == long.class) {
            return next++;
        } else if (c == int.class) {
            return (int) next++;
        } else if (c == double.class) {
            return next++ + 0.25;
        } else if (c == boolean.class) {
            return true;
        } else if (c == String.class) {
            return "s" + next++;
        } else if (c == IpAddresses.Kind.class) {
            return IpAddresses.Kind.values()[IpAddresses.Kind.values().length - 1];
        } else if (c == int[].class) {
            return new int[] {(int) next++, (int) next++};
        } else if (c == long[].class) {
            return new long[] {next++, next++, next++};
        } else if (c == byte[].class) {
            return new byte[] {(byte) next++, 0, (byte) next++};
        } else if (c == DistinctCounter.class || c == WindowAccumulator.PortReach.class) {
            return filled(c);
        } else if (c == List.class && f.getName().equals("contacts")) {
            List<Contact> contacts = new ArrayList<>();
            contacts.add(filled(Contact.class));
            contacts.add(filled(Contact.class));
            return contacts;
        } else if (c == Map.class && f.getName().equals("scanPorts")) {
            Map<Integer, WindowAccumulator.PortReach> ports = new HashMap<>();
            ports.put(22, filled(WindowAccumulator.PortReach.class));
            ports.put(3389, filled(WindowAccumulator.PortReach.class));
            return ports;
        } else if (c == Map.class && f.getName().equals("gpus")) {
            Map<String, GpuStats> gpus = new HashMap<>();
            gpus.put("gpu-node-01#0", filled(GpuStats.class));
            gpus.put("gpu-node-01#1", filled(GpuStats.class));
            return gpus;
        } else if (c == Map.class && f.getName().equals("processes")) {
            Map<String, Long> processes = new HashMap<>();
            processes.put("python", next++);
            processes.put("xmrig", next++);
            return processes;
        }
        throw new AssertionError("a field this test cannot fill, nor the serializer write: " + f);
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
