package io.vigil.records.wire;

import io.vigil.records.Decoded;

/**
 * How one Avro record sits in a Kafka message value. Decoding never throws for bad bytes: it returns a
 * rejection with reason {@code undecodable} (or a domain-check reason). It does throw when the framing's
 * own infrastructure fails (a schema registry that cannot be reached), because that is not the
 * record's fault and must not dead-letter good data.
 */
public interface RecordFraming<T> {

    byte[] encode(T record);

    Decoded<T> decode(byte[] message);

    /** A short name for logs and --help: single-object or confluent. */
    String name();
}
