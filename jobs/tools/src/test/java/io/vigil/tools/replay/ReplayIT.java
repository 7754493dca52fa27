package io.vigil.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.pipeline.detect.Alerts;
import io.vigil.pipeline.detect.DetectSettings;
import io.vigil.pipeline.detect.Scenario;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.records.AgentEvent;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.IncidentState;
import io.vigil.records.RecordType;
import io.vigil.records.TransitionCause;
import io.vigil.records.json.JsonRecordCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay on Flink's mini-cluster (parallelism 2): the scenario's probing, labelled as a NETWORK_SCAN, is
 * detected with the right category and no false alert; the same input gives the same bytes; an Avro dataset
 * gives the same alerts as its JSON twin; the report charts each job that alerted and escapes ids from data.
 */
class ReplayIT {
    static final List<String> BAD_FLOW_LINES = List.of(
            "this is not json",
            "{\"ts\": 1771038000000, \"start_ts\": 1771038000000, \"node\": \"n\", \"src_ip\": \"10.0.1.300\","
                    + " \"dst_ip\": \"10.0.0.1\", \"protocol\": \"TCP\"}",
            "{\"start_ts\": 1771038000000, \"node\": \"n\", \"src_ip\": \"10.0.1.1\", \"dst_ip\": \"10.0.0.1\", \"protocol\": \"TCP\"}");
    /** A job id from data that would break a page if written raw. */
    static final String ODD_JOB = "team<a>/probe&\"x\"'";

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    static Path dir;

    static Path first;
    static Path second;
    static Path mixed;
    static String progress;

    /** Replays the datasets as {@code vigil replay} does, its files into {@code out}. */
    static Replay.Outcome replay(Path out, PrintWriter progress, Path... datasets) throws Exception {
        List<Replay.Dataset> checked = Replay.datasets(List.of(datasets), InputFormats.CANONICAL);
        ReplayOutputs.check(out, false);
        ReplayOutputs.create(out);
        Replay.Outcome outcome = Replay.run(
                new Replay.Request(
                        checked, 2, DetectSettings.defaults(), new IndicatorScorer(), InputFormats.CANONICAL),
                progress);
        ReplayOutputs.write(outcome, out);
        return outcome;
    }

    @BeforeAll
    static void replay() throws Exception {
        Path story = new Scenario().writeDataset(dir.resolve("story"), BAD_FLOW_LINES);
        Path avro = new Scenario().writeAvroDataset(dir.resolve("story-avro"));
        Path odd = new Scenario(ODD_JOB).writeDataset(dir.resolve("odd"), List.of());
        StringWriter log = new StringWriter();
        first = dir.resolve("first");
        second = dir.resolve("second");
        mixed = dir.resolve("mixed");
        replay(first, new PrintWriter(log, true), story);
        progress = log.toString();
        replay(second, new PrintWriter(new StringWriter(), true), story);
        replay(mixed, new PrintWriter(new StringWriter(), true), avro, odd);
    }

    static JsonNode summary(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve(ReplayOutputs.SUMMARY).toFile());
    }

    @Test
    void writesEveryFileAndSaysWhatItIsDoing() {
        for (String file : List.of(
                ReplayOutputs.ALERTS,
                ReplayOutputs.WINDOWS,
                ReplayOutputs.DEAD_LETTERS,
                ReplayOutputs.SUMMARY,
                ReplayOutputs.REPORT)) {
            assertThat(first.resolve(file)).isRegularFile().isNotEmptyFile();
        }
        assertThat(progress)
                .contains("replaying 1 dataset (parallelism 2, model " + IndicatorScorer.MODEL_VERSION + ")")
                .contains("story (1/1): 12 windows (2 flagged), 1 incident in 2 alerts, 3 dead letters in");
    }

    /** Windows too: their sums are exact (models' WindowAccumulator), so arrival order does not show in the bits. */
    @Test
    void twoReplaysOfTheSameInputGiveTheSameBytes() throws Exception {
        for (String file : List.of(
                ReplayOutputs.ALERTS,
                ReplayOutputs.WINDOWS,
                ReplayOutputs.DEAD_LETTERS,
                ReplayOutputs.SUMMARY,
                ReplayOutputs.REPORT)) {
            assertThat(Files.readAllBytes(second.resolve(file)))
                    .as(file)
                    .isEqualTo(Files.readAllBytes(first.resolve(file)));
        }
        assertThat(Files.readAllLines(first.resolve(ReplayOutputs.WINDOWS))).hasSize(12);
    }

    /** alerts.jsonl holds what the alert topic would: the prober's incident opening, then closing at its STOP. */
    @Test
    void alertsAreTheIncidentsTransitionsInTheOrderTheyHappened() throws Exception {
        List<Alert> alerts = Files.readAllLines(first.resolve(ReplayOutputs.ALERTS)).stream()
                .map(line -> JsonRecordCodec.of(RecordType.ALERT).decode(line).record())
                .toList();
        assertThat(alerts).extracting(Alert::getAlertId).containsExactlyElementsOf(Scenario.incidentAlertIds());
        assertThat(alerts).extracting(Alert::getIncidentState).containsExactly(IncidentState.OPEN, IncidentState.CLOSE);
        assertThat(alerts.get(1).getTransitionCauses()).containsExactly(TransitionCause.JOB_STOPPED);
        assertThat(alerts.get(1).getFlaggedWindows()).isEqualTo(2);
        assertThat(alerts.get(1).getIncidentCategories()).containsExactly(Category.NETWORK_SCAN);
    }

    @Test
    void summarySaysTheProbingWasDetectedAsAScanWithNoFalseAlert() throws Exception {
        JsonNode story = summary(first).path("datasets").get(0);
        assertThat(story.path("name").asText()).isEqualTo("story");
        JsonNode incident = story.path("incidents").get(0);
        assertThat(incident.path("incident").asText()).isEqualTo(Scenario.INCIDENT);
        assertThat(incident.path("detected").asBoolean()).isTrue();
        assertThat(incident.path("category_right").asBoolean()).isTrue();
        // labelled from minute 2; the first alert's window [2, 3) closes a minute later
        assertThat(incident.path("time_to_detect_s").asDouble()).isEqualTo(60.0);
        assertThat(incident.path("time_to_detect_windows").asInt()).isEqualTo(1);
        assertThat(incident.path("phases")
                        .get(0)
                        .path("categories_named")
                        .get(0)
                        .asText())
                .isEqualTo("NETWORK_SCAN");
        assertThat(incident.path("first_incident_id").asText())
                .isEqualTo(Alerts.incidentId(
                        Scenario.PROBER, Scenario.probingWindowStarts().get(0)));
        assertThat(story.path("alerts").asInt()).as("flagged windows").isEqualTo(2);
        assertThat(story.path("false_alerts").asInt()).isZero();
        assertThat(story.path("false_alerts_per_100_job_hours").asDouble()).isZero();
        assertThat(story.path("incidents_raised").asInt()).isOne();
        assertThat(story.path("transitions").asInt()).isEqualTo(2);
        assertThat(story.path("false_incidents").asInt()).isZero();
        assertThat(story.path("job_hours").asDouble()).isEqualTo(0.2); // 2 jobs x 6 one-minute windows
        assertThat(story.path("pr_auc").asDouble()).isEqualTo(1.0);
        assertThat(story.path("dead_letters").path("total").asInt()).isEqualTo(3);
        assertThat(story.path("dead_letters").path("by_reason").toString())
                .isEqualTo("{\"bad_ip\":1,\"malformed\":1,\"missing_time\":1}");
        assertThat(summary(first).path("model_version").asText()).isEqualTo(IndicatorScorer.MODEL_VERSION);
    }

    @Test
    void deadLettersAreInSourceOrder() throws Exception {
        List<String> dead = Files.readAllLines(first.resolve(ReplayOutputs.DEAD_LETTERS));
        assertThat(dead).hasSize(3);
        assertThat(dead.get(0)).contains("\"reason\":\"malformed\"");
        assertThat(dead.get(1)).contains("\"reason\":\"bad_ip\"");
        assertThat(dead.get(2)).contains("\"reason\":\"missing_time\"");
    }

    @Test
    void anAvroDatasetGivesTheSameAlertsAndWindowsAsItsJsonTwin() throws Exception {
        String prober = "\"job_id\":\"" + Scenario.PROBER + "\"";
        String trainer = "\"job_id\":\"" + Scenario.TRAINER + "\"";
        List<String> mixedAlerts = Files.readAllLines(mixed.resolve(ReplayOutputs.ALERTS));
        assertThat(mixedAlerts.stream().filter(l -> l.contains(prober)).toList())
                .isEqualTo(Files.readAllLines(first.resolve(ReplayOutputs.ALERTS)));
        // the trainer is in both datasets of the mixed replay: its windows appear twice, each the JSON one
        List<String> trainerWindows = Files.readAllLines(first.resolve(ReplayOutputs.WINDOWS)).stream()
                .filter(l -> l.contains(trainer))
                .toList();
        assertThat(Files.readAllLines(mixed.resolve(ReplayOutputs.WINDOWS)).stream()
                        .filter(l -> l.contains(trainer))
                        .distinct()
                        .toList())
                .isEqualTo(trainerWindows);
        assertThat(Files.readAllLines(mixed.resolve(ReplayOutputs.DEAD_LETTERS)))
                .isEmpty();
    }

    @Test
    void datasetsAreBacktestedEachAndTogether() throws Exception {
        JsonNode s = summary(mixed);
        assertThat(s.path("datasets")).hasSize(2);
        assertThat(s.path("datasets").get(0).path("files").toString())
                .isEqualTo("[\"flows.avro\",\"gpu.avro\",\"assignments.avro\"]");
        assertThat(s.path("datasets")
                        .get(1)
                        .path("incidents")
                        .get(0)
                        .path("jobs")
                        .get(0)
                        .asText())
                .isEqualTo(ODD_JOB);
        JsonNode overall = s.path("overall");
        assertThat(overall.path("datasets").asInt()).isEqualTo(2);
        assertThat(overall.path("incidents_total").asInt()).isEqualTo(2);
        assertThat(overall.path("incidents_detected").asInt()).isEqualTo(2);
        assertThat(overall.path("alerts").asInt()).isEqualTo(4);
        assertThat(overall.path("incidents_raised").asInt()).isEqualTo(2);
        assertThat(overall.path("transitions").asInt()).isEqualTo(4);
        assertThat(overall.path("false_alerts").asInt()).isZero();
        assertThat(overall.path("job_hours").asDouble()).isEqualTo(0.4);
    }

    @Test
    void theReportChartsEachJobThatAlertedAndEscapesIdsFromData() throws Exception {
        String report = Files.readString(mixed.resolve(ReplayOutputs.REPORT));
        assertThat(count(report, "<svg ")).isEqualTo(2); // the prober of each dataset; the trainers never alerted
        assertThat(report)
                .contains("team&lt;a&gt;/probe&amp;&quot;x&quot;&#39;")
                .doesNotContain(ODD_JOB)
                .contains(">" + Scenario.PROBER + "<");
        assertThat(report)
                .doesNotContain("<script")
                .doesNotContain("http://")
                .doesNotContain("https://")
                .contains("class=\"threshold\"")
                .contains("class=\"incident\"")
                .contains("class=\"alert\"")
                .contains("class=\"incident-span\"");

        String single = Files.readString(first.resolve(ReplayOutputs.REPORT));
        assertThat(count(single, "<svg ")).isEqualTo(1);
        assertThat(single).contains("NETWORK_SCAN").contains("03:02").contains("failed_hosts");
        // the incident under the chart with its transitions: opened at the end of its first window, closed at the
        // end of the window of the job's STOP
        assertThat(single).contains("opened 03:03, closed 03:07 (job stopped)");
    }

    static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /**
     * A story whose prober's agent reported its tool calls, its label naming the episode and the call behind the scan:
     * the incident's opening names that episode first, it is flagged once, the summary checks it against the label,
     * and the report draws the prober's calls with the named one highlighted.
     */
    @Test
    void theEpisodeBehindAnIncidentIsNamedFlaggedOnceCheckedAgainstItsLabelAndDrawn() throws Exception {
        Path story = new Scenario().writeDataset(dir.resolve("agents"), List.of());
        long scan = Scenario.probingWindowStarts().get(0);
        JsonRecordCodec<AgentEvent> calls = JsonRecordCodec.of(RecordType.AGENT_EVENT);
        Files.write(
                story.resolve("agent_events.jsonl"),
                List.of(
                        calls.encode(agentCall("ep-tests", 4, scan - 50_000, scan - 40_000, "pytest -q tests/")),
                        calls.encode(agentCall(
                                "ep-scan", 9, scan + 3_000, scan + 4_000, "nmap -sS -p 22,80,443 10.0.50.0/24"))));
        ObjectMapper json = new ObjectMapper();
        ArrayNode labels =
                (ArrayNode) json.readTree(story.resolve("labels.json").toFile());
        ((ObjectNode) labels.get(0)).put("episode_id", "ep-scan").put("call_step", 9);
        json.writeValue(story.resolve("labels.json").toFile(), labels);
        Path out = dir.resolve("agents-out");

        Replay.Outcome outcome = replay(out, new PrintWriter(new StringWriter(), true), story);

        assertThat(Files.readAllLines(out.resolve(ReplayOutputs.EPISODE_FLAGS)))
                .singleElement()
                .satisfies(
                        line -> assertThat(json.readTree(line).get("episode_id").asText())
                                .isEqualTo("ep-scan"));
        JsonNode agent =
                summary(out).get("datasets").get(0).get("incidents").get(0).get("agent_episode");
        assertThat(agent.get("episode_named_first").asText()).isEqualTo("ep-scan");
        assertThat(agent.get("right_episode_first").asBoolean()).isTrue();
        assertThat(agent.get("call_in_top_3").asBoolean()).isTrue();
        assertThat(ReplaySummary.table(outcome))
                .contains("agent episodes: named for 1 of 1 incidents; the labelled episode first in 1 of 1, its call"
                        + " in the top 3 in 1 of 1")
                .contains("probe: episode ep-scan named first (right; its call in the top 3)");
        String report = Files.readString(out.resolve(ReplayOutputs.REPORT));
        assertThat(report).contains("<rect class=\"call named\"").contains("<rect class=\"call\"");
    }

    static AgentEvent agentCall(String episode, long step, long startMs, long endMs, String command) {
        return AgentEvent.newBuilder()
                .setTs(Instant.ofEpochMilli(endMs))
                .setStartTs(Instant.ofEpochMilli(startMs))
                .setJobId(Scenario.PROBER)
                .setEpisodeId(episode)
                .setStep(step)
                .setRolloutWorker("rollout-0")
                .setNode("node-2")
                .setTool("bash")
                .setCommand(command)
                .setExitCode(0)
                .setSandbox(null)
                .build();
    }
}
