package io.vigil.tools.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.tools.alerts.Transition.Endpoint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The incident a verdict judges, gathered from its transitions, and the suppression a false positive proposes. */
class SuppressionProposalTest {
    static final String INCIDENT = "5f0c2a9e-1b7d-3c4e-8a6f-0d9e8c7b6a51";

    static Transition t(
            String id, String incident, String state, long first, long last, List<String> cats, List<Endpoint> dsts) {
        return new Transition(id, incident, "rl-agent-7", state, "HIGH", cats, 0.9, first, last, null, "{}", dsts);
    }

    /** A tunnel that mining joined, as the alert topic tells it, with another job's incident between. */
    static List<Transition> topic() {
        Endpoint tunnel = new Endpoint("203.0.113.9", 443, true);
        Endpoint storage = new Endpoint("10.0.4.2", 9000, false);
        Endpoint pool = new Endpoint("2001:DB8::7", 3333, true);
        return List.of(
                t("t-open", INCIDENT, "OPEN", 60_000, 120_000, List.of("REVERSE_TUNNEL"), List.of(tunnel, storage)),
                new Transition(
                        "x-open",
                        "other",
                        "train-3",
                        "OPEN",
                        "LOW",
                        List.of("UNKNOWN"),
                        0.7,
                        0,
                        60_000,
                        null,
                        "{}",
                        List.of()),
                t(
                        "t-update",
                        INCIDENT,
                        "UPDATE",
                        60_000,
                        300_000,
                        List.of("REVERSE_TUNNEL", "CRYPTO_MINING"),
                        List.of(pool, tunnel)),
                t(
                        "t-close",
                        INCIDENT,
                        "CLOSE",
                        60_000,
                        360_000,
                        List.of("REVERSE_TUNNEL", "CRYPTO_MINING"),
                        List.of(tunnel)));
    }

    @Test
    void anIncidentIsFoundByItsIdOrByAnyOfItsTransitionsAndGathersThemAll() {
        JudgedIncident byIncident = JudgedIncident.find(INCIDENT, topic()).orElseThrow();
        JudgedIncident byTransition = JudgedIncident.find("t-update", topic()).orElseThrow();

        assertThat(byTransition).isEqualTo(byIncident);
        assertThat(byIncident.jobId()).isEqualTo("rl-agent-7");
        assertThat(byIncident.firstSeen()).isEqualTo(60_000);
        assertThat(byIncident.lastSeen())
                .as("the last transition's last window end")
                .isEqualTo(360_000);
        assertThat(byIncident.categories()).containsExactly("REVERSE_TUNNEL", "CRYPTO_MINING");
        assertThat(byIncident.destinations())
                .extracting(Endpoint::ip)
                .containsExactly("203.0.113.9", "10.0.4.2", "2001:DB8::7");
        assertThat(JudgedIncident.find("nothing", topic())).isEmpty();
        assertThat(JudgedIncident.find("x-open", topic()).orElseThrow().categories())
                .containsExactly("UNKNOWN");
    }

    @Test
    void aFalsePositiveProposesOneRulePerExternalDestinationOfTheJob() {
        JudgedIncident incident = JudgedIncident.find(INCIDENT, topic()).orElseThrow();

        List<String> commands = SuppressionProposal.commands(incident, "lab's own relay", "ana", "7d");

        // two categories: a rule naming one would let the other through, so neither is named
        assertThat(commands)
                .containsExactly(
                        "vigil suppress add --id fp-5f0c2a9e --job rl-agent-7 --cidr 203.0.113.9/32 --port 443"
                                + " --reason 'lab'\\''s own relay' --author ana --expires 7d",
                        "vigil suppress add --id fp-5f0c2a9e-2 --job rl-agent-7 --cidr 2001:db8::7/128 --port 3333"
                                + " --reason 'lab'\\''s own relay' --author ana --expires 7d");
        assertThat(String.join("\n", commands)).as("the cluster's own storage").doesNotContain("10.0.4.2");
        assertThat(SuppressionProposal.commands(incident, "lab's own relay", "ana", "7d"))
                .as("the same rules each time")
                .isEqualTo(commands);
    }

    @Test
    void oneCategoryIsNamedAndWithoutAnExternalDestinationEachCategoryIsARule() {
        JudgedIncident mining = new JudgedIncident(
                "abc",
                "miner-1",
                0,
                60_000,
                List.of("CRYPTO_MINING"),
                List.of(new Endpoint("198.51.100.4", 3333, true)));
        assertThat(SuppressionProposal.commands(mining, "benchmark", "bo", "1d"))
                .containsExactly("vigil suppress add --id fp-abc --job miner-1 --cidr 198.51.100.4/32 --port 3333"
                        + " --category CRYPTO_MINING --reason benchmark --author bo --expires 1d");

        JudgedIncident scan = new JudgedIncident(
                "def01234567",
                "prober",
                0,
                60_000,
                List.of("NETWORK_SCAN", "EXFILTRATION"),
                List.of(new Endpoint("10.0.0.1", 22, false)));
        assertThat(SuppressionProposal.commands(scan, "audit", "bo", "7d"))
                .containsExactly(
                        "vigil suppress add --id fp-def01234 --job prober --category NETWORK_SCAN --reason audit"
                                + " --author bo --expires 7d",
                        "vigil suppress add --id fp-def01234-2 --job prober --category EXFILTRATION --reason audit"
                                + " --author bo --expires 7d");
    }

    @Test
    void atMostFiveRulesAndWhatIsLeftOutIsSaid() {
        List<Endpoint> many = List.of(
                new Endpoint("198.51.100.1", 443, true),
                new Endpoint("198.51.100.2", 443, true),
                new Endpoint("198.51.100.3", 443, true),
                new Endpoint("198.51.100.4", 443, true),
                new Endpoint("198.51.100.5", 443, true),
                new Endpoint("198.51.100.6", 443, true),
                new Endpoint("198.51.100.7", 443, true),
                new Endpoint("not an address", 443, true));
        JudgedIncident crawl = new JudgedIncident("i", "j", 0, 1, List.of("EXFILTRATION"), many);

        List<String> commands = SuppressionProposal.commands(crawl, "r", "a", "7d");

        assertThat(commands).hasSize(SuppressionProposal.MAX_RULES + 1);
        assertThat(commands.get(SuppressionProposal.MAX_RULES))
                .isEqualTo("# and 2 more of the incident's destinations, not proposed");
    }

    @Test
    void wordsAreQuotedForTheShellAndShowNoControlCharacter() {
        assertThat(SuppressionProposal.shellWord("rl-agent-7")).isEqualTo("rl-agent-7");
        assertThat(SuppressionProposal.shellWord("a b")).isEqualTo("'a b'");
        assertThat(SuppressionProposal.shellWord("$(rm -rf /)")).isEqualTo("'$(rm -rf /)'");
        assertThat(SuppressionProposal.shellWord("it's")).isEqualTo("'it'\\''s'");
        assertThat(SuppressionProposal.shellWord("job*")).isEqualTo("'job*'");
        assertThat(SuppressionProposal.shellWord("x\u001b[2Jy")).isEqualTo("'x\\u001b[2Jy'");
    }
}
