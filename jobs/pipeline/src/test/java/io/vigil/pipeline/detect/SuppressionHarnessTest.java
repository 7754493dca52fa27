package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.suppression.Suppression;
import io.vigil.models.suppression.Suppressions;
import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Category;
import io.vigil.records.Destination;
import io.vigil.records.Evidence;
import io.vigil.records.JobWindow;
import io.vigil.records.SuppressionRule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Suppression rules in the scoring step, on Flink's operator harness: a rule that arrives on the broadcast input
 * silences its destination from the next window on, its expiry (in event time) or its tombstone brings the
 * alerts back, silenced windows are written marked and counted, and the rules and the job's labels survive a
 * restore from a snapshot.
 */
class SuppressionHarnessTest {
    static final Instant BEGINNING = ScoreWindowsHarnessTest.BEGINNING;
    static final Duration MINUTE = Duration.ofMinutes(1);
    static final String JOB = "train-vision-7";
    static final String BASTION = "203.0.113.9";

    ScoringHarness harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    ScoringHarness open(Suppressions fileRules, OperatorSubtaskState restore) throws Exception {
        ScoringHarness h = ScoringHarness.of(
                new ScoreWindows(new ScoreWindowsHarnessTest.StubScorer(), DetectSettings.defaults(), fileRules));
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        h.modelInputIdle();
        return h;
    }

    /** A tunnel window (flagged REVERSE_TUNNEL by the stub) of the job to the destination. */
    static FeaturedWindow tunnel(int minute, String destination) {
        double[] features = new double[FeatureSet.CURRENT.size()];
        features[FeatureSet.CURRENT.index(FeatureSet.RARE_LONG_LIVED_HOSTS)] = Math.log1p(1); // the one listed
        Instant start = BEGINNING.plus(MINUTE.multipliedBy(minute));
        JobWindow w = JobWindow.newBuilder()
                .setJobId(JOB)
                .setWindowStart(start)
                .setWindowEnd(start.plus(MINUTE))
                .setFeatureSet(FeatureSet.CURRENT.id())
                .setFeatures(FeatureSet.CURRENT.toMap(features))
                .build();
        Destination d = Destination.newBuilder()
                .setIp(destination)
                .setPort(22)
                .setProtocol("tcp")
                .setExternal(true)
                .setBytes(50_000)
                .setFlows(3)
                .setRare(true)
                .setLongLived(true)
                .build();
        Destination storage = Destination.newBuilder()
                .setIp("10.0.4.2")
                .setPort(2049)
                .setProtocol("tcp")
                .setExternal(false)
                .setBytes(900_000)
                .setFlows(5)
                .build();
        return new FeaturedWindow(w, new Evidence(List.of(storage, d), List.of(), 8L, 0L, 0L));
    }

    static SuppressionRule.Builder rule(String id) {
        return SuppressionRule.newBuilder()
                .setId(id)
                .setReason("the team's sanctioned bastion")
                .setAuthor("analyst")
                .setCreated(BEGINNING);
    }

    static Instant minuteEnd(int minute) {
        return BEGINNING.plus(MINUTE.multipliedBy(minute + 1));
    }

    List<Instant> alertedWindows() {
        return harness.alerts().stream().map(Alert::getWindowStart).toList();
    }

    JobWindow lastWindow() {
        List<JobWindow> windows = harness.windows();
        return windows.get(windows.size() - 1);
    }

    @Test
    void aRulePublishedMidStreamSilencesItsDestinationFromTheNextWindowUntilItExpires() throws Exception {
        harness = open(Suppressions.none(), null);
        harness.window(tunnel(0, BASTION));
        assertThat(harness.alerts()).hasSize(1);

        // expires at the end of minute 2: minutes 1 and 2 are silenced, minute 3 alerts again
        harness.broadcast(ScoringBroadcast.rule(rule("bastion")
                .setCidr("203.0.113.0/24")
                .setExpires(minuteEnd(2))
                .build()));
        harness.window(tunnel(1, BASTION));
        harness.window(tunnel(2, BASTION));
        assertThat(harness.alerts()).hasSize(1);
        assertThat(lastWindow().getFlagged()).isTrue();
        assertThat(lastWindow().getSuppressedBy()).containsExactly("bastion");
        assertThat(lastWindow().getCategories()).containsExactly(Category.REVERSE_TUNNEL);

        // another destination in the same minute is no part of the rule
        harness.window(tunnelOf("train-vision-8", 2, "198.51.100.7"));
        assertThat(harness.alerts()).hasSize(2);

        harness.window(tunnel(3, BASTION));
        assertThat(harness.alerts()).hasSize(3);
        assertThat(lastWindow().getSuppressedBy()).isEmpty();
        assertThat(harness.alerts().get(2).getWindowStart()).isEqualTo(BEGINNING.plus(MINUTE.multipliedBy(3)));

        assertThat(harness.counter("windowsFlagged")).isEqualTo(5);
        assertThat(harness.counter("alertsSuppressed")).isEqualTo(2);
        assertThat(harness.counter("suppression_rule", "bastion", "alertsSuppressed"))
                .isEqualTo(2);
    }

    static FeaturedWindow tunnelOf(String job, int minute, String destination) {
        FeaturedWindow w = tunnel(minute, destination);
        w.window.setJobId(job);
        return w;
    }

    @Test
    void aTombstoneRemovesTheRuleAndAChangedRuleReplacesIt() throws Exception {
        harness = open(Suppressions.none(), null);
        harness.broadcast(
                ScoringBroadcast.rule(rule("bastion").setJob("train-*").build()));
        harness.window(tunnel(0, BASTION));
        assertThat(harness.alerts()).isEmpty();

        // the same id, now narrowed to another job: this job alerts again
        harness.broadcast(ScoringBroadcast.rule(rule("bastion").setJob("etl-*").build()));
        harness.window(tunnel(1, BASTION));
        assertThat(harness.alerts()).hasSize(1);

        harness.broadcast(
                ScoringBroadcast.rule(rule("bastion").setJob("train-*").build()));
        harness.window(tunnel(2, BASTION));
        assertThat(harness.alerts()).hasSize(1);
        harness.broadcast(ScoringBroadcast.ruleRemoved("bastion"));
        harness.window(tunnel(3, BASTION));
        assertThat(harness.alerts()).hasSize(2);
        assertThat(harness.windows())
                .extracting(JobWindow::getSuppressedBy)
                .containsExactly(List.of("bastion"), List.of(), List.of("bastion"), List.of());
    }

    @Test
    void labelsComeFromTheJobsAssignmentsAndRulesAndLabelsSurviveARestore() throws Exception {
        harness = open(Suppressions.none(), null);
        harness.assignment(Assignment.newBuilder()
                .setTs(BEGINNING)
                .setEvent(AssignmentEvent.START)
                .setJobId(JOB)
                .setNode("n1")
                .setPod("vision/p1")
                .setIp("10.0.0.7")
                .setGpus(List.of(0))
                .setLabels(Map.of("team", "vision"))
                .build());
        harness.broadcast(ScoringBroadcast.rule(rule("vision-tunnels")
                .setLabels(Map.of("team", "vision"))
                .setCategory(Category.REVERSE_TUNNEL)
                .build()));
        harness.window(tunnel(0, BASTION));
        assertThat(harness.alerts()).isEmpty();
        assertThat(lastWindow().getSuppressedBy()).containsExactly("vision-tunnels");
        // a job without the label
        harness.window(tunnelOf("train-other", 0, BASTION));
        assertThat(harness.alerts()).hasSize(1);

        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();
        harness = open(Suppressions.none(), snapshot);
        harness.window(tunnel(1, BASTION));
        assertThat(harness.alerts()).isEmpty();
        assertThat(lastWindow().getSuppressedBy()).containsExactly("vision-tunnels");
    }

    @Test
    void rulesFromAFileApplyFromTheStartAndTheTopicsRuleOfTheSameIdWins() throws Exception {
        Suppressions file = Suppressions.of(List.of(
                Suppression.of(rule("bastion").setCidr(BASTION).setPort(22).build())));
        harness = open(file, null);
        harness.window(tunnel(0, BASTION));
        assertThat(harness.alerts()).isEmpty();
        harness.broadcast(ScoringBroadcast.rule(
                rule("bastion").setCidr(BASTION).setPort(443).build()));
        harness.window(tunnel(1, BASTION));
        assertThat(harness.alerts()).hasSize(1);
    }

    @Test
    void perRuleMetricsAreCappedTheRestCountUnderOther() throws Exception {
        harness = open(Suppressions.none(), null);
        int rules = ScoreWindows.MAX_RULE_METRICS + 2;
        for (int i = 0; i < rules; i++) {
            String ip = "198.51." + (i / 250) + "." + (i % 250 + 1);
            harness.broadcast(ScoringBroadcast.rule(rule("r" + i).setCidr(ip).build()));
            harness.window(tunnel(i, ip));
        }
        assertThat(harness.alerts()).isEmpty();
        assertThat(harness.counter("alertsSuppressed")).isEqualTo(rules);
        assertThat(harness.subgroups("suppression_rule")).hasSize(ScoreWindows.MAX_RULE_METRICS + 1);
        assertThat(harness.counter("suppression_rule", "r0", "alertsSuppressed"))
                .isOne();
        assertThat(harness.counter("suppression_rule", "other", "alertsSuppressed"))
                .isEqualTo(2);
    }
}
