package io.vigil.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.pipeline.files.DatasetSource;
import io.vigil.pipeline.ingest.InputFormats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayDatasetsTest {
    static Path dataset(Path dir, String name, String flows, String sourceJson, boolean simulated) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.writeString(d.resolve(flows), "");
        Files.writeString(d.resolve("gpu.jsonl"), "");
        Files.writeString(d.resolve("assignments.jsonl"), "");
        if (sourceJson != null) {
            Files.writeString(d.resolve(DatasetSource.FILE_NAME), sourceJson);
        }
        if (simulated) {
            Files.writeString(d.resolve("simulation.json"), "{}");
        }
        return d;
    }

    @Test
    void aDatasetThatNamesItsFlowFormatIsReadInItWhateverTheOthersAre(@TempDir Path dir) throws IOException {
        Path real = dataset(dir, "real", "conn.log", "{\"kind\": \"real\", \"flow_format\": \"zeek-tsv\"}", false);
        Path sim = dataset(dir, "sim", "flows.jsonl", null, true);
        Path other = dataset(dir, "other", "flows.jsonl", null, false);

        List<Replay.Dataset> datasets = Replay.datasets(List.of(real, sim, other), InputFormats.CANONICAL);

        assertThat(datasets).extracting(Replay.Dataset::kind).containsExactly("real", "simulated", "unknown");
        assertThat(datasets.get(0).formats().flows()).isEqualTo("zeek-tsv");
        assertThat(datasets.get(0).files().get(0).getFileName()).hasToString("conn.log");
        assertThat(datasets.get(1).formats()).isEqualTo(InputFormats.CANONICAL);
    }

    @Test
    void anUnknownFlowFormatInSourceJsonIsRefusedNamingTheFile(@TempDir Path dir) throws IOException {
        Path bad = dataset(dir, "bad", "flows.jsonl", "{\"kind\": \"real\", \"flow_format\": \"pcap\"}", false);

        assertThatThrownBy(() -> Replay.datasets(List.of(bad), InputFormats.CANONICAL))
                .isInstanceOf(Replay.BadInput.class)
                .hasMessageContaining("source.json")
                .hasMessageContaining("pcap");
    }
}
