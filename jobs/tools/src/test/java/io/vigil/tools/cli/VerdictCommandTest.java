package io.vigil.tools.cli;

import static io.vigil.tools.cli.VigilCliTest.vigil;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@code vigil verdict} refuses before it talks to a broker (none runs here), and its flags. */
class VerdictCommandTest {
    @Test
    void refusesAWordThatIsNotAVerdict() {
        VigilCliTest.Run run = vigil("verdict", "inc-1", "benign");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("verdict \"benign\" is not one of [true_positive, false_positive]");
    }

    @Test
    void refusesOptionsThatDoNotFitTheVerdict() {
        assertThat(vigil("verdict", "inc-1", "false_positive", "--category", "NETWORK_SCAN")
                        .err())
                .contains("--category is for a true_positive");
        assertThat(vigil("verdict", "inc-1", "true_positive", "--propose-suppression")
                        .err())
                .contains("--propose-suppression is for a false_positive");
        assertThat(vigil("verdict", "inc-1", "true_positive", "--window-start", "2026-02-14T03:00:00Z")
                        .err())
                .contains("give the incident's --job too");
        assertThat(vigil(
                                "verdict",
                                "inc-1",
                                "true_positive",
                                "--job",
                                "j",
                                "--window-start",
                                "2026-02-14T03:00:00Z",
                                "--window-end",
                                "2026-02-14T03:00:00Z")
                        .err())
                .contains("--window-end 2026-02-14T03:00:00Z is not after --window-start");
        assertThat(vigil("verdict", "inc-1", "true_positive", "--job", "j", "--window-start", "yesterday")
                        .err())
                .contains("--window-start yesterday: expected an ISO-8601 instant");
        assertThat(vigil("verdict", "inc-1", "false_positive", "--author", " ").exitCode())
                .isEqualTo(2);
    }

    @Test
    void takesTheKafkaClientOptionsOfEveryKafkaVerb() {
        VigilCliTest.Run run = vigil("verdict", "--help");
        assertThat(run.out())
                .contains("--bootstrap-servers")
                .contains("--kafka-config")
                .contains("--kafka-property")
                .contains("--topic-feedback")
                .contains("--topic-alerts")
                .contains("--alert-format");
        assertThat(vigil("windows", "--help").out())
                .contains("--feedback-topic")
                .contains("--kafka-property");
    }
}
