package io.vigil.tools.cli;

import static io.vigil.tools.cli.VigilCliTest.vigil;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.model.ModelArtifact;
import io.vigil.models.model.ModelTrust;
import io.vigil.models.training.LabelledWindow;
import io.vigil.models.training.LabelledWindows;
import io.vigil.pipeline.detect.Scenario;
import io.vigil.records.Category;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil windows}, {@code train} and {@code evaluate} end to end as a user runs them, on the small
 * scenario (two jobs, six minutes, a two-minute network scan): the export's labels and feedback, then a model
 * trained from the export and evaluated on the datasets, with the gate's exit codes.
 */
class TrainingVerbsIT {
    static final long SCAN_START = Instant.parse("2026-02-14T03:02:00Z").toEpochMilli();

    @Test
    void exportsLabelledWindowsAndAppliesFeedback(@TempDir Path dir) throws Exception {
        Path story = new Scenario().writeDataset(dir.resolve("story"), List.of());
        Path unlabelled = new Scenario("job-quiet").writeDataset(dir.resolve("unlabelled"), List.of());
        Files.delete(unlabelled.resolve("labels.json"));
        Path feedback = dir.resolve("verdicts.jsonl");
        Files.writeString(
                feedback,
                String.join(
                                "\n",
                                // the scan's first window was an approved audit; the trainer's first minute leaked data
                                "{\"job_id\": \"job-prober\", \"window_start\": \"2026-02-14T03:02:00Z\", \"verdict\": \"false_positive\", \"dataset\": \"story\"}",
                                "{\"alert_id\": \"a-1\", \"job_id\": \"job-trainer\", \"window_start\": "
                                        + Instant.parse("2026-02-14T03:00:00Z").toEpochMilli()
                                        + ", \"verdict\": \"true_positive\", \"category\": \"EXFILTRATION\", \"dataset\": \"story\"}",
                                "{\"job_id\": \"job-nobody\", \"window_start\": 0, \"verdict\": \"false_positive\"}")
                        + "\n");
        Path out = dir.resolve("windows.jsonl.gz");

        VigilCliTest.Run run = vigil(
                "windows",
                story.toString(),
                unlabelled.toString(),
                "--out",
                out.toString(),
                "--feedback",
                feedback.toString(),
                "--parallelism",
                "2");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err())
                .contains("  story: 12 windows, 2 labelled malicious (1 labels)")
                .contains(
                        "  unlabelled: 12 windows, 0 labelled malicious (no labels.json: every window benign unless feedback says otherwise)");
        assertThat(run.out())
                .contains("windows: 24 (benign 22, NETWORK_SCAN 1, EXFILTRATION 1)")
                .contains("labelled from labels.json: 2 windows")
                .contains("feedback: 3 verdicts from 1 file, 2 applied; 1 windows made benign, 1 labelled malicious")
                .contains("feedback matching no window: 1")
                .contains(feedback + ":3: job-nobody at 1970-01-01T00:00:00Z")
                .contains("wrote 24 windows (feature set " + FeatureSet.CURRENT.id() + ") to " + out);

        List<LabelledWindow> windows = LabelledWindows.read(out, FeatureSet.CURRENT);
        assertThat(windows).hasSize(24);
        assertThat(windows).extracting(LabelledWindow::dataset).containsSubsequence("story", "unlabelled");
        assertThat(windows)
                .filteredOn(w -> w.label() != null)
                .extracting(w -> w.dataset() + " " + w.jobId() + " " + Instant.ofEpochMilli(w.windowStart()) + " "
                        + w.label() + " " + w.incident())
                .containsExactly(
                        "story job-prober 2026-02-14T03:03:00Z NETWORK_SCAN probe",
                        "story job-trainer 2026-02-14T03:00:00Z EXFILTRATION a-1");
        LabelledWindow scanning = windows.stream()
                .filter(w -> w.label() == Category.NETWORK_SCAN)
                .findFirst()
                .orElseThrow();
        assertThat(scanning.features()[FeatureSet.CURRENT.index(FeatureSet.FAILED_HOSTS)])
                .as("the pipeline's own features")
                .isPositive();

        Path again = dir.resolve("again.jsonl.gz");
        assertThat(vigil(
                                "windows",
                                story.toString(),
                                unlabelled.toString(),
                                "--out",
                                again.toString(),
                                "--feedback",
                                feedback.toString(),
                                "--parallelism",
                                "1")
                        .exitCode())
                .isZero();
        assertThat(Files.readAllBytes(again)).as("same input, same file").isEqualTo(Files.readAllBytes(out));
    }

    @Test
    void trainsAModelFromTheExportAndEvaluatesItAgainstTheGate(@TempDir Path dir) throws Exception {
        Path one = new Scenario().writeDataset(dir.resolve("story"), List.of());
        Path two = new Scenario("job-agent").writeDataset(dir.resolve("story-2"), List.of());
        Path windows = dir.resolve("windows.jsonl");
        assertThat(vigil("windows", one.toString(), two.toString(), "--out", windows.toString())
                        .exitCode())
                .isZero();

        Path model = dir.resolve("m.model");
        VigilCliTest.Run train =
                vigil("train", "--windows", windows.toString(), "--out", model.toString(), "--seed", "7");
        assertThat(train.exitCode()).as(train.err()).isZero();
        byte[] artifact = Files.readAllBytes(model);
        assertThat(train.out())
                .contains("model: ")
                .contains("threshold: ")
                .contains("artifact: " + artifact.length + " bytes, sha256 " + TrainCommand.sha256(artifact));
        assertThat(ModelArtifact.load(model, FeatureSet.CURRENT, ModelTrust.of(List.of(), true))
                        .modelVersion())
                .isNotBlank();

        Path retrained = dir.resolve("m2.model");
        assertThat(vigil("train", "--windows", windows.toString(), "--out", retrained.toString(), "--seed", "7")
                        .exitCode())
                .isZero();
        assertThat(Files.readAllBytes(retrained))
                .as("same windows and seed, same file")
                .isEqualTo(artifact);

        // a lenient gate passes whatever the model does on so little data; no detection is faster than one window
        Path json = dir.resolve("evaluation.json");
        VigilCliTest.Run lenient = vigil(
                "evaluate",
                "--allow-unsigned-models", // trained here without a signing key: the user says so
                "--model",
                model.toString(),
                one.toString(),
                two.toString(),
                "--json",
                json.toString(),
                "--max-false-alerts-per-100h",
                "100000",
                "--max-median-ttd-windows",
                "100",
                "--max-missed-incidents",
                "2");
        assertThat(lenient.exitCode()).as(lenient.out() + lenient.err()).isZero();
        assertThat(lenient.err()).contains("replaying 2 datasets").contains("story (1/2)");
        assertThat(lenient.out())
                .containsSubsequence(
                        "dataset",
                        "incidents",
                        "category right",
                        "ttd median",
                        "ttd max",
                        "false alerts/100 job-h",
                        "PR-AUC")
                .contains("story ")
                .contains("story-2 ")
                .contains("all ")
                .contains("gate: passed");
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.at("/overall/incidents_total").asInt()).isEqualTo(2);
        assertThat(report.at("/gate/passed").asBoolean()).isTrue();

        VigilCliTest.Run strict = vigil(
                "evaluate",
                "--allow-unsigned-models",
                "--model",
                model.toString(),
                one.toString(),
                "--max-median-ttd-windows",
                "0");
        assertThat(strict.exitCode()).isEqualTo(1);
        assertThat(strict.out())
                .contains("FAIL  median time to detect <= 0 windows")
                .contains("gate: FAILED (");
    }
}
