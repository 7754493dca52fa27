package io.vigil.pipeline.attribution;

import io.vigil.pipeline.serde.RecordTypeInfo;
import io.vigil.records.Flow;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * A flow on its way through attribution: first by its source address, then by its destination. Flink
 * (de)serializes it with {@link FlowLookupSerializer}, from the reader into attribution and in the attribution
 * state where it waits.
 */
@TypeInfo(FlowLookup.TypeFactory.class)
public class FlowLookup {
    /** What the pipeline passes to {@code returns} and output tags; {@code TypeInformation.of(FlowLookup.class)} too. */
    public static final TypeInformation<FlowLookup> TYPE =
            new RecordTypeInfo<>(FlowLookup.class, FlowLookupSerializer.INSTANCE);

    public Flow flow;
    /** Whether its source is known to be no job's, and it waits to learn whether its destination is one's. */
    public boolean waitsOnDestination;

    public FlowLookup() {}

    public FlowLookup(Flow flow, boolean waitsOnDestination) {
        this.flow = flow;
        this.waitsOnDestination = waitsOnDestination;
    }

    /** For the {@code @TypeInfo} annotation above. */
    public static final class TypeFactory extends TypeInfoFactory<FlowLookup> {
        @Override
        public TypeInformation<FlowLookup> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return TYPE;
        }
    }
}
