package io.vigil.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verbs that take a model file refuse a bad one up front, with the reason, before touching Kafka or Flink. */
class ModelFileCommandsTest {

    @Test
    void publishModelRefusesABadArtifactWithTheReasonAndPublishesNothing(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.model"), "not a model\n");
        // an address nothing listens on: a refused artifact never gets as far as the broker
        VigilCliTest.Run run =
                VigilCliTest.vigil("publish-model", bad.toString(), "--bootstrap-servers", "127.0.0.1:1");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains(bad.toString()).contains("bad_format").contains("nothing published");
    }

    @Test
    void publishModelNeedsAnExistingFile(@TempDir Path dir) {
        VigilCliTest.Run run =
                VigilCliTest.vigil("publish-model", dir.resolve("missing.model").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("no such file");
    }

    @Test
    void detectRefusesABadInitialModelWithTheReason(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.model"), "VIGIL-MODEL 1\n{}\n");
        VigilCliTest.Run run =
                VigilCliTest.vigil("detect", "--model", bad.toString(), "--bootstrap-servers", "127.0.0.1:1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("vigil detect: model file " + bad).contains("is refused (");
    }

    @Test
    void detectTakesTheModelFromItsSettingToo(@TempDir Path dir) {
        Path missing = dir.resolve("missing.model");
        VigilCliTest.Run run = VigilCliTest.vigil("detect", "--model-path", missing.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("no model file " + missing + " (it does not exist");
    }
}
