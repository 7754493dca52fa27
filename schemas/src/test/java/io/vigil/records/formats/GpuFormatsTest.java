package io.vigil.records.formats;

import static io.vigil.records.formats.FormatFixtures.accepted;
import static io.vigil.records.formats.FormatFixtures.at;
import static io.vigil.records.formats.FormatFixtures.read;
import static io.vigil.records.formats.FormatFixtures.reasons;
import static io.vigil.records.formats.FormatFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.Decoded;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The GPU formats' fixtures: one sample per GPU and scrape or poll; each kind of bad line as its reason. */
class GpuFormatsTest {
    static final String UUID0 = "GPU-5c1a0e6e-94c7-4f0f-8e3a-2f6b1d0c9a01";
    static final String UUID1 = "GPU-5c1a0e6e-94c7-4f0f-8e3a-2f6b1d0c9a02";

    static GpuSample.Builder sample(Instant ts, String node, int gpu, String uuid, double util) {
        return GpuSample.newBuilder()
                .setTs(ts)
                .setNode(node)
                .setGpu(gpu)
                .setGpuUuid(uuid)
                .setJobId(null)
                .setPod(null)
                .setUtil(util)
                .setSmActive(null)
                .setTensorActive(null)
                .setDramActive(null)
                .setFbUsedMib(null)
                .setPowerW(null)
                .setTempC(null)
                .setSmClockMhz(null)
                .setProcesses(List.of());
    }

    @Test
    void dcgmScrapesGiveOneSamplePerGpuWithTheProfilingRatios() {
        List<Decoded<GpuSample>> out = read(Formats.gpu(Formats.DCGM_PROMETHEUS, FormatOptions.DEFAULTS), "dcgm.prom");
        assertThat(accepted(out))
                .containsExactly(
                        sample(at(0), "node-2", 0, UUID0, 97)
                                .setPod("prober-0")
                                .setSmActive(0.981234)
                                .setTensorActive(0.000012)
                                .setDramActive(0.874)
                                .setFbUsedMib(61_440L)
                                .setPowerW(612.25)
                                .setTempC(66.0)
                                .setSmClockMhz(1980)
                                .build(),
                        sample(at(0), "node-2", 1, UUID1, 0)
                                .setSmActive(0.0)
                                .setTensorActive(0.0)
                                .setDramActive(0.0)
                                .setFbUsedMib(0L)
                                .setPowerW(71.5)
                                .setTempC(31.0)
                                .setSmClockMhz(345)
                                .build(),
                        sample(at(15), "node-2", 0, UUID0, 98)
                                .setPod("prober-0")
                                .build());
        assertThat(reasons(out))
                .containsExactly("malformed", "missing_field", "wrong_type", "out_of_range", "unsupported");
    }

    @Test
    void aWholeScrapeTakesTheTimeItWasTakenAndTheConfiguredNode() {
        DcgmPrometheusFormat dcgm =
                (DcgmPrometheusFormat) Formats.gpu(Formats.DCGM_PROMETHEUS, FormatOptions.node("gpu-node-7"));
        String scrape = text("dcgm.prom").split("# scrape 1771038015000")[0];
        List<Decoded<GpuSample>> out = dcgm.parseScrape(scrape, at(30).toEpochMilli());
        assertThat(accepted(out)).extracting(GpuSample::getTs).containsOnly(at(30));
        assertThat(accepted(out)).extracting(GpuSample::getNode).containsOnly("gpu-node-7");
        assertThat(accepted(out)).hasSize(2);
    }

    @Test
    void aScrapeWithoutATimeIsRefused() {
        DcgmPrometheusFormat dcgm = (DcgmPrometheusFormat) Formats.gpu(Formats.DCGM_PROMETHEUS, FormatOptions.DEFAULTS);
        assertThat(reasons(dcgm.parseScrape("DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"} 5", null)))
                .containsExactly("missing_time");
        assertThat(reasons(dcgm.parseScrape("DCGM_FI_DEV_GPU_UTIL{gpu=\"0\" 5\nDCGM_FI_DEV_GPU_UTIL{gpu=\"1\"} 5", 1L)))
                .as("a bad line in a whole scrape")
                .containsExactly("malformed");
        assertThat(accepted(dcgm.parseScrape("DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"} 5 1771038000000", null)))
                .extracting(GpuSample::getTs)
                .containsExactly(at(0));
    }

    @Test
    void nvidiaSmiCsvJoinsComputeAppsByUuidAndReadsUnitsAndNotAvailable() {
        List<Decoded<GpuSample>> out =
                read(Formats.gpu(Formats.NVIDIA_SMI_CSV, FormatOptions.node("node-2")), "nvidia-smi-gpu.csv");
        assertThat(accepted(out))
                .containsExactly(
                        sample(at(0), "node-2", 0, UUID0, 97)
                                .setFbUsedMib(61_440L)
                                .setPowerW(612.25)
                                .setTempC(66.0)
                                .setSmClockMhz(1980)
                                .setProcesses(List.of(
                                        new GpuProcess(4242L, "/usr/bin/python3", 60_000L),
                                        new GpuProcess(5151L, "./xmrig", 1_200L)))
                                .build(),
                        sample(at(0), "node-2", 1, UUID1, 0)
                                .setFbUsedMib(1L)
                                .setTempC(31.0)
                                .setSmClockMhz(345)
                                .build());
        assertThat(reasons(out)).containsExactly("malformed", "missing_field", "wrong_type");
    }

    @Test
    void aPollWithoutHeadersUsesTheCollectorsColumns() {
        NvidiaSmiCsvFormat smi = (NvidiaSmiCsvFormat) Formats.gpu(Formats.NVIDIA_SMI_CSV, FormatOptions.node("node-2"));
        List<Decoded<GpuSample>> out = smi.parsePoll(
                "0, " + UUID0 + ", 97, 61440, 612.25, 66, 1980\n1, " + UUID1 + ", 0, 1, [N/A], 31, 345\n",
                UUID1 + ", 777, python, 512\n",
                at(45).toEpochMilli());
        assertThat(accepted(out))
                .containsExactly(
                        sample(at(45), "node-2", 0, UUID0, 97)
                                .setFbUsedMib(61_440L)
                                .setPowerW(612.25)
                                .setTempC(66.0)
                                .setSmClockMhz(1980)
                                .build(),
                        sample(at(45), "node-2", 1, UUID1, 0)
                                .setFbUsedMib(1L)
                                .setTempC(31.0)
                                .setSmClockMhz(345)
                                .setProcesses(List.of(new GpuProcess(777L, "python", 512L)))
                                .build());
    }
}
