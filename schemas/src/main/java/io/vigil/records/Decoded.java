package io.vigil.records;

import java.io.Serializable;
import java.util.Objects;

/** The outcome of decoding one input record: the record, or why it was refused. Never both. */
public final class Decoded<T> {
    private final T record;
    private final Rejection rejection;
    private final Cumulative cumulative;

    /**
     * What an accepted report says of the connection it belongs to, when its counters count from the
     * connection's start rather than over its own interval (Zeek's conn.log and conn_long.log): the
     * connection's id, and whether more reports of it may follow ({@code open}: an interim conn_long record)
     * or this one closes it (conn.log). The pipeline turns such reports into per-interval counts.
     */
    public record Cumulative(String connection, boolean open) implements Serializable {}

    private Decoded(T record, Rejection rejection, Cumulative cumulative) {
        this.record = record;
        this.rejection = rejection;
        this.cumulative = cumulative;
    }

    public static <T> Decoded<T> accepted(T record) {
        return new Decoded<>(Objects.requireNonNull(record), null, null);
    }

    public static <T> Decoded<T> rejected(Rejection rejection) {
        return new Decoded<>(null, Objects.requireNonNull(rejection), null);
    }

    public static <T> Decoded<T> rejected(RejectReason reason, String field, String detail) {
        return rejected(new Rejection(reason, field, detail));
    }

    /** This outcome marked as a cumulative report of a connection ({@link Cumulative}); a rejection stays as it is. */
    public Decoded<T> cumulative(String connection, boolean open) {
        return record == null || connection == null
                ? this
                : new Decoded<>(record, null, new Cumulative(connection, open));
    }

    /** The connection this accepted report counts from its start, or null for a per-interval report. */
    public Cumulative cumulative() {
        return cumulative;
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
