package io.vigil.jobs.io;

import io.vigil.jobs.detect.DetectPipeline;
import io.vigil.jobs.ingest.AvroContainerFormat;
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
 * {@code assignments}, each {@code .jsonl}, {@code .jsonl.gz} or an Avro object container file {@code .avro}
 * (see DESIGN.md, Datasets). Each file is its own source, so watermarks are per file and dead letters name
 * {@code dataset/file:line} ({@code dataset/file:N}, the N-th record, for Avro).
 */
public final class DatasetFiles {
    /** The inputs of a dataset, by file name without suffix. */
    public static final List<String> INPUTS = List.of("flows", "gpu", "assignments");
    /** The suffixes an input file may have, in the order they are looked for. */
    public static final List<String> SUFFIXES = List.of(".jsonl.gz", ".jsonl", ".avro");

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

    /**
     * The file of one input in a dataset: {@code NAME.jsonl.gz}, {@code NAME.jsonl} or {@code NAME.avro}.
     *
     * @throws UncheckedIOException (a {@link FileNotFoundException}) when there is none, or more than one
     */
    public static Path file(Path dataset, String name) {
        if (!Files.isDirectory(dataset)) {
            throw new UncheckedIOException(new FileNotFoundException("dataset " + dataset + " is not a directory"));
        }
        List<Path> found = new ArrayList<>();
        for (String suffix : SUFFIXES) {
            Path p = dataset.resolve(name + suffix);
            if (Files.isRegularFile(p)) {
                found.add(p);
            }
        }
        if (found.isEmpty()) {
            throw new UncheckedIOException(new FileNotFoundException(
                    "dataset " + dataset + " has no " + name + ".jsonl.gz, " + name + ".jsonl or " + name + ".avro"));
        }
        if (found.size() > 1) {
            throw new UncheckedIOException(new FileNotFoundException("dataset " + dataset + " has " + found.size()
                    + " files for " + name + " (" + found.stream().map(p -> p.getFileName().toString()).toList()
                    + "): keep one, so that no record is read twice or left out unnoticed"));
        }
        return found.get(0);
    }

    private static <T extends SpecificRecord> Source<Received, ?, ?> source(Path dataset, String name, RecordType<T> type) {
        Path file = file(dataset, name);
        String label = dataset.getFileName() + "/" + file.getFileName();
        org.apache.flink.core.fs.Path path = new org.apache.flink.core.fs.Path(file.toAbsolutePath().toUri());
        if (file.getFileName().toString().endsWith(".avro")) {
            return FileSource.forRecordStreamFormat(new AvroContainerFormat<>(type, label), path).build();
        }
        return FileSource.forRecordStreamFormat(new JsonLinesFormat(ReceivedDecoder.json(type), label), path).build();
    }
}
