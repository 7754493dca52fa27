package io.vigil.records;

/**
 * Thrown inside decoders and checks to abandon a record; always caught at the decoding edge and turned
 * into a {@link Rejection}. It carries no stack trace: bad input is expected, not exceptional.
 */
public final class RecordRejected extends Exception {
    private final transient Rejection rejection;

    public RecordRejected(RejectReason reason, String field, String detail) {
        super(detail, null, false, false);
        this.rejection = new Rejection(reason, field, detail);
    }

    public Rejection rejection() {
        return rejection;
    }
}
