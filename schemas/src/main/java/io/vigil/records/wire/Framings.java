package io.vigil.records.wire;

import io.vigil.records.RecordType;
import org.apache.avro.specific.SpecificRecord;

/** Picks the framing of a topic: single-object encoding, or Confluent's when a registry is configured. */
public final class Framings {
    private Framings() {}

    /**
     * @param registryUrl the schema registry, or null/blank for single-object encoding
     */
    public static <T extends SpecificRecord> RecordFraming<T> forTopic(
            RecordType<T> type, String topic, String registryUrl) {
        if (registryUrl == null || registryUrl.isBlank()) {
            return new SingleObjectFraming<>(type);
        }
        return new ConfluentFraming<>(type, new SchemaRegistryClient(registryUrl), topic);
    }
}
