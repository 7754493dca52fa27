package io.vigil.pipeline.ingest;

import io.vigil.records.AgentEvent;
import io.vigil.records.DeadLetter;
import io.vigil.records.InputBounds;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import io.vigil.records.Rejection;
import io.vigil.records.agents.AgentCommands;
import io.vigil.records.json.JsonRecordCodec;
import java.io.IOException;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.SeekableInput;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads an Avro object container file ({@code flows.avro}, ...) of one canonical record type, written with
 * this schema or an older or newer one that resolves to it (Avro schema resolution, as on Kafka). Any codec
 * Avro reads (null, deflate, snappy, zstd) works.
 *
 * <p>Nothing in the file stops the replay. Each record passes the same domain checks as a JSON line, and one
 * that fails them is a dead letter naming {@code file:N} (the N-th record read from the file) with the record
 * as JSON text. A corrupt block (bad sync marker, undecodable datum, truncated file) is one dead letter
 * {@code undecodable} naming {@code file:block@OFFSET}, and reading goes on at the next intact block: the rest
 * of that block is lost, and said so. A file that is not an Avro container, or whose schema cannot be read as
 * this record type, is one dead letter and no records.
 *
 * <p>Not splittable (a container file is read whole, by one reader); flink-avro's {@code AbstractAvroBulkFormat}
 * is splittable but fails the job on a corrupt block. One instance per file, as Flink's formats are not told
 * which file they read.
 */
public final class AvroContainerFormat<T extends SpecificRecord> implements StreamFormat<Received> {
    private static final long serialVersionUID = 1L;

    private final String typeName;
    private final String fileName;

    public AvroContainerFormat(RecordType<T> type, String fileName) {
        this.typeName = type.name();
        this.fileName = fileName;
    }

    @Override
    public Reader<Received> createReader(Configuration config, FSDataInputStream stream, long fileLen, long splitEnd) {
        @SuppressWarnings("unchecked")
        RecordType<T> type = (RecordType<T>) RecordType.byName(typeName);
        return new AvroReader<>(type, fileName, stream, fileLen);
    }

    @Override
    public Reader<Received> restoreReader(
            Configuration config, FSDataInputStream stream, long restoredOffset, long fileLen, long splitEnd) {
        // the reader never reports an offset, so Flink restores by re-reading and skipping records instead
        throw new UnsupportedOperationException("Avro container files are restored by skipping records, not by offset");
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<Received> getProducedType() {
        return TypeInformation.of(Received.class);
    }

    private static final class AvroReader<T extends SpecificRecord> implements StreamFormat.Reader<Received> {
        private final RecordType<T> type;
        private final String fileName;
        private final FSDataInputStream stream;
        private DataFileReader<T> reader;
        private Received pending;
        private boolean done;
        private long records;
        private long lastCorruptBlock = -1;
        private JsonRecordCodec<T> json;

        AvroReader(RecordType<T> type, String fileName, FSDataInputStream stream, long fileLen) {
            this.type = type;
            this.fileName = fileName;
            this.stream = stream;
            try {
                reader = new DataFileReader<>(
                        new Seekable(stream, fileLen), new SpecificDatumReader<>(type.recordClass()));
                SchemaCompatibility.SchemaPairCompatibility compatibility =
                        SchemaCompatibility.checkReaderWriterCompatibility(type.schema(), reader.getSchema());
                if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                    giveUp("its schema " + reader.getSchema().getFullName() + " cannot be read as a " + type.name()
                            + " record: " + compatibility.getDescription());
                }
            } catch (IOException | RuntimeException e) {
                giveUp("not an Avro object container file: " + e.getMessage());
            }
        }

        private void giveUp(String why) {
            pending = Received.of(undecodable(fileName, why));
            done = true;
        }

        @Override
        public Received read() {
            if (pending != null) {
                Received r = pending;
                pending = null;
                return r;
            }
            if (done) {
                return null;
            }
            long block = reader.previousSync();
            try {
                if (!reader.hasNext()) {
                    done = true;
                    return null;
                }
                block = reader.previousSync();
                T record = reader.next();
                records++;
                Rejection rejection = type.rejectionOf(record);
                if (rejection == null) {
                    // the time floor and the link speed; the default bounds (an Avro dataset carries no settings)
                    rejection = InputBounds.DEFAULTS.check(record, -1);
                }
                if (rejection == null) {
                    return Received.of(record);
                }
                return Received.of(
                        rejection.toDeadLetter(type.name(), fileName + ":" + records, eventTime(record), json(record)));
            } catch (RuntimeException e) { // Avro wraps I/O and decoding errors in AvroRuntimeException
                return Received.of(corruptBlock(block, e));
            }
        }

        /** Skips to the next intact block, and says what was lost. */
        private DeadLetter corruptBlock(long block, Exception e) {
            String why = "corrupt block at byte " + block + ", skipped to the next intact block: " + e;
            if (block <= lastCorruptBlock) {
                done = true; // no progress: stop rather than loop
                why = "corrupt block at byte " + block + ", no intact block after it: " + e;
            } else {
                lastCorruptBlock = block;
                try {
                    reader.sync(block);
                } catch (IOException | RuntimeException again) {
                    done = true;
                }
            }
            return undecodable(fileName + ":block@" + block, why);
        }

        private DeadLetter undecodable(String source, String detail) {
            return new Rejection(RejectReason.UNDECODABLE, null, detail)
                    .toDeadLetter(type.name(), source, (Instant) null, (String) null);
        }

        /** The record as a dead letter shows it: JSON, an agent event's command masked and cut. */
        private String json(T record) {
            if (json == null) {
                json = JsonRecordCodec.of(type);
            }
            try {
                return record instanceof AgentEvent e
                        ? json.encode(type.recordClass().cast(AgentCommands.atEdge(e)))
                        : json.encode(record);
            } catch (RuntimeException e) {
                return String.valueOf(record);
            }
        }

        private static Instant eventTime(SpecificRecord record) {
            Schema.Field ts = record.getSchema().getField("ts");
            return ts != null && record.get(ts.pos()) instanceof Instant i ? i : null;
        }

        @Override
        public void close() throws IOException {
            if (reader != null) {
                reader.close();
            } else {
                stream.close();
            }
        }
    }

    /** Flink's seekable stream as Avro's. */
    private record Seekable(FSDataInputStream stream, long length) implements SeekableInput {
        @Override
        public void seek(long p) throws IOException {
            stream.seek(p);
        }

        @Override
        public long tell() throws IOException {
            return stream.getPos();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return stream.read(b, off, len);
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }
}
