package io.vigil.records;

import java.io.Serializable;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * The bounds every input record must meet at the edge, beyond its type's domain checks ({@link RecordChecks}):
 * a plausible event time, counts a real link can carry, lines of bounded length. They are settings
 * ({@code input.*} in VigilConfig), so they travel with the job as this value.
 *
 * <p><b>Time.</b> An event time before {@code epochFloorMs} (2000-01-01 by default: no exporter Vigil reads
 * existed earlier, and 1970 is what an unset clock says) is {@code past_time}. Live input is checked against
 * the processing time: exporters report an interval after it ends, so a record more than
 * {@code futureMarginMs} ahead of the clock is {@code future_time}. The margin only has to cover clock skew,
 * and it bounds how far one forged record can move its partition's watermark. A replay has no "now" (a
 * recording may be simulated for any date), so each file's records are judged against the median time of
 * the block of records around them ({@link #median}): more than {@code spanMarginMs} from it is
 * {@code future_time} or {@code past_time}. The median ignores a minority of wild times, so one year-3000
 * line cannot drag the reference with it.
 *
 * <p><b>Counts.</b> A flow's bytes in each direction are at most what a link of {@code linkBitsPerSecond}
 * carries in the flow's duration plus one second (the slack covers timestamps cut to ms and exporters that
 * time a flow by its packets), its packets at most that many minimum-size Ethernet frames (64 bytes plus 20 of
 * preamble and gap). Beyond is {@code out_of_range}: a count of 2^63-1 would otherwise wrap the sums it is
 * added to.
 *
 * @param epochFloorMs     the earliest plausible event time, epoch ms
 * @param futureMarginMs   how far ahead of the processing time a live record may be, ms
 * @param spanMarginMs     how far from the median time of its neighbours in a file a replayed record may be, ms
 * @param linkBitsPerSecond the fastest link a flow may have crossed, bits per second
 * @param maxLineBytes     the longest line (or text message) read, bytes; longer ones are {@code too_large}
 */
public record InputBounds(
        long epochFloorMs, long futureMarginMs, long spanMarginMs, long linkBitsPerSecond, int maxLineBytes)
        implements Serializable {
    public static final long DEFAULT_EPOCH_FLOOR_MS =
            Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
    public static final long DEFAULT_FUTURE_MARGIN_MS = Duration.ofMinutes(2).toMillis();
    public static final long DEFAULT_SPAN_MARGIN_MS = Duration.ofDays(7).toMillis();
    public static final long DEFAULT_LINK_BITS_PER_SECOND = 400_000_000_000L;
    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;
    /** The records in a block whose median time judges them (a whole file when it is smaller). */
    public static final int SPAN_BLOCK = 1024;
    /** Bytes on the wire of the smallest Ethernet frame: 64 plus 8 of preamble and 12 of inter-frame gap. */
    static final int MIN_FRAME_WIRE_BYTES = 84;

    public static final InputBounds DEFAULTS = new InputBounds(
            DEFAULT_EPOCH_FLOOR_MS,
            DEFAULT_FUTURE_MARGIN_MS,
            DEFAULT_SPAN_MARGIN_MS,
            DEFAULT_LINK_BITS_PER_SECOND,
            DEFAULT_MAX_LINE_BYTES);

    public InputBounds {
        if (futureMarginMs < 0 || spanMarginMs < 0 || linkBitsPerSecond <= 0 || maxLineBytes <= 0) {
            throw new IllegalArgumentException("input bounds must be positive: " + futureMarginMs + ", " + spanMarginMs
                    + ", " + linkBitsPerSecond + ", " + maxLineBytes);
        }
    }

    /**
     * Why a decoded input record may not be used, or null: its time against the floor and, when
     * {@code nowMs >= 0}, against the processing time; a flow's counts against the link speed.
     */
    public Rejection check(Object record, long nowMs) {
        Rejection r = eventTime(eventTimeOf(record), nowMs);
        if (r == null && record instanceof Flow f) {
            r = flowCounts(f);
        }
        return r;
    }

    /** The event time against the floor and, when {@code nowMs >= 0}, the processing time plus the margin. */
    public Rejection eventTime(long ts, long nowMs) {
        if (ts == Long.MIN_VALUE) {
            return null;
        }
        if (ts < epochFloorMs) {
            return new Rejection(
                    RejectReason.PAST_TIME,
                    "ts",
                    "event time " + instant(ts) + " is before " + instant(epochFloorMs)
                            + " (input.time.floor.ms): an unset clock or a forged record");
        }
        if (nowMs >= 0 && ts - nowMs > futureMarginMs) {
            return new Rejection(
                    RejectReason.FUTURE_TIME,
                    "ts",
                    "event time " + instant(ts) + " is "
                            + (ts - nowMs) / 1000 + " s ahead of the clock (" + instant(nowMs) + "); at most "
                            + futureMarginMs / 1000 + " s (input.time.future.margin.ms) is clock skew");
        }
        return null;
    }

    /** A replayed record's time against the median time of its block of the file. */
    public Rejection outsideSpan(long ts, long medianMs) {
        if (ts == Long.MIN_VALUE || medianMs == Long.MIN_VALUE) {
            return null;
        }
        if (ts > medianMs && ts - medianMs > spanMarginMs) {
            return new Rejection(
                    RejectReason.FUTURE_TIME,
                    "ts",
                    "event time " + instant(ts) + " is far after the"
                            + " records around it in the file (median " + instant(medianMs) + "; at most "
                            + Duration.ofMillis(spanMarginMs) + " apart, input.time.span.margin.ms)");
        }
        if (ts < medianMs && medianMs - ts > spanMarginMs) {
            return new Rejection(
                    RejectReason.PAST_TIME,
                    "ts",
                    "event time " + instant(ts) + " is far before the"
                            + " records around it in the file (median " + instant(medianMs) + "; at most "
                            + Duration.ofMillis(spanMarginMs) + " apart, input.time.span.margin.ms)");
        }
        return null;
    }

    /** Bytes and packets per direction against what the link carries in the flow's duration (plus 1 s). */
    public Rejection flowCounts(Flow f) {
        double seconds = Math.max(0, f.getTs().toEpochMilli() - f.getStartTs().toEpochMilli()) / 1000.0 + 1.0;
        double maxBytes = linkBitsPerSecond / 8.0 * seconds;
        double maxPackets = linkBitsPerSecond / (8.0 * MIN_FRAME_WIRE_BYTES) * seconds;
        Rejection r = count("orig_bytes", f.getOrigBytes(), maxBytes, seconds);
        r = r != null ? r : count("resp_bytes", f.getRespBytes(), maxBytes, seconds);
        r = r != null ? r : count("orig_pkts", f.getOrigPkts(), maxPackets, seconds);
        return r != null ? r : count("resp_pkts", f.getRespPkts(), maxPackets, seconds);
    }

    private Rejection count(String field, long value, double max, double seconds) {
        if (value > max) {
            return new Rejection(
                    RejectReason.OUT_OF_RANGE,
                    field,
                    String.format(
                            Locale.ROOT,
                            "%s %d is more than a %.0f Gb/s link carries in %.3f s (input.link.max.bps)",
                            field,
                            value,
                            linkBitsPerSecond / 1e9,
                            seconds));
        }
        return null;
    }

    /** The event time of an input record (flow, GPU sample, assignment, agent event), or Long.MIN_VALUE for anything else. */
    public static long eventTimeOf(Object record) {
        Instant ts = record instanceof Flow f
                ? f.getTs()
                : record instanceof GpuSample s
                        ? s.getTs()
                        : record instanceof Assignment a
                                ? a.getTs()
                                : record instanceof AgentEvent e ? e.getTs() : null;
        return ts == null ? Long.MIN_VALUE : ts.toEpochMilli();
    }

    /** The median of the first {@code n} values (the lower one of the two middle ones); the array is not changed. */
    public static long median(long[] values, int n) {
        if (n <= 0) {
            return Long.MIN_VALUE;
        }
        long[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        return sorted[(n - 1) / 2];
    }

    private static String instant(long ms) {
        try {
            return Instant.ofEpochMilli(ms).toString();
        } catch (DateTimeException e) {
            return ms + " ms";
        }
    }
}
