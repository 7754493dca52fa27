package io.vigil.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.records.RecordType;
import io.vigil.records.formats.Formats;
import io.vigil.settings.VigilConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** Kafka messages in foreign formats: a line per message, a DCGM scrape per message timed by the message. */
class ReceivedDecoderFormatsTest {
    static final long MESSAGE_TS = Instant.parse("2026-02-14T03:00:30Z").toEpochMilli();

    static List<Received> decode(ReceivedDecoder<?> decoder, String message) {
        List<Received> out = new ArrayList<>();
        decoder.decodeMessage(message.getBytes(StandardCharsets.UTF_8), () -> "vigil.gpu/0@7", MESSAGE_TS, out::add);
        return out;
    }

    @Test
    void aDcgmScrapeMessageGivesOneSamplePerGpuAtTheMessageTime() {
        ReceivedDecoder<?> decoder =
                ReceivedDecoder.forFormat(RecordType.GPU, Formats.DCGM_PROMETHEUS, "node-9", "vigil.gpu", null);
        List<Received> out = decode(decoder, """
                # HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).
                # TYPE DCGM_FI_DEV_GPU_UTIL gauge
                DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",Hostname="dcgm-exporter-x",pod="trainer-0"} 97
                DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b",Hostname="dcgm-exporter-x",pod=""} 3
                DCGM_FI_DEV_GPU_UTIL{gpu="2",UUID="GPU-c",Hostname="dcgm-exporter-x",pod=""} 250
                """);
        assertThat(out).hasSize(3);
        assertThat(out.get(0).sample.getTs()).isEqualTo(Instant.ofEpochMilli(MESSAGE_TS));
        assertThat(out.get(0).sample.getNode()).isEqualTo("node-9");
        assertThat(out.get(0).sample.getPod()).isEqualTo("trainer-0");
        assertThat(out.get(1).sample.getGpu()).isEqualTo(1);
        assertThat(out.get(2).deadLetter.getReason()).isEqualTo("out_of_range");
        assertThat(out.get(2).deadLetter.getSource()).isEqualTo("vigil.gpu/0@7");
    }

    @Test
    void aGoflow2MessageIsOneFlowAndAnEmptyMessageIsADeadLetter() {
        ReceivedDecoder<?> decoder =
                ReceivedDecoder.forFormat(RecordType.FLOW, Formats.GOFLOW2, null, "vigil.flows", null);
        List<Received> out = decode(
                decoder,
                "{\"type\":\"IPFIX\",\"sampling_rate\":0,\"sampler_address\":\"10.0.0.254\","
                        + "\"time_flow_start_ns\":1771038000000000000,\"time_flow_end_ns\":1771038060000000000,\"bytes\":100,\"packets\":2,"
                        + "\"src_addr\":\"10.0.2.1\",\"dst_addr\":\"203.0.113.7\",\"proto\":\"TCP\",\"src_port\":1,\"dst_port\":22}");
        assertThat(out)
                .singleElement()
                .satisfies(r -> assertThat(r.flow.getOrigBytes()).isEqualTo(100));
        assertThat(decode(decoder, ""))
                .singleElement()
                .satisfies(r -> assertThat(r.deadLetter.getReason()).isEqualTo("malformed"));
    }

    @Test
    void theFormatSettingsAcceptOnlyKnownFormats() {
        VigilConfig config = VigilConfig.defaults()
                .with(Map.of(VigilConfig.FLOW_FORMAT, "zeek-tsv", VigilConfig.GPU_FORMAT, "nvidia-smi-csv"));
        assertThat(InputFormats.from(config)).isEqualTo(new InputFormats("zeek-tsv", "nvidia-smi-csv", null));
        assertThat(InputFormats.from(VigilConfig.defaults())).isEqualTo(InputFormats.CANONICAL);
        assertThatThrownBy(() -> VigilConfig.defaults().with(Map.of(VigilConfig.GPU_FORMAT, "zeek-tsv")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("gpu.format");
        assertThatThrownBy(() ->
                        ReceivedDecoder.forFormat(RecordType.FLOW, Formats.DCGM_PROMETHEUS, null, "vigil.flows", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown flow format 'dcgm-prometheus'");
    }
}
