package io.vigil.pipeline.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * One canonical record per line (gzip is undone by the file source from the .gz suffix). Each line is
 * decoded here, so a bad line becomes a dead letter naming {@code file:line}. Blank lines are skipped.
 * One instance per file, because Flink's stream formats are not told which file they read.
 */
public final class JsonLinesFormat extends SimpleStreamFormat<Received> {
    private static final long serialVersionUID = 1L;

    private final ReceivedDecoder<?> decoder;
    private final String fileName;

    public JsonLinesFormat(ReceivedDecoder<?> decoder, String fileName) {
        this.decoder = decoder;
        this.fileName = fileName;
    }

    @Override
    public StreamFormat.Reader<Received> createReader(Configuration config, FSDataInputStream stream) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8), 64 * 1024);
        return new StreamFormat.Reader<>() {
            private long lineNumber;

            @Override
            public Received read() throws IOException {
                String line;
                do {
                    line = reader.readLine();
                    if (line == null) {
                        return null;
                    }
                    lineNumber++;
                } while (line.isBlank());
                return decoder.decodeLine(line, fileName + ":" + lineNumber);
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
