package io.vigil.tools.cli;

import static io.vigil.tools.cli.VigilCliTest.vigil;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.pipeline.detect.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** windows, train and evaluate refuse bad input with exit code 2 and a message, before any pipeline runs. */
class TrainingVerbsTest {

    @Test
    void windowsRefusesABadFeedbackLineNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path story = new Scenario().writeDataset(dir.resolve("story"), List.of());
        Path feedback = dir.resolve("verdicts.jsonl");
        Files.writeString(feedback, """
                {"job_id": "job-prober", "window_start": "2026-02-14T03:02:00Z", "verdict": "true_positive"}
                {"job_id": "job-prober", "window_start": "2026-02-14T03:03:00Z", "verdict": "benign"}
                """);

        VigilCliTest.Run run = vigil(
                "windows",
                story.toString(),
                "--out",
                dir.resolve("w.jsonl").toString(),
                "--feedback",
                feedback.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .contains(
                        "vigil windows: " + feedback + ":2: verdict \"benign\" is not true_positive or false_positive");
        assertThat(dir.resolve("w.jsonl")).doesNotExist();
    }

    @Test
    void windowsRefusesAMissingDatasetAndTwoDatasetsOfOneName(@TempDir Path dir) throws Exception {
        VigilCliTest.Run missing = vigil(
                "windows",
                dir.resolve("nowhere").toString(),
                "--out",
                dir.resolve("w.jsonl").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("nowhere is not a directory");

        Path one = new Scenario().writeDataset(dir.resolve("a/story"), List.of());
        Path two = new Scenario().writeDataset(dir.resolve("b/story"), List.of());
        VigilCliTest.Run clash = vigil(
                "windows",
                one.toString(),
                two.toString(),
                "--out",
                dir.resolve("w.jsonl").toString());
        assertThat(clash.exitCode()).isEqualTo(2);
        assertThat(clash.err()).contains("have the same name 'story'");
    }

    @Test
    void trainRefusesMissingWindowsAndATargetOfNoFalseAlerts(@TempDir Path dir) {
        VigilCliTest.Run missing = vigil(
                "train",
                "--windows",
                dir.resolve("none.jsonl").toString(),
                "--out",
                dir.resolve("m").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("no windows file " + dir.resolve("none.jsonl"));

        VigilCliTest.Run negative = vigil(
                "train", "--windows", "w.jsonl", "--out", dir.resolve("m").toString(), "--target-false-alerts", "0");
        assertThat(negative.exitCode()).isEqualTo(2);
        assertThat(negative.err()).contains("--target-false-alerts must be a positive number, not 0.0");
    }

    @Test
    void evaluateRefusesAModelThatIsMissingOrNotAModel(@TempDir Path dir) throws Exception {
        Path story = new Scenario().writeDataset(dir.resolve("story"), List.of());

        VigilCliTest.Run missing =
                vigil("evaluate", "--model", dir.resolve("none.model").toString(), story.toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("no model file " + dir.resolve("none.model"));

        Path garbage = Files.writeString(dir.resolve("garbage.model"), "this is not a model\n");
        VigilCliTest.Run refused = vigil("evaluate", "--model", garbage.toString(), story.toString());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("model file " + garbage + " is refused (");
    }

    @Test
    void evaluateRefusesANegativeGate(@TempDir Path dir) {
        VigilCliTest.Run run = vigil("evaluate", "--model", "m", dir.toString(), "--max-median-ttd-windows", "-1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("the gate's limits must be at least 0");
    }

    @Test
    void replayAndDemoTakeAModelFile(@TempDir Path dir) throws Exception {
        Path story = new Scenario().writeDataset(dir.resolve("story"), List.of());
        for (String flag : new String[] {"--model", "--model-path"}) {
            VigilCliTest.Run run = vigil(
                    "replay",
                    story.toString(),
                    "--out",
                    dir.resolve("out").toString(),
                    flag,
                    dir.resolve("none.model").toString());
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains("no model file " + dir.resolve("none.model"));
        }
        VigilCliTest.Run demo = vigil(
                "demo",
                "--dataset",
                story.toString(),
                "--model",
                dir.resolve("none.model").toString());
        assertThat(demo.exitCode()).isEqualTo(2);
        assertThat(demo.err()).contains("no model file");
    }
}
