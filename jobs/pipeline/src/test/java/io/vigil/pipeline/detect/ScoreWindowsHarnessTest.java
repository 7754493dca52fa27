package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.detectors.JobDetector;
import io.vigil.models.features.DistinctCounter;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.scoring.JobHistory;
import io.vigil.models.scoring.Verdict;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Category;
import io.vigil.records.Evidence;
import io.vigil.records.JobWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Scoring on Flink's operator harness: every window scored, flagged ones as alerts; per-job state ends after STOP. */
class ScoreWindowsHarnessTest {
    static final Instant BEGINNING = Instant.parse("2026-02-14T03:00:00Z");
    static final Duration MINUTE = Duration.ofMinutes(1);
    static final String JOB = "job-42";
    static final DetectSettings SETTINGS = DetectSettings.defaults();

    /** Flags a window whose scan feature is set (NETWORK_SCAN) or whose tunnel feature is set (REVERSE_TUNNEL). */
    static class StubScorer implements WindowScorer {
        @Override
        public Verdict score(double[] f, JobHistory history) {
            FeatureSet fs = featureSet();
            if (f[fs.index(FeatureSet.FAILED_HOSTS)] > 0) {
                return Verdict.of(0.9, 0.5, List.of(Category.NETWORK_SCAN), List.of());
            }
            if (f[fs.index(FeatureSet.RARE_LONG_LIVED_HOSTS)] > 0) {
                return Verdict.of(0.9, 0.5, List.of(Category.REVERSE_TUNNEL), List.of());
            }
            return Verdict.of(0.1, 0.5, List.of(), List.of());
        }

        @Override
        public String modelVersion() {
            return "stub-1";
        }

        @Override
        public double threshold() {
            return 0.5;
        }

        @Override
        public FeatureSet featureSet() {
            return FeatureSet.CURRENT;
        }
    }

    /** The stub's verdicts, and each job's history learned by the real per-job model. */
    static final class LearningScorer extends StubScorer {
        final JobDetector job = JobDetector.fit(FeatureSet.CURRENT, new double[0][]);

        @Override
        public JobHistory update(JobHistory history, double[] features, Verdict verdict) {
            return job.learn(history, features, verdict.flagged());
        }
    }

    ScoringHarness harness;

    @BeforeEach
    void open() throws Exception {
        harness = ScoringHarness.of(new ScoreWindows(new StubScorer(), SETTINGS));
        harness.open();
        harness.modelInputIdle(); // as the model source says from its first periodic watermark on
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static FeaturedWindow window(int minute, String flaggedFeature) {
        double[] features = new double[FeatureSet.CURRENT.size()];
        if (flaggedFeature != null) {
            features[FeatureSet.CURRENT.index(flaggedFeature)] = 3.0;
        }
        Instant start = BEGINNING.plus(MINUTE.multipliedBy(minute));
        JobWindow w = JobWindow.newBuilder()
                .setJobId(JOB)
                .setWindowStart(start)
                .setWindowEnd(start.plus(MINUTE))
                .setFeatureSet(FeatureSet.CURRENT.id())
                .setFeatures(FeatureSet.CURRENT.toMap(features))
                .build();
        return new FeaturedWindow(w, new Evidence(List.of(), List.of(), 0L, 0L, 0L));
    }

    void send(int minute, String flaggedFeature) throws Exception {
        harness.window(window(minute, flaggedFeature));
    }

    void send(AssignmentEvent event, Instant at) throws Exception {
        harness.assignment(Assignment.newBuilder()
                .setTs(at)
                .setEvent(event)
                .setJobId(JOB)
                .setNode("n")
                .setPod("p")
                .setIp("10.0.0.1")
                .setGpus(List.of())
                .setLabels(null)
                .build());
    }

    List<Alert> alerts() {
        return harness.alerts();
    }

    @Test
    void everyWindowIsEmittedScoredAndFlaggedOnesAlso() throws Exception {
        send(0, null);
        send(1, FeatureSet.FAILED_HOSTS);
        assertThat(harness.windows()).extracting(JobWindow::getFlagged).containsExactly(false, true);
        assertThat(harness.windows())
                .allSatisfy(w -> assertThat(w.getModelVersion()).isEqualTo("stub-1"));
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.getAlertId())
                    .isEqualTo(Alerts.alertId(
                            JOB,
                            BEGINNING.plus(MINUTE).toEpochMilli(),
                            BEGINNING.plus(MINUTE.multipliedBy(2)).toEpochMilli(),
                            "stub-1"));
            assertThat(a.getCategories()).containsExactly(Category.NETWORK_SCAN);
        });
    }

    @Test
    void eachFlaggedWindowIsAnAlertOfItsOwnForTheIncidentLifecycleToPlace() throws Exception {
        send(1, FeatureSet.FAILED_HOSTS);
        send(2, FeatureSet.RARE_LONG_LIVED_HOSTS);
        send(3, null);
        send(4, FeatureSet.RARE_LONG_LIVED_HOSTS);
        assertThat(alerts())
                .extracting(Alert::getAlertId)
                .doesNotHaveDuplicates()
                .hasSize(3);
        assertThat(alerts()).allSatisfy(a -> {
            assertThat(a.getIncidentId()).isEmpty();
            assertThat(a.getIncidentState()).isNull();
        });
        assertThat(harness.counter("windowsFlagged")).isEqualTo(3);
    }

    @Test
    void aJobsStateIsGoneAWindowAfterItsStop() throws Exception {
        send(AssignmentEvent.START, BEGINNING);
        send(1, FeatureSet.FAILED_HOSTS);
        Instant stop = BEGINNING.plus(MINUTE.multipliedBy(2));
        send(AssignmentEvent.STOP, stop);
        assertThat(harness.numKeyedStateEntries()).isPositive();
        harness.jobWatermark(stop.toEpochMilli() + SETTINGS.retentionMs() + MINUTE.toMillis() - 1);
        assertThat(harness.numKeyedStateEntries()).isPositive();
        harness.jobWatermark(stop.toEpochMilli() + SETTINGS.retentionMs() + MINUTE.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.counter("jobStatesCleared")).isOne();
    }

    @Test
    void aRestartedJobKeepsItsState() throws Exception {
        send(1, FeatureSet.FAILED_HOSTS);
        send(AssignmentEvent.STOP, BEGINNING.plus(MINUTE.multipliedBy(2)));
        send(AssignmentEvent.START, BEGINNING.plus(MINUTE.multipliedBy(2)).plusSeconds(5));
        harness.jobWatermark(BEGINNING.plus(MINUTE.multipliedBy(10)).toEpochMilli());
        assertThat(harness.numKeyedStateEntries())
                .as("the restart cancelled the clean-up")
                .isPositive();
    }

    @Test
    void aStartOlderThanTheStopDoesNotCancelTheCleanUpWhicheverArrivesFirst() throws Exception {
        send(1, FeatureSet.FAILED_HOSTS);
        Instant stop = BEGINNING.plus(MINUTE.multipliedBy(2));
        send(AssignmentEvent.STOP, stop);
        send(AssignmentEvent.START, BEGINNING); // the job's first START, from another partition, late
        harness.jobWatermark(stop.toEpochMilli() + SETTINGS.retentionMs() + MINUTE.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aJobThatGoesQuietWithoutStopIsForgottenAfterTheIdleTimeout() throws Exception {
        send(1, FeatureSet.FAILED_HOSTS);
        long end = BEGINNING.plus(MINUTE.multipliedBy(2)).toEpochMilli();
        harness.jobWatermark(end + SETTINGS.jobIdleTimeout().toMillis() - 1);
        assertThat(harness.numKeyedStateEntries()).isPositive();
        harness.jobWatermark(end + SETTINGS.jobIdleTimeout().toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void eachWindowIsScoredWithTheJobsHistoryAndItsUpdateIsKept() throws Exception {
        reopenWith(new LearningScorer());
        assertThat(harness.history(JOB))
                .as("no history before the first window")
                .isNull();
        send(0, null);
        send(1, null);
        send(2, null);
        assertThat(harness.history(JOB).windows()).isEqualTo(3);
        assertThat(harness.history(JOB).baseline(FeatureSet.CURRENT.index(FeatureSet.FAILED_HOSTS)))
                .isZero();
        assertThat(harness.history("another-job")).isNull();
    }

    @Test
    void theHistoryEndsWithTheJobsOtherStateAndARestartKeepsIt() throws Exception {
        reopenWith(new LearningScorer());
        send(0, null);
        send(1, null);
        send(AssignmentEvent.STOP, BEGINNING.plus(MINUTE.multipliedBy(2)));
        send(AssignmentEvent.START, BEGINNING.plus(MINUTE.multipliedBy(2)).plusSeconds(5));
        harness.jobWatermark(BEGINNING.plus(MINUTE.multipliedBy(10)).toEpochMilli());
        assertThat(harness.history(JOB).windows())
                .as("the restart cancelled the clean-up")
                .isEqualTo(2);

        send(AssignmentEvent.STOP, BEGINNING.plus(MINUTE.multipliedBy(11)));
        harness.jobWatermark(
                BEGINNING.plus(MINUTE.multipliedBy(11)).toEpochMilli() + SETTINGS.retentionMs() + MINUTE.toMillis());
        assertThat(harness.history(JOB)).isNull();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    /** A window with {@code ports} failed targets of its own (ports from {@code firstPort} of one host). */
    static FeaturedWindow failing(int minute, int firstPort, int ports) {
        FeaturedWindow w = window(minute, null);
        DistinctCounter targets = new DistinctCounter();
        for (int p = firstPort; p < firstPort + ports; p++) {
            targets.add("10.0.9.9 " + p);
        }
        double[] features = FeatureSet.CURRENT.fromMap(w.window.getFeatures());
        features[FeatureSet.CURRENT.index(FeatureSet.FAILED_TARGETS)] = Math.log1p(ports);
        features[FeatureSet.CURRENT.index(FeatureSet.RECENT_FAILED_TARGETS)] = Math.log1p(ports); // the window alone
        w.window.setFeatures(FeatureSet.CURRENT.toMap(features));
        w.failedTargets = targets;
        return w;
    }

    private static long recent(JobWindow w) {
        return Math.round(Math.expm1(w.getFeatures().get(FeatureSet.RECENT_FAILED_TARGETS)));
    }

    @Test
    void aScanSlowerThanAWindowAddsUpInTheJobsMemoryAndEndsWithItsOtherState() throws Exception {
        harness.window(failing(0, 1, 6));
        harness.window(failing(1, 7, 6));
        send(2, null);
        harness.window(failing(3, 13, 6));

        assertThat(harness.windows())
                .extracting(ScoreWindowsHarnessTest::recent)
                .containsExactly(6L, 12L, 0L, 18L);
        assertThat(harness.scanMemory(JOB).targets()).isEqualTo(18);
        assertThat(harness.scanMemory("another-job")).isNull();

        Instant stop = BEGINNING.plus(MINUTE.multipliedBy(4));
        send(AssignmentEvent.STOP, stop);
        harness.jobWatermark(stop.toEpochMilli() + SETTINGS.retentionMs() + MINUTE.toMillis());
        assertThat(harness.scanMemory(JOB)).isNull();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aWindowWithoutFailedTargetsNeitherReadsNorWritesTheMemory() throws Exception {
        send(0, null);
        send(1, FeatureSet.FAILED_HOSTS);

        assertThat(harness.scanMemory(JOB)).isNull();
        assertThat(harness.windows())
                .extracting(ScoreWindowsHarnessTest::recent)
                .containsExactly(0L, 0L);
    }

    @Test
    void aModelInputThatNeverSaysItIsIdleWouldHoldBackTheCleanUp() throws Exception {
        // the premise of ModelReleases: an operator's event time is the minimum over its active inputs
        harness.close();
        harness = ScoringHarness.of(new ScoreWindows(new StubScorer(), SETTINGS));
        harness.open();
        send(1, FeatureSet.FAILED_HOSTS);
        long end = BEGINNING.plus(MINUTE.multipliedBy(2)).toEpochMilli();
        harness.jobWatermark(end + SETTINGS.jobIdleTimeout().toMillis());
        assertThat(harness.numKeyedStateEntries())
                .as("held back by the model input")
                .isPositive();
        harness.modelInputIdle();
        assertThat(harness.numKeyedStateEntries())
                .as("released once it is idle")
                .isZero();
    }

    void reopenWith(WindowScorer scorer) throws Exception {
        harness.close();
        harness = ScoringHarness.of(new ScoreWindows(scorer, SETTINGS));
        harness.open();
        harness.modelInputIdle();
    }
}
