package io.vigil.pipeline.ingest;

import io.vigil.records.InputBounds;
import io.vigil.records.RejectReason;
import io.vigil.records.Rejection;
import io.vigil.records.formats.BoundedLines;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * A text file of input records in any text format (canonical JSON lines, Zeek conn.log, VPC flow logs, DCGM
 * scrapes, nvidia-smi CSV, ...), read with the decoder's format: headers are kept per file, a line may give
 * no record (a header) or several (the end of a scrape), and what is still held at the end of the file is
 * given then. Dead letters name {@code file:line}. One instance per file, because Flink's stream formats are
 * not told which file they read (gzip is undone by the file source from the .gz suffix).
 *
 * <p>The edge of a file, all with bounded memory: lines are read as bytes ({@link BoundedLines}: too long,
 * not UTF-8, a BOM); records are judged against the median time of their block of the file
 * ({@link InputBounds#outsideSpan}), so the reader holds one block (at most {@link InputBounds#SPAN_BLOCK}
 * records) before passing it on; a file that breaks (a truncated or corrupt .gz) keeps what was read and
 * gives one {@code truncated} dead letter naming the file and the byte; and at its end the reader sends what
 * it counted ({@link InputStats}).
 */
public final class TextLinesFormat extends SimpleStreamFormat<Received> {
    private static final long serialVersionUID = 1L;

    private final ReceivedDecoder<?> decoder;
    private final String fileName;

    public TextLinesFormat(ReceivedDecoder<?> decoder, String fileName) {
        this.decoder = decoder;
        this.fileName = fileName;
    }

    @Override
    public StreamFormat.Reader<Received> createReader(Configuration config, FSDataInputStream stream) {
        InputBounds bounds = decoder.bounds();
        BoundedLines lines = new BoundedLines(stream, bounds.maxLineBytes());
        ReceivedDecoder<?>.LineReader records = decoder.lineReader(fileName);
        InputStats stats = new InputStats(fileName, decoder.typeName(), decoder.format());
        return new StreamFormat.Reader<>() {
            /** Decoded, not yet judged against their block; with the source each came from. */
            private final List<Received> block = new ArrayList<>();

            private final List<String> sources = new ArrayList<>();
            private final long[] times = new long[InputBounds.SPAN_BLOCK];
            private int timed;
            private final Deque<Received> ready = new ArrayDeque<>();
            private boolean finished;

            @Override
            public Received read() {
                while (ready.isEmpty() && !finished) {
                    BoundedLines.Line line = lines.next();
                    if (line == null) {
                        finished = true;
                        String source = fileName + ":" + lines.lines();
                        add(records.finish(source), source);
                        judge();
                        end(source);
                    } else {
                        String source = fileName + ":" + line.number();
                        add(
                                line.usable()
                                        ? records.read(line.text(), source)
                                        : List.of(decoder.refusedLine(
                                                new Rejection(line.problem(), null, line.detail()),
                                                source,
                                                line.text())),
                                source);
                        if (timed == times.length) {
                            judge();
                        }
                    }
                }
                return ready.poll();
            }

            private void add(List<Received> decoded, String source) {
                for (Received r : decoded) {
                    block.add(r);
                    sources.add(source);
                    long ts = r.eventTime();
                    if (ts != Long.MIN_VALUE) {
                        times[timed++] = ts;
                    }
                }
            }

            /** Passes the block on, each record judged against the block's median time. */
            private void judge() {
                long median = InputBounds.median(times, timed);
                for (int i = 0; i < block.size(); i++) {
                    Received r = block.get(i);
                    Rejection outside = r.deadLetter == null ? bounds.outsideSpan(r.eventTime(), median) : null;
                    if (outside != null) {
                        r = decoder.refused(r.record(), outside, sources.get(i));
                    }
                    if (r.deadLetter != null) {
                        stats.refused(r.deadLetter.getReason());
                    } else {
                        stats.passed(r.eventTime());
                    }
                    ready.add(r);
                }
                block.clear();
                sources.clear();
                timed = 0;
            }

            private void end(String source) {
                stats.lines = lines.lines();
                stats.bytes = lines.position();
                if (lines.failure() != null) {
                    stats.failure = lines.failure();
                    Received broken = decoder.refusedLine(
                            new Rejection(
                                    RejectReason.TRUNCATED,
                                    null,
                                    fileName + " is truncated or corrupt: " + lines.failure()
                                            + "; the lines before were read"),
                            source,
                            "");
                    stats.refused(broken.deadLetter.getReason());
                    ready.add(broken);
                }
                ready.add(Received.of(stats));
            }

            @Override
            public void close() throws IOException {
                lines.close();
            }
        };
    }

    @Override
    public TypeInformation<Received> getProducedType() {
        return TypeInformation.of(Received.class);
    }
}
