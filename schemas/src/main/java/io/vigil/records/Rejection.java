package io.vigil.records;

import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * Why one record was refused: a reason code, the field to blame (or null), and one line for a person.
 * Turning it into a {@link DeadLetter} adds where the record came from and the original text or bytes.
 */
public record Rejection(RejectReason reason, String field, String detail) {

    public Rejection {
        if (reason == null || detail == null) {
            throw new NullPointerException("reason and detail are required");
        }
    }

    public DeadLetter toDeadLetter(String recordType, String source, Instant eventTs, String originalText) {
        return new DeadLetter(recordType, reason.code(), field, detail, source, eventTs, originalText, null);
    }

    public DeadLetter toDeadLetter(String recordType, String source, Instant eventTs, byte[] originalBytes) {
        return new DeadLetter(
                recordType,
                reason.code(),
                field,
                detail,
                source,
                eventTs,
                null,
                originalBytes == null ? null : ByteBuffer.wrap(originalBytes));
    }

    @Override
    public String toString() {
        return field == null ? reason.code() + ": " + detail : reason.code() + " (" + field + "): " + detail;
    }
}
