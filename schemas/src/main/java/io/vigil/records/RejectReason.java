package io.vigil.records;

/**
 * Why an input record was refused. The code is what dead letters, metrics and tests use; it never
 * changes once published, so consumers can count and alert on it.
 */
public enum RejectReason {
    /** Not parseable at all: not JSON, not an object, trailing garbage. */
    MALFORMED("malformed"),
    /** A required field is absent or null. */
    MISSING_FIELD("missing_field"),
    /** A field holds the wrong JSON type (text for a number, a fraction for an integer, ...). */
    WRONG_TYPE("wrong_type"),
    /** The event time (or another timestamp) is absent. */
    MISSING_TIME("missing_time"),
    /** A timestamp is before 1970. */
    NEGATIVE_TIME("negative_time"),
    /**
     * The event time is before the configured epoch floor (2000-01-01 by default): an exporter with an unset
     * clock, or a forged record. Refused so that it never moves a watermark or a report's time axis.
     */
    PAST_TIME("past_time"),
    /**
     * The event time is too far ahead: more than the configured margin after the processing time (live input),
     * or far after the rest of its file (replay). One such record would move a watermark into the future and make
     * every later record late.
     */
    FUTURE_TIME("future_time"),
    /** Text that is not valid UTF-8. */
    BAD_ENCODING("bad_encoding"),
    /** An address field is not IPv4 or IPv6 text. */
    BAD_IP("bad_ip"),
    /** A byte, packet or memory count is negative. */
    NEGATIVE_COUNT("negative_count"),
    /**
     * A number lies outside its range: util outside 0..100, a fraction outside 0..1, a port above 65535, or more
     * bytes or packets than a link of the configured speed carries in the flow's duration.
     */
    OUT_OF_RANGE("out_of_range"),
    /** A value is not one of its enum's symbols. */
    UNKNOWN_ENUM("unknown_enum"),
    /** Binary input that no known framing or schema can read. */
    UNDECODABLE("undecodable"),
    /** The record (a line, a message) is larger than the reader accepts ({@code input.max.line.bytes}). */
    TOO_LARGE("too_large"),
    /**
     * A file ends early or is corrupt (a truncated or damaged {@code .gz}): what was read before is kept, and
     * this one dead letter names the file and where it broke.
     */
    TRUNCATED("truncated"),
    /** The record arrived after the watermark passed its window (plus the allowed lateness). */
    LATE("late"),
    /** No job could be found for the record, even after waiting for its assignment. */
    UNATTRIBUTED("unattributed"),
    /**
     * Input in a known foreign format that holds no usable record: a Zeek log other than conn, a VPC flow
     * log NODATA or SKIPDATA line, a DCGM scrape with no utilisation for a GPU.
     */
    UNSUPPORTED("unsupported");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    /** The stable, machine-readable code, e.g. {@code bad_ip}. */
    public String code() {
        return code;
    }

    public static RejectReason fromCode(String code) {
        for (RejectReason r : values()) {
            if (r.code.equals(code)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown reject reason: " + code);
    }

    @Override
    public String toString() {
        return code;
    }
}
