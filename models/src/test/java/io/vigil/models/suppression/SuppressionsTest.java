package io.vigil.models.suppression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.records.Category;
import io.vigil.records.Destination;
import io.vigil.records.SuppressionRule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SuppressionsTest {
    private static final Instant CREATED = Instant.parse("2026-02-14T03:00:00Z");
    private static final Instant WINDOW_END = CREATED.plus(Duration.ofMinutes(10));
    private static final Map<String, String> NO_LABELS = Map.of();

    private static SuppressionRule.Builder rule(String id) {
        return SuppressionRule.newBuilder()
                .setId(id)
                .setReason("known benign")
                .setAuthor("analyst")
                .setCreated(CREATED);
    }

    private static Destination dest(String ip, int port, boolean external, long unanswered) {
        return Destination.newBuilder()
                .setIp(ip)
                .setPort(port)
                .setProtocol("tcp")
                .setExternal(external)
                .setBytes(1_000)
                .setFlows(1)
                .setUnanswered(unanswered)
                .build();
    }

    private static Suppressions of(SuppressionRule.Builder... rules) {
        return Suppressions.of(
                List.of(rules).stream().map(r -> Suppression.of(r.build())).toList());
    }

    private static Suppressions.Outcome apply(
            Suppressions rules, String job, List<Category> categories, Destination... destinations) {
        return rules.apply(job, NO_LABELS, categories, List.of(destinations), WINDOW_END);
    }

    @Test
    void aJobGlobMatchesWithStarsAndQuestionMarksAndNothingElseIsSpecial() {
        Suppressions rules = of(rule("nightly").setJob("etl-nightly-??.*"));
        assertThat(apply(rules, "etl-nightly-07.run3", List.of(Category.EXFILTRATION))
                        .suppressed())
                .isTrue();
        assertThat(apply(rules, "etl-nightly-7.run3", List.of(Category.EXFILTRATION))
                        .suppressed())
                .isFalse();
        // the dot is literal, not any character
        assertThat(apply(rules, "etl-nightly-07xrun3", List.of(Category.EXFILTRATION))
                        .suppressed())
                .isFalse();
        assertThat(apply(of(rule("exact").setJob("train-7")), "train-77", List.of(Category.EXFILTRATION))
                        .suppressed())
                .isFalse();
    }

    @Test
    void aWholeWindowRuleSuppressesAndNamesItself() {
        Suppressions.Outcome o =
                apply(of(rule("b").setJob("train-*"), rule("a").setJob("*-7")), "train-7", List.of(Category.UNKNOWN));
        assertThat(o.suppressed()).isTrue();
        assertThat(o.ruleIds()).containsExactly("a", "b");
    }

    @Test
    void labelsMustAllBeOnTheJob() {
        Suppressions rules = of(rule("vision").setLabels(Map.of("team", "vision", "kind", "batch")));
        List<Category> c = List.of(Category.CRYPTO_MINING);
        assertThat(rules.apply("j", Map.of("team", "vision", "kind", "batch", "x", "y"), c, List.of(), WINDOW_END)
                        .suppressed())
                .isTrue();
        assertThat(rules.apply("j", Map.of("team", "vision"), c, List.of(), WINDOW_END)
                        .suppressed())
                .isFalse();
        assertThat(rules.apply("j", NO_LABELS, c, List.of(), WINDOW_END).suppressed())
                .isFalse();
    }

    @Test
    void anIpv4RangeMustCoverEverySuspiciousDestination() {
        Suppressions rules = of(rule("bastion").setCidr("203.0.113.0/24"));
        List<Category> c = List.of(Category.REVERSE_TUNNEL);
        assertThat(apply(rules, "j", c, dest("203.0.113.9", 22, true, 0), dest("203.0.113.200", 22, true, 0))
                        .suppressed())
                .isTrue();
        // one suspicious destination outside the range keeps the alert
        assertThat(apply(rules, "j", c, dest("203.0.113.9", 22, true, 0), dest("198.51.100.1", 22, true, 0))
                        .suppressed())
                .isFalse();
        // a benign internal destination (answered) is not what the window was flagged for
        assertThat(apply(rules, "j", c, dest("203.0.113.9", 22, true, 0), dest("10.0.0.5", 2049, false, 0))
                        .suppressed())
                .isTrue();
        // an internal destination with unanswered attempts is a scan target: it must be covered too
        assertThat(apply(rules, "j", c, dest("203.0.113.9", 22, true, 0), dest("10.0.0.5", 22, false, 3))
                        .suppressed())
                .isFalse();
        // no destination at all: a destination rule has nothing to cover, so it does not apply
        assertThat(apply(rules, "j", c).suppressed()).isFalse();
    }

    @Test
    void withoutExternalOrUnansweredDestinationsEveryListedOneCounts() {
        Suppressions rules = of(rule("storage").setCidr("10.1.0.0/16"));
        List<Category> c = List.of(Category.EXFILTRATION);
        assertThat(apply(rules, "j", c, dest("10.1.2.3", 443, false, 0)).suppressed())
                .isTrue();
        assertThat(apply(rules, "j", c, dest("10.1.2.3", 443, false, 0), dest("10.2.0.1", 443, false, 0))
                        .suppressed())
                .isFalse();
    }

    @Test
    void anIpv6RangeMatchesIpv6OnlyInAnyTextForm() {
        Suppressions rules = of(rule("v6").setCidr("2001:db8:abcd::/48"));
        List<Category> c = List.of(Category.EXFILTRATION);
        assertThat(apply(rules, "j", c, dest("2001:DB8:ABCD:0:0:0:0:1", 443, true, 0))
                        .suppressed())
                .isTrue();
        assertThat(apply(rules, "j", c, dest("2001:db8:abce::1", 443, true, 0)).suppressed())
                .isFalse();
        assertThat(apply(rules, "j", c, dest("32.1.13.184", 443, true, 0)).suppressed())
                .isFalse();
    }

    @Test
    void aPortMustBeEverySuspiciousDestinationsPortAndHoldsWithTheRange() {
        Suppressions portOnly = of(rule("https").setJob("web-*").setPort(443));
        List<Category> c = List.of(Category.EXFILTRATION);
        assertThat(apply(portOnly, "web-1", c, dest("198.51.100.1", 443, true, 0), dest("203.0.113.1", 443, true, 0))
                        .suppressed())
                .isTrue();
        assertThat(apply(portOnly, "web-1", c, dest("198.51.100.1", 443, true, 0), dest("203.0.113.1", 22, true, 0))
                        .suppressed())
                .isFalse();
        Suppressions both = of(rule("both").setCidr("198.51.100.0/24").setPort(443));
        assertThat(apply(both, "j", c, dest("198.51.100.1", 443, true, 0)).suppressed())
                .isTrue();
        assertThat(apply(both, "j", c, dest("198.51.100.1", 8443, true, 0)).suppressed())
                .isFalse();
        assertThat(apply(both, "j", c, dest("203.0.113.1", 443, true, 0)).suppressed())
                .isFalse();
    }

    @Test
    void aCategoryRuleRemovesItsCategoryAndSuppressesOnlyWhenNoneRemain() {
        Suppressions rules = of(rule("mining-ok").setJob("hpc-*").setCategory(Category.CRYPTO_MINING));
        Suppressions.Outcome partial = apply(rules, "hpc-1", List.of(Category.REVERSE_TUNNEL, Category.CRYPTO_MINING));
        assertThat(partial.suppressed()).isFalse();
        assertThat(partial.categories()).containsExactly(Category.REVERSE_TUNNEL);
        assertThat(partial.ruleIds()).containsExactly("mining-ok");

        Suppressions.Outcome all = apply(
                of(
                        rule("mining-ok").setJob("hpc-*").setCategory(Category.CRYPTO_MINING),
                        rule("tunnel-ok").setJob("hpc-*").setCategory(Category.REVERSE_TUNNEL)),
                "hpc-1",
                List.of(Category.REVERSE_TUNNEL, Category.CRYPTO_MINING));
        assertThat(all.suppressed()).isTrue();
        assertThat(all.categories()).isEmpty();
        assertThat(all.ruleIds()).containsExactly("mining-ok", "tunnel-ok");

        // a category the window does not have: the rule takes no part
        Suppressions.Outcome other = apply(rules, "hpc-1", List.of(Category.NETWORK_SCAN));
        assertThat(other.changed()).isFalse();
        assertThat(other.categories()).containsExactly(Category.NETWORK_SCAN);
    }

    @Test
    void aRuleMatchesUpToItsExpiryInEventTime() {
        Instant expires = WINDOW_END.plus(Duration.ofMinutes(1));
        Suppressions rules = of(rule("for-a-while").setJob("j").setExpires(expires));
        List<Category> c = List.of(Category.UNKNOWN);
        assertThat(rules.apply("j", NO_LABELS, c, List.of(), WINDOW_END).suppressed())
                .isTrue();
        assertThat(rules.apply("j", NO_LABELS, c, List.of(), expires).suppressed())
                .isTrue();
        assertThat(rules.apply("j", NO_LABELS, c, List.of(), expires.plusMillis(1))
                        .suppressed())
                .isFalse();
    }

    @Test
    void aRuleThatMatchesEverythingIsRefused() {
        for (SuppressionRule.Builder matchesAll : List.of(
                rule("nothing"),
                rule("stars").setJob("*"),
                rule("stars2").setJob("**"),
                rule("v4").setCidr("0.0.0.0/0"),
                rule("v6").setCidr("::/0"),
                rule("both").setJob("*").setCidr("10.0.0.0/0"))) {
            SuppressionRule r = matchesAll.build();
            assertThat(Suppression.refusal(r)).as(r.getId()).contains("matches every flagged window");
            assertThatThrownBy(() -> Suppression.of(r)).hasMessageContaining("matches every flagged window");
        }
        // narrowed by anything at all, it is a rule
        assertThat(Suppression.refusal(rule("a").setJob("*").setPort(443).build()))
                .isNull();
        assertThat(Suppression.refusal(rule("b")
                        .setCidr("0.0.0.0/0")
                        .setCategory(Category.NETWORK_SCAN)
                        .build()))
                .isNull();
        assertThat(Suppression.refusal(rule("c").setJob("?").build())).isNull();
    }

    @Test
    void malformedRulesAreRefusedWithTheReason() {
        assertThat(Suppression.refusal(rule("bad id").setJob("j").build())).contains("rule id");
        assertThat(Suppression.refusal(rule("r").setJob(" ").build())).contains("job glob is empty");
        assertThat(Suppression.refusal(rule("r").setCidr("10.0.0.0/33").build()))
                .contains("prefix longer than 32 bits");
        assertThat(Suppression.refusal(rule("r").setCidr("example.com").build()))
                .contains("bad address");
        assertThat(Suppression.refusal(rule("r").setPort(70_000).build())).contains("not 0..65535");
        assertThat(Suppression.refusal(rule("r").setJob("j").setReason(" ").build()))
                .contains("reason is required");
        assertThat(Suppression.refusal(rule("r").setJob("j").setAuthor("").build()))
                .contains("author is required");
        assertThat(Suppression.refusal(rule("r").setJob("j").setExpires(CREATED).build()))
                .contains("before it was created");
    }
}
