package io.vigil.pipeline.serde;

import io.vigil.records.Fixtures;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's own serializer test suite over GPU samples: every field set with several processes, every
 * optional reading absent, no processes, no process list at all, required fields absent, odd doubles.
 */
class GpuSampleSerializerTest extends SerializerTestBase<GpuSample> {

    GpuSampleSerializerTest() {
        super(SameFields.checker());
    }

    @Override
    protected TypeSerializer<GpuSample> createSerializer() {
        return GpuSampleSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<GpuSample> getTypeClass() {
        return GpuSample.class;
    }

    @Override
    protected GpuSample[] getTestData() {
        return samples();
    }

    static GpuSample[] samples() {
        GpuSample optionalsAbsent = Fixtures.gpuSampleBuilder()
                .setGpuUuid(null)
                .setJobId(null)
                .setPod(null)
                .setSmActive(null)
                .setTensorActive(null)
                .setDramActive(null)
                .setFbUsedMib(null)
                .setPowerW(null)
                .setTempC(null)
                .setSmClockMhz(null)
                .setProcesses(List.of())
                .build();
        GpuSample everythingAbsent = new GpuSample(); // processes null too
        List<GpuProcess> many = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            many.add(Fixtures.gpuProcess(1000L + i, i == 3 ? "" : "worker-" + i, i * 1024L));
        }
        many.add(Fixtures.gpuProcess(Long.MIN_VALUE, "/usr/bin/python3 -m torch.distributed.run ü", Long.MAX_VALUE));
        GpuSample severalProcesses =
                Fixtures.gpuSampleBuilder().setProcesses(many).build();
        GpuSample oddReadings = Fixtures.gpuSampleBuilder()
                .setTs(Instant.parse("1969-12-31T23:59:59.999Z"))
                .setGpu(-1)
                .setUtil(-0.0)
                .setSmActive(Double.NaN)
                .setTensorActive(Double.POSITIVE_INFINITY)
                .setDramActive(Double.MIN_VALUE)
                .setFbUsedMib(Long.MIN_VALUE)
                .setPowerW(-Double.MAX_VALUE)
                .setTempC(0.0)
                .setSmClockMhz(Integer.MIN_VALUE)
                .setProcesses(List.of(Fixtures.gpuProcess(1, "x", 0)))
                .build();
        GpuSample onlySome = Fixtures.gpuSampleBuilder()
                .setSmActive(null)
                .setFbUsedMib(null)
                .setTempC(null)
                .setJobId("unassigned@gpu-node-07")
                .build();
        return new GpuSample[] {
            Fixtures.gpuSample(), optionalsAbsent, everythingAbsent, severalProcesses, oddReadings, onlySome
        };
    }
}
