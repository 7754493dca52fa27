package io.vigil.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.DeadLetter;
import io.vigil.records.Fixtures;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.local.LocalDataInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Avro container files of a dataset: records in, bad records and corrupt blocks out as dead letters. */
class AvroContainerFormatTest {

    static List<Flow> flows(int n, int from) {
        List<Flow> flows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            flows.add(Fixtures.flowBuilder().setDstPort(1000 + from + i).build());
        }
        return flows;
    }

    /** Writes blocks of records; returns where each block after the first starts. */
    @SafeVarargs
    static <T extends SpecificRecord> List<Long> write(
            Path file, RecordType<T> type, CodecFactory codec, List<T>... blocks) throws IOException {
        List<Long> starts = new ArrayList<>();
        try (DataFileWriter<T> w = new DataFileWriter<>(new SpecificDatumWriter<>(type.recordClass()))) {
            w.setCodec(codec);
            w.create(type.schema(), file.toFile());
            for (List<T> block : blocks) {
                for (T r : block) {
                    w.append(r);
                }
                starts.add(w.sync());
            }
        }
        return starts;
    }

    static List<Received> read(Path file, RecordType<?> type) throws IOException {
        AvroContainerFormat<?> format = new AvroContainerFormat<>(type, "ds/" + file.getFileName());
        long len = Files.size(file);
        List<Received> out = new ArrayList<>();
        try (StreamFormat.Reader<Received> reader =
                format.createReader(new Configuration(), new LocalDataInputStream(file.toFile()), len, len)) {
            for (Received r = reader.read(); r != null; r = reader.read()) {
                out.add(r);
            }
        }
        return out;
    }

    static List<DeadLetter> deadLetters(List<Received> received) {
        return received.stream()
                .filter(r -> r.deadLetter != null)
                .map(r -> r.deadLetter)
                .toList();
    }

    static List<Object> records(List<Received> received) {
        return received.stream().map(Received::record).filter(r -> r != null).toList();
    }

    @Test
    void readsEveryRecordOfACompressedFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flows.avro");
        write(file, RecordType.FLOW, CodecFactory.deflateCodec(6), flows(10, 0), flows(10, 10));

        List<Received> received = read(file, RecordType.FLOW);

        assertThat(records(received)).containsExactlyElementsOf(concat(flows(10, 0), flows(10, 10)));
        assertThat(deadLetters(received)).isEmpty();
    }

    @Test
    void aRecordFailingTheChecksIsADeadLetterNamingItsPosition(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flows.avro");
        Flow bad = Fixtures.flowBuilder().setSrcIp("10.0.1.300").build();
        write(file, RecordType.FLOW, CodecFactory.nullCodec(), List.of(Fixtures.flow(), bad, Fixtures.flow()));

        List<Received> received = read(file, RecordType.FLOW);

        assertThat(records(received)).hasSize(2);
        assertThat(deadLetters(received)).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo("bad_ip");
            assertThat(d.getSource()).isEqualTo("ds/flows.avro:2");
            assertThat(d.getRecordType()).isEqualTo("flow");
            assertThat(d.getOriginalText()).contains("\"src_ip\":\"10.0.1.300\"");
            assertThat(d.getEventTs()).isEqualTo(bad.getTs());
        });
    }

    @Test
    void aCorruptBlockIsOneDeadLetterAndReadingGoesOnAtTheNextBlock(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flows.avro");
        List<Long> starts =
                write(file, RecordType.FLOW, CodecFactory.nullCodec(), flows(10, 0), flows(10, 10), flows(10, 20));
        long secondBlock = starts.get(0);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(secondBlock + 5); // past the block's count and size, into its first record
            raf.write(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1});
        }

        List<Received> received = read(file, RecordType.FLOW);

        assertThat(records(received)).containsExactlyElementsOf(concat(flows(10, 0), flows(10, 20)));
        assertThat(deadLetters(received)).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo("undecodable");
            assertThat(d.getSource()).isEqualTo("ds/flows.avro:block@" + secondBlock);
            assertThat(d.getDetail())
                    .startsWith("corrupt block at byte " + secondBlock + ", skipped to the next intact block");
        });
    }

    @Test
    void aTruncatedFileKeepsWhatCameBeforeTheCut(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flows.avro");
        List<Long> starts = write(file, RecordType.FLOW, CodecFactory.nullCodec(), flows(10, 0), flows(10, 10));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(starts.get(0) + 40);
        }

        List<Received> received = read(file, RecordType.FLOW);

        assertThat(records(received)).containsExactlyElementsOf(flows(10, 0));
        assertThat(deadLetters(received))
                .allSatisfy(d -> assertThat(d.getReason()).isEqualTo("undecodable"));
    }

    @Test
    void aFileThatIsNotAvroIsOneDeadLetter(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flows.avro");
        Files.writeString(file, "{\"ts\": 1}\n");

        assertThat(read(file, RecordType.FLOW)).singleElement().satisfies(r -> {
            assertThat(r.deadLetter.getReason()).isEqualTo("undecodable");
            assertThat(r.deadLetter.getSource()).isEqualTo("ds/flows.avro");
            assertThat(r.deadLetter.getDetail()).startsWith("not an Avro object container file");
        });
    }

    @Test
    void aFileOfAnotherRecordTypeIsOneDeadLetter(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flows.avro");
        write(file, RecordType.GPU, CodecFactory.nullCodec(), List.<GpuSample>of(Fixtures.gpuSample()));

        assertThat(read(file, RecordType.FLOW)).singleElement().satisfies(r -> {
            assertThat(r.deadLetter.getReason()).isEqualTo("undecodable");
            assertThat(r.deadLetter.getDetail()).contains("cannot be read as a flow record");
        });
    }

    @SafeVarargs
    static <T> List<T> concat(List<T>... lists) {
        List<T> all = new ArrayList<>();
        for (List<T> l : lists) {
            all.addAll(l);
        }
        return all;
    }
}
