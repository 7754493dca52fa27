package io.vigil.bench;

import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import io.vigil.records.wire.RecordFraming;
import io.vigil.records.wire.SingleObjectFraming;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/** Decoding and checking one record, as the sources do: JSON lines and Avro single-object messages. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecodeBenchmark {
    private String[] flowJson;
    private String[] sampleJson;
    private byte[][] flowAvro;
    private byte[][] sampleAvro;
    private JsonRecordCodec<Flow> flowCodec;
    private JsonRecordCodec<GpuSample> sampleCodec;
    private RecordFraming<Flow> flowFraming;
    private RecordFraming<GpuSample> sampleFraming;

    @Setup
    public void setUp() {
        flowCodec = JsonRecordCodec.of(RecordType.FLOW);
        sampleCodec = JsonRecordCodec.of(RecordType.GPU);
        flowFraming = new SingleObjectFraming<>(RecordType.FLOW);
        sampleFraming = new SingleObjectFraming<>(RecordType.GPU);
        List<Flow> flows = BenchData.flows();
        List<GpuSample> samples = BenchData.samples();
        flowJson = flows.stream().map(flowCodec::encode).toArray(String[]::new);
        sampleJson = samples.stream().map(sampleCodec::encode).toArray(String[]::new);
        flowAvro = flows.stream().map(flowFraming::encode).toArray(byte[][]::new);
        sampleAvro = samples.stream().map(sampleFraming::encode).toArray(byte[][]::new);
    }

    @Benchmark
    @OperationsPerInvocation(BenchData.N)
    public void flowFromJson(Blackhole bh) {
        for (String line : flowJson) {
            bh.consume(flowCodec.decode(line));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BenchData.N)
    public void flowFromAvro(Blackhole bh) {
        for (byte[] m : flowAvro) {
            bh.consume(flowFraming.decode(m));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BenchData.N)
    public void sampleFromJson(Blackhole bh) {
        for (String line : sampleJson) {
            bh.consume(sampleCodec.decode(line));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BenchData.N)
    public void sampleFromAvro(Blackhole bh) {
        for (byte[] m : sampleAvro) {
            bh.consume(sampleFraming.decode(m));
        }
    }
}
