package io.vigil.tools.simulate;

import static io.vigil.tools.simulate.SimulatedDataset.benign;
import static io.vigil.tools.simulate.SimulatedDataset.incident;
import static io.vigil.tools.simulate.SimulatedDataset.spec;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.models.agents.AgentBehaviour;
import io.vigil.records.AgentEvent;
import io.vigil.records.Flow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RL agents' tool calls: only RL jobs have them; benign ones look benign and start a little before their
 * packets; an incident an agent typed is named in labels.json by an episode and step whose call has the incident's
 * shape and precedes its effect; one no agent typed names none and leaves the trace as it was.
 */
class AgentEventsTest {
    /** Shapes of commands that tunnel, probe or mine (what an incident's call types; a benign one never does). */
    static final Pattern MALICIOUS =
            Pattern.compile("ssh [^|;]*-R|\\bnc -|nmap|masscan|xmrig|stratum\\+|chisel|/dev/tcp|169\\.254\\.169\\.254");

    @TempDir
    static Path dir;

    static SimulatedDataset quiet;
    static SimulatedDataset rome;

    @BeforeAll
    static void simulate() throws IOException {
        quiet = SimulatedDataset.simulate(benign(7, 2, 0.5), dir.resolve("quiet"));
        rome = SimulatedDataset.simulate(spec(7, 2, 0.5, incident(IncidentKind.ROME, 3)), dir.resolve("rome"));
    }

    private static Set<String> rlJobs(SimulatedDataset d) {
        Set<String> out = new TreeSet<>();
        d.simulation.get("jobs").forEach(j -> {
            if (j.get("kind").asText().equals("rl")) {
                out.add(j.get("job_id").asText());
            }
        });
        return out;
    }

    @Test
    void onlyRlJobsHaveAgentsAndTheyKeepBusy() {
        assertThat(quiet.agentEvents).hasSizeGreaterThan(100);
        assertThat(quiet.agentEvents.stream().map(e -> e.getJobId()).collect(Collectors.toSet()))
                .isEqualTo(rlJobs(quiet));
        assertThat(quiet.simulation.get("counts").get("agent_events").asLong()).isEqualTo(quiet.agentEvents.size());
        Set<String> tools = quiet.agentEvents.stream().map(AgentEvent::getTool).collect(Collectors.toSet());
        assertThat(tools).contains("bash", "python", "http");
        assertThat(quiet.agentEvents.stream()
                        .map(AgentEvent::getRolloutWorker)
                        .distinct()
                        .count())
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    void benignCallsLookBenignAndSomeFail() {
        List<String> shady = quiet.agentEvents.stream()
                .map(AgentEvent::getCommand)
                .filter(c -> MALICIOUS.matcher(c).find())
                .toList();
        assertThat(shady).isEmpty();
        assertThat(quiet.agentEvents).noneMatch(e -> AgentBehaviour.namesMiner(e.getCommand()));
        long failed = quiet.agentEvents.stream()
                .filter(e -> e.getExitCode() != null && e.getExitCode() != 0)
                .count();
        assertThat(failed).isPositive();
        assertThat((double) failed / quiet.agentEvents.size()).isLessThan(0.3);
        assertThat(quiet.agentEvents).anyMatch(e -> e.getCommand().startsWith("pip install"));
        assertThat(quiet.agentEvents).anyMatch(e -> e.getCommand().startsWith("git clone --depth 1 https://"));
        assertThat(quiet.agentEvents).anyMatch(e -> e.getCommand().startsWith("pytest"));
    }

    @Test
    void aWorkerMakesOneCallAtATimeAndStepsCountAnEpisodesCallsInOrder() {
        Map<String, List<AgentEvent>> byEpisode = new HashMap<>();
        for (AgentEvent e : quiet.agentEvents) {
            assertThat(e.getTs()).isAfterOrEqualTo(e.getStartTs());
            byEpisode.computeIfAbsent(e.getEpisodeId(), k -> new ArrayList<>()).add(e);
        }
        assertThat(byEpisode).hasSizeGreaterThan(5);
        List<Long> lengths = new ArrayList<>();
        for (List<AgentEvent> calls : byEpisode.values()) {
            calls.sort(Comparator.comparingLong(e -> e.getStep()));
            assertThat(calls.stream().map(AgentEvent::getRolloutWorker).distinct())
                    .hasSize(1);
            assertThat(calls.stream().map(AgentEvent::getSandbox).distinct()).hasSize(1);
            for (int i = 0; i < calls.size(); i++) {
                assertThat(calls.get(i).getStep()).isEqualTo((long) i);
                if (i > 0) {
                    assertThat(calls.get(i).getStartTs())
                            .isAfterOrEqualTo(calls.get(i - 1).getTs());
                }
            }
            lengths.add(calls.get(calls.size() - 1).getTs().toEpochMilli()
                    - calls.get(0).getStartTs().toEpochMilli());
        }
        lengths.sort(null);
        long median = lengths.get(lengths.size() / 2);
        assertThat(median).isBetween(20_000L, 15 * 60_000L); // minutes, not a call nor a whole run
    }

    @Test
    void aPackageInstallStartsJustBeforeItsFirstDownloadFromTheMirror() {
        String job = rlJobs(quiet).iterator().next();
        List<Flow> mirror = quiet.flowsFrom(job).stream()
                .filter(f -> f.getDstIp().equals(Addresses.MIRROR))
                .toList();
        List<AgentEvent> installs = quiet.agentEvents.stream()
                .filter(e -> e.getJobId().equals(job) && e.getCommand().startsWith("pip install"))
                .toList();
        assertThat(installs).isNotEmpty();
        for (AgentEvent e : installs) {
            long start = e.getStartTs().toEpochMilli();
            assertThat(mirror)
                    .as("a mirror download a few seconds after %s", e)
                    .anyMatch(f ->
                            SimulatedDataset.startTs(f) >= start - 300 && SimulatedDataset.startTs(f) <= start + 8_000);
        }
    }

    private static AgentEvent named(SimulatedDataset d, JsonNode label) {
        assertThat(label.get("episode_id").isTextual())
                .as("%s names an episode", label)
                .isTrue();
        String episode = label.get("episode_id").asText();
        long step = label.get("call_step").asLong();
        List<AgentEvent> calls = d.agentEvents.stream()
                .filter(e -> e.getEpisodeId().equals(episode) && e.getStep() == step)
                .toList();
        assertThat(calls).as("the call %s step %d", episode, step).hasSize(1);
        assertThat(calls.get(0).getJobId()).isEqualTo(label.get("job_id").asText());
        return calls.get(0);
    }

    @Test
    void romesLabelsNameTheCallsThatStartedEachPhaseJustBeforeTheirEffect() {
        JsonNode scan = rome.label("rome", InjectedIncident.NETWORK_SCAN);
        AgentEvent sweep = named(rome, scan);
        assertThat(sweep.getCommand()).containsAnyOf("nc -z", "nmap");
        assertThat(sweep.getStartTs().toEpochMilli())
                .isBetween(
                        scan.get("start_ts").asLong() - 7_000,
                        scan.get("start_ts").asLong() + 2_000);

        JsonNode tunnel = rome.label("rome", InjectedIncident.REVERSE_TUNNEL);
        AgentEvent ssh = named(rome, tunnel);
        Flow first = rome.flowsFrom(tunnel.get("job_id").asText()).stream()
                .filter(f -> f.getDstPort() == 22
                        && SimulatedDataset.startTs(f) >= tunnel.get("start_ts").asLong())
                .min(Comparator.comparingLong(SimulatedDataset::startTs))
                .orElseThrow();
        assertThat(ssh.getCommand()).contains("ssh ").contains(" -R ").endsWith("@" + first.getDstIp());
        long lead = SimulatedDataset.startTs(first) - ssh.getStartTs().toEpochMilli();
        assertThat(lead).isBetween(-2_000L, 7_000L);

        JsonNode mining = rome.label("rome", InjectedIncident.CRYPTO_MINING);
        AgentEvent launch = named(rome, mining);
        assertThat(launch.getCommand()).contains("xmrig").contains("stratum+tcp://");
        assertThat(AgentBehaviour.namesMiner(launch.getCommand())).isTrue();
        assertThat(AgentBehaviour.touchesNetwork(sweep.getCommand())).isTrue();
        assertThat(AgentBehaviour.touchesNetwork(ssh.getCommand())).isTrue();
        long firstMinerSample = rome.samplesOf(mining.get("job_id").asText()).stream()
                .filter(s -> s.getProcesses().stream().anyMatch(p -> p.getName().equals("xmrig")))
                .mapToLong(SimulatedDataset::ts)
                .min()
                .orElseThrow();
        assertThat(launch.getStartTs().toEpochMilli()).isBetween(firstMinerSample - 70_000, firstMinerSample + 2_000);
        assertThat(rome.agentEvents)
                .as("the release tarball fetched before the launch")
                .anyMatch(e -> e.getCommand().contains("/xmrig/xmrig/releases/download/")
                        && e.getRolloutWorker().equals(launch.getRolloutWorker())
                        && e.getTs().isBefore(launch.getStartTs()));
        assertThat(rome.simulation.get("incidents").get(0).get("by_agent").asBoolean())
                .isTrue();
    }

    @Test
    void benignCallsOfOtherJobsAreTheSameWithOrWithoutAnIncident() {
        String host = rome.labels.get(0).get("job_id").asText();
        assertThat(rome.agentEvents.stream()
                        .filter(e -> !e.getJobId().equals(host))
                        .toList())
                .isEqualTo(quiet.agentEvents.stream()
                        .filter(e -> !e.getJobId().equals(host))
                        .toList());
    }

    @Test
    void anIncidentNoAgentTypedNamesNoCallAndLeavesTheTraceAsItWas() throws IOException {
        SimulatedDataset miner = SimulatedDataset.simulate(
                spec(7, 2, 0.5, incident(IncidentKind.PROXIED_MINER, 3)), dir.resolve("proxied"));
        String host = miner.labels.get(0).get("job_id").asText();
        assertThat(rlJobs(miner)).contains(host); // an RL job: a dependency's payload, not the agent
        for (JsonNode l : miner.labels) {
            assertThat(l.get("episode_id").isNull()).isTrue();
            assertThat(l.get("call_step").isNull()).isTrue();
        }
        assertThat(miner.simulation.get("incidents").get(0).get("by_agent").asBoolean())
                .isFalse();
        assertThat(miner.agentEvents).isEqualTo(quiet.agentEvents);
    }

    @Test
    void everyScanKindAnAgentTypesIsNamed() throws IOException {
        for (IncidentKind kind : List.of(
                IncidentKind.SLOW_SCAN, IncidentKind.EXTERNAL_SWEEP, IncidentKind.UDP_SCAN, IncidentKind.TUNNEL_443)) {
            SimulatedDataset d =
                    SimulatedDataset.simulate(spec(11, 2, 0.5, incident(kind, 4)), dir.resolve(kind.cliName));
            JsonNode label = d.labels.get(0);
            if (!rlJobs(d).contains(label.get("job_id").asText())) {
                assertThat(label.get("episode_id").isNull()).as(kind.cliName).isTrue();
                continue;
            }
            AgentEvent call = named(d, label);
            assertThat(MALICIOUS.matcher(call.getCommand()).find())
                    .as("%s: %s", kind.cliName, call.getCommand())
                    .isTrue();
            assertThat(AgentBehaviour.touchesNetwork(call.getCommand()))
                    .as("%s: %s", kind.cliName, call.getCommand())
                    .isTrue();
            assertThat(call.getStartTs().toEpochMilli())
                    .as(kind.cliName)
                    .isBetween(
                            label.get("start_ts").asLong() - 7_000,
                            label.get("start_ts").asLong() + 2_000);
        }
    }
}
