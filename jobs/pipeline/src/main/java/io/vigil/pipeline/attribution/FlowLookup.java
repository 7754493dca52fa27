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
 * (de)serializes it with {@link FlowLookupSerializer}, at both shuffles and in the
 * attribution state where it waits.
 */
@TypeInfo(FlowLookup.TypeFactory.class)
public class FlowLookup {
    /** What the pipeline passes to {@code returns} and output tags; {@code TypeInformation.of(FlowLookup.class)} too. */
    public static final TypeInformation<FlowLookup> TYPE =
            new RecordTypeInfo<>(FlowLookup.class, FlowLookupSerializer.INSTANCE);

    public Flow flow;
    /** Whether a job already owns the flow's source (so an unowned destination is no dead letter). */
    public boolean ownedBySource;

    public FlowLookup() {}

    public FlowLookup(Flow flow, boolean ownedBySource) {
        this.flow = flow;
        this.ownedBySource = ownedBySource;
    }

    /** For the {@code @TypeInfo} annotation above. */
    public static final class TypeFactory extends TypeInfoFactory<FlowLookup> {
        @Override
        public TypeInformation<FlowLookup> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return TYPE;
        }
    }
}
