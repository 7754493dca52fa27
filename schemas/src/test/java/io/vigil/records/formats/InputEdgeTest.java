package io.vigil.records.formats;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.Decoded;
import io.vigil.records.Fixtures;
import io.vigil.records.Flow;
import io.vigil.records.InputBounds;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import io.vigil.records.json.JsonRecordCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The input edge: bounded lines, encodings, broken files, implausible times and counts, conn_long, format guesses. */
class InputEdgeTest {

    private static List<BoundedLines.Line> lines(InputStream in, int max) {
        List<BoundedLines.Line> out = new ArrayList<>();
        BoundedLines lines = new BoundedLines(in, max);
        for (BoundedLines.Line l = lines.next(); l != null; l = lines.next()) {
            out.add(l);
        }
        return out;
    }

    @Test
    void aLineLongerThanTheLimitIsRefusedWithoutBeingHeld() {
        long huge = 300L * 1024 * 1024; // 300 MiB of one line, never in memory at once
        InputStream in = new InputStream() {
            long given;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (given >= huge + 6) {
                    return -1;
                }
                int n = (int) Math.min(len, huge + 6 - given);
                for (int i = 0; i < n; i++) {
                    long at = given + i;
                    b[off + i] = at == huge
                            ? (byte) '\n'
                            : at > huge ? (byte) "next\n".charAt((int) (at - huge - 1)) : (byte) 'a';
                }
                given += n;
                return n;
            }
        };
        List<BoundedLines.Line> out = lines(in, 1 << 20);
        assertThat(out).hasSize(2);
        assertThat(out.get(0).problem()).isEqualTo(RejectReason.TOO_LARGE);
        assertThat(out.get(0).text().length()).isLessThan(1024);
        assertThat(out.get(1).text()).isEqualTo("next");
        assertThat(out.get(1).number()).isEqualTo(2);
    }

    @Test
    void aByteOrderMarkIsSkippedInvalidUtf8IsRefusedAndCrLfEndsALine() {
        byte[] bytes = concat(
                new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                "first\r\n".getBytes(StandardCharsets.UTF_8),
                new byte[] {'n', 'o', 'd', (byte) 0xC3, (byte) 0x28, '\n'},
                "caf\u00e9".getBytes(StandardCharsets.UTF_8));
        List<BoundedLines.Line> out = lines(new ByteArrayInputStream(bytes), 100);
        assertThat(out).extracting(BoundedLines.Line::text).first().isEqualTo("first");
        assertThat(out.get(1).problem()).isEqualTo(RejectReason.BAD_ENCODING);
        assertThat(out.get(2).text()).isEqualTo("caf\u00e9");
        assertThat(out.get(2).usable()).isTrue();
    }

    @Test
    void aTruncatedGzipKeepsTheLinesBeforeAndSaysWhereItBroke() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            for (int i = 0; i < 20_000; i++) {
                out.write(("line " + i + " with some text to compress poorly " + (i * 7919 % 10007) + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        byte[] whole = gz.toByteArray();
        byte[] cut = Arrays.copyOf(whole, whole.length / 2);
        BoundedLines lines = new BoundedLines(new GZIPInputStream(new ByteArrayInputStream(cut)), 1 << 20);
        long read = 0;
        while (lines.next() != null) {
            read++;
        }
        assertThat(read).isBetween(1_000L, 19_999L);
        assertThat(lines.failure()).contains("EOFException").contains("after " + lines.position() + " bytes");
    }

    @Test
    void timesBeforeTheFloorAfterTheClockOrFarFromTheirFileAreRefused() {
        InputBounds b = InputBounds.DEFAULTS;
        long now = Instant.parse("2026-02-14T03:00:00Z").toEpochMilli();
        assertThat(b.eventTime(0, now).reason()).isEqualTo(RejectReason.PAST_TIME);
        assertThat(b.eventTime(Instant.parse("1999-12-31T23:59:59Z").toEpochMilli(), -1)
                        .reason())
                .isEqualTo(RejectReason.PAST_TIME);
        assertThat(b.eventTime(now + 60_000, now)).isNull();
        assertThat(b.eventTime(now + 10 * 60_000, now).reason()).isEqualTo(RejectReason.FUTURE_TIME);
        assertThat(b.eventTime(Instant.parse("3000-01-01T00:00:00Z").toEpochMilli(), -1))
                .as("replay: no clock")
                .isNull();
        assertThat(b.outsideSpan(Instant.parse("3000-01-01T00:00:00Z").toEpochMilli(), now)
                        .reason())
                .isEqualTo(RejectReason.FUTURE_TIME);
        assertThat(b.outsideSpan(100_000_000_000_000_000L, now).reason()).isEqualTo(RejectReason.FUTURE_TIME);
        assertThat(b.outsideSpan(now - 30L * 86_400_000, now).reason()).isEqualTo(RejectReason.PAST_TIME);
        assertThat(b.outsideSpan(now + 3_600_000, now)).isNull();
        long[] times = {now, now + 1, Long.MAX_VALUE / 2, now + 2, now + 3};
        assertThat(InputBounds.median(times, times.length)).isEqualTo(now + 2);
    }

    @Test
    void countsNoLinkCanCarryAreOutOfRange() {
        Flow ok = Fixtures.flowBuilder().setOrigBytes(10_000_000_000L).build();
        assertThat(InputBounds.DEFAULTS.check(ok, -1)).isNull();
        Flow wrap = Fixtures.flowBuilder().setOrigBytes(Long.MAX_VALUE).build();
        assertThat(InputBounds.DEFAULTS.check(wrap, -1).reason()).isEqualTo(RejectReason.OUT_OF_RANGE);
        assertThat(InputBounds.DEFAULTS.check(wrap, -1).field()).isEqualTo("orig_bytes");
        Flow packets = Fixtures.flowBuilder().setRespPkts(Long.MAX_VALUE).build();
        assertThat(InputBounds.DEFAULTS.check(packets, -1).field()).isEqualTo("resp_pkts");
    }

    @Test
    void connLongRecordsAreCumulativeAndOpenConnLogRecordsCloseTheirConnection() {
        String header = "#separator \\x09\n#unset_field\t-\n#path\tconn_long\n"
                + "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_bytes\tresp_bytes\tconn_state\torig_pkts\tresp_pkts\n";
        String row = "1771038000.0\tCt1\t10.0.2.1\t40000\t203.0.113.9\t443\ttcp\t60.0\t5000\t700\tS1\t50\t9";
        LineFormat.Reader<Flow> reader =
                Formats.flows(Formats.ZEEK_TSV, FormatOptions.DEFAULTS).newReader("x/conn_long.log");
        List<Decoded<Flow>> out = new ArrayList<>();
        for (String line : (header + row).split("\n")) {
            out.addAll(reader.read(line));
        }
        assertThat(out).singleElement().satisfies(d -> {
            assertThat(d.cumulative()).isEqualTo(new Decoded.Cumulative("Ct1", true));
            assertThat(d.record().getTs()).isEqualTo(Instant.parse("2026-02-14T03:01:00Z"));
        });
        String json = "{\"ts\":1771038000.0,\"uid\":\"Ct1\",\"id.orig_h\":\"10.0.2.1\",\"id.orig_p\":40000,"
                + "\"id.resp_h\":\"203.0.113.9\",\"id.resp_p\":443,\"proto\":\"tcp\",\"duration\":120.0,\"orig_bytes\":9000}";
        assertThat(Formats.flows(Formats.ZEEK_JSON, FormatOptions.DEFAULTS)
                        .newReader("conn_long.json")
                        .read(json))
                .singleElement()
                .satisfies(d -> assertThat(d.cumulative().open()).isTrue());
        assertThat(Formats.flows(Formats.ZEEK_JSON, FormatOptions.DEFAULTS)
                        .newReader("conn.json")
                        .read(json))
                .singleElement()
                .satisfies(d -> assertThat(d.cumulative()).isEqualTo(new Decoded.Cumulative("Ct1", false)));
        assertThat(Formats.flows(Formats.ZEEK_JSON, FormatOptions.DEFAULTS)
                        .newReader("conn.json")
                        .read(json.replace("{", "{\"_path\":\"conn_long\",")))
                .singleElement()
                .satisfies(d -> assertThat(d.cumulative().open()).isTrue());
    }

    @Test
    void theLikelyFormatIsGuessedFromTheFirstLines() {
        assertThat(Formats.guess(List.of(FormatFixtures.text("conn.log").split("\n"))))
                .isEqualTo(Formats.ZEEK_TSV);
        assertThat(Formats.guess(List.of(FormatFixtures.text("zeek-conn.json").split("\n"))))
                .isEqualTo(Formats.ZEEK_JSON);
        assertThat(Formats.guess(List.of(FormatFixtures.text("goflow2.json").split("\n"))))
                .isEqualTo(Formats.GOFLOW2);
        assertThat(Formats.guess(
                        List.of(FormatFixtures.text("vpc-flow-logs.log").split("\n"))))
                .isEqualTo(Formats.VPC);
        assertThat(Formats.guess(List.of(FormatFixtures.text("dcgm.prom").split("\n"))))
                .isEqualTo(Formats.DCGM_PROMETHEUS);
        assertThat(Formats.guess(
                        List.of(FormatFixtures.text("nvidia-smi-gpu.csv").split("\n"))))
                .isEqualTo(Formats.NVIDIA_SMI_CSV);
        assertThat(Formats.guess(List.of(JsonRecordCodec.of(RecordType.FLOW).encode(Fixtures.flow()))))
                .isEqualTo(Formats.VIGIL);
        assertThat(Formats.guess(List.of("hello world"))).isNull();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
