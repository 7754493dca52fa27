package io.vigil.pipeline.serde;

import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The type information of the raw records with hand-written serializers: what the pipeline passes to
 * {@code returns}, output tags and state descriptors wherever these records cross a shuffle or wait in
 * state. Without it Flink takes {@code TypeInformation.of(Flow.class)} to be an Avro type and uses its
 * (slow) Avro serializer.
 *
 * <p>The factories serve the {@code @TypeInfo} annotation, for POJO fields of these types ({@code
 * Received}, {@code JobSignal}): the Avro classes are generated, so they cannot carry it. (Attribution's own
 * {@code FlowLookup} carries its type information itself.)
 */
public final class RecordTypes {
    private RecordTypes() {}

    public static final TypeInformation<Flow> FLOW = new RecordTypeInfo<>(Flow.class, FlowSerializer.INSTANCE);
    public static final TypeInformation<GpuSample> GPU_SAMPLE =
            new RecordTypeInfo<>(GpuSample.class, GpuSampleSerializer.INSTANCE);

    /** For {@code @TypeInfo(RecordTypes.FlowFactory.class)} on a {@link Flow} field. */
    public static final class FlowFactory extends TypeInfoFactory<Flow> {
        @Override
        public TypeInformation<Flow> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return FLOW;
        }
    }

    /** For {@code @TypeInfo(RecordTypes.GpuSampleFactory.class)} on a {@link GpuSample} field. */
    public static final class GpuSampleFactory extends TypeInfoFactory<GpuSample> {
        @Override
        public TypeInformation<GpuSample> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return GPU_SAMPLE;
        }
    }
}
