package io.vigil.models.detectors;

import static io.vigil.models.detectors.JobWindows.V1;
import static io.vigil.models.detectors.JobWindows.count;
import static io.vigil.models.detectors.JobWindows.fleet;
import static io.vigil.models.detectors.JobWindows.trainingJob;
import static io.vigil.models.detectors.JobWindows.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vigil.models.detectors.JobDetector.Deviation;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.scoring.JobHistory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JobDetectorTest {

    private static final Map<String, Double> ONE_UNANSWERED_PROBE = Map.of(
            FeatureSet.INTERNAL_HOSTS, count(17),
            FeatureSet.FAILED_HOSTS, count(1),
            FeatureSet.FAILED_ATTEMPT_RATIO, 0.001);
    private static final Map<String, Double> TENSOR_COLLAPSE = Map.of(
            FeatureSet.TENSOR_ACTIVE, 0.02,
            FeatureSet.SM_WITHOUT_TENSOR, 0.975,
            FeatureSet.TENSOR_RATIO_SPREAD, 0.0);
    private static final Map<String, Double> MINER = Map.of(
            FeatureSet.TENSOR_ACTIVE, 0.01,
            FeatureSet.SM_WITHOUT_TENSOR, 0.99,
            FeatureSet.TENSOR_RATIO_SPREAD, 0.0,
            FeatureSet.HASHING_GPU_FRACTION, 1.0,
            FeatureSet.PROCESS_NAMES, count(2));

    private Random random;
    private JobDetector detector;

    @BeforeEach
    void fitOnAFleetWithFp32Jobs() {
        random = new Random(7);
        detector = JobDetector.fit(V1, fleet(random));
    }

    /** The history after {@code windows} ordinary windows of the training job. */
    private JobHistory normalFor(int windows) {
        JobHistory history = JobHistory.empty();
        for (int w = 0; w < windows; w++) {
            history = detector.learn(history, window(trainingJob(), random), false);
        }
        return history;
    }

    private static int strongest(Deviation deviation) {
        double[] c = deviation.contributions();
        int best = 0;
        for (int i = 1; i < c.length; i++) {
            if (c[i] > c[best]) {
                best = i;
            }
        }
        return best;
    }

    private static String strongestName(Deviation deviation) {
        return V1.names().get(strongest(deviation));
    }

    @Test
    void scoresAJobsStableNormalNearZero() {
        JobHistory history = normalFor(10);
        double[] scores = new double[300];
        for (int w = 0; w < scores.length; w++) {
            double[] x = window(trainingJob(), random);
            scores[w] = detector.score(x, history).score();
            history = detector.learn(history, x, false);
        }
        Arrays.sort(scores);
        assertThat(scores[scores.length / 2]).as("median").isZero();
        assertThat(scores[scores.length - 1])
                .as("highest of 300 ordinary windows")
                .isLessThan(1.5);
    }

    @Test
    void staysSilentUntilTheJobHasWarmedUp() {
        JobHistory history = normalFor(JobDetector.Settings.DEFAULTS.warmupWindows() - 1);
        double[] strange = window(trainingJob(), random, MINER);
        assertThat(detector.score(strange, history).score()).isZero();
        assertThat(detector.score(strange, history).contributions()).containsOnly(0.0);
        history = detector.learn(history, window(trainingJob(), random), false);
        assertThat(detector.score(strange, history).score()).isGreaterThan(5);
    }

    @Test
    void scoresASuddenJumpHighWithTheJumpingFeatureFirst() {
        JobHistory history = normalFor(60);
        Deviation jump =
                detector.score(window(trainingJob(), random, Map.of(FeatureSet.EXTERNAL_HOSTS, count(60))), history);
        // One window scores at most excessCap however far it jumps; the fleet model judges the magnitude.
        assertThat(jump.score()).isEqualTo(JobDetector.Settings.DEFAULTS.excessCap());
        assertThat(strongestName(jump)).isEqualTo(FeatureSet.EXTERNAL_HOSTS);
        assertThat(jump.contributions()[V1.index(FeatureSet.FLOWS)]).isZero();
    }

    @Test
    void learnsThatAJobIsBurstyAndStopsScoringItsUsualBursts() {
        // An agent that browses the web: megabytes to addresses no other job uses, in about half its windows.
        JobHistory history = JobHistory.empty();
        double[] burstScores = new double[40];
        for (int w = 0; w < 200; w++) {
            boolean burst = random.nextBoolean();
            double[] x = window(
                    trainingJob(),
                    random,
                    burst
                            ? Map.of(
                                    FeatureSet.RARE_EXTERNAL_HOSTS,
                                    count(3),
                                    FeatureSet.RARE_EXTERNAL_BYTES_OUT,
                                    count(2e6))
                            : Map.of());
            if (w >= 160 && burst) {
                burstScores[w - 160] = detector.score(x, history).score();
            }
            history = detector.learn(history, x, false);
        }
        assertThat(Arrays.stream(burstScores).max().getAsDouble()).isLessThan(1.5);
    }

    @Test
    void findsTensorActivityCollapsingWhileTheGpusStayBusyThoughTheFleetHasFp32Jobs() {
        JobHistory history = normalFor(60);
        Deviation first = detector.score(window(trainingJob(), random, TENSOR_COLLAPSE), history);
        assertThat(first.score()).isGreaterThan(3);
        assertThat(strongestName(first)).isIn(FeatureSet.TENSOR_ACTIVE, FeatureSet.SM_WITHOUT_TENSOR);
        assertThat(first.contributions()[V1.index(FeatureSet.SM_ACTIVE)]).isZero();
        assertThat(first.contributions()[V1.index(FeatureSet.GPU_UTIL)]).isZero();

        // The collapse goes on, unflagged even: it adds up rather than becoming normal.
        Deviation later = first;
        for (int w = 0; w < 10; w++) {
            double[] x = window(trainingJob(), random, TENSOR_COLLAPSE);
            later = detector.score(x, history);
            history = detector.learn(history, x, false);
        }
        assertThat(later.score()).isGreaterThan(2 * first.score());
    }

    @Test
    void addsUpAScanSpreadThinlyOverHalfAnHour() {
        JobHistory history = normalFor(60);
        double[] scores = new double[30];
        for (int w = 0; w < scores.length; w++) {
            // one new target a window: the window alone is within counting noise, the job's scan memory adds up
            Map<String, Double> probe = new LinkedHashMap<>(ONE_UNANSWERED_PROBE);
            probe.put(FeatureSet.RECENT_FAILED_TARGETS, count(w + 1));
            double[] x = window(trainingJob(), random, probe);
            Deviation d = detector.score(x, history);
            if (w >= 3) {
                assertThat(strongestName(d)).isEqualTo(FeatureSet.RECENT_FAILED_TARGETS);
            }
            scores[w] = d.score();
            // Not flagged: a thin scan is learned from until something flags it, the worst case.
            history = detector.learn(history, x, false);
        }
        System.out.printf(
                "thin scan, one unanswered host a window: score %.2f after 1 window, %.2f after 5, %.2f after 30%n",
                scores[0], scores[4], scores[29]);
        double crossed = 10;
        assertThat(scores[0]).as("one such window").isLessThan(crossed / 2);
        assertThat(scores[29]).as("thirty such windows").isGreaterThan(crossed);
        for (int w = 10; w < scores.length; w++) {
            assertThat(scores[w]).as("window " + w).isGreaterThan(crossed);
        }
    }

    @Test
    void aSingleFailedConnectionNowAndThenIsWithinCountingNoiseHoweverOftenItRecurs() {
        // A resolver that refuses a query, a web server that is down: one failed service in a window, window after
        // window (the worst case: it never adds up to a scan, as the same service failing counts once).
        Map<String, Double> oneFailure = Map.of(
                FeatureSet.FAILED_HOSTS, count(1),
                FeatureSet.FAILED_PORTS_ONE_HOST, count(1),
                FeatureSet.FAILED_HOSTS_ONE_PORT, count(1),
                FeatureSet.FAILED_TARGETS, count(1),
                FeatureSet.RECENT_FAILED_TARGETS, count(1));
        JobHistory history = normalFor(60);
        for (int w = 0; w < 20; w++) {
            double[] x = V1.fromMap(merged(trainingJob(), oneFailure));
            Deviation d = detector.score(x, history);
            for (String name : oneFailure.keySet()) {
                assertThat(d.contributions()[V1.index(name)])
                        .as(name + " in window " + w)
                        .isZero();
            }
            history = detector.learn(history, x, true); // flagged or not, nothing adds up
            for (String name : oneFailure.keySet()) {
                assertThat(history.drift(V1.index(name))).as(name).isZero();
            }
        }
    }

    @Test
    void aSingleFailedConnectionAfterAScanDoesNotSpeakWithTheScansDrift() {
        JobHistory history = normalFor(60);
        Map<String, Double> sweep = Map.of(
                FeatureSet.FAILED_HOSTS, count(40),
                FeatureSet.FAILED_HOSTS_ONE_PORT, count(40),
                FeatureSet.FAILED_TARGETS, count(40),
                FeatureSet.FAILED_ATTEMPT_RATIO, 0.9);
        for (int w = 0; w < 10; w++) {
            double[] x = window(trainingJob(), random, sweep);
            assertThat(detector.score(x, history).score())
                    .as("sweep window " + w)
                    .isGreaterThan(5);
            history = detector.learn(history, x, true);
        }
        int failedHosts = V1.index(FeatureSet.FAILED_HOSTS);
        assertThat(history.drift(failedHosts)).as("the sweep's drift").isGreaterThan(10);
        double[] after = V1.fromMap(merged(trainingJob(), Map.of(FeatureSet.FAILED_HOSTS, count(1))));
        assertThat(detector.score(after, history).contributions()[failedHosts]).isZero();
        // a few targets more than the job's none are beyond counting noise, and the sweep's drift speaks again
        double[] more = V1.fromMap(merged(trainingJob(), Map.of(FeatureSet.FAILED_HOSTS, count(5))));
        assertThat(detector.score(more, history).contributions()[failedHosts]).isGreaterThan(5);
    }

    @Test
    void countingNoiseWidensOnlyTalliesNotFeaturesWhoseFirstOccurrenceIsTheEvidence() {
        JobHistory history = normalFor(60);
        // one rare long-lived host (a tunnel's endpoint) in a job that never had one: no tally, still scored
        double[] tunnel = V1.fromMap(merged(trainingJob(), Map.of(FeatureSet.RARE_LONG_LIVED_HOSTS, count(1))));
        assertThat(detector.score(tunnel, history).contributions()[V1.index(FeatureSet.RARE_LONG_LIVED_HOSTS)])
                .isGreaterThan(2);
        // one unanswered host: a tally, within its counting noise
        double[] stray = V1.fromMap(merged(trainingJob(), Map.of(FeatureSet.FAILED_HOSTS, count(1))));
        assertThat(detector.score(stray, history).contributions()[V1.index(FeatureSet.FAILED_HOSTS)])
                .isZero();
    }

    private static Map<String, Double> merged(Map<String, Double> profile, Map<String, Double> changes) {
        Map<String, Double> out = new LinkedHashMap<>(profile);
        out.putAll(changes);
        return out;
    }

    @Test
    void doesNotLearnFlaggedWindowsIntoTheJobsNormal() {
        JobHistory before = normalFor(60);
        JobHistory history = before;
        for (int w = 0; w < 20; w++) {
            history = detector.learn(history, window(trainingJob(), random, MINER), true);
        }
        assertThat(history.windows()).isEqualTo(before.windows());
        for (int i = 0; i < V1.size(); i++) {
            assertThat(history.baseline(i)).as(V1.names().get(i)).isEqualTo(before.baseline(i));
            assertThat(history.scale(i)).as(V1.names().get(i)).isEqualTo(before.scale(i));
        }
        assertThat(history.drift(V1.index(FeatureSet.HASHING_GPU_FRACTION))).isGreaterThan(10);
    }

    @Test
    void keepsScoringWhileAnIncidentGoesOnAndReturnsToNearZeroSoonAfterItEnds() {
        JobHistory history = normalFor(60);
        double[] during = new double[30];
        for (int w = 0; w < during.length; w++) {
            double[] x = window(trainingJob(), random, MINER);
            during[w] = detector.score(x, history).score();
            history = detector.learn(history, x, true);
        }
        assertThat(during[during.length - 1]).as("last incident window").isGreaterThanOrEqualTo(during[0]);

        int windowsToQuiet = -1;
        for (int w = 0; w < 30 && windowsToQuiet < 0; w++) {
            double[] x = window(trainingJob(), random);
            double score = detector.score(x, history).score();
            // The combined model may still flag the first of these: the detector must run down anyway.
            history = detector.learn(history, x, score > 5);
            if (score < 0.5) {
                windowsToQuiet = w + 1;
            }
        }
        System.out.println("windows until quiet after a 30-window incident: " + windowsToQuiet);
        assertThat(windowsToQuiet).isBetween(1, 12);
    }

    @Test
    void aWindowBackToNormalRightAfterAnIncidentIsNotEvidenceThoughTheDriftStillRunsDown() {
        JobHistory history = normalFor(60);
        for (int w = 0; w < 30; w++) {
            history = detector.learn(history, window(trainingJob(), random, MINER), true);
        }
        double[] normal = window(trainingJob(), random);
        Deviation after = detector.score(normal, history);
        for (int i = 0; i < normal.length; i++) {
            if (history.drift(i) > 0) {
                // every feature whose drift is still up is back to normal in this window: none of them counts
                assertThat(after.contributions()[i])
                        .as(FeatureSet.CURRENT.names().get(i))
                        .isLessThan(history.drift(i));
            }
        }
        assertThat(after.score()).isLessThan(5);
    }

    @Test
    void scoresOneLargeSpikeInItsOwnWindowOnlyNotInTheWindowsAfter() {
        JobHistory history = normalFor(60);
        // A checkpoint upload: a hundred times the usual bytes out, for one window.
        double[] spike = window(trainingJob(), random, Map.of(FeatureSet.EXTERNAL_BYTES_OUT, count(1e8)));
        assertThat(detector.score(spike, history).score()).isGreaterThan(5);
        history = detector.learn(history, spike, false);
        double[] next = window(trainingJob(), random);
        assertThat(detector.score(next, history).score()).isLessThan(1.5);
        history = detector.learn(history, next, false);
        assertThat(detector.score(window(trainingJob(), random), history).score())
                .isZero();
    }

    @Test
    void barelyMovesItsNormalForOneUnflaggedOutlier() {
        JobHistory history = normalFor(100);
        int hosts = V1.index(FeatureSet.EXTERNAL_HOSTS);
        double[] outlier = window(trainingJob(), random, Map.of(FeatureSet.EXTERNAL_HOSTS, count(5000)));
        JobHistory after = detector.learn(history, outlier, false);
        double floor = detector.scaleFloors()[hosts];
        double bound = JobDetector.Settings.DEFAULTS.huberBound() * Math.max(history.scale(hosts), floor);
        double rate = 1 - Math.pow(0.5, 1 / JobDetector.Settings.DEFAULTS.halfLifeWindows());
        assertThat(after.baseline(hosts) - history.baseline(hosts)).isLessThanOrEqualTo(rate * bound + 1e-6);
        assertThat(after.baseline(hosts) - history.baseline(hosts))
                .isLessThan(0.05 * (outlier[hosts] - history.baseline(hosts)));
    }

    @Test
    void learnsALastingUnflaggedChangeAsTheJobsNewNormal() {
        JobHistory history = normalFor(60);
        Map<String, Double> busier = Map.of(FeatureSet.FLOWS, count(8000), FeatureSet.INTERNAL_HOSTS, count(32));
        double first =
                detector.score(window(trainingJob(), random, busier), history).score();
        double last = first;
        for (int w = 0; w < 400; w++) {
            double[] x = window(trainingJob(), random, busier);
            last = detector.score(x, history).score();
            history = detector.learn(history, x, false);
        }
        assertThat(first).isGreaterThan(3);
        assertThat(last).isLessThan(0.5);
    }

    @Test
    void scaleFloorsComeFromTheFleetsSpreadAndNeverFallBelowTheMinimum() {
        double[] floors = detector.scaleFloors();
        double min = JobDetector.Settings.DEFAULTS.minScale();
        assertThat(Arrays.stream(floors).min().getAsDouble()).isGreaterThanOrEqualTo(min);
        // Jobs of 8 to 40 GPUs send 1 to 25 MB: the fleet's spread there is wider than the minimum.
        assertThat(floors[V1.index(FeatureSet.EXTERNAL_BYTES_OUT)]).isGreaterThan(min);
        // Nobody in the fleet probes: the floor is the minimum, so a first probe gives a finite z.
        assertThat(floors[V1.index(FeatureSet.FAILED_HOSTS)]).isEqualTo(min);
        assertThat(JobDetector.fit(V1, new double[0][]).scaleFloors()).containsOnly(min);
    }

    @Test
    void measuresSpreadByMedianAbsoluteDeviationOrByMeanAbsoluteDeviationWhenMostValuesAgree() {
        assertThat(JobDetector.robustSpread(new double[] {1, 2, 3, 4, 100})).isCloseTo(1.4826, within(1e-9));
        // 0 in 9 of 10 windows: MAD is 0, the mean absolute deviation is not.
        double[] mostlyZero = new double[10];
        mostlyZero[3] = 1;
        assertThat(JobDetector.robustSpread(mostlyZero)).isCloseTo(Math.sqrt(Math.PI / 2) * 0.1, within(1e-9));
        assertThat(JobDetector.robustSpread(new double[] {2, 2, 2})).isZero();
    }

    @Test
    void refusesWindowsThatDoNotFitTheFeatureSet() {
        JobHistory history = normalFor(10);
        assertThatThrownBy(() -> detector.score(new double[3], history))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(V1.size() + " features, the vector 3");
        double[] nan = window(trainingJob(), random);
        nan[V1.index(FeatureSet.SM_ACTIVE)] = Double.NaN;
        assertThatThrownBy(() -> detector.learn(history, nan, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sm_active' is NaN");
        double[][] fleetWithInfinity = {window(trainingJob(), random), window(trainingJob(), random)};
        fleetWithInfinity[1][0] = Double.POSITIVE_INFINITY;
        assertThatThrownBy(() -> JobDetector.fit(V1, fleetWithInfinity))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("benign window 1: feature 'flows' is Infinity");
    }

    @Test
    void startsOverFromAHistoryLearnedUnderAnotherFeatureSet() {
        float[] three = new float[3];
        JobHistory fewer = JobHistory.of(100, V1.hash(), three, three, three);
        float[] thirty = new float[V1.size()];
        JobHistory otherSet = JobHistory.of(100, "0badcafe", thirty, thirty, thirty);
        double[] x = window(trainingJob(), random, MINER);
        for (JobHistory foreign : new JobHistory[] {fewer, otherSet}) {
            assertThat(detector.learnedHere(foreign)).isFalse();
            assertThat(detector.score(x, foreign).score()).isZero();
            JobHistory restarted = detector.learn(foreign, x, false);
            assertThat(restarted.windows()).isEqualTo(1);
            assertThat(restarted.featureSetHash()).isEqualTo(V1.hash());
            assertThat(detector.learnedHere(restarted)).isTrue();
            assertThat(detector.learn(foreign, x, true)).isSameAs(JobHistory.empty());
        }
    }

    @Test
    void refusesNonsensicalSettings() {
        assertThatThrownBy(() -> new JobDetector.Settings(60, 0, 2, 1.5, 10, 10, 3, 20, 0.15, 0.25))
                .hasMessageContaining("warmupWindows");
        assertThatThrownBy(() -> new JobDetector.Settings(60, 5, 2, 1.5, 10, 10, 3, 20, 0, 0.25))
                .hasMessageContaining("minScale");
        assertThatThrownBy(() -> new JobDetector.Settings(Double.NaN, 5, 2, 1.5, 10, 10, 3, 20, 0.15, 0.25))
                .hasMessageContaining("halfLifeWindows");
    }

    @Test
    void scoresTheSameAfterTravellingInsideAModelAndAfterTheHistoryWasStored() throws Exception {
        JobHistory history = normalFor(30);
        JobDetector shipped = JobDetector.of(V1, detector.settings(), detector.scaleFloors());
        JobHistory restored = JobHistory.fromBytes(history.toBytes());
        double[] x = window(trainingJob(), random, TENSOR_COLLAPSE);
        assertThat(shipped.score(x, restored).contributions())
                .containsExactly(detector.score(x, history).contributions());
        assertThat(shipped.learn(restored, x, false)).isEqualTo(detector.learn(history, x, false));
    }

    @Test
    void keepsAJobsStateForAllFeaturesFarUnderSixtyFourKib() {
        JobHistory history = normalFor(100);
        int size = history.toBytes().length;
        System.out.println("per-job state for " + V1.size() + " features: " + size + " bytes");
        assertThat(size).isEqualTo(JobHistory.byteSize(V1.size())).isLessThanOrEqualTo(64 * 1024);
    }

    /** Every feature at 0 but the context ones: no traffic, idle GPUs, no processes. */
    private static double[] quiet(double[] normal) {
        double[] x = new double[normal.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = V1.features().get(i).direction() == FeatureSet.Direction.CONTEXT ? normal[i] : 0;
        }
        return x;
    }

    @Test
    void neverScoresAJobGoingQuiet() {
        JobHistory history = normalFor(60);
        double[] normal = window(trainingJob(), random);
        for (int w = 0; w < 30; w++) {
            // a preemption, a restart from checkpoint, a data stall: half an hour of nothing
            double[] x = quiet(normal);
            Deviation d = detector.score(x, history);
            assertThat(d.score()).as("quiet window %d", w).isZero();
            assertThat(d.contributions()).containsOnly(0.0);
            history = detector.learn(history, x, false);
        }
        // ... and back to work: the normal was not dragged down to idle, so coming back is not a rise
        for (int w = 0; w < 5; w++) {
            double[] x = window(trainingJob(), random);
            assertThat(detector.score(x, history).score())
                    .as("back to work, window %d", w)
                    .isLessThan(1);
            history = detector.learn(history, x, false);
        }
    }

    /** A job whose GPUs idle: loading its data, waiting on a stalled loader; its processes are there. */
    private static double[] idleGpus(Random random) {
        return window(
                trainingJob(),
                random,
                Map.of(
                        FeatureSet.GPU_UTIL, 0.01,
                        FeatureSet.SM_ACTIVE, 0.0,
                        FeatureSet.TENSOR_ACTIVE, 0.0,
                        FeatureSet.DRAM_ACTIVE, 0.01,
                        FeatureSet.SM_WITHOUT_TENSOR, 0.0,
                        FeatureSet.TENSOR_RATIO_SPREAD, 0.0));
    }

    @Test
    void learnsHowAJobsGpusWorkOnlyOnceItHasSeenThemAtWork() {
        // An FP32 job that loads data and waits on its loader for ten minutes, then computes: SMs busy, tensor
        // pipes idle on every GPU, the hashing pattern. Its first minutes say nothing of how it computes.
        Map<String, Double> fp32 = new LinkedHashMap<>(JobWindows.fp32Job());
        fp32.put(FeatureSet.HASHING_GPU_FRACTION, 1.0);
        JobHistory history = JobHistory.empty();
        for (int w = 0; w < 10; w++) {
            double[] x = idleGpus(random);
            assertThat(FeatureSet.CURRENT.gpusAtWork(x)).isFalse();
            history = detector.learn(history, x, false);
        }
        assertThat(history.windows()).isEqualTo(10);
        assertThat(history.workWindows()).isZero();
        for (int w = 0; w < 60; w++) {
            double[] x = window(fp32, random);
            Deviation d = detector.score(x, history);
            for (int i = 0; i < x.length; i++) {
                if (V1.features().get(i).gpuWork()) {
                    assertThat(d.contributions()[i])
                            .as("window %d at work, %s", w, V1.names().get(i))
                            .isLessThan(1);
                }
            }
            history = detector.learn(history, x, false);
        }
        assertThat(history.workWindows()).isEqualTo(60);
        assertThat(history.baseline(V1.index(FeatureSet.HASHING_GPU_FRACTION))).isGreaterThan(0.9);
    }

    @Test
    void scoresAChangeInHowTheGpusWorkOnceTheJobWasSeenAtWorkEvenAfterIdling() {
        JobHistory history = JobHistory.empty();
        for (int w = 0; w < 10; w++) {
            history = detector.learn(history, idleGpus(random), false);
        }
        for (int w = 0; w < JobDetector.Settings.DEFAULTS.warmupWindows(); w++) {
            history = detector.learn(history, window(trainingJob(), random), false);
        }
        // half an hour idle again (a preemption): it moves nothing of how the GPUs work
        JobHistory before = history;
        for (int w = 0; w < 30; w++) {
            history = detector.learn(history, idleGpus(random), false);
        }
        int tensor = V1.index(FeatureSet.TENSOR_ACTIVE);
        assertThat(history.baseline(tensor)).isEqualTo(before.baseline(tensor));
        assertThat(history.workWindows()).isEqualTo(before.workWindows());
        Deviation miner = detector.score(window(trainingJob(), random, MINER), history);
        assertThat(miner.score()).isGreaterThan(3);
        assertThat(strongestName(miner))
                .isIn(FeatureSet.HASHING_GPU_FRACTION, FeatureSet.TENSOR_ACTIVE, FeatureSet.SM_WITHOUT_TENSOR);
    }

    @Test
    void leavesHowTheGpusWorkToTheOtherDetectorsWhileTheJobWasNeverSeenAtWork() {
        // The price of the rule above: a miner on a job whose GPUs never worked is new to this job in every GPU
        // feature, and this detector cannot tell it from the job's own first work. Its new process still counts.
        JobHistory history = JobHistory.empty();
        for (int w = 0; w < 20; w++) {
            history = detector.learn(history, idleGpus(random), false);
        }
        Deviation miner = detector.score(window(trainingJob(), random, MINER), history);
        for (int i = 0; i < V1.size(); i++) {
            if (V1.features().get(i).gpuWork()) {
                assertThat(miner.contributions()[i]).as(V1.names().get(i)).isZero();
            }
        }
        assertThat(miner.contributions()[V1.index(FeatureSet.PROCESS_NAMES)]).isPositive();
    }

    @Test
    void scoresOnlyTheSuspiciousDirectionOfEachFeature() {
        FeatureSet set = FeatureSet.of(
                "t",
                List.of(
                        new FeatureSet.Feature("up", "u", FeatureSet.Direction.UP, "more"),
                        new FeatureSet.Feature("down", "d", FeatureSet.Direction.DOWN, "less"),
                        new FeatureSet.Feature("both", "b", FeatureSet.Direction.BOTH, "either"),
                        new FeatureSet.Feature("context", "c", FeatureSet.Direction.CONTEXT, "neither")));
        JobDetector d = JobDetector.fit(set, new double[0][]);
        JobHistory history = JobHistory.empty();
        for (int w = 0; w < 20; w++) {
            history = d.learn(history, new double[] {1, 1, 1, 1}, false);
        }
        double[] lower = d.score(new double[] {0, 0, 0, 0}, history).contributions();
        double[] higher = d.score(new double[] {2, 2, 2, 2}, history).contributions();

        assertThat(lower[0]).isZero();
        assertThat(higher[0]).isPositive();
        assertThat(lower[1]).isPositive();
        assertThat(higher[1]).isZero();
        assertThat(lower[2]).isPositive();
        assertThat(higher[2]).isPositive();
        assertThat(lower[3]).isZero();
        assertThat(higher[3]).isZero();
    }

    @Test
    void doesNotLearnAFlaggedFirstWindow() {
        assertThat(detector.learn(JobHistory.empty(), window(trainingJob(), random, MINER), true))
                .isSameAs(JobHistory.empty());
        JobHistory first = detector.learn(JobHistory.empty(), window(trainingJob(), random), false);
        assertThat(first.windows()).isEqualTo(1);
        assertThat(first.baseline(V1.index(FeatureSet.GPU_UTIL))).isCloseTo(0.95, within(0.1));
    }
}
