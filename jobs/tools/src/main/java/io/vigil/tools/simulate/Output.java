package io.vigil.tools.simulate;

import io.vigil.records.AgentEvent;
import io.vigil.records.Assignment;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.specific.SpecificRecord;

/**
 * The record files of a dataset (flows, GPU samples, assignments and the agents' tool calls), written in time order while the simulation runs. Records of the
 * current stretch wait here; {@link #flush} sorts those before a bound (by time, ties by their text, so
 * the order never depends on the order they were made in) and writes them. Nothing made later may fall
 * before a bound already flushed; that would be a bug, and it throws.
 *
 * <p>Files are gzip with Java's fixed header (no name, mtime 0), so equal records give equal bytes.
 */
final class Output implements Closeable {
    static final String FLOWS = "flows.jsonl.gz";
    static final String GPU = "gpu.jsonl.gz";
    static final String ASSIGNMENTS = "assignments.jsonl.gz";
    static final String AGENT_EVENTS = "agent_events.jsonl.gz";

    private record Line(long ts, String text, Phase phase, long activityStart) {}

    /**
     * The tool calls' file is written this far behind the others: a call is drained with the stretch its packets fall
     * in, but its worker's clock runs up to a quarter second off the exporter's ({@link AgentTrace}), so its stamp may
     * fall just before that stretch. Only the time it is written moves; the file's order is the same.
     */
    private static final long AGENT_EVENTS_LAG_MS = Simulator.STEP_MS;

    private static final Comparator<Line> ORDER =
            Comparator.comparingLong(Line::ts).thenComparing(Line::text);

    private final class Stream<T extends SpecificRecord> {
        final JsonRecordCodec<T> codec;
        final Path file;
        final Path partial;
        final Writer writer;
        List<Line> pending = new ArrayList<>();
        long written;
        long flushedBefore = Long.MIN_VALUE;

        Stream(RecordType<T> type, Path dir, String name) throws IOException {
            this.codec = JsonRecordCodec.of(type);
            this.file = dir.resolve(name);
            this.partial = dir.resolve(name + ".partial");
            this.writer = new BufferedWriter(
                    new OutputStreamWriter(
                            new GZIPOutputStream(Files.newOutputStream(partial), 1 << 16), StandardCharsets.UTF_8),
                    1 << 18);
        }

        void add(long ts, T record, Phase phase, long activityStart) {
            if (ts < flushedBefore) {
                throw new IllegalStateException(codec.type().name() + " record at " + ts
                        + " made after the records before " + flushedBefore + " were written");
            }
            pending.add(new Line(ts, codec.encode(record), phase, activityStart));
        }

        void flush(long before) throws IOException {
            List<Line> ready = new ArrayList<>();
            List<Line> later = new ArrayList<>();
            for (Line l : pending) {
                (l.ts < before ? ready : later).add(l);
            }
            ready.sort(ORDER);
            for (Line l : ready) {
                writer.write(l.text);
                writer.write('\n');
                if (l.phase != null) {
                    l.phase.mark(l.activityStart, l.ts);
                }
            }
            written += ready.size();
            pending = later;
            flushedBefore = Math.max(flushedBefore, before);
        }

        void finish() throws IOException {
            writer.close();
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
        }

        void abandon() {
            try {
                writer.close();
            } catch (IOException ignored) {
                // best effort: the partial file is removed next
            }
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }

    private final Stream<Flow> flows;
    private final Stream<GpuSample> gpu;
    private final Stream<Assignment> assignments;
    private final Stream<AgentEvent> agentEvents;
    private boolean finished;

    Output(Path dir) throws IOException {
        Files.createDirectories(dir);
        this.flows = new Stream<>(RecordType.FLOW, dir, FLOWS);
        this.gpu = new Stream<>(RecordType.GPU, dir, GPU);
        this.assignments = new Stream<>(RecordType.ASSIGNMENT, dir, ASSIGNMENTS);
        this.agentEvents = new Stream<>(RecordType.AGENT_EVENT, dir, AGENT_EVENTS);
    }

    void flow(Flow f, Phase phase) {
        flows.add(f.getTs().toEpochMilli(), f, phase, f.getStartTs().toEpochMilli());
    }

    void sample(GpuSample s, Phase phase) {
        long ts = s.getTs().toEpochMilli();
        gpu.add(ts, s, phase, ts);
    }

    void assignment(Assignment a) {
        assignments.add(a.getTs().toEpochMilli(), a, null, 0);
    }

    void agentEvent(AgentEvent e) {
        agentEvents.add(e.getTs().toEpochMilli(), e, null, 0);
    }

    /** Writes every waiting record before {@code before}, in order. */
    void flush(long before) throws IOException {
        flows.flush(before);
        gpu.flush(before);
        assignments.flush(before);
        agentEvents.flush(before - AGENT_EVENTS_LAG_MS);
    }

    /** Writes what lies before {@code end}, drops the rest (past the simulated span) and closes the files. */
    void finish(long end) throws IOException {
        flush(end);
        agentEvents.flush(end);
        flows.finish();
        gpu.finish();
        assignments.finish();
        agentEvents.finish();
        finished = true;
    }

    long flowCount() {
        return flows.written;
    }

    long sampleCount() {
        return gpu.written;
    }

    long assignmentCount() {
        return assignments.written;
    }

    long agentEventCount() {
        return agentEvents.written;
    }

    /** Without {@link #finish}, removes the partial files. */
    @Override
    public void close() {
        if (!finished) {
            flows.abandon();
            gpu.abandon();
            assignments.abandon();
            agentEvents.abandon();
        }
    }
}
