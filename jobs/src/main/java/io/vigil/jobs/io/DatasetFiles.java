package io.vigil.jobs.io;

import io.vigil.jobs.detect.DetectPipeline;
import io.vigil.jobs.ingest.JsonLinesFormat;
import io.vigil.jobs.ingest.Received;
import io.vigil.jobs.ingest.ReceivedDecoder;
import io.vigil.records.RecordType;
import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.file.src.FileSource;

/**
 * A recorded dataset's files as the pipeline's bounded inputs: {@code flows}, {@code gpu} and
 * {@code assignments}, each {@code .jsonl} or {@code .jsonl.gz} (see DESIGN.md, Datasets). Each file is
 * its own source, so watermarks are per file and dead letters name {@code dataset/file:line}.
 */
public final class DatasetFiles {
    private DatasetFiles() {}

    public static DetectPipeline.Inputs inputs(List<Path> datasets) {
        List<Source<Received, ?, ?>> sources = new ArrayList<>();
        for (Path dataset : datasets) {
            sources.add(source(dataset, "flows", RecordType.FLOW));
            sources.add(source(dataset, "gpu", RecordType.GPU));
            sources.add(source(dataset, "assignments", RecordType.ASSIGNMENT));
        }
        return new DetectPipeline.Inputs(sources);
    }

    /** The file of one input in a dataset: {@code NAME.jsonl.gz} or {@code NAME.jsonl}. */
    public static Path file(Path dataset, String name) {
        for (String suffix : new String[] {".jsonl.gz", ".jsonl"}) {
            Path p = dataset.resolve(name + suffix);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new UncheckedIOException(new FileNotFoundException(
                "dataset " + dataset + " has no " + name + ".jsonl.gz or " + name + ".jsonl"));
    }

    private static <T extends SpecificRecord> Source<Received, ?, ?> source(Path dataset, String name, RecordType<T> type) {
        Path file = file(dataset, name);
        String label = dataset.getFileName() + "/" + file.getFileName();
        return FileSource.forRecordStreamFormat(new JsonLinesFormat(ReceivedDecoder.json(type), label),
                new org.apache.flink.core.fs.Path(file.toAbsolutePath().toUri())).build();
    }
}
