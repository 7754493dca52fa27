package io.vigil.jobs.ingest;

import io.vigil.records.Decoded;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * Decodes one input (a Kafka message or a JSON line) into a {@link Received}: the record, or a dead
 * letter with the reason, the source position and the original. Serializable configuration; the codecs
 * are built on first use in the task.
 */
public final class ReceivedDecoder<T extends SpecificRecord> implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Originals longer than this are cut in dead letters: a dead letter must fit in a Kafka message. */
    static final int MAX_ORIGINAL = 64 * 1024;

    private final String typeName;
    private final String topic;
    private final String registryUrl;
    private transient RecordType<T> type;
    private transient RecordFraming<T> framing;
    private transient JsonRecordCodec<T> json;

    private ReceivedDecoder(String typeName, String topic, String registryUrl) {
        this.typeName = typeName;
        this.topic = topic;
        this.registryUrl = registryUrl;
    }

    /** For JSON lines. */
    public static <T extends SpecificRecord> ReceivedDecoder<T> json(RecordType<T> type) {
        return new ReceivedDecoder<>(type.name(), null, null);
    }

    /** For Avro messages on a topic, framed as configured (single-object, or Confluent with a registry). */
    public static <T extends SpecificRecord> ReceivedDecoder<T> avro(RecordType<T> type, String topic, String registryUrl) {
        return new ReceivedDecoder<>(type.name(), topic, registryUrl);
    }

    @SuppressWarnings("unchecked")
    private RecordType<T> type() {
        if (type == null) {
            type = (RecordType<T>) RecordType.byName(typeName);
        }
        return type;
    }

    public Received decodeLine(String line, String source) {
        if (json == null) {
            json = JsonRecordCodec.of(type());
        }
        Decoded<T> decoded = json.decode(line);
        if (decoded.isAccepted()) {
            return Received.of(decoded.record());
        }
        return Received.of(decoded.rejection().toDeadLetter(typeName, source, null, cut(line)));
    }

    public Received decodeMessage(byte[] value, String source) {
        if (framing == null) {
            framing = Framings.forTopic(type(), topic, registryUrl);
        }
        Decoded<T> decoded = framing.decode(value);
        if (decoded.isAccepted()) {
            return Received.of(decoded.record());
        }
        byte[] original = value == null || value.length <= MAX_ORIGINAL ? value : java.util.Arrays.copyOf(value, MAX_ORIGINAL);
        return Received.of(decoded.rejection().toDeadLetter(typeName, source, (Instant) null, original));
    }

    public String typeName() {
        return typeName;
    }

    private static String cut(String line) {
        if (line.length() <= MAX_ORIGINAL) {
            return line;
        }
        // cut on a character boundary; the reason already says what was wrong
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= MAX_ORIGINAL ? line : line.substring(0, MAX_ORIGINAL / 4) + "...";
    }
}
