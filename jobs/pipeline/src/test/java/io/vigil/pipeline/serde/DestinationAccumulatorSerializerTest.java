package io.vigil.pipeline.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.ContactStats;
import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.PortStats;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** A destination's window comes back from {@link DestinationAccumulatorSerializer} as it went in, every field. */
class DestinationAccumulatorSerializerTest {
    private static final EveryField EVERY_FIELD = new EveryField(Map.of(
            "jobs",
                    every -> {
                        Map<String, ContactStats> jobs = new HashMap<>();
                        jobs.put("job-a", every.filled(ContactStats.class));
                        jobs.put("job-b", every.filled(ContactStats.class));
                        jobs.put("job-c", null);
                        return jobs;
                    },
            "ports",
                    every -> {
                        Map<Integer, PortStats> ports = new HashMap<>();
                        ports.put(53, every.filled(PortStats.class));
                        return ports;
                    }));

    @Test
    void everyFieldComesBack() throws IOException {
        DestinationAccumulator destination = EVERY_FIELD.filled(DestinationAccumulator.class);

        DataOutputSerializer out = new DataOutputSerializer(256);
        DestinationAccumulatorSerializer.INSTANCE.serialize(destination, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        DestinationAccumulator back = DestinationAccumulatorSerializer.INSTANCE.deserialize(in);

        assertThat(in.available()).as("every byte read").isZero();
        assertThat(back).usingRecursiveComparison().isEqualTo(destination);
        assertThat(DestinationAccumulatorSerializer.INSTANCE.copy(destination))
                .usingRecursiveComparison()
                .isEqualTo(destination);
    }

    @Test
    void aDestinationWithoutJobsOrKindComesBackSo() throws IOException {
        DestinationAccumulator destination = new DestinationAccumulator();
        destination.jobs = null;

        assertThat(DestinationAccumulatorSerializer.INSTANCE.copy(destination))
                .usingRecursiveComparison()
                .isEqualTo(destination);
    }
}
