package io.vigil.tools.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.models.eval.Label;
import io.vigil.models.eval.Labels;
import io.vigil.models.features.NetworkScope;
import io.vigil.pipeline.files.DatasetSource;
import io.vigil.records.Category;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureWrapTest {
    static final String HEADER = """
            #separator \\x09
            #set_separator\t,
            #empty_field\t(empty)
            #unset_field\t-
            #path\tconn
            #fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\thistory
            #types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tstring
            """;

    /** A host that scans 20 ports of another, a web client busy over three minutes, an outside visitor. */
    static String conn() {
        StringBuilder b = new StringBuilder(HEADER);
        for (int p = 0; p < 20; p++) {
            b.append(String.format(
                    "1700000000.%06d\tCs%d\t10.0.0.5\t5000%d\t10.0.0.9\t%d\ttcp\t-\t0.000300\t0\t0\tREJ\tSr%n",
                    p * 1000, p, p % 10, 20 + p));
        }
        for (int i = 0; i < 9; i++) {
            b.append(String.format(
                    "%d.250000\tCw%d\t10.0.0.7\t4100%d\t93.184.216.34\t443\ttcp\tssl\t1.5\t900\t40000\tSF\tShADadFf%n",
                    1_700_000_000 + i * 20, i, i));
        }
        b.append("1700000100.000000\tCx\t203.0.113.9\t6000\t10.0.0.7\t22\ttcp\t-\t-\t-\t-\tS0\tS\n");
        b.append("1700000101.000000\tCb\t0.0.0.0\t68\t255.255.255.255\t67\tudp\tdhcp\t-\t300\t0\tS0\tD\n");
        return b.toString();
    }

    @Test
    void readsZeekTsvAndJsonAlike() {
        ConnLog.Read tsv = ConnLog.parse(conn().lines().toList(), ConnLog.TSV);
        assertThat(tsv.rows()).hasSize(31);
        assertThat(tsv.skipped()).isZero();
        ConnLog.Row first = tsv.rows().get(0);
        assertThat(first.start()).isEqualTo(1_700_000_000_000L);
        assertThat(first.end()).isEqualTo(1_700_000_000_000L);
        assertThat(first.connState()).isEqualTo("REJ");
        assertThat(tsv.rows().get(29).origBytes()).as("unset count").isZero();

        ConnLog.Read json = ConnLog.parse(
                List.of(
                        "{\"ts\":1700828217.314165,\"uid\":\"C1\",\"id.orig_h\":\"192.168.1.9\",\"id.orig_p\":50820,"
                                + "\"id.resp_h\":\"45.33.32.156\",\"id.resp_p\":443,\"proto\":\"tcp\",\"duration\":0.2069,"
                                + "\"orig_bytes\":0,\"resp_bytes\":0,\"conn_state\":\"REJ\",\"history\":\"Sr\"}",
                        "{\"ts\":\"2023-11-24T12:16:57.5Z\",\"id.orig_h\":\"192.168.1.9\",\"id.orig_p\":1,\"id.resp_h\":\"192.168.1.1\","
                                + "\"id.resp_p\":53,\"proto\":\"udp\",\"service\":[\"dns\"]}",
                        "not json"),
                ConnLog.JSON);
        assertThat(json.rows()).hasSize(2);
        assertThat(json.skipped()).isEqualTo(1);
        assertThat(json.rows().get(0).start()).isEqualTo(1_700_828_217_314L);
        assertThat(json.rows().get(0).durationMs()).isEqualTo(206);
        assertThat(json.rows().get(1).start()).isEqualTo(1_700_828_217_500L);
        assertThat(json.rows().get(1).service()).isEqualTo("dns");
    }

    @Test
    void ranksInternalHostsThatOriginatedByActiveMinutesThenConnections() {
        List<CaptureWrap.HostTraffic> ranked = CaptureWrap.rankHosts(
                ConnLog.parse(conn().lines().toList(), ConnLog.TSV).rows(), NetworkScope.defaults());

        // 10.0.0.7 spans four minutes; 10.0.0.5 one; 10.0.0.9 only answered; outsiders and 0.0.0.0 never count
        assertThat(ranked).extracting(CaptureWrap.HostTraffic::ip).containsExactly("10.0.0.7", "10.0.0.5");
        assertThat(ranked.get(0).activeMinutes()).isEqualTo(4);
        assertThat(ranked.get(0).answered()).isEqualTo(1);
    }

    @Test
    void foldsACaptureIntoADatasetTheSameWayEveryTime(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("conn.log");
        Files.writeString(log, conn());
        Path a = dir.resolve("one/ds");
        Path b = dir.resolve("two/ds");
        CaptureWrap.Result result = CaptureWrap.run(request(log, a, List.of()));
        CaptureWrap.run(request(log, b, List.of()));

        for (String f : List.of(
                "conn.log.gz", "gpu.jsonl.gz", "assignments.jsonl.gz", "labels.json", "source.json", "README.md")) {
            assertThat(Files.readAllBytes(a.resolve(f))).as(f).isEqualTo(Files.readAllBytes(b.resolve(f)));
        }
        assertThat(gunzip(a.resolve("conn.log.gz"))).as("the original conn.log").isEqualTo(conn());
        assertThat(result.hosts()).extracting(h -> h.jobId()).containsExactly("capture-10-0-0-7", "capture-10-0-0-5");

        List<Label> labels = Labels.ofDataset(a);
        assertThat(labels).singleElement().satisfies(l -> {
            assertThat(l.jobId()).isEqualTo("capture-10-0-0-5");
            assertThat(l.category()).isEqualTo(Category.NETWORK_SCAN);
        });
        assertThat(DatasetSource.of(a)).isEqualTo(new DatasetSource(DatasetSource.REAL, "zeek-tsv"));

        List<String> assignments =
                gunzip(a.resolve("assignments.jsonl.gz")).lines().toList();
        assertThat(assignments).hasSize(4);
        assertThat(assignments.get(0))
                .contains("\"event\":\"START\"")
                .contains("\"ip\":\"10.0.0.7\"")
                .contains("\"ts\":" + (1_700_000_000_000L - CaptureWrap.MARGIN_MS));
        assertThat(assignments.get(0)).as("the node whose GPUs report").contains("\"node\":\"gpu-node-01\"");
        JsonNode sample = new ObjectMapper()
                .readTree(gunzip(a.resolve("gpu.jsonl.gz")).lines().findFirst().orElseThrow());
        assertThat(sample.get("node").asText()).startsWith("gpu-node-0");
        assertThat(gunzip(a.resolve("gpu.jsonl.gz"))
                        .lines()
                        .map(l -> l.replaceAll(".*\"node\":\"([^\"]*)\".*", "$1"))
                        .distinct()
                        .sorted()
                        .toList())
                .containsExactly("gpu-node-01", "gpu-node-02");
        assertThat(sample.get("util").asDouble()).isGreaterThanOrEqualTo(96);
        assertThat(sample.get("processes").get(0).get("name").asText()).isEqualTo("python3");
        assertThat(Files.readString(a.resolve("README.md")))
                .contains("vigil wrap-capture")
                .contains("Zeek's former scan policy");
    }

    @Test
    void refusesAHostThatIsNotInTheCapture(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("conn.log");
        Files.writeString(log, conn());
        assertThatThrownBy(() -> CaptureWrap.run(request(log, dir.resolve("x"), List.of("10.0.0.9"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10.0.0.9");
    }

    static CaptureWrap.Request request(Path log, Path out, List<String> hosts) {
        return new CaptureWrap.Request(
                log, null, out, new ArrayList<>(hosts), 4, 7, 10, "test", "test", "vigil wrap-capture test");
    }

    static String gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
