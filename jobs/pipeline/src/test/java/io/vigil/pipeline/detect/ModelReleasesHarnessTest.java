package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.model.ModelArtifact;
import io.vigil.models.model.ModelArtifact.Refusal;
import io.vigil.models.model.VigilModel;
import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.models.scoring.JobHistory;
import io.vigil.records.JobWindow;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Model releases on the scoring operator (Flink's harness, real artifacts of small trained models): a
 * release scores from the next window on; a bad one is refused, counted, and changes nothing; a restored
 * job scores with the release it last accepted.
 */
class ModelReleasesHarnessTest {
    static final DetectSettings SETTINGS = DetectSettings.defaults().withModelTrust(TinyModels.TRUST);
    static final String INITIAL = IndicatorScorer.MODEL_VERSION;

    static VigilModel modelA;
    static VigilModel modelB;
    static byte[] releaseA;
    static byte[] releaseB;
    static byte[] otherFeatures;

    @BeforeAll
    static void trainModels() {
        modelA = TinyModels.train(1);
        modelB = TinyModels.train(2);
        releaseA = TinyModels.artifact(modelA);
        releaseB = TinyModels.artifact(modelB);
        List<FeatureSet.Feature> fewer = FeatureSet.CURRENT.features().subList(0, FeatureSet.CURRENT.size() - 1);
        otherFeatures = TinyModels.artifact(TinyModels.train(FeatureSet.of("v0", fewer), 3));
        assertThat(modelA.modelVersion()).isNotEqualTo(modelB.modelVersion()).isNotEqualTo(INITIAL);
    }

    ScoringHarness harness;
    int minute;

    @BeforeEach
    void open() throws Exception {
        harness = opened(null);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    /** A scoring operator that starts with the indicator scorer, restored from {@code state} when given. */
    static ScoringHarness opened(OperatorSubtaskState state) throws Exception {
        ScoringHarness h = ScoringHarness.of(new ScoreWindows(new IndicatorScorer(), SETTINGS));
        if (state != null) {
            h.initializeState(state);
        }
        h.open();
        h.modelInputIdle();
        return h;
    }

    /** Scores the next window of the job and says which model scored it. */
    static String scoredBy(ScoringHarness h, int minute) throws Exception {
        h.window(ScoreWindowsHarnessTest.window(minute, null));
        List<JobWindow> out = h.windows();
        return out.get(out.size() - 1).getModelVersion();
    }

    String nextWindowScoredBy() throws Exception {
        return scoredBy(harness, minute++);
    }

    @Test
    void theInitialModelScoresUntilAReleaseIsAcceptedThenEachReleaseFromTheNextWindowOn() throws Exception {
        assertThat(nextWindowScoredBy()).isEqualTo(INITIAL);
        harness.modelRelease(releaseA);
        assertThat(nextWindowScoredBy()).isEqualTo(modelA.modelVersion());
        assertThat(nextWindowScoredBy()).isEqualTo(modelA.modelVersion());
        harness.modelRelease(releaseB);
        assertThat(nextWindowScoredBy()).isEqualTo(modelB.modelVersion());
        assertThat(harness.counter("modelsAccepted")).isEqualTo(2);
        assertThat(harness.counter("modelsRefused")).isZero();
    }

    static Stream<Arguments> badReleases() {
        byte[] damaged = Arrays.copyOf(releaseA, releaseA.length);
        damaged[100] ^= 0x01; // one bit of the body
        byte[] unsigned = ModelArtifact.toBytes(modelA);
        return Stream.of(
                Arguments.of("other features", otherFeatures, Refusal.FEATURE_SET_MISMATCH),
                Arguments.of("damaged payload", damaged, Refusal.CHECKSUM_MISMATCH),
                Arguments.of("unsigned", unsigned, Refusal.UNSIGNED),
                Arguments.of(
                        "not an artifact", "a model, honestly".getBytes(StandardCharsets.UTF_8), Refusal.BAD_FORMAT),
                Arguments.of("empty message", new byte[0], Refusal.BAD_FORMAT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badReleases")
    void aBadReleaseIsRefusedAndCountedAndThePreviousModelGoesOnScoring(String what, byte[] release, Refusal refusal)
            throws Exception {
        harness.modelRelease(releaseA);
        harness.modelRelease(release);
        assertThat(nextWindowScoredBy()).isEqualTo(modelA.modelVersion());
        assertThat(harness.counter("modelsAccepted")).isOne();
        assertThat(harness.counter("modelsRefused")).isOne();
        assertThat(harness.counter("modelsRefused_" + refusal.code())).isOne();
        for (Refusal other : Refusal.values()) {
            if (other != refusal) {
                assertThat(harness.counter("modelsRefused_" + other.code()))
                        .as(other.code())
                        .isZero();
            }
        }
    }

    @Test
    void aBadReleaseBeforeAnyGoodOneLeavesTheInitialModelScoring() throws Exception {
        harness.modelRelease(otherFeatures);
        assertThat(nextWindowScoredBy()).isEqualTo(INITIAL);
    }

    @Test
    void aRestoredJobScoresWithTheReleaseItLastAcceptedNotWithARefusedOne() throws Exception {
        harness.modelRelease(releaseA);
        harness.modelRelease(releaseB);
        harness.modelRelease("garbage".getBytes(StandardCharsets.UTF_8));
        assertThat(nextWindowScoredBy()).isEqualTo(modelB.modelVersion());
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = opened(snapshot);
        assertThat(nextWindowScoredBy())
                .as("restored, before any window or release")
                .isEqualTo(modelB.modelVersion());
        harness.modelRelease(releaseA);
        assertThat(nextWindowScoredBy()).isEqualTo(modelA.modelVersion());
    }

    @Test
    void aJobRestoredFromStateWithoutAReleaseScoresWithItsInitialModel() throws Exception {
        assertThat(nextWindowScoredBy()).isEqualTo(INITIAL);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();
        harness = opened(snapshot);
        assertThat(nextWindowScoredBy()).isEqualTo(INITIAL);
    }

    @Test
    void theJobsHistoryIsKeptAcrossASwapAndTheNewModelLearnsOnFromIt() throws Exception {
        harness.modelRelease(releaseA);
        List<double[]> typical = TinyModels.windows(FeatureSet.CURRENT, 1).stream()
                .filter(w -> w.label() == null)
                .limit(3)
                .map(w -> w.features())
                .toList();
        harness.window(window(0, typical.get(0)));
        harness.window(window(1, typical.get(1)));
        JobHistory kept = harness.history(ScoreWindowsHarnessTest.JOB);
        assertThat(kept.windows())
                .as("model A learned the job's normal from its windows")
                .isEqualTo(2);

        harness.modelRelease(releaseB);
        assertThat(harness.history(ScoreWindowsHarnessTest.JOB))
                .as("a release leaves every job's history")
                .isEqualTo(kept);
        double[] third = typical.get(2);
        harness.window(window(2, third));
        assertThat(harness.history(ScoreWindowsHarnessTest.JOB))
                .as("model B scored and learned from the kept history")
                .isEqualTo(modelB.update(kept, third, modelB.score(third, kept)));
    }

    static FeaturedWindow window(int minute, double[] features) {
        FeaturedWindow w = ScoreWindowsHarnessTest.window(minute, null);
        w.window.setFeatures(FeatureSet.CURRENT.toMap(features));
        return w;
    }
}
