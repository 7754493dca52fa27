package io.vigil.pipeline.ingest;

import io.vigil.records.RejectReason;
import java.util.Map;
import java.util.TreeMap;

/**
 * What reading one input file came to, sent by its reader at the end of the file: lines read, records
 * decoded and passed on, dead letters by reason (the reader's own: decoding, bounds, a broken file), the
 * time its records cover, and where the file broke, if it did. What {@code replay} tells per file. A Flink
 * POJO.
 */
public class InputStats {
    /** The file as dead letters name it: {@code dataset/file}. */
    public String source;
    /** The record type read: flow, gpu, assignment. */
    public String recordType;
    /** The input format's name. */
    public String format;

    public long lines;
    /** Records passed on to the pipeline. */
    public long records;
    /**
     * Dead letters the reader made, by {@link RejectReason#ordinal()}: an array, so the record needs no generic
     * serializer; {@link #deadLetters()} names them. Only ever in flight, never in state.
     */
    public long[] byReason = new long[RejectReason.values().length];
    /** The first and last event time of the records passed on, epoch ms; Long.MIN_VALUE when none. */
    public long firstTs = Long.MIN_VALUE;

    public long lastTs = Long.MIN_VALUE;
    /** Bytes of text read (uncompressed). */
    public long bytes;
    /** Why and where the file broke (a truncated .gz), or null when it was read to its end. */
    public String failure;

    public InputStats() {}

    public InputStats(String source, String recordType, String format) {
        this.source = source;
        this.recordType = recordType;
        this.format = format;
    }

    void passed(long ts) {
        records++;
        if (ts != Long.MIN_VALUE) {
            firstTs = firstTs == Long.MIN_VALUE ? ts : Math.min(firstTs, ts);
            lastTs = lastTs == Long.MIN_VALUE ? ts : Math.max(lastTs, ts);
        }
    }

    void refused(String reason) {
        byReason[RejectReason.fromCode(reason).ordinal()]++;
    }

    /** The reader's dead letters by reason code, in code order, those with none left out. */
    public Map<String, Long> deadLetters() {
        Map<String, Long> out = new TreeMap<>();
        RejectReason[] reasons = RejectReason.values();
        for (int i = 0; i < byReason.length && i < reasons.length; i++) {
            if (byReason[i] > 0) {
                out.put(reasons[i].code(), byReason[i]);
            }
        }
        return out;
    }

    public long deadLetterCount() {
        long n = 0;
        for (long c : byReason) {
            n += c;
        }
        return n;
    }

    @Override
    public String toString() {
        return source + ": " + lines + " lines, " + records + " records, dead letters " + deadLetters()
                + (failure == null ? "" : ", broken: " + failure);
    }
}
