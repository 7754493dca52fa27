package io.vigil.jobs.io;

import io.vigil.jobs.detect.DetectPipeline;
import io.vigil.jobs.ingest.InputFormats;
import io.vigil.jobs.ingest.JsonLinesFormat;
import io.vigil.jobs.ingest.Received;
import io.vigil.jobs.ingest.ReceivedDecoder;
import io.vigil.jobs.ingest.TextLinesFormat;
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
 * {@code assignments}, each {@code .jsonl} or {@code .jsonl.gz} (see DESIGN.md, Datasets). Each file is
 * its own source, so watermarks are per file and dead letters name {@code dataset/file:line}.
 */
public final class DatasetFiles {
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
        if (format.equals(Formats.VIGIL) || format.equals(Formats.VIGIL_JSON)) {
            return file(dataset, name);
        }
        if (format.equals(Formats.VIGIL_AVRO)) {
            throw new IllegalArgumentException("reading " + name + " from Avro container files is not built yet; use vigil-json files");
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

    private static <T extends SpecificRecord> Source<Received, ?, ?> source(Path dataset, String name, RecordType<T> type,
                                                                            String format, String node) {
        Path file = file(dataset, name, format);
        String label = dataset.getFileName() + "/" + file.getFileName();
        ReceivedDecoder<T> decoder = ReceivedDecoder.forFormat(type, format, node, null, null);
        SimpleStreamFormat<Received> lines = decoder.isCanonicalJson()
                ? new JsonLinesFormat(ReceivedDecoder.json(type), label)
                : new TextLinesFormat(decoder, label);
        return FileSource.forRecordStreamFormat(lines, new org.apache.flink.core.fs.Path(file.toAbsolutePath().toUri())).build();
    }
}
