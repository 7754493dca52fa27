package io.vigil.pipeline.ingest;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * One canonical record per line (gzip is undone by the file source from the .gz suffix): the canonical
 * format of {@link TextLinesFormat}, with the same edge (bounded lines, times judged against the file, a
 * broken file kept up to where it broke, counts at the end). Blank lines are skipped. One instance per file.
 */
public final class JsonLinesFormat extends SimpleStreamFormat<Received> {
    private static final long serialVersionUID = 1L;

    private final TextLinesFormat lines;

    /** @param decoder a decoder of canonical JSON lines ({@link ReceivedDecoder#json}) */
    public JsonLinesFormat(ReceivedDecoder<?> decoder, String fileName) {
        this.lines = new TextLinesFormat(decoder, fileName);
    }

    @Override
    public StreamFormat.Reader<Received> createReader(Configuration config, FSDataInputStream stream) {
        return lines.createReader(config, stream);
    }

    @Override
    public TypeInformation<Received> getProducedType() {
        return TypeInformation.of(Received.class);
    }
}
