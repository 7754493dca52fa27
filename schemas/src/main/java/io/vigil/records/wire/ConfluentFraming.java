package io.vigil.records.wire;

import io.vigil.records.Decoded;
import io.vigil.records.RecordRejected;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The Confluent wire format: magic byte {@code 0}, the writer schema's registry id (4 bytes, big
 * endian), then the binary datum. Subjects follow the default TopicNameStrategy: {@code <topic>-value}.
 */
public final class ConfluentFraming<T extends SpecificRecord> implements RecordFraming<T> {
    private static final byte MAGIC = 0;

    private final RecordType<T> type;
    private final SchemaRegistryClient registry;
    private final String subject;
    private final SpecificData model;
    private final SpecificDatumWriter<T> writer;
    private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();
    private BinaryEncoder reusedEncoder;
    private BinaryDecoder reusedDecoder;

    public ConfluentFraming(RecordType<T> type, SchemaRegistryClient registry, String topic) {
        this.type = type;
        this.registry = registry;
        this.subject = topic + "-value";
        this.model = SpecificData.getForClass(type.recordClass());
        this.writer = new SpecificDatumWriter<>(type.schema(), model);
    }

    @Override
    public byte[] encode(T record) {
        int id = registry.register(subject, type.schema());
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.write(MAGIC);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        try {
            reusedEncoder = EncoderFactory.get().binaryEncoder(out, reusedEncoder);
            writer.write(record, reusedEncoder);
            reusedEncoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public Decoded<T> decode(byte[] message) {
        if (message == null || message.length < 5) {
            return Decoded.rejected(
                    RejectReason.UNDECODABLE,
                    null,
                    "too short for the Confluent wire format (" + (message == null ? 0 : message.length) + " bytes)");
        }
        if (message[0] != MAGIC) {
            return Decoded.rejected(
                    RejectReason.UNDECODABLE,
                    null,
                    String.format("not the Confluent wire format: magic byte 0x%02x", message[0] & 0xff));
        }
        int id = ((message[1] & 0xff) << 24)
                | ((message[2] & 0xff) << 16)
                | ((message[3] & 0xff) << 8)
                | (message[4] & 0xff);
        SpecificDatumReader<T> reader;
        try {
            reader = readerFor(id);
        } catch (SchemaRegistryClient.NotFound e) {
            return Decoded.rejected(RejectReason.UNDECODABLE, null, "unknown schema id " + id + ": " + e.getMessage());
        }
        T record;
        try {
            reusedDecoder = DecoderFactory.get().binaryDecoder(message, 5, message.length - 5, reusedDecoder);
            record = reader.read(null, reusedDecoder);
        } catch (IOException | RuntimeException e) {
            return Decoded.rejected(
                    RejectReason.UNDECODABLE, null, "corrupt " + type.name() + " datum (schema id " + id + "): " + e);
        }
        try {
            type.check(record);
        } catch (RecordRejected e) {
            return Decoded.rejected(e.rejection());
        }
        return Decoded.accepted(record);
    }

    private SpecificDatumReader<T> readerFor(int id) throws SchemaRegistryClient.NotFound {
        SpecificDatumReader<T> reader = readers.get(id);
        if (reader == null) {
            Schema writerSchema = registry.schema(id);
            reader = new SpecificDatumReader<>(writerSchema, type.schema(), model);
            readers.put(id, reader);
        }
        return reader;
    }

    @Override
    public String name() {
        return "confluent";
    }
}
