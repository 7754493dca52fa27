package io.vigil.tools.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.models.eval.Backtest;
import io.vigil.models.eval.Label;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Fixtures;
import io.vigil.records.JobWindow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationTest {
    static final long T0 = Fixtures.BEGINNING.toEpochMilli();
    static final long MINUTE = 60_000;

    static Instant minute(int m) {
        return Instant.ofEpochMilli(T0 + m * MINUTE);
    }

    /** Sixty minutes of {@code jobs} jobs: one job-hour each. */
    static List<JobWindow> hour(String... jobs) {
        List<JobWindow> windows = new ArrayList<>();
        for (String job : jobs) {
            for (int m = 0; m < 60; m++) {
                windows.add(Fixtures.jobWindowBuilder()
                        .setJobId(job)
                        .setWindowStart(minute(m))
                        .setWindowEnd(minute(m + 1))
                        .setScore(0.1)
                        .setThreshold(0.5)
                        .setFlagged(false)
                        .build());
            }
        }
        return windows;
    }

    /** A flagged window of the job, an incident of its own. */
    static Alert alert(String job, int m, Category category) {
        return Fixtures.alertBuilder()
                .setJobId(job)
                .setAlertId(job + "@" + m)
                .setIncidentId("incident " + job + "@" + m)
                .setIncidentState(null)
                .setWindowStart(minute(m))
                .setWindowEnd(minute(m + 1))
                .setCategories(List.of(category))
                .build();
    }

    static Label label(String incident, String job, Category c, int from, int to) {
        return new Label(
                incident, job, c, minute(from).toEpochMilli(), minute(to).toEpochMilli());
    }

    /** A hundred job-hours with a miner caught in its 2nd window and a scanner caught in its 1st. */
    static Backtest.Result good() {
        List<JobWindow> windows = new ArrayList<>();
        for (int i = 0; i < 98; i++) {
            windows.addAll(hour("job-" + i));
        }
        windows.addAll(hour("miner", "scanner"));
        return Backtest.run(
                List.of(
                        label("mining", "miner", Category.CRYPTO_MINING, 10, 20),
                        label("scan", "scanner", Category.NETWORK_SCAN, 30, 35)),
                windows,
                List.of(alert("miner", 11, Category.CRYPTO_MINING), alert("scanner", 30, Category.NETWORK_SCAN)));
    }

    @Test
    void passesWhenEveryConditionHolds() {
        Evaluation.Report report = Evaluation.of(
                "m-1", List.of("good"), List.of("simulated"), List.of(good()), Evaluation.Gate.defaults());

        assertThat(report.passed()).isTrue();
        Evaluation.Row all = report.pooled();
        assertThat(all.incidents()).isEqualTo(2);
        assertThat(all.detected()).isEqualTo(2);
        assertThat(all.categoryRight()).isEqualTo(2);
        assertThat(all.medianTtdWindows()).isEqualTo(1.5);
        assertThat(all.maxTtdWindows()).isEqualTo(2);
        assertThat(all.medianTtdMinutes()).isCloseTo(1.5, within(1e-9));
        assertThat(all.jobHours()).isCloseTo(100, within(1e-9));
        assertThat(all.falseAlertsPer100JobHours()).isZero();
        assertThat(Evaluation.table(report))
                .contains("model m-1")
                .contains("2/2 detected")
                .contains("1.5 w (1.5 min)")
                .contains("2 w (2.0 min)")
                .contains("0.00 (0 in 100.0 h)")
                .endsWith("gate: passed\n");
    }

    @Test
    void failsSayingWhichConditionFailed() {
        List<JobWindow> windows = new ArrayList<>(hour("trainer", "miner"));
        Backtest.Result slowAndNoisy = Backtest.run(
                List.of(
                        label("mining", "miner", Category.CRYPTO_MINING, 10, 30),
                        label("tunnel", "miner", Category.REVERSE_TUNNEL, 40, 50)),
                windows,
                // mining found after 5 windows and called a scan; tunnel missed; two false alerts on the trainer
                List.of(
                        alert("miner", 14, Category.NETWORK_SCAN),
                        alert("trainer", 3, Category.CRYPTO_MINING),
                        alert("trainer", 50, Category.CRYPTO_MINING)));

        Evaluation.Report report = Evaluation.of(
                "m-2",
                List.of("good", "bad"),
                List.of("simulated", "simulated"),
                List.of(good(), slowAndNoisy),
                Evaluation.Gate.defaults());

        assertThat(report.passed()).isFalse();
        assertThat(report.datasets()).extracting(Evaluation.Row::name).containsExactly("good", "bad");
        assertThat(report.pooled().missed()).containsExactly("mining", "tunnel");
        assertThat(report.failed())
                .extracting(Evaluation.Check::condition)
                .containsExactly("incidents missed or named wrong <= 0", "false alerts per 100 job-hours <= 1");
        assertThat(report.checks().get(2).passed())
                .as("median of 1, 2 and 5 windows is 2")
                .isTrue();
        assertThat(report.checks().get(2).measured()).startsWith("2 windows");
        assertThat(Evaluation.table(report))
                .contains("FAIL  incidents missed or named wrong <= 0: 2 of 4 (mining, tunnel)")
                .contains("FAIL  false alerts per 100 job-hours <= 1: 1.96 (2 over 102.0 job-hours)")
                .contains("pass  median time to detect <= 2 windows")
                .contains("gate: FAILED (incidents missed or named wrong <= 0; false alerts per 100 job-hours <= 1)");
        // the trainer's two false alerts are two incidents too, beside the gate: 2 over 102 job-hours
        assertThat(report.pooled().falseIncidents()).isEqualTo(2);
        assertThat(Evaluation.table(report)).contains("1.96 (2)");

        Evaluation.Report lenient = Evaluation.of(
                "m-2",
                List.of("good", "bad"),
                List.of("simulated", "simulated"),
                List.of(good(), slowAndNoisy),
                new Evaluation.Gate(2, 1, 2));
        assertThat(lenient.failed())
                .extracting(Evaluation.Check::condition)
                .containsExactly("median time to detect <= 1 windows");
    }

    @Test
    void noIncidentsLeavesOnlyFalseAlertsToJudge() {
        Backtest.Result benign = Backtest.run(List.of(), hour("a", "b"), List.of(alert("a", 5, Category.UNKNOWN)));

        Evaluation.Report report = Evaluation.of(
                "m", List.of("baseline"), List.of("simulated"), List.of(benign), Evaluation.Gate.defaults());

        assertThat(report.checks()).extracting(Evaluation.Check::passed).containsExactly(true, false, true);
        assertThat(report.checks().get(0).measured()).isEqualTo("no labelled incident");
        assertThat(report.pooled().medianTtdWindows()).isNull();
        assertThat(Evaluation.table(report)).contains("0/0 detected").contains("50.00 (1 in 2.0 h)");
    }

    @Test
    void writesTheFiguresAndTheVerdictAsJson() throws Exception {
        Evaluation.Report report = Evaluation.of(
                "m-1", List.of("good"), List.of("simulated"), List.of(good()), Evaluation.Gate.defaults());

        JsonNode json = new ObjectMapper().readTree(Evaluation.json(report));

        assertThat(json.get("model_version").asText()).isEqualTo("m-1");
        assertThat(json.at("/gate/passed").asBoolean()).isTrue();
        assertThat(json.at("/gate/checks")).hasSize(3);
        assertThat(json.at("/datasets/0/name").asText()).isEqualTo("good");
        assertThat(json.at("/overall/median_ttd_windows").asDouble()).isEqualTo(1.5);
        assertThat(json.at("/overall/incidents_missed_or_wrong")).isEmpty();
        assertThat(Evaluation.json(report))
                .isEqualTo(Evaluation.json(Evaluation.of(
                        "m-1", List.of("good"), List.of("simulated"), List.of(good()), Evaluation.Gate.defaults())));
    }

    @Test
    void realAndSimulatedDatasetsArePooledAndGatedApart() throws Exception {
        // a real capture of two job-hours with one false alert: pooled with the hundred simulated hours it would
        // read 0.98 per 100 job-hours and pass
        Backtest.Result capture = Backtest.run(
                List.of(),
                hour("capture-10-0-0-5", "capture-10-0-0-6"),
                List.of(alert("capture-10-0-0-5", 7, Category.NETWORK_SCAN)));

        Evaluation.Report report = Evaluation.of(
                "m",
                List.of("sim", "wrccdc"),
                List.of("simulated", "real"),
                List.of(good(), capture),
                Evaluation.Gate.defaults());

        assertThat(report.byKind()).extracting(Evaluation.Row::name).containsExactly("real", "simulated");
        assertThat(report.byKind().get(0).falseAlertsPer100JobHours()).isCloseTo(50, within(1e-9));
        assertThat(report.pooled().falseAlertsPer100JobHours()).isLessThan(1);
        assertThat(report.failed())
                .extracting(Evaluation.Check::condition)
                .containsExactly("real: false alerts per 100 job-hours <= 1");
        assertThat(report.checks())
                .extracting(Evaluation.Check::condition)
                .contains(
                        "simulated: incidents missed or named wrong <= 0",
                        "real: incidents missed or named wrong <= 0");
        assertThat(Evaluation.table(report))
                .containsPattern("wrccdc +real")
                .containsPattern("real +pooled")
                .contains("FAIL  real: false alerts per 100 job-hours <= 1");
        JsonNode json = new ObjectMapper().readTree(Evaluation.json(report));
        assertThat(json.at("/datasets/1/source").asText()).isEqualTo("real");
        assertThat(json.at("/by_source/real/false_alerts").asInt()).isEqualTo(1);
        assertThat(json.at("/by_source/simulated/incidents_detected").asInt()).isEqualTo(2);
    }

    @Test
    void medianOfEvenAndOddCounts() {
        assertThat(Evaluation.median(new double[] {1, 2, 5})).isEqualTo(2);
        assertThat(Evaluation.median(new double[] {1, 2, 4, 5})).isEqualTo(3);
    }
}
