package io.vigil.pipeline.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * A file in a foreign text format (Zeek conn.log, VPC flow logs, DCGM scrapes, nvidia-smi CSV, ...), read
 * with the decoder's format: headers are kept per file, a line may give no record (a header) or several (the
 * end of a scrape), and what is still held at the end of the file is given then. Dead letters name
 * {@code file:line}. One instance per file, like {@link JsonLinesFormat}.
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
        BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8), 64 * 1024);
        ReceivedDecoder<?>.LineReader lines = decoder.lineReader(fileName);
        return new StreamFormat.Reader<>() {
            private final Deque<Received> ready = new ArrayDeque<>();
            private long lineNumber;
            private boolean finished;

            @Override
            public Received read() throws IOException {
                while (ready.isEmpty() && !finished) {
                    String line = reader.readLine();
                    if (line == null) {
                        finished = true;
                        ready.addAll(lines.finish(fileName + ":" + lineNumber));
                    } else {
                        lineNumber++;
                        ready.addAll(lines.read(line, fileName + ":" + lineNumber));
                    }
                }
                return ready.poll();
            }

            @Override
            public void close() throws IOException {
                reader.close();
            }
        };
    }

    @Override
    public TypeInformation<Received> getProducedType() {
        return TypeInformation.of(Received.class);
    }
}
