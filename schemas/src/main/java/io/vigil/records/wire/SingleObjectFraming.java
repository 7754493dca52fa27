package io.vigil.records.wire;

import io.vigil.records.Decoded;
import io.vigil.records.RecordRejected;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding: {@code C3 01}, the writer schema's 8-byte CRC-64-AVRO fingerprint, then
 * the binary datum. Self-describing without a registry; a reader resolves data written with any schema
 * it has been told about ({@link #alsoRead}) to its own.
 *
 * <p>Decoding reads the header itself and the datum with a buffered decoder over the message's bytes. Avro's own
 * {@code BinaryMessageDecoder} reads the datum through an {@code InputStream} a byte at a time, which was a third
 * of the cost of decoding a flow; the header checks and the rejections' wording are the same as Avro's. Like
 * {@link ConfluentFraming}, an instance reuses its decoder: one per thread (a source's subtask has its own). Flows
 * and GPU samples written with this reader's own schema are read by {@link OwnSchemaReaders}, without Avro's
 * resolution.
 */
public final class SingleObjectFraming<T extends SpecificRecord> implements RecordFraming<T> {
    private static final int HEADER_BYTES = 10;
    private static final byte MAGIC_0 = (byte) 0xC3;
    private static final byte MAGIC_1 = (byte) 0x01;

    private final RecordType<T> type;
    private final SpecificData model;
    private final BinaryMessageEncoder<T> encoder;
    /** The writer schema's fingerprint to the reader that resolves its data to this type's schema. */
    private final Map<Long, DatumReader<T>> readers = new HashMap<>();
    /** This type's own schema, which nearly every message is written with: no boxed lookup for it. */
    private final long ownFingerprint;

    /** Reads the own schema's data: {@link OwnSchemaReaders}' where there is one, else Avro's. */
    private final DatumReader<T> ownReader;

    private BinaryDecoder reusedDecoder;

    public SingleObjectFraming(RecordType<T> type) {
        this.type = type;
        this.model = SpecificData.getForClass(type.recordClass());
        this.encoder = new BinaryMessageEncoder<>(model, type.schema());
        alsoRead(type.schema());
        this.ownFingerprint = SchemaNormalization.parsingFingerprint64(type.schema());
        DatumReader<T> own = OwnSchemaReaders.forType(type);
        this.ownReader = own != null ? own : readers.get(ownFingerprint);
    }

    /** Lets this reader resolve messages written with another (older or newer) version of the schema. */
    @SuppressWarnings("unchecked")
    public SingleObjectFraming<T> alsoRead(Schema writerSchema) {
        readers.put(SchemaNormalization.parsingFingerprint64(writerSchema), (DatumReader<T>)
                model.createDatumReader(writerSchema, type.schema()));
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
        if (message.length < HEADER_BYTES) {
            return Decoded.rejected(
                    RejectReason.UNDECODABLE, null, "not Avro single-object encoding: Not enough header bytes");
        }
        if (message[0] != MAGIC_0 || message[1] != MAGIC_1) {
            return Decoded.rejected(
                    RejectReason.UNDECODABLE,
                    null,
                    String.format(
                            "not Avro single-object encoding: Unrecognized header bytes: 0x%02X 0x%02X",
                            message[0], message[1]));
        }
        long fingerprint = 0; // little-endian, bytes 2 to 9
        for (int b = HEADER_BYTES - 1; b >= 2; b--) {
            fingerprint = (fingerprint << 8) | (message[b] & 0xff);
        }
        DatumReader<T> reader = fingerprint == ownFingerprint ? ownReader : readers.get(fingerprint);
        if (reader == null) {
            return Decoded.rejected(
                    RejectReason.UNDECODABLE,
                    null,
                    "written with a schema this reader does not know: Cannot resolve schema for fingerprint: "
                            + fingerprint);
        }
        T record;
        try {
            reusedDecoder = DecoderFactory.get()
                    .binaryDecoder(message, HEADER_BYTES, message.length - HEADER_BYTES, reusedDecoder);
            record = reader.read(null, reusedDecoder);
        } catch (IOException e) {
            return corrupt(new AvroRuntimeException("Decoding datum failed", e));
        } catch (RuntimeException e) {
            return corrupt(e);
        }
        try {
            type.check(record);
        } catch (RecordRejected e) {
            return Decoded.rejected(e.rejection());
        }
        return Decoded.accepted(record);
    }

    private Decoded<T> corrupt(RuntimeException e) {
        return Decoded.rejected(RejectReason.UNDECODABLE, null, "corrupt " + type.name() + " datum: " + e);
    }

    @Override
    public String name() {
        return "single-object";
    }
}
