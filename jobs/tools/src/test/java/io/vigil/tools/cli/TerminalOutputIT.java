package io.vigil.tools.cli;

import static io.vigil.tools.cli.VigilCliTest.vigil;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.pipeline.detect.Scenario;
import io.vigil.pipeline.files.DatasetFiles;
import io.vigil.records.Decoded;
import io.vigil.records.GpuProcess;
import io.vigil.records.Printable;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import io.vigil.tools.replay.ReplayOutputs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whoever runs a job names it, its pods and processes, and may name a dataset's directory: a job id that clears
 * the screen, retitles the terminal, forges a line with CR/LF or reverses the text after it must reach no
 * terminal raw. {@code vigil replay} over such a dataset prints every one of them escaped, and its files (JSON
 * lines, summary.json, report.html) hold none raw either.
 */
class TerminalOutputIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    /** Clear screen, set the window title, BEL, a forged line, NUL, a C1 CSI, a right-to-left override. */
    static final String JOB = "job\u001b[2J\u001b]0;owned\u0007\r\nALERT none\u0000\u009b31m\u202egnp";

    static final String NODE = "node\u001b[8m\u2028\u200b";
    static final String PROCESS = "xmrig\u001b[1A\u001b[K\u202epython";
    static final String DATASET = "ds\u001b[5m\u202e";

    @Test
    void replayShowsIdsFromDataEscapedAndWritesNoRawControlCharacter(@TempDir Path dir) throws Exception {
        Path ds = new Scenario(JOB).writeDataset(dir.resolve(DATASET), List.of());
        rewrite(ds.resolve("flows.jsonl.gz"), RecordType.FLOW, f -> {
            f.setNode(NODE);
            return f;
        });
        rewrite(ds.resolve("gpu.jsonl.gz"), RecordType.GPU, s -> {
            s.setNode(NODE + s.getNode());
            s.setProcesses(List.of(new GpuProcess(4242L, PROCESS, 60_000L)));
            return s;
        });
        rewrite(ds.resolve("assignments.jsonl"), RecordType.ASSIGNMENT, a -> {
            a.setNode(NODE + a.getNode());
            return a;
        });
        Path out = dir.resolve("out");

        VigilCliTest.Run run = vigil("replay", ds.toString(), "--out", out.toString(), "--parallelism", "2");

        assertThat(run.exitCode()).as(Printable.escape(run.err())).isZero();
        assertThat(raw(run.out())).as("raw on stdout").isEmpty();
        assertThat(raw(run.err())).as("raw on stderr").isEmpty();
        assertThat(run.out())
                .as("the labelled job in the table")
                .contains(Printable.escape(JOB))
                .contains(Printable.escape(DATASET) + "/flows.jsonl.gz");
        assertThat(run.err()).contains(Printable.escape(DATASET) + " (1/1): 12 windows");
        for (String file : List.of(
                ReplayOutputs.ALERTS,
                ReplayOutputs.WINDOWS,
                ReplayOutputs.DEAD_LETTERS,
                ReplayOutputs.SUMMARY,
                ReplayOutputs.REPORT)) {
            assertThat(raw(Files.readString(out.resolve(file))))
                    .as("raw in " + file)
                    .isEmpty();
        }
        String report = Files.readString(out.resolve(ReplayOutputs.REPORT));
        assertThat(report).contains(Printable.escape(JOB));
        if (Files.size(out.resolve(ReplayOutputs.ALERTS)) > 0) {
            // the packaged default model flags the prober (it did when this was written; what it flags is evaluate's
            // business): its GPU process is in the evidence
            assertThat(report).contains("process " + Printable.escape(PROCESS));
        }
    }

    /** The control, format and separator characters in the text, other than its line ends. */
    static List<String> raw(String text) {
        List<String> found = new ArrayList<>();
        text.codePoints()
                .filter(c -> c != '\n' && c != '\\' && Printable.escaped(c))
                .forEach(c -> found.add(String.format("U+%04X", c)));
        return found;
    }

    /** Rewrites a dataset file's records (JSON lines, gzip when the name says so). */
    static <T extends SpecificRecord> void rewrite(Path file, RecordType<T> type, UnaryOperator<T> change)
            throws IOException {
        JsonRecordCodec<T> codec = JsonRecordCodec.of(type);
        StringBuilder text = new StringBuilder();
        try (var in = DatasetFiles.open(file)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                Decoded<T> d = codec.decode(line);
                assertThat(d.isAccepted()).as(line).isTrue();
                text.append(codec.encode(change.apply(d.record()))).append('\n');
            }
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        if (file.toString().endsWith(".gz")) {
            try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(file))) {
                gz.write(bytes);
            }
        } else {
            Files.write(file, bytes);
        }
    }
}
