package io.vigil.tools.cli;

import static io.vigil.tools.cli.VigilCliTest.vigil;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code vigil replay} refuses bad usage and bad datasets: exit 2 and a message naming the file, before any job runs. */
class ReplayCommandTest {

    static Path dataset(Path dir, String... files) throws Exception {
        Files.createDirectories(dir);
        for (String f : files) {
            Files.writeString(dir.resolve(f), "");
        }
        return dir;
    }

    @Test
    void aDatasetWithoutItsGpuFileIsRefusedNamingIt(@TempDir Path dir) throws Exception {
        Path ds = dataset(dir.resolve("incident"), "flows.jsonl.gz", "assignments.jsonl");
        VigilCliTest.Run run =
                vigil("replay", ds.toString(), "--out", dir.resolve("out").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("vigil replay: dataset " + ds + " has no gpu.jsonl.gz, gpu.jsonl or gpu.avro");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aDatasetThatIsNotADirectoryIsRefused(@TempDir Path dir) {
        VigilCliTest.Run run = vigil(
                "replay",
                dir.resolve("nowhere").toString(),
                "--out",
                dir.resolve("out").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("dataset " + dir.resolve("nowhere") + " is not a directory");
    }

    @Test
    void twoFilesForOneInputAreRefused(@TempDir Path dir) throws Exception {
        Path ds = dataset(dir.resolve("ds"), "flows.jsonl", "flows.avro", "gpu.jsonl", "assignments.jsonl");
        VigilCliTest.Run run =
                vigil("replay", ds.toString(), "--out", dir.resolve("out").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("has 2 files for flows ([flows.jsonl, flows.avro])");
    }

    @Test
    void badLabelsAreRefusedNamingFileAndEntry(@TempDir Path dir) throws Exception {
        Path ds = dataset(dir.resolve("ds"), "flows.jsonl", "gpu.jsonl", "assignments.jsonl");
        Files.writeString(
                ds.resolve("labels.json"),
                "[{\"incident\": \"rome\", \"job_id\": \"j\", \"category\": \"MINING\","
                        + " \"start_ts\": 1, \"end_ts\": 2}]");
        VigilCliTest.Run run =
                vigil("replay", ds.toString(), "--out", dir.resolve("out").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .contains(
                        ds.resolve("labels.json") + ": entry 0 (incident \"rome\"): category \"MINING\" is not one of");
    }

    @Test
    void aNonEmptyOutIsRefusedWithoutForce(@TempDir Path dir) throws Exception {
        Path ds = dataset(dir.resolve("ds"), "flows.jsonl", "gpu.jsonl", "assignments.jsonl");
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        VigilCliTest.Run run = vigil("replay", ds.toString(), "--out", out.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--out " + out + " is not empty; pass --force");
        assertThat(out.resolve("notes.txt")).hasContent("mine");
    }

    @Test
    void theSameDatasetTwiceIsRefused(@TempDir Path dir) throws Exception {
        Path ds = dataset(dir.resolve("ds"), "flows.jsonl", "gpu.jsonl", "assignments.jsonl");
        VigilCliTest.Run run = vigil(
                "replay", ds.toString(), ds + "/.", "--out", dir.resolve("out").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("is given twice");
    }

    @Test
    void outAndADatasetAreRequired(@TempDir Path dir) throws Exception {
        Path ds = dataset(dir.resolve("ds"), "flows.jsonl", "gpu.jsonl", "assignments.jsonl");
        assertThat(vigil("replay", ds.toString()).err()).contains("Missing required option: '--out=DIR'");
        assertThat(vigil("replay", ds.toString()).exitCode()).isEqualTo(2);
        assertThat(vigil("replay", "--out", dir.resolve("out").toString()).exitCode())
                .isEqualTo(2);
    }

    @Test
    void aMissingModelFileIsRefused(@TempDir Path dir) throws Exception {
        Path ds = dataset(dir.resolve("ds"), "flows.jsonl", "gpu.jsonl", "assignments.jsonl");
        VigilCliTest.Run run =
                vigil("replay", ds.toString(), "--out", dir.resolve("out").toString(), "--model-path", "m.model");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("vigil replay: no model file m.model");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void allowUnsignedModelsIsASwitchThatLeavesTheDatasetAlone(@TempDir Path dir) throws Exception {
        Path ds = dataset(dir.resolve("ds"), "flows.jsonl", "gpu.jsonl", "assignments.jsonl");
        VigilCliTest.Run run = vigil(
                "replay",
                "--allow-unsigned-models",
                ds.toString(),
                "--out",
                dir.resolve("out").toString(),
                "--model-path",
                "m.model");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("vigil replay: no model file m.model");
    }

    @Test
    void aSuppressionRuleThatMatchesEverythingIsRefusedNamingTheLine(@TempDir Path dir) throws Exception {
        Path ds = dataset(dir.resolve("ds"), "flows.jsonl", "gpu.jsonl", "assignments.jsonl");
        Path rules = dir.resolve("rules.jsonl");
        Files.writeString(
                rules,
                "{\"id\": \"ok\", \"job\": \"train-*\", \"reason\": \"r\", \"author\": \"a\", \"created\": 0}\n"
                        + "{\"id\": \"all\", \"cidr\": \"0.0.0.0/0\", \"reason\": \"r\", \"author\": \"a\","
                        + " \"created\": 0}\n");
        VigilCliTest.Run run = vigil(
                "replay", ds.toString(), "--out", dir.resolve("out").toString(), "--suppressions", rules.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("vigil replay: " + rules + " line 2: rule all: it matches every flagged window");
        assertThat(dir.resolve("out")).doesNotExist();

        VigilCliTest.Run evaluate = vigil(
                "evaluate",
                ds.toString(),
                "--model",
                "m.model",
                "--suppressions",
                dir.resolve("none").toString());
        assertThat(evaluate.exitCode()).isEqualTo(2);
        assertThat(evaluate.err()).contains("vigil evaluate: cannot read suppression rules");
    }

    @Test
    void helpNamesTheFlagsAndTheFiles() {
        VigilCliTest.Run run = vigil("replay", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains("--out=DIR")
                .contains("--force")
                .contains("--parallelism")
                .contains("--window-size-ms")
                .contains("--network-internal-cidrs")
                .contains("summary.json")
                .contains("report.html");
    }
}
