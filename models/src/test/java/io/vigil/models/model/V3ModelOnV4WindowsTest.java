package io.vigil.models.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.models.agents.AgentBehaviour;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.scoring.JobHistory;
import io.vigil.models.scoring.Verdict;
import io.vigil.models.training.LabelledWindow;
import io.vigil.models.training.SyntheticWindows;
import io.vigil.records.Category;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed default model, trained on {@link FeatureSet#V3}, scores {@link FeatureSet#V4} windows (V3 and the
 * agent-behaviour features) read by name exactly as the V3 windows they hold, whatever the agents did.
 */
class V3ModelOnV4WindowsTest {
    private static final Path DEFAULT_MODEL = Path.of("default/vigil-default.model");
    private static VigilModel model;

    @BeforeAll
    static void load() throws Exception {
        model = ModelArtifact.load(DEFAULT_MODEL, FeatureSet.V3, ModelTrust.BUILT_IN);
    }

    @Test
    void v4KeepsEveryV3FeatureAsDefinedThenAddsTheAgentOnes() {
        assertThat(FeatureSet.V4.features().subList(0, FeatureSet.V3.size())).isEqualTo(FeatureSet.V3.features());
        assertThat(FeatureSet.V4.features().subList(FeatureSet.V3.size(), FeatureSet.V4.size()))
                .isEqualTo(FeatureSet.AGENT.features());
        assertThat(FeatureSet.V4.id()).isNotEqualTo(FeatureSet.V3.id());
    }

    @Test
    void scoresV4WindowsReadByNameAsTheV3WindowsTheyHold() {
        List<LabelledWindow> windows = new SyntheticWindows(5)
                .dataset("ds-v4", 4, 40, Category.CRYPTO_MINING, Category.NETWORK_SCAN, Category.REVERSE_TUNNEL);
        double[] agents = {Math.log1p(14), Math.log1p(6), Math.log1p(1), Math.log1p(4)};
        Map<String, JobHistory> v3Histories = new HashMap<>();
        Map<String, JobHistory> v4Histories = new HashMap<>();
        int flagged = 0;
        for (LabelledWindow w : windows) {
            double[] v3 = w.features();
            double[] v4 = new double[FeatureSet.V4.size()];
            System.arraycopy(v3, 0, v4, 0, v3.length);
            System.arraycopy(agents, 0, v4, v3.length, agents.length);
            double[] read = FeatureSet.V4.project(v4, model.featureSet());

            JobHistory h3 = v3Histories.getOrDefault(w.jobId(), JobHistory.empty());
            JobHistory h4 = v4Histories.getOrDefault(w.jobId(), JobHistory.empty());
            Verdict before = model.score(v3, h3);
            Verdict after = model.score(read, h4);
            assertThat(after).isEqualTo(before);
            v3Histories.put(w.jobId(), model.update(h3, v3, before));
            v4Histories.put(w.jobId(), model.update(h4, read, after));
            assertThat(v4Histories.get(w.jobId())).isEqualTo(v3Histories.get(w.jobId()));
            flagged += before.flagged() ? 1 : 0;
        }
        assertThat(flagged).as("the windows exercise flagged verdicts too").isPositive();
    }

    /**
     * The default model (trained on V3, before agents were read) loads as it is, scores windows without agent calls
     * exactly as before, and flags a quiet window in which an agent opened a tunnel, from its indicator rules alone.
     */
    @Test
    void theV3ModelReadsTheAgentsThroughItsRulesOnly() {
        List<LabelledWindow> windows = new SyntheticWindows(7).dataset("ds-agents", 3, 30, Category.NETWORK_SCAN);
        JobHistory history = JobHistory.empty();
        for (LabelledWindow w : windows) {
            Verdict plain = model.score(w.features(), history);
            assertThat(model.score(w.features(), null, history)).isEqualTo(plain);
            history = model.update(history, w.features(), plain);
        }
        double[] quiet = new double[FeatureSet.V3.size()];
        assertThat(model.score(quiet, JobHistory.empty()).flagged()).isFalse();
        double[] tunnel = new AgentBehaviour.Window(4, 1, 0, 0, 1, 0).values();
        Verdict v = model.score(quiet, tunnel, JobHistory.empty());
        assertThat(v.flagged()).isTrue();
        assertThat(v.categories()).contains(Category.REVERSE_TUNNEL);
        assertThat(v.reasons()).extracting(r -> r.getFeature()).contains(FeatureSet.AGENT_TUNNEL_CALLS);
    }

    @Test
    void refusesToReadAFeatureThatALaterSetDefinesOtherwise() {
        FeatureSet other = FeatureSet.of(
                "x1",
                List.of(new FeatureSet.Feature(
                        FeatureSet.FLOWS, "log1p(something else)", FeatureSet.Direction.UP, "not the same measure")));
        assertThatThrownBy(() -> FeatureSet.V4.project(new double[FeatureSet.V4.size()], other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("defined otherwise");
        assertThatThrownBy(() -> FeatureSet.AGENT.project(new double[FeatureSet.AGENT.size()], FeatureSet.V3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(FeatureSet.FLOWS);
    }
}
