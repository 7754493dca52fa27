package io.vigil.collector;

import io.vigil.records.GpuSample;

/** Where collected samples go: the GPU topic. */
public interface SamplePublisher extends AutoCloseable {
    /**
     * Publishes one sample, waiting until the broker has it; throws when it could not.
     *
     * @throws Refused when the broker refuses the agent itself (its credentials or rights): trying again cannot help
     */
    void publish(GpuSample sample) throws Exception;

    @Override
    void close();

    /** The broker refuses the agent's credentials or rights: a wrong password, an untrusted certificate, no ACL. */
    final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }
}
