package io.vigil.pipeline.detect;

import io.vigil.models.features.Contact;
import io.vigil.models.features.WindowAccumulator;
import io.vigil.pipeline.serde.RecordTypes;
import io.vigil.records.GpuSample;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What a job's window is made of: its contacts with one remote address, one GPU sample, or contacts and
 * samples of the job's window already folded together on their way ({@link PreCombine}). One is set.
 */
public class JobSignal {
    public Contact contact;

    @TypeInfo(RecordTypes.GpuSampleFactory.class)
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

    String jobId() {
        return contact != null ? contact.jobId : sample != null ? sample.getJobId() : partial.jobId;
    }
}
