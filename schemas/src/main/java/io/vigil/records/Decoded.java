package io.vigil.records;

import java.util.Objects;

/** The outcome of decoding one input record: the record, or why it was refused. Never both. */
public final class Decoded<T> {
    private final T record;
    private final Rejection rejection;

    private Decoded(T record, Rejection rejection) {
        this.record = record;
        this.rejection = rejection;
    }

    public static <T> Decoded<T> accepted(T record) {
        return new Decoded<>(Objects.requireNonNull(record), null);
    }

    public static <T> Decoded<T> rejected(Rejection rejection) {
        return new Decoded<>(null, Objects.requireNonNull(rejection));
    }

    public static <T> Decoded<T> rejected(RejectReason reason, String field, String detail) {
        return rejected(new Rejection(reason, field, detail));
    }

    public boolean isAccepted() {
        return record != null;
    }

    /** The record; only when {@link #isAccepted()}. */
    public T record() {
        if (record == null) {
            throw new IllegalStateException("rejected: " + rejection);
        }
        return record;
    }

    /** Why it was refused; only when not {@link #isAccepted()}. */
    public Rejection rejection() {
        if (rejection == null) {
            throw new IllegalStateException("accepted");
        }
        return rejection;
    }

    @Override
    public String toString() {
        return isAccepted() ? "accepted " + record : "rejected " + rejection;
    }
}
