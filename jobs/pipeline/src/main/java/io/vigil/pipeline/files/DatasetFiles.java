package io.vigil.pipeline.files;

import io.vigil.pipeline.detect.DetectPipeline;
import io.vigil.pipeline.ingest.AvroContainerFormat;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.pipeline.ingest.JsonLinesFormat;
import io.vigil.pipeline.ingest.Received;
import io.vigil.pipeline.ingest.ReceivedDecoder;
import io.vigil.pipeline.ingest.TextLinesFormat;
import io.vigil.records.RecordType;
import io.vigil.records.formats.BoundedLines;
import io.vigil.records.formats.Formats;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.StreamFormat;

/**
 * A recorded dataset's files as the pipeline's bounded inputs: {@code flows}, {@code gpu} and
 * {@code assignments}, each {@code .jsonl}, {@code .jsonl.gz} or an Avro object container file {@code .avro}
 * (docs/ARCHITECTURE.md, "Records and topics"). Each file is its own source, so watermarks are per file and dead letters name
 * {@code dataset/file:line} ({@code dataset/file:N}, the N-th record, for Avro).
 */
public final class DatasetFiles {
    /** The inputs of a dataset, by file name without suffix. */
    public static final List<String> INPUTS = List.of("flows", "gpu", "assignments");
    /**
     * The optional input of a dataset: the tool calls of the agents under training ({@code agent_events.jsonl},
     * {@code .jsonl.gz} or {@code .avro}); a dataset without it is read as before.
     */
    public static final String AGENT_EVENTS = "agent_events";
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
        List<Source<Received, ?, ?>> assignments = new ArrayList<>();
        List<Source<Received, ?, ?>> context = new ArrayList<>();
        for (Path dataset : datasets) {
            for (Path flows : files(dataset, "flows", formats.flows())) {
                sources.add(source(dataset, flows, RecordType.FLOW, formats.flows(), formats));
            }
            sources.add(source(dataset, file(dataset, "gpu", formats.gpu()), RecordType.GPU, formats.gpu(), formats));
            assignments.add(source(
                    dataset,
                    file(dataset, "assignments", Formats.VIGIL),
                    RecordType.ASSIGNMENT,
                    Formats.VIGIL,
                    formats));
            Path agentEvents = optionalFile(dataset, AGENT_EVENTS);
            if (agentEvents != null) {
                context.add(source(dataset, agentEvents, RecordType.AGENT_EVENT, Formats.VIGIL, formats));
            }
        }
        return new DetectPipeline.Inputs(sources, assignments, false, context);
    }

    /**
     * The files of one input in a format: the main one ({@link #file(Path, String, String)}) and its companions
     * ({@link Formats#companionFileNames}: Zeek's conn_long.log next to conn.log), each also {@code .gz}.
     */
    public static List<Path> files(Path dataset, String name, String format) {
        List<Path> files = new ArrayList<>();
        files.add(file(dataset, name, format));
        for (String companion : Formats.companionFileNames(name, format)) {
            Path found = existing(dataset, companion);
            if (found != null && !files.contains(found)) {
                files.add(found);
                break; // one companion: conn_long.json and conn_long.log would be the same records twice
            }
        }
        return files;
    }

    /**
     * The flow format of a dataset given without {@code --flow-format} whose flows are not canonical: a known
     * foreign file name ({@code conn.log}, {@code conn_long.log}, goflow2's and VPC's {@code flows.json},
     * {@code flows.log}, {@code flows.txt}, each also .gz) whose first lines look like one format
     * ({@link Formats#guess}). Null when the dataset has canonical flows or nothing recognisable.
     */
    public static Detected detectFlowFormat(Path dataset) {
        for (String suffix : SUFFIXES) {
            if (Files.isRegularFile(dataset.resolve("flows" + suffix))) {
                return null;
            }
        }
        for (String name : List.of(
                "conn.log", "conn.json", "conn_long.log", "conn_long.json", "flows.json", "flows.log", "flows.txt")) {
            Path found = existing(dataset, name);
            if (found != null) {
                String guessed = Formats.guess(firstLines(found, 20));
                return new Detected(found, guessed != null && Formats.FLOW_FORMATS.contains(guessed) ? guessed : null);
            }
        }
        return null;
    }

    /** A foreign flow file found in a dataset, and the format its first lines look like (null: none known). */
    public record Detected(Path file, String format) {}

    /** The first lines of a text file (.gz undone), for guessing its format; empty if it cannot be read. */
    public static List<String> firstLines(Path file, int count) {
        List<String> lines = new ArrayList<>();
        try (BoundedLines in = new BoundedLines(open(file), 64 * 1024)) {
            for (var l = in.next(); l != null && lines.size() < count; l = in.next()) {
                lines.add(l.text());
            }
        } catch (IOException e) {
            // nothing to guess from
        }
        return lines;
    }

    /** A file's bytes, .gz undone. */
    public static InputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in, 64 * 1024) : in;
    }

    private static Path existing(Path dataset, String name) {
        for (String suffix : new String[] {".gz", ""}) {
            Path p = dataset.resolve(name + suffix);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
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
        throw new UncheckedIOException(
                new FileNotFoundException("dataset " + dataset + " has no " + name + " file for format " + format
                        + " (looked for " + String.join(", ", names) + ", each also .gz)" + formatHint(dataset, name)));
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
            throw new UncheckedIOException(new FileNotFoundException("dataset " + dataset + " has no " + name
                    + ".jsonl.gz, " + name + ".jsonl or " + name + ".avro" + formatHint(dataset, name)));
        }
        if (found.size() > 1) {
            throw new UncheckedIOException(new FileNotFoundException("dataset " + dataset + " has " + found.size()
                    + " files for " + name + " ("
                    + found.stream().map(p -> p.getFileName().toString()).toList()
                    + "): keep one, so that no record is read twice or left out unnoticed"));
        }
        return found.get(0);
    }

    /** The file of an optional input ({@link #AGENT_EVENTS}), or null when the dataset has none; two are refused. */
    public static Path optionalFile(Path dataset, String name) {
        for (String suffix : SUFFIXES) {
            if (Files.isRegularFile(dataset.resolve(name + suffix))) {
                return file(dataset, name);
            }
        }
        return null;
    }

    /** What to tell a user whose dataset lacks a file: the files it has that another format would read. */
    private static String formatHint(Path dataset, String name) {
        if (name.equals("flows")) {
            Detected d = detectFlowFormat(dataset);
            if (d != null) {
                return "; it has " + d.file().getFileName()
                        + (d.format() != null
                                ? ", which looks like " + d.format() + ": pass --flow-format " + d.format()
                                : ": pass --flow-format with its format (" + String.join(", ", Formats.FLOW_FORMATS)
                                        + ")");
            }
        } else if (name.equals("gpu")) {
            for (String candidate : List.of("gpu.prom", "gpu.txt", "gpu.csv")) {
                Path found = existing(dataset, candidate);
                if (found != null) {
                    String guessed = Formats.guess(firstLines(found, 20));
                    return "; it has " + found.getFileName()
                            + (guessed != null
                                    ? ", which looks like " + guessed + ": pass --gpu-format " + guessed
                                    : ": pass --gpu-format with its format");
                }
            }
        }
        return "";
    }

    private static <T extends SpecificRecord> Source<Received, ?, ?> source(
            Path dataset, Path file, RecordType<T> type, String format, InputFormats formats) {
        org.apache.flink.core.fs.Path path =
                new org.apache.flink.core.fs.Path(file.toAbsolutePath().toUri());
        return FileSource.forRecordStreamFormat(format(dataset, file, type, format, formats), path)
                .build();
    }

    /**
     * How one input file of a dataset is read, record by record: the one way, whether the pipeline reads it
     * ({@link #inputs}) or {@link DatasetRecords} does (for {@code vigil stream}, the demo and the benchmarks).
     * Text formats see the file's bytes with .gz undone; an Avro container file is read as it is.
     */
    public static <T extends SpecificRecord> StreamFormat<Received> format(
            Path dataset, Path file, RecordType<T> type, String format, InputFormats formats) {
        String label = dataset.getFileName() + "/" + file.getFileName();
        if (file.getFileName().toString().endsWith(".avro")) {
            return new AvroContainerFormat<>(type, label);
        }
        ReceivedDecoder<T> decoder = ReceivedDecoder.forFormat(type, format, formats.node(), null, null)
                .bounded(formats.bounds(), false);
        return decoder.isCanonicalJson() ? new JsonLinesFormat(decoder, label) : new TextLinesFormat(decoder, label);
    }
}
