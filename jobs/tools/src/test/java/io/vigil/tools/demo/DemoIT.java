package io.vigil.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.model.ModelTrust;
import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.pipeline.detect.Scenario;
import io.vigil.pipeline.detect.Scorers;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.IncidentState;
import io.vigil.tools.replay.Replay;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo end to end: embedded broker and mini-cluster, a dataset streamed in, the incidents printed. */
class DemoIT {

    @Test
    void printsEachIncidentAsItOpensAndClosesAndCountsEveryAlert(@TempDir Path dir) throws Exception {
        Path dataset = new Scenario().writeDataset(dir.resolve("story"), List.of());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        List<Alert> alerts = demo(dataset, new IndicatorScorer(), printed);

        // the prober's incident: it opens at its first scan window and closes when the job stops
        assertThat(alerts).extracting(Alert::getAlertId).containsExactlyElementsOf(Scenario.incidentAlertIds());
        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output.lines().filter(l -> l.startsWith("OPEN")))
                .singleElement()
                .satisfies(l -> assertThat(l).contains(Scenario.PROBER).contains("NETWORK_SCAN"));
        assertThat(output.lines().filter(l -> l.startsWith("CLOSE")))
                .singleElement()
                .satisfies(l -> assertThat(l)
                        .contains(Scenario.PROBER)
                        .contains("the job stopped")
                        .contains("2 flagged window(s)"));
        assertThat(output).contains("committed 2 alert(s) for 1 incident(s)");
        assertThat(output.lines().filter(l -> l.contains(Scenario.PROBER) && l.contains("2 window(s)")))
                .singleElement()
                .satisfies(l -> assertThat(l).contains("closed"));
    }

    @Test
    void streamsARealCaptureInTheFormatItsSourceNames() throws Exception {
        // Zeek JSON, as source.json says: the demo reads it as replay does, not as canonical JSON lines
        Path capture = Path.of("../../replay-data/real-nmap-vertical-scan");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        List<Alert> alerts = demo(capture, Scorers.load((String) null, ModelTrust.of(List.of(), true)), printed);

        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output).doesNotContain("did not decode");
        assertThat(alerts)
                .filteredOn(a -> a.getIncidentState() == IncidentState.OPEN)
                .singleElement()
                .satisfies(a -> {
                    assertThat(a.getJobId()).isEqualTo("capture-192-168-1-9");
                    assertThat(a.getCategories()).contains(Category.NETWORK_SCAN);
                });
    }

    /** The demo over a dataset read as replay reads it, at 60x, its lines printed to {@code printed}. */
    static List<Alert> demo(Path dataset, WindowScorer scorer, ByteArrayOutputStream printed) throws Exception {
        return new Demo(
                        new Demo.Options(
                                Replay.datasets(List.of(dataset), InputFormats.CANONICAL)
                                        .get(0),
                                60,
                                2),
                        scorer,
                        new PrintStream(printed, true, StandardCharsets.UTF_8))
                .run();
    }
}
