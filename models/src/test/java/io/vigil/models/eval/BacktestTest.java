package io.vigil.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Fixtures;
import io.vigil.records.JobWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BacktestTest {
    static final Instant BEGINNING = Fixtures.BEGINNING;
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final String MINER = "job-miner";
    static final String TRAINER = "job-trainer";

    static long minute(int m) {
        return BEGINNING.plus(WINDOW.multipliedBy(m)).toEpochMilli();
    }

    static JobWindow window(String job, int minute, double score) {
        return Fixtures.jobWindowBuilder()
                .setJobId(job)
                .setWindowStart(Instant.ofEpochMilli(minute(minute)))
                .setWindowEnd(Instant.ofEpochMilli(minute(minute + 1)))
                .setScore(score)
                .setThreshold(0.5)
                .setFlagged(score >= 0.5)
                .build();
    }

    /** A flagged window of the job as an alert, in the job's incident "JOB-incident". */
    static Alert alert(String job, int minute, Category... categories) {
        return Fixtures.alertBuilder()
                .setJobId(job)
                .setAlertId(job + "@" + minute)
                .setIncidentId(job + "-incident")
                .setIncidentState(null)
                .setWindowStart(Instant.ofEpochMilli(minute(minute)))
                .setWindowEnd(Instant.ofEpochMilli(minute(minute + 1)))
                .setScore(0.9)
                .setThreshold(0.5)
                .setCategories(List.of(categories))
                .build();
    }

    static Label label(String incident, String job, Category category, int fromMinute, int toMinute) {
        return new Label(incident, job, category, minute(fromMinute), minute(toMinute));
    }

    /** Ten minutes of two jobs; scores 0.1 unless given. */
    static List<JobWindow> tenMinutes(double... minerScores) {
        List<JobWindow> windows = new ArrayList<>();
        for (int m = 0; m < 10; m++) {
            windows.add(window(TRAINER, m, 0.1));
            windows.add(window(MINER, m, m < minerScores.length ? minerScores[m] : 0.1));
        }
        return windows;
    }

    @Test
    void detectsAnIncidentWithTheRightCategoryAndTimeToDetect() {
        List<Label> labels = List.of(label("mining", MINER, Category.CRYPTO_MINING, 3, 6));
        List<Alert> alerts = List.of(
                alert(MINER, 4, Category.CRYPTO_MINING),
                alert(MINER, 5, Category.CRYPTO_MINING, Category.GPU_DIVERSION));

        Backtest.Result r = Backtest.run(labels, tenMinutes(0.1, 0.1, 0.1, 0.3, 0.9, 0.9), alerts);

        assertThat(r.incidents()).singleElement().satisfies(i -> {
            assertThat(i.name()).isEqualTo("mining");
            assertThat(i.detected()).isTrue();
            assertThat(i.categoryRight()).isTrue();
            assertThat(i.firstIncidentId()).isEqualTo(MINER + "-incident");
            assertThat(i.timeToDetectMs())
                    .isEqualTo(Duration.ofMinutes(2).toMillis()); // window [4,5) ends 2 min after 3
            assertThat(i.timeToDetectWindows()).isEqualTo(2);
            assertThat(i.phases()).singleElement().satisfies(p -> {
                assertThat(p.windows()).isEqualTo(3);
                assertThat(p.alerts()).isEqualTo(2);
                assertThat(p.categoriesNamed()).containsExactly(Category.CRYPTO_MINING, Category.GPU_DIVERSION);
            });
        });
        assertThat(r.falseAlerts()).isEmpty();
        assertThat(r.falseAlertsPer100JobHours()).isZero();
        assertThat(r.windows()).isEqualTo(20);
        assertThat(r.jobHours()).isCloseTo(20 / 60.0, within(1e-9));
        assertThat(r.positiveWindows()).isEqualTo(3);
        assertThat(r.truePositiveWindows()).isEqualTo(2);
        // ranking: the two 0.9 windows are positive, then 0.3 (positive) ahead of 17 windows at 0.1
        assertThat(r.prAuc()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void alertsOutsideEveryLabelOfTheirJobAreFalseAlertsPerJobHour() {
        List<Label> labels = List.of(label("mining", MINER, Category.CRYPTO_MINING, 3, 6));
        // the trainer alerts during the miner's incident: still false, labels are per job
        List<Alert> alerts = List.of(
                alert(MINER, 4, Category.CRYPTO_MINING),
                alert(TRAINER, 4, Category.UNKNOWN),
                alert(MINER, 8, Category.CRYPTO_MINING));

        Backtest.Result r = Backtest.run(labels, tenMinutes(), alerts);

        assertThat(r.falseAlerts()).extracting(Alert::getAlertId).containsExactly(TRAINER + "@4", MINER + "@8");
        // 2 false alerts over 20 job-minutes = 1/3 job-hour: 600 per 100 job-hours
        assertThat(r.falseAlertsPer100JobHours()).isCloseTo(600.0, within(1e-9));
        assertThat(r.alerts()).isEqualTo(3);
    }

    @Test
    void raisedIncidentsAreFalseWhenNoneOfTheirAlertsOverlapsALabel() {
        List<Label> labels = List.of(label("mining", MINER, Category.CRYPTO_MINING, 3, 6));
        List<Alert> alerts = List.of(
                // one incident that began in the label and ran on past it: not false, though its last alert is
                inIncident(alert(MINER, 4, Category.CRYPTO_MINING), "m1"),
                inIncident(alert(MINER, 7, Category.CRYPTO_MINING), "m1"),
                inIncident(alert(MINER, 9, Category.CRYPTO_MINING), "m2"),
                // the same incident id in another job is another incident
                inIncident(alert(TRAINER, 4, Category.UNKNOWN), "m1"));

        Backtest.Result r = Backtest.run(labels, tenMinutes(), alerts);

        assertThat(r.falseAlerts()).hasSize(3);
        assertThat(r.incidentsRaised()).isEqualTo(3);
        assertThat(r.falseIncidents()).isEqualTo(2);
        // 2 over 20 job-minutes: 600 per 100 job-hours
        assertThat(r.falseIncidentsPer100JobHours()).isCloseTo(600.0, within(1e-9));
        assertThat(Backtest.Result.pool(List.of(r, r)).falseIncidents()).isEqualTo(4);
    }

    static Alert inIncident(Alert alert, String incidentId) {
        return Alert.newBuilder(alert).setIncidentId(incidentId).build();
    }

    @Test
    void anAlertWhoseWindowEndsExactlyWhenTheLabelStartsDoesNotDetectIt() {
        List<Label> labels = List.of(label("scan", MINER, Category.NETWORK_SCAN, 3, 5));
        // [2,3) ends at 3 = label start; [5,6) starts at 5 = label end: neither overlaps
        List<Alert> alerts = List.of(alert(MINER, 2, Category.NETWORK_SCAN), alert(MINER, 5, Category.NETWORK_SCAN));

        Backtest.Result r = Backtest.run(labels, tenMinutes(), alerts);

        assertThat(r.incidents()).singleElement().satisfies(i -> {
            assertThat(i.detected()).isFalse();
            assertThat(i.categoryRight()).isFalse();
            assertThat(i.timeToDetectMs()).isNull();
            assertThat(i.timeToDetectWindows()).isNull();
            assertThat(i.firstIncidentId()).isNull();
        });
        assertThat(r.falseAlerts()).hasSize(2);
        assertThat(r.positiveWindows()).isEqualTo(2);
    }

    @Test
    void aLabelStartingInsideAWindowCountsThatWindowAndTimeToDetectFromTheLabel() {
        Label label = new Label("scan", MINER, Category.NETWORK_SCAN, minute(3) + 30_000, minute(4) + 1);
        Backtest.Result r = Backtest.run(List.of(label), tenMinutes(), List.of(alert(MINER, 3, Category.NETWORK_SCAN)));

        assertThat(r.incidents()).singleElement().satisfies(i -> {
            assertThat(i.detected()).isTrue();
            assertThat(i.timeToDetectMs()).isEqualTo(30_000L);
            assertThat(i.timeToDetectWindows()).isEqualTo(1);
            assertThat(i.phases().get(0).windows()).isEqualTo(2); // [3,4) and, by one ms, [4,5)
        });
    }

    @Test
    void phasesOfOneIncidentAreJudgedEachWithItsOwnCategory() {
        List<Label> labels = List.of(
                label("rome", MINER, Category.REVERSE_TUNNEL, 1, 3),
                label("rome", MINER, Category.NETWORK_SCAN, 3, 5),
                label("rome", MINER, Category.CRYPTO_MINING, 5, 9));
        // the tunnel is missed; the scan is caught but named as mining; mining is caught right
        List<Alert> alerts = List.of(alert(MINER, 4, Category.CRYPTO_MINING), alert(MINER, 6, Category.CRYPTO_MINING));

        Backtest.Result r = Backtest.run(labels, tenMinutes(), alerts);

        assertThat(r.incidents()).singleElement().satisfies(i -> {
            assertThat(i.detected()).isTrue();
            assertThat(i.categoryRight()).isFalse();
            assertThat(i.phasesCategoryRight()).isEqualTo(1);
            assertThat(i.startTs()).isEqualTo(minute(1));
            assertThat(i.endTs()).isEqualTo(minute(9));
            assertThat(i.timeToDetectMs())
                    .isEqualTo(minute(5) - minute(1)); // first alert [4,5), from the tunnel's start
            assertThat(i.timeToDetectWindows()).isEqualTo(4);
            assertThat(i.phases()).extracting(Backtest.Phase::detected).containsExactly(false, true, true);
            assertThat(i.phases()).extracting(Backtest.Phase::categoryRight).containsExactly(false, false, true);
            assertThat(i.jobs()).containsExactly(MINER);
        });
    }

    @Test
    void incidentsAreGroupedByNameAndOrderedByStart() {
        List<Label> labels = List.of(
                label("late", TRAINER, Category.EXFILTRATION, 7, 8),
                label("early", MINER, Category.CRYPTO_MINING, 2, 3));
        Backtest.Result r = Backtest.run(labels, tenMinutes(), List.of(alert(TRAINER, 7, Category.EXFILTRATION)));

        assertThat(r.incidents()).extracting(Backtest.LabelledIncident::name).containsExactly("early", "late");
        assertThat(r.incidents())
                .extracting(Backtest.LabelledIncident::detected)
                .containsExactly(false, true);
        assertThat(r.incidentsDetected()).isEqualTo(1);
    }

    @Test
    void withoutLabelsEveryAlertIsFalseAndPrAucIsUndefined() {
        Backtest.Result r = Backtest.run(List.of(), tenMinutes(), List.of(alert(MINER, 4, Category.UNKNOWN)));

        assertThat(r.incidents()).isEmpty();
        assertThat(r.falseAlerts()).hasSize(1);
        assertThat(r.positiveWindows()).isZero();
        assertThat(r.prAuc()).isNaN();
    }

    @Test
    void withoutAlertsNothingIsDetectedAndNothingIsFalse() {
        List<Label> labels = List.of(label("mining", MINER, Category.CRYPTO_MINING, 3, 6));
        Backtest.Result r = Backtest.run(labels, tenMinutes(), List.of());

        assertThat(r.incidents())
                .singleElement()
                .extracting(Backtest.LabelledIncident::detected)
                .isEqualTo(false);
        assertThat(r.falseAlerts()).isEmpty();
        assertThat(r.falseAlertsPer100JobHours()).isZero();
        // every window scores 0.1: one tie, so precision is the share of positives
        assertThat(r.prAuc()).isCloseTo(3 / 20.0, within(1e-9));
    }

    @Test
    void aLabelWithNoWindowIsUnseenAndUndetected() {
        List<Label> labels = List.of(label("ghost", "job-never-seen", Category.REVERSE_TUNNEL, 3, 6));
        Backtest.Result r = Backtest.run(labels, tenMinutes(), List.of());

        assertThat(r.incidents()).singleElement().satisfies(i -> {
            assertThat(i.detected()).isFalse();
            assertThat(i.phases()).singleElement().satisfies(p -> {
                assertThat(p.unseen()).isTrue();
                assertThat(p.windows()).isZero();
            });
        });
    }

    @Test
    void nothingAtAllGivesZerosAndUndefinedRates() {
        Backtest.Result r = Backtest.run(List.of(), List.of(), List.of());

        assertThat(r.windows()).isZero();
        assertThat(r.jobHours()).isZero();
        assertThat(r.falseAlertsPer100JobHours()).isNaN();
        assertThat(r.prAuc()).isNaN();
    }

    @Test
    void unscoredWindowsCountNowhere() {
        JobWindow unscored = Fixtures.jobWindowBuilder()
                .setJobId(MINER)
                .setScore(null)
                .setThreshold(null)
                .setFlagged(false)
                .build();
        Backtest.Result r = Backtest.run(List.of(), List.of(unscored, window(MINER, 1, 0.2)), List.of());

        assertThat(r.windows()).isEqualTo(1);
        assertThat(r.unscoredWindows()).isEqualTo(1);
        assertThat(r.jobHours()).isCloseTo(1 / 60.0, within(1e-9));
    }

    @Test
    void poolingAddsCountsAndRanksAllWindowsTogether() {
        Backtest.Result a = Backtest.run(
                List.of(label("x", MINER, Category.CRYPTO_MINING, 0, 1)),
                List.of(window(MINER, 0, 0.9), window(MINER, 1, 0.2)),
                List.of(alert(MINER, 0, Category.CRYPTO_MINING)));
        Backtest.Result b = Backtest.run(
                List.of(), List.of(window(TRAINER, 0, 0.95)), List.of(alert(TRAINER, 0, Category.UNKNOWN)));

        Backtest.Result pooled = Backtest.Result.pool(List.of(a, b));

        assertThat(pooled.incidents()).hasSize(1);
        assertThat(pooled.alerts()).isEqualTo(2);
        assertThat(pooled.falseAlerts()).hasSize(1);
        assertThat(pooled.windows()).isEqualTo(3);
        assertThat(pooled.jobHours()).isCloseTo(3 / 60.0, within(1e-9));
        // ranked 0.95 (neg), 0.9 (pos), 0.2 (neg): AP = precision at the positive = 1/2
        assertThat(pooled.prAuc()).isCloseTo(0.5, within(1e-9));
        assertThat(a.prAuc()).isCloseTo(1.0, within(1e-9));
    }
}
