package io.vigil.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class VigilCliTest {

    record Run(int exitCode, String out, String err) {}

    static Run vigil(String... args) {
        CommandLine cmd = Vigil.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int rc = cmd.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryVerbOfTheDesign() {
        Run run = vigil("--help");
        assertThat(run.exitCode()).isZero();
        for (String verb :
                new String[] {"demo", "replay", "detect", "simulate", "windows", "train", "evaluate", "publish-model"
                }) {
            assertThat(run.out()).contains("  " + verb + " ");
        }
    }

    @Test
    void settingsBecomeFlagsWithTheirDocAndDefault() {
        Run run = vigil("topics", "--help");
        assertThat(run.out())
                .contains("--bootstrap-servers")
                .contains("--topic-flows")
                .contains("--topic-flows-partitions")
                .contains("Default: vigil.flows");
    }

    @Test
    void settingsListsEveryKeyWithItsDefault() {
        Run run = vigil("settings");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("topic.alerts = vigil.alerts").contains("bootstrap.servers = 127.0.0.1:9092");
    }

    @Test
    void benchRefusesFewerThanOneRoundBeforeItStartsAnything() {
        Run run = vigil("bench", "--dataset", "no-such-dataset", "--rounds", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--rounds must be at least 1, not 0");
    }

    @Test
    void benchRefusesTheFloorWithoutThePipelineItFollows() {
        Run run = vigil("bench", "--dataset", "no-such-dataset", "--phases", "floor");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--phases floor runs after each of the pipeline's measured runs: name both");
        Run aligned = vigil("bench", "--dataset", "no-such-dataset", "--phases", "pipeline,floor");
        assertThat(aligned.exitCode()).isEqualTo(2);
        assertThat(aligned.err()).contains("--phases floor compares with an unaligned pipeline");
    }

    @Test
    void benchRefusesABaselineAsLongAsTheMeasuredRun() {
        Run run = vigil("bench", "--dataset", "no-such-dataset", "--flows", "1000", "--baseline-flows", "1000");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--baseline-flows must be 0 (off) or fewer than --flows (1000), not 1000");
    }

    @Test
    void refusesAnInvalidSettingValue() {
        Run run = vigil("topics", "--topic-flows-partitions", "0");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("topic.flows.partitions");
    }

    @Test
    void refusesAnUnknownKeyInASettingsFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vigil.properties");
        Files.writeString(file, "topic.flowz=x\n");
        Run run = vigil("topics", "--config", file.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("unknown key 'topic.flowz'");
    }
}
