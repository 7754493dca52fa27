package io.vigil.pipeline.files;

import io.vigil.records.Decoded;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.zip.GZIPInputStream;
import org.apache.avro.specific.SpecificRecord;

/**
 * A dataset's three inputs read as one stream in event-time order (a k-way merge of the files, each
 * already in time order as exporters write them), for feeding topics: the demo and the benchmarks.
 * Lines that do not decode are counted and skipped; the pipeline's own file replay dead-letters them.
 */
public final class DatasetRecords implements Closeable {

    /** One record with its type and event time. */
    public record Timed(RecordType<?> type, SpecificRecord record, long ts) {}

    private final List<Cursor> cursors = new ArrayList<>();
    private final PriorityQueue<Cursor> queue = new PriorityQueue<>((a, b) -> {
        int c = Long.compare(a.next.ts(), b.next.ts());
        return c != 0 ? c : Integer.compare(a.order, b.order);
    });
    private long rejected;

    public DatasetRecords(Path dataset) throws IOException {
        // assignments first at equal times: a job's START precedes its first flow
        open(dataset, "assignments", RecordType.ASSIGNMENT, 0);
        open(dataset, "flows", RecordType.FLOW, 1);
        open(dataset, "gpu", RecordType.GPU, 2);
    }

    private <T extends SpecificRecord> void open(Path dataset, String name, RecordType<T> type, int order)
            throws IOException {
        Path file = DatasetFiles.file(dataset, name);
        InputStream in = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 64 * 1024);
        }
        Cursor cursor = new Cursor(
                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 64 * 1024),
                JsonRecordCodec.of(type),
                order);
        cursors.add(cursor);
        if (cursor.advance()) {
            queue.add(cursor);
        }
    }

    /** The next record in time order, or null at the end. */
    public Timed next() {
        Cursor c = queue.poll();
        if (c == null) {
            return null;
        }
        Timed out = c.next;
        if (c.advance()) {
            queue.add(c);
        }
        return out;
    }

    /**
     * The time the dataset's telemetry covers, {first, last} epoch ms of its flows and GPU samples.
     * Assignments are left out: jobs already running when a recording starts have STARTs from long before.
     */
    public static long[] telemetrySpan(Path dataset) throws IOException {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        try (DatasetRecords records = new DatasetRecords(dataset)) {
            for (Timed r = records.next(); r != null; r = records.next()) {
                if (r.type() != RecordType.ASSIGNMENT) {
                    first = Math.min(first, r.ts());
                    last = Math.max(last, r.ts());
                }
            }
        }
        if (first == Long.MAX_VALUE) {
            throw new IOException("dataset " + dataset + " holds no flows or GPU samples");
        }
        return new long[] {first, last};
    }

    /** Lines skipped because they did not decode. */
    public long rejected() {
        return rejected;
    }

    @Override
    public void close() throws IOException {
        for (Cursor c : cursors) {
            c.reader.close();
        }
    }

    private final class Cursor {
        final BufferedReader reader;
        final JsonRecordCodec<?> codec;
        final int order;
        Timed next;

        Cursor(BufferedReader reader, JsonRecordCodec<?> codec, int order) {
            this.reader = reader;
            this.codec = codec;
            this.order = order;
        }

        boolean advance() {
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    Decoded<?> d = codec.decode(line);
                    if (!d.isAccepted()) {
                        rejected++;
                        continue;
                    }
                    SpecificRecord r = (SpecificRecord) d.record();
                    long ts = ((Instant) r.get(r.getSchema().getField("ts").pos())).toEpochMilli();
                    next = new Timed(codec.type(), r, ts);
                    return true;
                }
                next = null;
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
