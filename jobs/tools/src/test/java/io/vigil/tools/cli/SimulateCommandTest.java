package io.vigil.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.tools.cli.VigilCliTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {
    @TempDir
    Path dir;

    static Run vigil(String... args) {
        return VigilCliTest.vigil(args);
    }

    @Test
    void helpExplainsTheFlagsAndListsTheIncidentKinds() {
        Run run = vigil("simulate", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .contains(
                        "--out",
                        "--seed",
                        "--nodes",
                        "--hours",
                        "--start",
                        "--sample-interval-s",
                        "--export-interval-s",
                        "--incident",
                        "--benign-only",
                        "--force");
        for (String kind :
                new String[] {"rome", "stealth-miner", "tunnel-443", "slow-scan", "proxied-miner", "exfiltration"}) {
            assertThat(run.out()).contains(kind);
        }
        assertThat(vigil("--help").out())
                .contains("simulate")
                .doesNotContain(
                        "simulate   Write deterministic cluster telemetry with injected incidents as a dataset. (not built");
    }

    @Test
    void writesADatasetAndReportsProgressOnStderr() {
        Path out = dir.resolve("data");
        Run run = vigil(
                "simulate",
                "--out",
                out.toString(),
                "--nodes",
                "2",
                "--hours",
                "0.25",
                "--seed",
                "9",
                "--incident",
                "tunnel-443@3");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err())
                .contains("simulated 00:15 / 00:15")
                .contains("flows")
                .contains("wrote " + out);
        assertThat(run.err().lines().filter(l -> l.startsWith("simulated"))).hasSizeBetween(9, 12);
        assertThat(out.resolve("labels.json")).content().contains("\"incident\": \"tunnel-443\"", "REVERSE_TUNNEL");
        assertThat(out.resolve("flows.jsonl.gz")).isRegularFile();
    }

    @Test
    void refusesANonEmptyOutWithoutForce() throws Exception {
        Path out = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        Run run = vigil("simulate", "--out", out.toString(), "--nodes", "2", "--hours", "0.2", "--benign-only");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("not empty").contains("--force");
        assertThat(out.resolve("flows.jsonl.gz")).doesNotExist();

        Run forced = vigil(
                "simulate", "--out", out.toString(), "--nodes", "2", "--hours", "0.2", "--benign-only", "--force");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(out.resolve("flows.jsonl.gz")).isRegularFile();
        assertThat(out.resolve("notes.txt")).hasContent("mine");
    }

    @Test
    void refusesAnUnknownIncidentKindNamingTheKnownOnes() {
        Run run = vigil("simulate", "--out", dir.resolve("x").toString(), "--incident", "bitcoin");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .contains("bitcoin")
                .contains("rome, stealth-miner, tunnel-443, slow-scan, proxied-miner, exfiltration");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void refusesAnIncidentThatWouldStartTooLate() {
        Run run = vigil("simulate", "--out", dir.resolve("x").toString(), "--hours", "1", "--incident", "rome@58");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("rome@58").contains("minutes");
    }

    @Test
    void refusesBenignOnlyWithIncidentsAndBadValues() {
        assertThat(vigil("simulate", "--out", dir.resolve("x").toString(), "--benign-only", "--incident", "rome")
                        .exitCode())
                .isEqualTo(2);
        assertThat(vigil("simulate", "--out", dir.resolve("x").toString(), "--nodes", "1")
                        .err())
                .contains("--nodes");
        assertThat(vigil("simulate", "--out", dir.resolve("x").toString(), "--hours", "0")
                        .err())
                .contains("--hours");
        assertThat(vigil("simulate", "--out", dir.resolve("x").toString(), "--start", "yesterday")
                        .err())
                .contains("ISO-8601");
    }
}
