package io.vigil.records.formats;

import io.vigil.records.Decoded;
import java.util.List;

/**
 * A text input format read line by line: a flow exporter's log, a metrics scrape, a CSV. Formats with
 * headers (Zeek's {@code #fields}, a VPC custom format's header, nvidia-smi's CSV header) keep them in
 * the {@link Reader}, so a reader belongs to one file or one stream. Nothing here throws for bad input:
 * every line that cannot be used comes back as {@link Decoded#rejected} with a reason code.
 */
public interface LineFormat<T> {

    /** The name on the command line ({@code --flow-format zeek-tsv}). */
    String name();

    /** A reader for one file or stream; {@code sourceName} only names it in messages. */
    Reader<T> newReader(String sourceName);

    /** Reads one stream's lines in order. Not thread-safe. */
    interface Reader<T> {
        /**
         * The records one line yields: usually one, none for header and comment lines, several when the line
         * completes a block (a DCGM scrape, an nvidia-smi sample).
         */
        List<Decoded<T>> read(String line);

        /** What is still held at the end of the stream (the last block). */
        default List<Decoded<T>> finish() {
            return List.of();
        }
    }
}
