package io.vigil.pipeline.files;

import io.vigil.pipeline.detect.DetectPipeline;
import io.vigil.pipeline.ingest.AvroContainerFormat;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.pipeline.ingest.JsonLinesFormat;
import io.vigil.pipeline.ingest.Received;
import io.vigil.pipeline.ingest.ReceivedDecoder;
import io.vigil.pipeline.ingest.TextLinesFormat;
import io.vigil.records.RecordType;
import io.vigil.records.formats.Formats;
import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;

/**
 * A recorded dataset's files as the pipeline's bounded inputs: {@code flows}, {@code gpu} and
 * {@code assignments}, each {@code .jsonl}, {@code .jsonl.gz} or an Avro object container file {@code .avro}
 * (docs/ARCHITECTURE.md, "Records and topics"). Each file is its own source, so watermarks are per file and dead letters name
 * {@code dataset/file:line} ({@code dataset/file:N}, the N-th record, for Avro).
 */
public final class DatasetFiles {
    /** The inputs of a dataset, by file name without suffix. */
    public static final List<String> INPUTS = List.of("flows", "gpu", "assignments");
    /** The suffixes an input file may have, in the order they are looked for. */
    public static final List<String> SUFFIXES = List.of(".jsonl.gz", ".jsonl", ".avro");

    private DatasetFiles() {}

    public static DetectPipeline.Inputs inputs(List<Path> datasets) {
        return inputs(datasets, InputFormats.CANONICAL);
    }

    /**
     * The datasets with their flows and GPU samples in the given formats ({@code flow.format}, {@code gpu.format};
     * {@link InputFormats#from}). The file looked for depends on the format ({@link Formats#fileNames}, each also
     * {@code .gz}): canonical {@code flows.jsonl}; goflow2 {@code flows.json} or {@code flows.jsonl}; zeek-tsv
     * {@code flows.log} or {@code conn.log}; zeek-json {@code flows.json}, {@code conn.json}, {@code flows.log}
     * or {@code conn.log}; vpc {@code flows.log} or {@code flows.txt}; dcgm-prometheus {@code gpu.prom} or
     * {@code gpu.txt} (scrapes, each after a {@code # scrape <epoch ms>} line); nvidia-smi-csv {@code gpu.csv}.
     * Assignments are always canonical.
     */
    public static DetectPipeline.Inputs inputs(List<Path> datasets, InputFormats formats) {
        List<Source<Received, ?, ?>> sources = new ArrayList<>();
        for (Path dataset : datasets) {
            sources.add(source(dataset, "flows", RecordType.FLOW, formats.flows(), formats.node()));
            sources.add(source(dataset, "gpu", RecordType.GPU, formats.gpu(), formats.node()));
            sources.add(source(dataset, "assignments", RecordType.ASSIGNMENT, Formats.VIGIL, null));
        }
        return new DetectPipeline.Inputs(sources);
    }

    /** The file of one input in a dataset in a format: e.g. {@code conn.log.gz} for zeek-tsv flows. */
    public static Path file(Path dataset, String name, String format) {
        if (format.equals(Formats.VIGIL) || format.equals(Formats.VIGIL_JSON) || format.equals(Formats.VIGIL_AVRO)) {
            return file(dataset, name);
        }
        List<String> names = Formats.fileNames(name, format);
        for (String candidate : names) {
            for (String suffix : new String[] {".gz", ""}) {
                Path p = dataset.resolve(candidate + suffix);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        throw new UncheckedIOException(new FileNotFoundException(
                "dataset " + dataset + " has no " + name + " file for format " + format + " (looked for "
                        + String.join(", ", names) + ", each also .gz)"));
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

    private static <T extends SpecificRecord> Source<Received, ?, ?> source(Path dataset, String name, RecordType<T> type,
                                                                            String format, String node) {
        Path file = file(dataset, name, format);
        String label = dataset.getFileName() + "/" + file.getFileName();
        org.apache.flink.core.fs.Path path = new org.apache.flink.core.fs.Path(file.toAbsolutePath().toUri());
        if (file.getFileName().toString().endsWith(".avro")) {
            return FileSource.forRecordStreamFormat(new AvroContainerFormat<>(type, label), path).build();
        }
        ReceivedDecoder<T> decoder = ReceivedDecoder.forFormat(type, format, node, null, null);
        SimpleStreamFormat<Received> lines = decoder.isCanonicalJson()
                ? new JsonLinesFormat(ReceivedDecoder.json(type), label)
                : new TextLinesFormat(decoder, label);
        return FileSource.forRecordStreamFormat(lines, path).build();
    }
}
