package io.vigil.pipeline.detect;

import io.vigil.models.features.Contact;
import io.vigil.models.features.WindowAccumulator;
import io.vigil.pipeline.serde.RecordTypeInfo;
import io.vigil.records.GpuSample;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What a job's window is made of: its contacts with one remote address, one GPU sample, or contacts and
 * samples of the job's window already folded together on their way ({@link PreCombine}). One is set. Flink writes it
 * with {@link JobSignalSerializer}.
 */
@TypeInfo(JobSignal.TypeFactory.class)
public class JobSignal {
    /** What the pipeline passes for these; {@code TypeInformation.of(JobSignal.class)} too. */
    static final TypeInformation<JobSignal> TYPE = new RecordTypeInfo<>(JobSignal.class, JobSignalSerializer.INSTANCE);

    public Contact contact;

    public GpuSample sample;

    public WindowAccumulator partial;

    public JobSignal() {}

    static JobSignal of(Contact contact) {
        JobSignal s = new JobSignal();
        s.contact = contact;
        return s;
    }

    static JobSignal of(GpuSample sample) {
        JobSignal s = new JobSignal();
        s.sample = sample;
        return s;
    }

    static JobSignal of(WindowAccumulator partial) {
        JobSignal s = new JobSignal();
        s.partial = partial;
        return s;
    }

    /** For the {@code @TypeInfo} annotation above. */
    public static final class TypeFactory extends TypeInfoFactory<JobSignal> {
        @Override
        public TypeInformation<JobSignal> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return TYPE;
        }
    }

    String jobId() {
        return contact != null ? contact.jobId : sample != null ? sample.getJobId() : partial.jobId;
    }
}
