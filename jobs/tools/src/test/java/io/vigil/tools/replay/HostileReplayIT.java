package io.vigil.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.pipeline.detect.DetectSettings;
import io.vigil.pipeline.detect.Scenario;
import io.vigil.pipeline.files.DatasetFiles;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.records.formats.Formats;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short replay of a dataset made hostile (fixed seed): a BOM, generated garbage lines, deep nesting, a
 * 2 MiB line, invalid UTF-8, a year-3000 and a 1e17 time, a 1970 time, a 2^63-1 byte count, and a GPU file
 * cut short. The replay ends normally, every line of the flows file is a record or a dead letter, each with
 * its reason, the broken file is named with where it broke, the incident is still found, and strict mode
 * refuses the broken file.
 */
class HostileReplayIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static final String GOOD = "{\"ts\":1771038030000,\"start_ts\":1771038029000,\"node\":\"n\",\"job_id\":null,"
            + "\"src_ip\":\"10.0.1.1\",\"dst_ip\":\"10.9.0.20\",\"src_port\":40000,\"dst_port\":9000,\"protocol\":\"TCP\","
            + "\"orig_bytes\":1000,\"resp_bytes\":10,\"orig_pkts\":10,\"resp_pkts\":1,\"conn_state\":\"SF\"}";

    @Test
    void aHostileDatasetIsReplayedEveryLineARecordOrADeadLetter(@TempDir Path dir) throws Exception {
        Path ds = new Scenario().writeDataset(dir.resolve("hostile"), List.of());
        int hostile = makeHostile(ds);
        StringWriter log = new StringWriter();
        Path out = dir.resolve("out");
        Replay.Outcome outcome = ReplayIT.replay(out, new PrintWriter(log, true), ds);

        assertThat(outcome.overall().incidentsDetected()).isEqualTo(1);
        JsonNode summary = ReplayIT.summary(out).path("datasets").get(0);
        JsonNode flows = file(summary, "flows.jsonl.gz");
        long dead = flows.path("dead_letters").path("total").asLong();
        assertThat(flows.path("lines").asLong())
                .as("every line a record or a dead letter")
                .isEqualTo(flows.path("decoded").asLong() + dead);
        assertThat(dead).isGreaterThanOrEqualTo(hostile - 20); // a few generated lines are still good flows
        JsonNode reasons = flows.path("dead_letters").path("by_reason");
        assertThat(reasons.path("future_time").asLong()).isEqualTo(2);
        assertThat(reasons.path("past_time").asLong()).isEqualTo(1);
        assertThat(reasons.path("out_of_range").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(reasons.path("too_large").asLong()).isEqualTo(1);
        assertThat(reasons.path("bad_encoding").asLong()).isGreaterThanOrEqualTo(1);
        JsonNode gpu = file(summary, "gpu.jsonl.gz");
        assertThat(gpu.path("broken").asText()).contains("EOFException");
        assertThat(gpu.path("dead_letters").path("by_reason").path("truncated").asLong())
                .isEqualTo(1);
        assertThat(log.toString())
                .contains("warning: hostile/gpu.jsonl.gz is truncated or corrupt")
                .contains("have times far after the rest of the file")
                .doesNotContain("Exception\n\tat ");

        Replay.Request strict = new Replay.Request(
                Replay.datasets(List.of(ds), InputFormats.CANONICAL),
                2,
                DetectSettings.defaults(),
                new IndicatorScorer(),
                InputFormats.CANONICAL,
                true);
        assertThatThrownBy(() -> Replay.run(strict, new PrintWriter(new StringWriter(), true)))
                .isInstanceOf(Replay.BadInput.class)
                .hasMessageContaining("hostile/gpu.jsonl.gz is truncated or corrupt");
    }

    @Test
    void aDatasetOfZeekLogsIsReadAsZeekWithoutBeingTold(@TempDir Path dir) throws Exception {
        Path ds = Files.createDirectories(dir.resolve("zeek"));
        Files.writeString(ds.resolve("conn.log"), "#separator \\x09\n#path\tconn\n");
        assertThat(DatasetFiles.detectFlowFormat(ds))
                .isEqualTo(new DatasetFiles.Detected(ds.resolve("conn.log"), Formats.ZEEK_TSV));
        Files.writeString(ds.resolve("conn.log"), "something else\n");
        assertThat(DatasetFiles.detectFlowFormat(ds).format()).isNull();
        assertThatThrownBy(() -> Replay.datasets(List.of(ds), InputFormats.CANONICAL))
                .hasMessageContaining("it has conn.log")
                .hasMessageContaining("--flow-format");
    }

    static JsonNode file(JsonNode dataset, String name) {
        for (JsonNode f : dataset.path("inputs")) {
            if (f.path("file").asText().equals(name)) {
                return f;
            }
        }
        throw new AssertionError("no input " + name + " in " + dataset);
    }

    /** Rewrites the dataset's flows with hostile lines among them, and cuts its GPU file; the hostile line count. */
    static int makeHostile(Path ds) throws Exception {
        Random random = new Random(18);
        List<String> lines;
        try (var in = DatasetFiles.open(ds.resolve("flows.jsonl.gz"))) {
            lines = List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        text.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        int hostile = 0;
        for (int i = 0; i < lines.size(); i++) {
            text.writeBytes((lines.get(i) + "\n").getBytes(StandardCharsets.UTF_8));
            if (i == lines.size() / 2) {
                for (String h : List.of(
                        GOOD.replace("1771038030000", "32503680000000"),
                        GOOD.replace("1771038030000", "100000000000000000"),
                        GOOD.replace("1771038030000", "1000").replace("1771038029000", "1000"),
                        GOOD.replace("\"orig_bytes\":1000", "\"orig_bytes\":9223372036854775807"))) {
                    text.writeBytes((h + "\n").getBytes(StandardCharsets.UTF_8));
                    hostile++;
                }
                text.writeBytes(("{\"x\":\"" + "y".repeat(2 << 20) + "\"}\n").getBytes(StandardCharsets.UTF_8));
                text.writeBytes(new byte[] {'{', '"', 'n', (byte) 0xC3, (byte) 0x28, '}', '\n'});
                hostile += 2;
                for (int k = 0; k < 2_000; k++) {
                    String line = switch (random.nextInt(5)) {
                        case 0 -> "[".repeat(1 + random.nextInt(3_000));
                        case 1 -> GOOD.replace("1000", Long.toString(random.nextLong()));
                        case 2 -> GOOD.substring(0, random.nextInt(GOOD.length()));
                        case 3 -> GOOD.replace("10.0.1.1", "\u001b[2J" + (char) random.nextInt(32));
                        default -> {
                            byte[] b = new byte[1 + random.nextInt(200)];
                            random.nextBytes(b);
                            yield new String(b, StandardCharsets.ISO_8859_1)
                                    .replace('\n', 'x')
                                    .replace('\r', 'x');
                        }
                    };
                    if (line.isBlank()) {
                        line = "x";
                    }
                    text.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
                    hostile++;
                }
            }
        }
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(ds.resolve("flows.jsonl.gz")))) {
            gz.write(text.toByteArray());
        }
        byte[] gpu = Files.readAllBytes(ds.resolve("gpu.jsonl.gz"));
        Files.write(ds.resolve("gpu.jsonl.gz"), Arrays.copyOf(gpu, gpu.length * 2 / 3));
        return hostile;
    }
}
