package io.vigil.tools.cli;

import static io.vigil.tools.cli.VigilCliTest.vigil;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.pipeline.detect.DefaultModel;
import io.vigil.pipeline.detect.Scenario;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil replay} end to end as a user runs it: no surrounding cluster, so the replay starts its own
 * mini-cluster (ReplayCluster), and no --model, so it scores with the packaged default model. Progress on
 * stderr, the summary table on stdout, exit codes.
 */
class ReplayCommandIT {

    @Test
    void replaysADatasetPrintsTheTableAndRefusesToOverwriteWithoutForce(@TempDir Path dir) throws Exception {
        Path story = new Scenario().writeDataset(dir.resolve("story"), List.of("not json"));
        String out = dir.resolve("out").toString();

        VigilCliTest.Run run = vigil("replay", story.toString(), "--out", out, "--parallelism", "2");

        // scored with the packaged default model: what it flags is evaluate's business, not this test's
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err())
                .contains("replaying 1 dataset (parallelism 2, model "
                        + DefaultModel.load().modelVersion() + ")")
                .containsPattern(
                        "story \\(1/1\\): 12 windows \\(\\d+ flagged\\), \\d+ incidents? in \\d+ alerts, 1 dead letters");
        assertThat(run.out())
                .containsSubsequence("incident", "job", "detected", "categories", "time to detect")
                .containsSubsequence("probe", "job-prober")
                .containsPattern("incidents detected: [01] of 1")
                .contains("over 0.20 job-hours")
                .containsPattern("incidents raised: \\d+ \\(\\d+ transitions? in alerts.jsonl\\)")
                .contains("dead letters: 1 (malformed 1)")
                .contains(
                        "wrote alerts.jsonl, windows.jsonl, deadletter.jsonl, episode_flags.jsonl, summary.json and report.html to "
                                + out);

        VigilCliTest.Run again = vigil("replay", story.toString(), "--out", out, "--parallelism", "2");
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains("is not empty; pass --force");

        assertThat(vigil("replay", story.toString(), "--out", out, "--parallelism", "2", "--force")
                        .exitCode())
                .isZero();
    }
}
