package io.vigil.pipeline.files;

import io.vigil.pipeline.ingest.ConnectionIntervals;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.pipeline.ingest.InputStats;
import io.vigil.pipeline.ingest.Received;
import io.vigil.records.AgentEvent;
import io.vigil.records.DeadLetter;
import io.vigil.records.Flow;
import io.vigil.records.RecordType;
import io.vigil.records.formats.Formats;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.io.InputStreamFSInputWrapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.local.LocalDataInputStream;

/**
 * A dataset's three inputs read as one stream in event-time order (a k-way merge of the files, each already
 * in time order as exporters write them), for feeding topics: {@code vigil stream}, the demo and the
 * benchmarks. Each file is read by the same reader the pipeline's file replay uses ({@link DatasetFiles#format}),
 * so every format {@code replay} reads is read here too, with the same dead letters; a connection's cumulative
 * reports (Zeek's conn_long.log) become per-interval flows as {@link ConnectionIntervals} makes them. Dead
 * letters are counted by reason and kept (the first {@link #KEPT_DEAD_LETTERS}), never passed on.
 */
public final class DatasetRecords implements Closeable {
    /** How many dead letters are kept for showing; the rest are only counted. */
    public static final int KEPT_DEAD_LETTERS = 20;

    /** One record with its type and event time. */
    public record Timed(RecordType<?> type, SpecificRecord record, long ts) {}

    private final List<Cursor> cursors = new ArrayList<>();
    private final PriorityQueue<Cursor> queue = new PriorityQueue<>((a, b) -> {
        int c = Long.compare(a.next.ts(), b.next.ts());
        return c != 0 ? c : Integer.compare(a.order, b.order);
    });
    /** The largest counters so far of each open connection that reports cumulatively. */
    private final Map<String, long[]> connections = new HashMap<>();

    private final Map<String, Long> deadLetters = new TreeMap<>();
    private final List<DeadLetter> keptDeadLetters = new ArrayList<>();
    private final List<InputStats> inputs = new ArrayList<>();

    /** Canonical files: flows, gpu, assignments and, when there, agent_events, each .jsonl, .jsonl.gz or .avro. */
    public DatasetRecords(Path dataset) throws IOException {
        this(dataset, InputFormats.CANONICAL);
    }

    /** The dataset's files in these formats ({@link DatasetFiles#inputs(List, InputFormats)} tells which files). */
    public DatasetRecords(Path dataset, InputFormats formats) throws IOException {
        try {
            // assignments first at equal times: a job's START precedes its first flow
            open(dataset, DatasetFiles.file(dataset, "assignments"), RecordType.ASSIGNMENT, Formats.VIGIL, formats, 0);
            int order = 1;
            for (Path flows : DatasetFiles.files(dataset, "flows", formats.flows())) {
                open(dataset, flows, RecordType.FLOW, formats.flows(), formats, order++);
            }
            open(dataset, DatasetFiles.file(dataset, "gpu", formats.gpu()), RecordType.GPU, formats.gpu(), formats, 9);
            Path agentEvents = DatasetFiles.optionalFile(dataset, DatasetFiles.AGENT_EVENTS);
            if (agentEvents != null) {
                open(dataset, agentEvents, RecordType.AGENT_EVENT, Formats.VIGIL, formats, 10);
            }
        } catch (UncheckedIOException e) {
            close();
            throw e.getCause();
        }
    }

    /** Nothing opened yet: for {@link #agentEvents}. */
    private DatasetRecords() {}

    /**
     * The dataset's agent tool calls ({@code agent_events}) in time order, their commands masked as the pipeline reads
     * them; none when it has no such file.
     */
    public static List<AgentEvent> agentEvents(Path dataset) throws IOException {
        List<AgentEvent> calls = new ArrayList<>();
        Path file = DatasetFiles.optionalFile(dataset, DatasetFiles.AGENT_EVENTS);
        if (file == null) {
            return calls;
        }
        try (DatasetRecords records = new DatasetRecords()) {
            records.open(dataset, file, RecordType.AGENT_EVENT, Formats.VIGIL, InputFormats.CANONICAL, 0);
            for (Timed r = records.next(); r != null; r = records.next()) {
                calls.add((AgentEvent) r.record());
            }
        }
        return calls;
    }

    private <T extends SpecificRecord> void open(
            Path dataset, Path file, RecordType<T> type, String format, InputFormats formats, int order)
            throws IOException {
        StreamFormat<Received> reader = DatasetFiles.format(dataset, file, type, format, formats);
        FSDataInputStream in = file.getFileName().toString().endsWith(".avro")
                ? new LocalDataInputStream(file.toFile())
                : new InputStreamFSInputWrapper(DatasetFiles.open(file));
        long length = file.toFile().length();
        Cursor cursor = new Cursor(reader.createReader(new Configuration(), in, length, length), in, type, order);
        cursors.add(cursor);
        if (cursor.advance()) {
            queue.add(cursor);
        }
    }

    /** The next record in time order, or null at the end. */
    public Timed next() {
        while (true) {
            Cursor c = queue.poll();
            if (c == null) {
                return null;
            }
            Timed out = c.next;
            String connection = c.connection;
            boolean open = c.connectionOpen;
            if (c.advance()) {
                queue.add(c);
            }
            if (connection == null) {
                return out;
            }
            // a cumulative report: what it adds since the connection's last one, as the pipeline counts it
            long[] before = connections.get(connection);
            Flow interval = ConnectionIntervals.interval((Flow) out.record(), before);
            if (open) {
                connections.put(connection, ConnectionIntervals.after((Flow) out.record(), before));
            } else {
                connections.remove(connection);
            }
            if (interval != null) {
                return new Timed(out.type(), interval, interval.getTs().toEpochMilli());
            }
        }
    }

    /**
     * The time the dataset's telemetry covers, {first, last} epoch ms of its flows and GPU samples.
     * Assignments are left out: jobs already running when a recording starts have STARTs from long before.
     */
    public static long[] telemetrySpan(Path dataset) throws IOException {
        return telemetrySpan(dataset, InputFormats.CANONICAL);
    }

    /** {@link #telemetrySpan(Path)} of a dataset in these formats. */
    public static long[] telemetrySpan(Path dataset, InputFormats formats) throws IOException {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        try (DatasetRecords records = new DatasetRecords(dataset, formats)) {
            for (Timed r = records.next(); r != null; r = records.next()) {
                if (r.type() == RecordType.FLOW || r.type() == RecordType.GPU) {
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

    /** Input lines (or records) that were dead letters, never passed on. */
    public long rejected() {
        return deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Dead letters so far by reason code, in code order. */
    public Map<String, Long> deadLetters() {
        return Map.copyOf(deadLetters);
    }

    /** The first {@link #KEPT_DEAD_LETTERS} dead letters, naming file:line and why. */
    public List<DeadLetter> firstDeadLetters() {
        return List.copyOf(keptDeadLetters);
    }

    /** What each file's reader counted, for the files read to their end so far. */
    public List<InputStats> inputs() {
        return List.copyOf(inputs);
    }

    @Override
    public void close() throws IOException {
        IOException failed = null;
        for (Cursor c : cursors) {
            try {
                c.reader.close();
                c.in.close();
            } catch (IOException e) {
                failed = e;
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    private final class Cursor {
        final StreamFormat.Reader<Received> reader;
        final FSDataInputStream in;
        final RecordType<?> type;
        final int order;
        Timed next;
        String connection;
        boolean connectionOpen;

        Cursor(StreamFormat.Reader<Received> reader, FSDataInputStream in, RecordType<?> type, int order) {
            this.reader = reader;
            this.in = in;
            this.type = type;
            this.order = order;
        }

        boolean advance() {
            try {
                for (Received r = reader.read(); r != null; r = reader.read()) {
                    if (r.stats != null) {
                        inputs.add(r.stats);
                    } else if (r.deadLetter != null) {
                        deadLetters.merge(r.deadLetter.getReason(), 1L, Long::sum);
                        if (keptDeadLetters.size() < KEPT_DEAD_LETTERS) {
                            keptDeadLetters.add(r.deadLetter);
                        }
                    } else {
                        next = new Timed(type, (SpecificRecord) r.record(), r.eventTime());
                        connection = r.connection;
                        connectionOpen = r.connectionOpen;
                        return true;
                    }
                }
                next = null;
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
