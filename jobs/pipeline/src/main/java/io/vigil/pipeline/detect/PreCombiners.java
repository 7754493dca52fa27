package io.vigil.pipeline.detect;

import io.vigil.models.features.Contact;
import io.vigil.models.features.JobContacts;
import io.vigil.models.features.JobFlow;
import io.vigil.models.features.WindowAccumulator;
import io.vigil.records.GpuSample;

/** The pipeline's {@link PreCombine}s: before the per-job contacts window, and before the per-job window. */
final class PreCombiners {
    private PreCombiners() {}

    /** Attributed flows, per job and window, before the per-job contacts window. */
    static final class Flows extends PreCombine<JobFlow, JobContacts, JobFlows> {
        private static final long serialVersionUID = 1L;

        Flows(long windowMs) {
            super(windowMs);
        }

        @Override
        protected String key(JobFlow flow) {
            return flow.jobId;
        }

        /** The job's side of one flow report: the same report twice (at least once delivery) counts once. */
        @Override
        protected long fingerprint(JobFlow f) {
            long h = SeenFingerprints.with(1, f.jobId);
            h = SeenFingerprints.with(h, f.localIp);
            h = SeenFingerprints.with(h, f.remoteIp);
            h = SeenFingerprints.with(h, ((long) f.localPort << 32) | (f.remotePort & 0xffffffffL));
            h = SeenFingerprints.with(h, f.protocol);
            h = SeenFingerprints.with(h, f.outbound ? 1 : 2);
            h = SeenFingerprints.with(h, f.startTs);
            h = SeenFingerprints.with(h, f.ts);
            h = SeenFingerprints.with(h, f.bytesOut);
            h = SeenFingerprints.with(h, f.bytesIn);
            h = SeenFingerprints.with(h, f.pktsOut);
            h = SeenFingerprints.with(h, f.pktsIn);
            h = SeenFingerprints.with(h, f.connState);
            return h == 0 ? 1 : h;
        }

        @Override
        protected JobContacts newPartial() {
            return new JobContacts();
        }

        @Override
        protected void add(JobContacts partial, JobFlow flow) {
            partial.add(flow);
        }

        @Override
        protected JobFlows partial(JobContacts partial) {
            return JobFlows.of(partial);
        }

        @Override
        protected JobFlows single(JobFlow flow) {
            return JobFlows.of(flow);
        }
    }

    /** Attributed GPU samples, per job and window, before the per-job window. */
    static final class Samples extends PreCombine<GpuSample, WindowAccumulator, JobSignal> {
        private static final long serialVersionUID = 1L;

        Samples(long windowMs) {
            super(windowMs);
        }

        @Override
        protected String key(GpuSample sample) {
            return sample.getJobId();
        }

        @Override
        protected WindowAccumulator newPartial() {
            return new WindowAccumulator();
        }

        @Override
        protected void add(WindowAccumulator partial, GpuSample sample) {
            partial.add(sample);
        }

        @Override
        protected JobSignal partial(WindowAccumulator partial) {
            return JobSignal.of(partial);
        }

        @Override
        protected JobSignal single(GpuSample sample) {
            return JobSignal.of(sample);
        }
    }

    /** A window's contacts (all fired at one watermark), per job, before the per-job window. */
    static final class Contacts extends PreCombine<Contact, WindowAccumulator, JobSignal> {
        private static final long serialVersionUID = 1L;

        Contacts(long windowMs) {
            super(windowMs);
        }

        @Override
        protected String key(Contact contact) {
            return contact.jobId;
        }

        @Override
        protected WindowAccumulator newPartial() {
            return new WindowAccumulator();
        }

        @Override
        protected void add(WindowAccumulator partial, Contact contact) {
            partial.add(contact);
        }

        @Override
        protected JobSignal partial(WindowAccumulator partial) {
            return JobSignal.of(partial);
        }

        @Override
        protected JobSignal single(Contact contact) {
            return JobSignal.of(contact);
        }
    }
}
