package io.vigil.bench;

import io.vigil.models.features.JobContacts;
import io.vigil.models.features.JobFlow;
import io.vigil.models.features.WindowAccumulator;
import io.vigil.pipeline.serde.JobContactsSerializer;
import io.vigil.pipeline.serde.WindowAccumulatorSerializer;
import io.vigil.records.GpuSample;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Writing and reading back one job's window state, as a shuffle of a partial does and as RocksDB does on every
 * update of a window: Flink's POJO serializer against Vigil's own ({@code serde}). One operation: one write and
 * one read of a job's contacts in a window (a tenth of the bench flows, 410, attributed to one job) or of its
 * window (those contacts split off, and 410 GPU samples).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StateSerializerBenchmark {
    private JobContacts contacts;
    private WindowAccumulator window;
    private TypeSerializer<JobContacts> pojoContacts;
    private TypeSerializer<WindowAccumulator> pojoWindow;
    private final DataOutputSerializer out = new DataOutputSerializer(64 * 1024);
    private final DataInputDeserializer in = new DataInputDeserializer();

    @Setup
    public void setUp() {
        contacts = new JobContacts();
        int n = BenchData.N / 10;
        for (JobFlow f : BenchData.jobFlows(BenchData.flows()).subList(0, n)) {
            f.jobId = "job-a";
            contacts.add(f);
        }
        long start = BenchData.START.toEpochMilli();
        JobContacts copy = new JobContacts();
        copy.merge(contacts);
        JobContacts.Split split = copy.split(start, start + 60_000);
        window = split.rest() != null ? split.rest() : new WindowAccumulator();
        for (GpuSample s : BenchData.samples().subList(0, n)) {
            s.setJobId(window.jobId != null ? window.jobId : "job-a");
            window.add(s);
        }
        SerializerConfigImpl config = new SerializerConfigImpl();
        pojoContacts = TypeInformation.of(JobContacts.class).createSerializer(config);
        pojoWindow = TypeInformation.of(WindowAccumulator.class).createSerializer(config);
    }

    @Benchmark
    public JobContacts contactsFlinkPojo() throws IOException {
        return roundTrip(pojoContacts, contacts);
    }

    @Benchmark
    public JobContacts contactsVigil() throws IOException {
        return roundTrip(JobContactsSerializer.INSTANCE, contacts);
    }

    @Benchmark
    public WindowAccumulator windowFlinkPojo() throws IOException {
        return roundTrip(pojoWindow, window);
    }

    @Benchmark
    public WindowAccumulator windowVigil() throws IOException {
        return roundTrip(WindowAccumulatorSerializer.INSTANCE, window);
    }

    private <T> T roundTrip(TypeSerializer<T> serializer, T value) throws IOException {
        out.clear();
        serializer.serialize(value, out);
        in.setBuffer(out.getSharedBuffer(), 0, out.length());
        return serializer.deserialize(in);
    }
}
