package io.vigil.records.wire;

import io.vigil.records.Decoded;
import io.vigil.records.RecordRejected;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding: {@code C3 01}, the writer schema's 8-byte CRC-64-AVRO fingerprint, then
 * the binary datum. Self-describing without a registry; a reader resolves data written with any schema
 * it has been told about ({@link #alsoRead}) to its own.
 */
public final class SingleObjectFraming<T extends SpecificRecord> implements RecordFraming<T> {
    private final RecordType<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    public SingleObjectFraming(RecordType<T> type) {
        this.type = type;
        SpecificData model = SpecificData.getForClass(type.recordClass());
        this.encoder = new BinaryMessageEncoder<>(model, type.schema());
        this.decoder = new BinaryMessageDecoder<>(model, type.schema());
    }

    /** Lets this reader resolve messages written with another (older or newer) version of the schema. */
    public SingleObjectFraming<T> alsoRead(Schema writerSchema) {
        decoder.addSchema(writerSchema);
        return this;
    }

    @Override
    public byte[] encode(T record) {
        try {
            ByteBuffer buf = encoder.encode(record);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Decoded<T> decode(byte[] message) {
        if (message == null) {
            return Decoded.rejected(RejectReason.UNDECODABLE, null, "empty message (tombstone)");
        }
        T record;
        try {
            record = decoder.decode(message);
        } catch (MissingSchemaException e) {
            return Decoded.rejected(
                    RejectReason.UNDECODABLE,
                    null,
                    "written with a schema this reader does not know: " + e.getMessage());
        } catch (BadHeaderException e) {
            return Decoded.rejected(
                    RejectReason.UNDECODABLE, null, "not Avro single-object encoding: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            return Decoded.rejected(RejectReason.UNDECODABLE, null, "corrupt " + type.name() + " datum: " + e);
        }
        try {
            type.check(record);
        } catch (RecordRejected e) {
            return Decoded.rejected(e.rejection());
        }
        return Decoded.accepted(record);
    }

    @Override
    public String name() {
        return "single-object";
    }
}
