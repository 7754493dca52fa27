package io.vigil.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.pipeline.detect.Alerts;
import io.vigil.pipeline.detect.Scenario;
import io.vigil.records.Alert;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo end to end: embedded broker and mini-cluster, a dataset streamed in, the alerts printed. */
class DemoIT {

    @Test
    void printsEachIncidentTheJobAlertsOnAndCountsEveryAlert(@TempDir Path dir) throws Exception {
        Path dataset = new Scenario().writeDataset(dir.resolve("story"), List.of());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        IndicatorScorer scorer = new IndicatorScorer();

        List<Alert> alerts = new Demo(
                        new Demo.Options(dataset, 60, 2),
                        scorer,
                        new PrintStream(printed, true, StandardCharsets.UTF_8))
                .run();

        assertThat(alerts)
                .extracting(Alert::getAlertId)
                .containsExactlyInAnyOrderElementsOf(Scenario.probingWindowStarts().stream()
                        .map(start -> Alerts.alertId(
                                Scenario.PROBER, start, start + Scenario.WINDOW.toMillis(), scorer.modelVersion()))
                        .toList());
        String output = printed.toString(StandardCharsets.UTF_8);
        // two flagged windows in a row are one incident: its first alert in full, then the tally
        assertThat(output.lines().filter(l -> l.startsWith("ALERT")))
                .singleElement()
                .satisfies(l -> assertThat(l).contains(Scenario.PROBER).contains("NETWORK_SCAN"));
        assertThat(output).contains("committed 2 alert(s) in 1 incident(s)");
        assertThat(output.lines().filter(l -> l.contains(Scenario.PROBER) && l.contains("2 window(s)")))
                .hasSize(1);
    }
}
