package io.vigil.pipeline.detect;

import io.vigil.models.features.JobContacts;
import io.vigil.models.features.JobFlow;
import io.vigil.pipeline.serde.RecordTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What the per-job contacts window reads: one attributed flow, or the flows of one job and window already
 * folded together on their way ({@link PreCombine}). One is set. Flink writes it with {@link JobFlowsSerializer}.
 */
@TypeInfo(JobFlows.TypeFactory.class)
public class JobFlows {
    /** What the pipeline passes for these; {@code TypeInformation.of(JobFlows.class)} too. */
    static final TypeInformation<JobFlows> TYPE = new RecordTypeInfo<>(JobFlows.class, new JobFlowsSerializer());

    public JobFlow flow;
    public JobContacts partial;

    public JobFlows() {}

    static JobFlows of(JobFlow flow) {
        JobFlows f = new JobFlows();
        f.flow = flow;
        return f;
    }

    static JobFlows of(JobContacts partial) {
        JobFlows f = new JobFlows();
        f.partial = partial;
        return f;
    }

    /** For the {@code @TypeInfo} annotation above. */
    public static final class TypeFactory extends TypeInfoFactory<JobFlows> {
        @Override
        public TypeInformation<JobFlows> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return TYPE;
        }
    }

    /** The key of the per-job contacts window. */
    String jobId() {
        return flow != null ? flow.jobId : partial.jobId;
    }
}
