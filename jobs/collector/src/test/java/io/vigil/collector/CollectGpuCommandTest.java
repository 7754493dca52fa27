package io.vigil.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vigil collect-gpu --once} against fake nvidia-smi scripts: the samples as JSON lines, or why not. */
class CollectGpuCommandTest {

    record Run(int exitCode, String out, String err) {}

    /** The verb as the node agent's jar runs it (vigil collect-gpu registers the same command). */
    static Run collectGpu(String... args) {
        CommandLine cmd = CollectGpuCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int rc = cmd.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    @Test
    void onceprintsOneSamplePerGpuWithNodePodAndProcesses(@TempDir Path dir) throws Exception {
        Path pods = dir.resolve("pods.txt");
        Files.writeString(pods, "# gpu pod job\n0 prober-0 job-prober\n");
        Run run = collectGpu(
                "--once",
                "--nvidia-smi",
                FakeNvidiaSmi.working(dir).toString(),
                "--node",
                "node-2",
                "--pods",
                pods.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<GpuSample> samples = Arrays.stream(run.out().split("\n"))
                .filter(l -> !l.isBlank())
                .map(l -> JsonRecordCodec.of(RecordType.GPU).decode(l).record())
                .toList();
        assertThat(samples).hasSize(2);
        GpuSample first = samples.get(0);
        assertThat(first.getNode()).isEqualTo("node-2");
        assertThat(first.getGpu()).isZero();
        assertThat(first.getPod()).isEqualTo("prober-0");
        assertThat(first.getJobId()).isEqualTo("job-prober");
        assertThat(first.getUtil()).isEqualTo(97.0);
        assertThat(first.getPowerW()).isEqualTo(612.25);
        assertThat(first.getProcesses()).extracting(p -> p.getName()).containsExactly("/usr/bin/python3", "./xmrig");
        assertThat(samples.get(1).getPowerW()).as("[N/A]").isNull();
        assertThat(samples.get(1).getPod()).isNull();
        assertThat(first.getTs()).isEqualTo(samples.get(1).getTs());
    }

    @Test
    void aFailingNvidiaSmiIsReportedWithItsMessage(@TempDir Path dir) throws Exception {
        Run run =
                collectGpu("--once", "--nvidia-smi", FakeNvidiaSmi.failing(dir).toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("exited with 9").contains("couldn't communicate with the NVIDIA driver");
    }

    @Test
    void aMissingNvidiaSmiIsReported(@TempDir Path dir) {
        Run run = collectGpu(
                "--once", "--nvidia-smi", dir.resolve("no-such-nvidia-smi").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("cannot run");
    }

    @Test
    void onceScrapesADcgmExporterUrl() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = ("# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).\n# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n"
                        + "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-a\",Hostname=\"dcgm-exporter-x\",pod=\"trainer-0\"} 88\n"
                        + "DCGM_FI_DEV_FB_USED{gpu=\"0\",UUID=\"GPU-a\",Hostname=\"dcgm-exporter-x\",pod=\"trainer-0\"} 4096\n")
                .getBytes(StandardCharsets.UTF_8);
        server.createContext("/metrics", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Run run = collectGpu(
                    "--once",
                    "--node",
                    "gpu-node-3",
                    "--dcgm-url",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
            assertThat(run.exitCode()).as(run.err()).isZero();
            GpuSample s =
                    JsonRecordCodec.of(RecordType.GPU).decode(run.out().trim()).record();
            assertThat(s.getNode()).isEqualTo("gpu-node-3");
            assertThat(s.getPod()).isEqualTo("trainer-0");
            assertThat(s.getUtil()).isEqualTo(88.0);
            assertThat(s.getFbUsedMib()).isEqualTo(4096L);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void collectGpuIsAVerbWithItsFlags() {
        Run run = collectGpu("--help");
        assertThat(run.out())
                .contains("--nvidia-smi")
                .contains("--dcgm-url")
                .contains("--buffer")
                .contains("--once")
                .contains("--topic-gpu")
                .contains("--bootstrap-servers");
    }

    @Test
    void aPasswordInTheDcgmUrlIsSentAsBasicAuthenticationAndShownNowhere() throws Exception {
        String planted = "Pl4nted-s3cret";
        List<String> authorizations = new CopyOnWriteArrayList<>();
        HttpServer exporter = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        exporter.createContext("/metrics", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        exporter.start();
        try {
            String url = "http://admin:" + planted + "@127.0.0.1:"
                    + exporter.getAddress().getPort() + "/metrics";
            Run run = collectGpu("--once", "--dcgm-url", url);
            assertThat(run.exitCode()).isNotZero();
            assertThat(run.out() + run.err()).doesNotContain(planted).contains("503");
            assertThat(authorizations)
                    .containsExactly("Basic "
                            + Base64.getEncoder()
                                    .encodeToString(("admin:" + planted).getBytes(StandardCharsets.UTF_8)));

            Run bad = collectGpu("--once", "--dcgm-url", "http://admin:" + planted + " x@127.0.0.1:9400/metrics");
            assertThat(bad.exitCode()).isEqualTo(2);
            assertThat(bad.out() + bad.err()).doesNotContain(planted).contains("[hidden]");
        } finally {
            exporter.stop(0);
        }
    }
}
