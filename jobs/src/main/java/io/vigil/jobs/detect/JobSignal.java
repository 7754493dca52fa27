package io.vigil.jobs.detect;

import io.vigil.models.features.Contact;
import io.vigil.records.GpuSample;

/** What a job's window is made of: its contacts with one remote address, or one GPU sample. One is set. */
public class JobSignal {
    public Contact contact;
    public GpuSample sample;

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

    String jobId() {
        return contact != null ? contact.jobId : sample.getJobId();
    }
}
