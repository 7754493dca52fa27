package io.vigil.records.formats;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.Decoded;
import io.vigil.records.Fixtures;
import io.vigil.records.InputBounds;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import io.vigil.records.wire.SingleObjectFraming;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * Hostile lines and records, generated from a fixed seed, through every decoder: each input format, the
 * canonical JSON codec and the Avro framing. Whatever comes in, nothing escapes as an exception, every result
 * is a record or a rejection, and every accepted record passes its type's checks and can be judged by the
 * input bounds. Mutations start from each format's good fixture lines (so they reach deep into the
 * decoders) and from nothing (random bytes, deep nesting, huge strings).
 */
class HostileInputFuzzTest {
    private static final long SEED = 0x5EED_18L;
    private static final int CASES = 1_500;
    private static final String[] HOSTILE_VALUES = {
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "1e308",
        "-1e308",
        "NaN",
        "Infinity",
        "1e17",
        "100000000000000000000",
        "-1",
        "0",
        "-0.0",
        "32503680000",
        "32503680000000000000",
        "0.000001",
        "1.7976931348623157E309",
        "\"\"",
        "null",
        "true",
        "[]",
        "{}",
        "-",
        "(empty)",
        "\u0000",
        "\u001b[2J\u001b]0;x\u0007",
        "\uFFFD",
        "\uD800",
        "999.999.999.999",
        "::ffff:999.1.1.1",
        "2999-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z",
        "+1000000000-12-31T23:59:59.999999999Z"
    };

    private final Random random = new Random(SEED);

    @Test
    void everyFlowFormatTurnsHostileLinesIntoRecordsOrRejections() {
        fuzz(Formats.flows(Formats.GOFLOW2, FormatOptions.DEFAULTS), "goflow2.json", RecordType.FLOW);
        fuzz(Formats.flows(Formats.ZEEK_TSV, FormatOptions.DEFAULTS), "conn.log", RecordType.FLOW);
        fuzz(Formats.flows(Formats.ZEEK_JSON, FormatOptions.DEFAULTS), "zeek-conn.json", RecordType.FLOW);
        fuzz(Formats.flows(Formats.VPC, FormatOptions.DEFAULTS), "vpc-flow-logs.log", RecordType.FLOW);
        fuzz(Formats.flows(Formats.VIGIL, FormatOptions.DEFAULTS), null, RecordType.FLOW);
    }

    @Test
    void everyGpuFormatTurnsHostileLinesIntoRecordsOrRejections() {
        fuzz(Formats.gpu(Formats.DCGM_PROMETHEUS, FormatOptions.DEFAULTS), "dcgm.prom", RecordType.GPU);
        fuzz(Formats.gpu(Formats.NVIDIA_SMI_CSV, FormatOptions.DEFAULTS), "nvidia-smi-gpu.csv", RecordType.GPU);
        fuzz(Formats.gpu(Formats.VIGIL, FormatOptions.DEFAULTS), null, RecordType.GPU);
        DcgmPrometheusFormat dcgm = (DcgmPrometheusFormat) Formats.gpu(Formats.DCGM_PROMETHEUS, FormatOptions.DEFAULTS);
        NvidiaSmiCsvFormat smi = (NvidiaSmiCsvFormat) Formats.gpu(Formats.NVIDIA_SMI_CSV, FormatOptions.DEFAULTS);
        String scrape = FormatFixtures.text("dcgm.prom");
        String poll = FormatFixtures.text("nvidia-smi-gpu.csv");
        for (int i = 0; i < CASES / 8; i++) {
            check(
                    RecordType.GPU,
                    dcgm.parseScrape(mutateBlock(scrape), random.nextBoolean() ? null : random.nextLong()));
            check(
                    RecordType.GPU,
                    smi.parsePoll(
                            mutateBlock(poll),
                            mutateBlock("gpu_uuid, pid, process_name, used_memory\nGPU-1, 1, x, 10 MiB"),
                            random.nextBoolean() ? null : random.nextLong()));
        }
    }

    @Test
    void theCanonicalCodecsTurnHostileInputIntoRecordsOrRejections() {
        fuzzCodec(RecordType.FLOW, Fixtures.flow());
        fuzzCodec(RecordType.GPU, Fixtures.gpuSample());
        fuzzCodec(RecordType.ASSIGNMENT, Fixtures.assignment());
    }

    @Test
    void theLineReaderTurnsHostileBytesIntoLinesOrRefusals() throws Exception {
        for (int i = 0; i < CASES / 10; i++) {
            byte[] bytes = new byte[random.nextInt(4096)];
            random.nextBytes(bytes);
            int max = 1 + random.nextInt(512);
            try (BoundedLines lines = new BoundedLines(new ByteArrayInputStream(bytes), max)) {
                long total = 0;
                for (BoundedLines.Line l = lines.next(); l != null; l = lines.next()) {
                    total++;
                    assertThat(
                                    l.usable()
                                            ? l.text().getBytes(StandardCharsets.UTF_8).length <= max + 3
                                            : l.detail() != null)
                            .isTrue();
                }
                assertThat(lines.lines()).isEqualTo(total);
                assertThat(lines.position()).isEqualTo(bytes.length);
            }
        }
    }

    private <T extends SpecificRecord> void fuzz(LineFormat<T> format, String fixture, RecordType<T> type) {
        List<String> seeds = new ArrayList<>();
        if (fixture != null) {
            for (String line : FormatFixtures.text(fixture).split("\n")) {
                if (!line.startsWith("# ") || line.startsWith("# scrape") || line.startsWith("# sample")) {
                    seeds.add(line);
                }
            }
        } else {
            seeds.add(JsonRecordCodec.of(type).encode(Fixtures.sample(type)));
        }
        for (int i = 0; i < CASES; i++) {
            // a fresh reader now and then, so that headers are mutated as well as rows
            LineFormat.Reader<T> reader = format.newReader(i % 2 == 0 ? "hostile" : "conn_long.log");
            for (String seed : seeds.subList(0, Math.min(seeds.size(), random.nextInt(seeds.size() + 1)))) {
                check(type, reader.read(seed));
            }
            check(type, reader.read(hostileLine(seeds)));
            check(type, reader.finish());
        }
    }

    private <T extends SpecificRecord> void fuzzCodec(RecordType<T> type, T sample) {
        JsonRecordCodec<T> json = JsonRecordCodec.of(type);
        SingleObjectFraming<T> avro = new SingleObjectFraming<>(type);
        String good = json.encode(sample);
        byte[] encoded = avro.encode(sample);
        for (int i = 0; i < CASES; i++) {
            check(type, List.of(json.decode(hostileLine(List.of(good)))));
            byte[] bytes = encoded.clone();
            switch (random.nextInt(4)) {
                case 0 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
                case 1 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                case 2 -> {
                    bytes = new byte[random.nextInt(256)];
                    random.nextBytes(bytes);
                }
                default -> {
                    // a long length prefix (zig-zag varint) after the header: a huge string or array claimed
                    int at = 10 + random.nextInt(Math.max(1, bytes.length - 10));
                    byte[] grown = Arrays.copyOf(bytes, bytes.length + 5);
                    System.arraycopy(bytes, at, grown, at + 5, bytes.length - at);
                    byte[] huge = {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
                    System.arraycopy(huge, 0, grown, at, 5);
                    bytes = grown;
                }
            }
            check(type, List.of(avro.decode(bytes)));
        }
    }

    /** One hostile line: a good line mutated, or something made from nothing. */
    private String hostileLine(List<String> seeds) {
        String seed = seeds.get(random.nextInt(seeds.size()));
        return switch (random.nextInt(10)) {
            case 0 -> randomText(random.nextInt(300));
            case 1 -> nested(1 + random.nextInt(5_000));
            case 2 -> seed.replaceFirst("[0-9][0-9.e+-]*", pick());
            case 3 -> replaceField(seed, pick());
            case 4 -> replaceField(seed, "x".repeat(random.nextInt(100_000)));
            case 5 -> seed.substring(0, random.nextInt(seed.length() + 1));
            case 6 -> insert(seed, String.valueOf((char) random.nextInt(32)));
            case 7 -> replaceField(replaceField(seed, pick()), pick());
            case 8 -> seed.replaceAll("[0-9]{9,}(\\.[0-9]+)?", random.nextBoolean() ? "32503680000" : "1");
            default -> seed.replaceAll("\\b[0-9]{1,8}\\b", "9223372036854775807");
        };
    }

    private String pick() {
        return HOSTILE_VALUES[random.nextInt(HOSTILE_VALUES.length)];
    }

    /** Replaces one field: a JSON value, a tab- or space-separated column. */
    private String replaceField(String line, String value) {
        String[] parts = line.split(line.contains("\t") ? "\t" : line.startsWith("{") ? "," : " ", -1);
        if (parts.length == 0) {
            return value;
        }
        int i = random.nextInt(parts.length);
        int colon = parts[i].indexOf(':');
        parts[i] = line.startsWith("{") && colon > 0 ? parts[i].substring(0, colon + 1) + value : value;
        return String.join(line.contains("\t") ? "\t" : line.startsWith("{") ? "," : " ", parts);
    }

    private String insert(String line, String s) {
        int at = random.nextInt(line.length() + 1);
        return line.substring(0, at) + s + line.substring(at);
    }

    private String nested(int depth) {
        boolean arrays = random.nextBoolean();
        return (arrays ? "[" : "{\"a\":").repeat(depth) + "1" + (arrays ? "]" : "}").repeat(depth);
    }

    private String randomText(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append((char) random.nextInt(random.nextBoolean() ? 128 : 0x10000));
        }
        return b.toString();
    }

    private String mutateBlock(String block) {
        List<String> lines = new ArrayList<>(List.of(block.split("\n")));
        for (int k = random.nextInt(4); k >= 0 && !lines.isEmpty(); k--) {
            int i = random.nextInt(lines.size());
            lines.set(i, hostileLine(List.of(lines.get(i).isEmpty() ? " " : lines.get(i))));
        }
        return String.join("\n", lines);
    }

    private static <T extends SpecificRecord> void check(RecordType<T> type, List<Decoded<T>> out) {
        for (Decoded<T> d : out) {
            if (d.isAccepted()) {
                assertThat(type.rejectionOf(d.record()))
                        .as("an accepted record passes its checks")
                        .isNull();
                InputBounds.DEFAULTS.check(d.record(), System.currentTimeMillis());
            } else {
                assertThat(d.rejection().detail()).isNotNull();
            }
        }
    }
}
