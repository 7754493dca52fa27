package io.vigil.models.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.agents.AgentBehaviour;
import io.vigil.models.features.FeatureSet;
import io.vigil.records.Category;
import io.vigil.records.Reason;
import org.junit.jupiter.api.Test;

/** The indicator rules over what the job's agents did: a tunnel, a miner, a probe named by a call flag its window. */
class AgentIndicatorsTest {
    private final IndicatorScorer rules = new IndicatorScorer();
    private final double[] quiet = new double[FeatureSet.CURRENT.size()];

    private static double[] agents(int calls, int tunnel, int miner, int probe) {
        return new AgentBehaviour.Window(calls, tunnel + miner + probe, miner, 0, tunnel, probe).values();
    }

    @Test
    void aStrongCallFlagsAQuietWindowWithItsCategory() {
        assertThat(rules.score(quiet, agents(3, 1, 0, 0), JobHistory.empty()).categories())
                .containsExactly(Category.REVERSE_TUNNEL);
        assertThat(rules.score(quiet, agents(3, 0, 1, 0), JobHistory.empty()).categories())
                .containsExactly(Category.CRYPTO_MINING);
        Verdict probe = rules.score(quiet, agents(3, 0, 0, 2), JobHistory.empty());
        assertThat(probe.flagged()).isTrue();
        assertThat(probe.categories()).containsExactly(Category.NETWORK_SCAN);
        assertThat(probe.reasons()).extracting(Reason::getFeature).containsExactly(FeatureSet.AGENT_PROBE_CALLS);
    }

    @Test
    void ordinaryCallsAndNoCallsScoreAsWithoutAgents() {
        double[] features = new double[FeatureSet.CURRENT.size()];
        features[FeatureSet.CURRENT.index(FeatureSet.FAILED_TARGETS)] = Math.log1p(12);
        Verdict without = rules.score(features, JobHistory.empty());
        assertThat(rules.score(features, null, JobHistory.empty())).isEqualTo(without);
        // calls that install packages and fail a lot add nothing: only a tunnel, a miner or a probe is evidence
        double[] busy = new AgentBehaviour.Window(40, 12, 0, 6, 0, 0).values();
        assertThat(rules.score(features, busy, JobHistory.empty())).isEqualTo(without);
        assertThat(rules.score(quiet, busy, JobHistory.empty()).score()).isZero();
    }
}
