package io.vigil.collector;

import io.vigil.records.GpuSample;

/** Where collected samples go: the GPU topic. */
public interface SamplePublisher extends AutoCloseable {
    /** Publishes one sample, waiting until the broker has it; throws when it could not. */
    void publish(GpuSample sample) throws Exception;

    @Override
    void close();
}
