package io.vigil.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.eval.Backtest;
import io.vigil.models.eval.Label;
import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.pipeline.detect.DetectSettings;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.pipeline.ingest.InputStats;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Fixtures;
import io.vigil.records.JobWindow;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The report bounds its axes and loops by the time its input covers, even when handed windows and alerts far
 * outside it (a record the input bounds should have refused, year 3000 or 1e17 ms): those are left out of the
 * page, which says so, and the page stays small. Before, one year-3000 window made a 6.7 MB page of 50 822 axis
 * ticks, and a 1e17 ms one ran out of memory.
 */
class ReplayReportSpanTest {
    static final Instant T0 = Instant.parse("2026-02-14T03:00:00Z");
    static final Instant YEAR_3000 = Instant.parse("3000-01-01T00:00:00Z");
    static final Instant FAR = Instant.ofEpochMilli(100_000_000_000_000_000L);
    static final Duration MINUTE = Duration.ofMinutes(1);
    /** The page of one charted job with its CSS is 11.5 K characters here; the bound leaves room and is no 6.7 MB. */
    static final int MAX_PAGE_CHARS = 200_000;
    /** Per chart: three on the score axis, at most eleven on the time axis, one line of dates. */
    static final int MAX_TICKS_PER_CHART = 3 + 11 + 1;

    static JobWindow window(String job, Instant start, double score) {
        return Fixtures.jobWindowBuilder()
                .setJobId(job)
                .setWindowStart(start)
                .setWindowEnd(start.plus(MINUTE))
                .setScore(score)
                .setFlagged(score >= 0.7)
                .setLabel(null)
                .build();
    }

    static Alert alert(String job, Instant start) {
        return Fixtures.alertBuilder()
                .setAlertId("alert-" + job + "-" + start.toEpochMilli())
                .setIncidentId("incident-" + job + "-" + start.toEpochMilli())
                .setJobId(job)
                .setWindowStart(start)
                .setWindowEnd(start.plus(MINUTE))
                .build();
    }

    static InputStats flowsFile(Instant first, Instant last) {
        InputStats flows = new InputStats("ds/flows.jsonl.gz", "flow", "vigil");
        flows.lines = 100;
        flows.records = 100;
        flows.firstTs = first.toEpochMilli();
        flows.lastTs = last.toEpochMilli();
        return flows;
    }

    static Replay.Outcome outcome(
            List<JobWindow> windows, List<Alert> alerts, List<Label> labels, List<InputStats> inputs) {
        Replay.Dataset dataset =
                new Replay.Dataset("ds", Path.of("ds"), List.of(), labels, InputFormats.CANONICAL, "simulated");
        Backtest.Result backtest = Backtest.run(labels, windows, alerts);
        Replay.DatasetResult result =
                new Replay.DatasetResult(dataset, alerts, alerts, windows, List.of(), backtest, 0, inputs, List.of());
        Replay.Request request = new Replay.Request(
                List.of(dataset), 1, DetectSettings.defaults(), new IndicatorScorer(), InputFormats.CANONICAL);
        return new Replay.Outcome(request, List.of(result), Backtest.Result.pool(List.of(backtest)), 0);
    }

    /** An hour of job-a with an alert at 03:10, and windows and alerts of job-a and job-b in year 3000 and beyond. */
    static Replay.Outcome hostile(List<InputStats> inputs) {
        List<JobWindow> windows = new ArrayList<>();
        for (int m = 0; m < 60; m++) {
            windows.add(window("job-a", T0.plus(MINUTE.multipliedBy(m)), m == 10 ? 0.9 : 0.2));
        }
        windows.add(window("job-a", YEAR_3000, 0.95));
        windows.add(window("job-b", FAR, 0.95));
        List<Alert> alerts = List.of(
                alert("job-a", T0.plus(MINUTE.multipliedBy(10))), alert("job-a", YEAR_3000), alert("job-b", FAR));
        List<Label> labels = List.of(
                new Label(
                        "probe",
                        "job-a",
                        Category.NETWORK_SCAN,
                        T0.plus(MINUTE.multipliedBy(5)).toEpochMilli(),
                        T0.plus(MINUTE.multipliedBy(15)).toEpochMilli()),
                new Label("typo", "job-c", Category.EXFILTRATION, YEAR_3000.toEpochMilli(), FAR.toEpochMilli()));
        return outcome(windows, alerts, labels, inputs);
    }

    @Test
    void windowsAlertsAndLabelsFarOutsideTheInputsTimeAreLeftOutSaidSoAndThePageStaysSmall() {
        String html = ReplayReport.html(hostile(List.of(flowsFile(T0, T0.plus(Duration.ofMinutes(59))))));

        assertThat(html.length()).isLessThan(MAX_PAGE_CHARS);
        assertThat(count(html, "<svg "))
                .as("job-a only: job-b and job-c have nothing in the span")
                .isEqualTo(1);
        assertThat(count(html, "class=\"tick\"")).isLessThanOrEqualTo(MAX_TICKS_PER_CHART);
        assertThat(chart(html)).doesNotContain("3000-").doesNotContain("+3170");
        assertThat(html)
                .contains("<dt>Time range</dt><dd>2026-02-14 03:00 – 2026-02-14 04:00 UTC</dd>")
                .contains("Left out of this page: ds: 2 windows, 2 alerts, 1 labelled interval from 3000-01-01 00:00"
                        + " to +")
                .contains("outside the time its input covers (2026-02-14 02:59 – 2026-02-14 04:00 UTC)");
    }

    @Test
    void withoutTheInputsTimesTheMedianOfTheResultsSetsTheSpan() {
        String html = ReplayReport.html(hostile(List.of()));

        assertThat(html.length()).isLessThan(MAX_PAGE_CHARS);
        assertThat(count(html, "<svg ")).isEqualTo(1);
        assertThat(count(html, "class=\"tick\"")).isLessThanOrEqualTo(MAX_TICKS_PER_CHART);
        assertThat(html)
                .contains("Left out of this page: ds: 2 windows, 2 alerts, 1 labelled interval")
                .contains("outside the time of the rest of its results");
    }

    @Test
    void aPageWhoseResultsAllLieInItsSpanLeavesNothingOut() {
        List<JobWindow> windows = List.of(window("job-a", T0, 0.9));
        String html = ReplayReport.html(
                outcome(windows, List.of(alert("job-a", T0)), List.of(), List.of(flowsFile(T0, T0.plusSeconds(30)))));
        assertThat(html).doesNotContain("Left out").contains("<circle class=\"alert");
    }

    @Test
    void axisTicksStayAboutTenHoweverLongTheSpan() {
        long t0 = T0.toEpochMilli();
        assertThat(ScoreChart.ticks(t0, YEAR_3000.toEpochMilli())).hasSizeBetween(9, 11);
        assertThat(ScoreChart.ticks(t0, t0 + Duration.ofDays(400).toMillis()))
                .hasSizeBetween(9, 11)
                .allSatisfy(t -> assertThat(t % Duration.ofDays(1).toMillis()).isZero());
        assertThat(ScoreChart.ticks(t0, Long.MAX_VALUE)).hasSizeLessThanOrEqualTo(11);
        assertThat(ScoreChart.ticks(Long.MIN_VALUE, Long.MAX_VALUE)).hasSizeLessThanOrEqualTo(11);
    }

    static String chart(String html) {
        return html.substring(html.indexOf("<svg "), html.indexOf("</svg>"));
    }

    static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
