package io.vigil.models.suppression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.models.features.FeatureSet;
import io.vigil.records.Category;
import io.vigil.records.Destination;
import io.vigil.records.Evidence;
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

    /** A destination as the evidence lists it: bytes both ways, of which {@code bytesOut} sent. */
    private static Destination.Builder dest(String ip, int port, boolean external, long unanswered) {
        return Destination.newBuilder()
                .setIp(ip)
                .setPort(port)
                .setProtocol("tcp")
                .setExternal(external)
                .setBytes(1_000)
                .setBytesOut(100)
                .setFlows(1)
                .setUnanswered(unanswered);
    }

    /** A rare external host held by a long-lived, small-message session: a tunnel's or a pool's. */
    private static Destination persistent(String ip, int port) {
        return dest(ip, port, true, 0).setRare(true).setLongLived(true).build();
    }

    /** A rare external host of a short HTTPS download: an agent browsing the web. */
    private static Destination browsed(String ip) {
        return dest(ip, 443, true, 0)
                .setBytes(2_000_000)
                .setBytesOut(20_000)
                .setRare(true)
                .build();
    }

    /** A rare external host the job sent far more to than it received from. */
    private static Destination upload(String ip, int port) {
        return dest(ip, port, true, 0)
                .setBytes(40_000_000)
                .setBytesOut(39_000_000)
                .setRare(true)
                .build();
    }

    /** A host whose ports failed: a scan's target. */
    private static Destination target(String ip, Integer... failedPorts) {
        return dest(ip, failedPorts[0], false, failedPorts.length)
                .setBytes(0)
                .setBytesOut(0)
                .setFailedPorts(List.of(failedPorts))
                .build();
    }

    private static Destination storage(String ip) {
        return dest(ip, 2049, false, 0).setBytes(30_000_000).build();
    }

    private static Evidence evidence(Destination... destinations) {
        return Evidence.newBuilder()
                .setDestinations(List.of(destinations))
                .setProcesses(List.of())
                .setFlowCount(destinations.length)
                .setSampleCount(0)
                .build();
    }

    private static Suppressions of(SuppressionRule.Builder... rules) {
        return Suppressions.of(
                List.of(rules).stream().map(r -> Suppression.of(r.build())).toList());
    }

    /** The rules on a window with no GPU signs: every feature the indicators read that is not given is 0. */
    private static Suppressions.Outcome apply(
            Suppressions rules, String job, List<Category> categories, Destination... destinations) {
        return apply(rules, job, categories, Map.of(), destinations);
    }

    private static Suppressions.Outcome apply(
            Suppressions rules,
            String job,
            List<Category> categories,
            Map<String, Double> features,
            Destination... destinations) {
        return rules.apply(job, NO_LABELS, categories, features, evidence(destinations), WINDOW_END);
    }

    /** A count as its {@code log1p} feature. */
    private static double count(double n) {
        return Math.log1p(n);
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
        assertThat(rules.apply(
                                "j",
                                Map.of("team", "vision", "kind", "batch", "x", "y"),
                                c,
                                Map.of(),
                                evidence(),
                                WINDOW_END)
                        .suppressed())
                .isTrue();
        assertThat(rules.apply("j", Map.of("team", "vision"), c, Map.of(), evidence(), WINDOW_END)
                        .suppressed())
                .isFalse();
        assertThat(rules.apply("j", NO_LABELS, c, Map.of(), evidence(), WINDOW_END)
                        .suppressed())
                .isFalse();
    }

    @Test
    void aTunnelRuleMustCoverEveryEndpointTheTunnelRestsOn() {
        Suppressions rules = of(rule("bastion").setCidr("203.0.113.0/24"));
        List<Category> c = List.of(Category.REVERSE_TUNNEL);
        assertThat(apply(rules, "j", c, persistent("203.0.113.9", 22), persistent("203.0.113.200", 22))
                        .suppressed())
                .isTrue();
        // a second tunnel endpoint outside the range keeps the alert
        assertThat(apply(rules, "j", c, persistent("203.0.113.9", 22), persistent("198.51.100.1", 22))
                        .suppressed())
                .isFalse();
        // SSH to another rare host is a tunnel's ground too, long-lived or not
        assertThat(apply(
                                rules,
                                "j",
                                c,
                                persistent("203.0.113.9", 22),
                                Destination.newBuilder(browsed("198.51.100.1"))
                                        .setPort(22)
                                        .build())
                        .suppressed())
                .isFalse();
        // the job's storage and a scan target beside it are not what the tunnel rests on
        assertThat(apply(rules, "j", c, persistent("203.0.113.9", 22), storage("10.0.0.5"), target("10.0.0.6", 22))
                        .suppressed())
                .isTrue();
        // no destination at all: a destination rule has nothing to cover, so it does not apply
        assertThat(apply(rules, "j", c).changed()).isFalse();
    }

    @Test
    void benignBrowsingBesideTheTunnelDoesNotStopATunnelRule() {
        Suppressions rules = of(rule("tunnel").setCidr("203.0.113.145/32").setPort(22));
        Destination[] window = {
            browsed("192.0.2.10"),
            browsed("203.0.113.112"),
            browsed("198.51.100.100"),
            dest("203.0.113.11", 443, true, 0).setLongLived(true).build(), // a popular tracker: not rare
            persistent("203.0.113.145", 22)
        };
        Suppressions.Outcome outcome = apply(rules, "agent", List.of(Category.REVERSE_TUNNEL), window);
        assertThat(outcome.suppressed()).isTrue();
        assertThat(outcome.ruleIds()).containsExactly("tunnel");

        // the features counted a rare persistent host the list leaves out: it may be a second tunnel
        Suppressions.Outcome unlisted = apply(
                rules,
                "agent",
                List.of(Category.REVERSE_TUNNEL),
                Map.of(FeatureSet.RARE_LONG_LIVED_HOSTS, count(2)),
                window);
        assertThat(unlisted.changed()).isFalse();
        Suppressions.Outcome listed = apply(
                rules,
                "agent",
                List.of(Category.REVERSE_TUNNEL),
                Map.of(FeatureSet.RARE_LONG_LIVED_HOSTS, count(1), FeatureSet.RARE_SSH_FLOWS, count(1)),
                window);
        assertThat(listed.suppressed()).isTrue();
    }

    @Test
    void theAgentCallThatOpensAnAllowedTunnelIsAllowedWithItsTrafficAndNotBeforeIt() {
        Suppressions rules = of(rule("tunnel").setCidr("203.0.113.145/32").setPort(22));
        // the window the `ssh -R` call ended in: its command names the tunnel, and its first SSH flow is listed
        Map<String, Double> call = Map.of(FeatureSet.AGENT_TUNNEL_CALLS, 1.0, FeatureSet.RARE_SSH_FLOWS, count(1));
        Destination ssh = dest("203.0.113.145", 22, true, 0).setRare(true).build();
        Suppressions.Outcome allowed =
                apply(rules, "agent", List.of(Category.REVERSE_TUNNEL), call, browsed("192.0.2.10"), ssh);
        assertThat(allowed.suppressed()).isTrue();

        // no traffic of the call listed yet: nothing says where it goes, so the rule cannot take it off
        Suppressions.Outcome unseen = apply(
                rules,
                "agent",
                List.of(Category.REVERSE_TUNNEL),
                Map.of(FeatureSet.AGENT_TUNNEL_CALLS, 1.0),
                browsed("192.0.2.10"));
        assertThat(unseen.changed()).isFalse();
    }

    @Test
    void aRuleOnTheTunnelLeavesTheMiningAlerting() {
        Suppressions rules = of(rule("tunnel").setCidr("203.0.113.145/32").setPort(22));
        List<Category> both = List.of(Category.REVERSE_TUNNEL, Category.CRYPTO_MINING);
        Destination tunnel = persistent("203.0.113.145", 22);
        Destination pool = persistent("192.0.2.241", 5555);
        // hashing GPUs: the rare persistent connection that is not SSH is the pool's, the SSH one the tunnel's
        Map<String, Double> hashing = Map.of(
                FeatureSet.HASHING_GPU_FRACTION,
                0.5,
                FeatureSet.RARE_LONG_LIVED_HOSTS,
                count(2),
                FeatureSet.RARE_INTERACTIVITY,
                0.9,
                FeatureSet.RARE_SSH_FLOWS,
                count(1));
        Suppressions.Outcome outcome = apply(rules, "agent", both, hashing, browsed("192.0.2.10"), tunnel, pool);
        assertThat(outcome.suppressed()).isFalse();
        assertThat(outcome.categories()).containsExactly(Category.CRYPTO_MINING);
        assertThat(outcome.ruleIds()).containsExactly("tunnel");

        // a rule on the pool takes the mining off when it rests on the pool alone, and leaves the tunnel
        Suppressions pool5555 = of(rule("pool").setCidr("192.0.2.241/32").setPort(5555));
        Suppressions.Outcome onPool = apply(pool5555, "agent", both, hashing, tunnel, pool);
        assertThat(onPool.categories()).containsExactly(Category.REVERSE_TUNNEL);
        assertThat(onPool.ruleIds()).containsExactly("pool");

        // without hashing GPUs a rare persistent connection may be a tunnel whatever its port: both rules needed
        Map<String, Double> quiet =
                Map.of(FeatureSet.RARE_LONG_LIVED_HOSTS, count(2), FeatureSet.RARE_SSH_FLOWS, count(1));
        assertThat(apply(rules, "agent", List.of(Category.REVERSE_TUNNEL), quiet, tunnel, pool)
                        .changed())
                .isFalse();
        assertThat(apply(
                                of(
                                        rule("tunnel").setCidr("203.0.113.145/32"),
                                        rule("pool").setCidr("192.0.2.241/32")),
                                "agent",
                                List.of(Category.REVERSE_TUNNEL),
                                quiet,
                                tunnel,
                                pool)
                        .suppressed())
                .isTrue();
    }

    @Test
    void miningOnTheGpusIsNeverSilencedByADestinationRule() {
        Destination pool = persistent("192.0.2.241", 5555);
        Suppressions onPool = of(rule("pool").setCidr("192.0.2.241/32"));
        List<Category> mining = List.of(Category.CRYPTO_MINING);
        // a miner's process name: the mining stands on the GPUs whatever the network shows
        Map<String, Double> minerName = Map.of(
                FeatureSet.MINER_PROCESS,
                1.0,
                FeatureSet.HASHING_GPU_FRACTION,
                0.5,
                FeatureSet.RARE_LONG_LIVED_HOSTS,
                count(1),
                FeatureSet.RARE_INTERACTIVITY,
                0.9);
        assertThat(apply(onPool, "j", mining, minerName, pool).changed()).isFalse();
        // some GPUs hashing while the others train
        Map<String, Double> divergent =
                Map.of(FeatureSet.HASHING_DIVERGENCE, 0.7, FeatureSet.HASHING_GPU_FRACTION, 0.5);
        assertThat(apply(onPool, "j", mining, divergent, pool).changed()).isFalse();
        // no pool listed at all: nothing a destination rule covers
        assertThat(apply(onPool, "j", mining, divergent).changed()).isFalse();
        // the same window, hashing on every GPU (no divergence, no name): the mining rests on its pool
        Map<String, Double> poolOnly = Map.of(
                FeatureSet.HASHING_GPU_FRACTION,
                1.0,
                FeatureSet.RARE_LONG_LIVED_HOSTS,
                count(1),
                FeatureSet.RARE_INTERACTIVITY,
                0.9);
        assertThat(apply(onPool, "j", mining, poolOnly, pool).suppressed()).isTrue();
        // GPUs serving another workload rest on no destination
        assertThat(apply(onPool, "j", List.of(Category.GPU_DIVERSION), poolOnly, pool)
                        .changed())
                .isFalse();
    }

    @Test
    void aScanRuleMustCoverEveryFailedTargetTheWindowHas() {
        Suppressions subnet = of(rule("audit").setCidr("10.40.0.0/16").setPort(21));
        List<Category> scan = List.of(Category.NETWORK_SCAN);
        assertThat(apply(subnet, "j", scan, target("10.40.0.86", 21), target("10.40.0.87", 21), browsed("192.0.2.10"))
                        .suppressed())
                .isTrue();
        // a target outside the range, or another failed port of a covered host
        assertThat(apply(subnet, "j", scan, target("10.40.0.86", 21), target("10.244.2.23", 21))
                        .changed())
                .isFalse();
        assertThat(apply(subnet, "j", scan, target("10.40.0.86", 21, 22)).changed())
                .isFalse();
        // targets beyond the listed ones, in this window or the job's last half hour
        Evidence wider = Evidence.newBuilder(evidence(target("10.40.0.86", 21)))
                .setUnlistedFailedTargets(40)
                .build();
        assertThat(subnet.apply("j", NO_LABELS, scan, Map.of(), wider, WINDOW_END)
                        .changed())
                .isFalse();
        Map<String, Double> slow =
                Map.of(FeatureSet.RECENT_FAILED_TARGETS, count(25), FeatureSet.FAILED_TARGETS, count(1));
        assertThat(apply(subnet, "j", scan, slow, target("10.40.0.86", 21)).changed())
                .isFalse();
        // answered attempts and unanswered ones on answered ports are no targets
        assertThat(apply(
                                subnet,
                                "j",
                                scan,
                                target("10.40.0.86", 21),
                                dest("192.0.2.9", 443, true, 1).build())
                        .suppressed())
                .isTrue();
    }

    @Test
    void anUploadRuleCoversTheHostsTheJobSentTo() {
        Suppressions rules = of(rule("v6").setCidr("2001:db8:abcd::/48"));
        List<Category> c = List.of(Category.EXFILTRATION);
        assertThat(apply(rules, "j", c, upload("2001:DB8:ABCD:0:0:0:0:1", 443), browsed("192.0.2.10"))
                        .suppressed())
                .isTrue();
        assertThat(apply(rules, "j", c, upload("2001:db8:abce::1", 443)).suppressed())
                .isFalse();
        assertThat(apply(rules, "j", c, upload("32.1.13.184", 443)).suppressed())
                .isFalse();
        // bytes sent to rare hosts the list leaves out may be the rest of the upload
        assertThat(apply(
                                rules,
                                "j",
                                c,
                                Map.of(FeatureSet.RARE_EXTERNAL_BYTES_OUT, count(80_000_000)),
                                upload("2001:db8:abcd::1", 443))
                        .changed())
                .isFalse();
    }

    @Test
    void aPortMustBeEveryGroundsPortAndHoldsWithTheRange() {
        Suppressions portOnly = of(rule("https").setJob("web-*").setPort(443));
        List<Category> c = List.of(Category.EXFILTRATION);
        assertThat(apply(portOnly, "web-1", c, upload("198.51.100.1", 443), upload("203.0.113.1", 443))
                        .suppressed())
                .isTrue();
        assertThat(apply(portOnly, "web-1", c, upload("198.51.100.1", 443), upload("203.0.113.1", 22))
                        .suppressed())
                .isFalse();
        Suppressions both = of(rule("both").setCidr("198.51.100.0/24").setPort(443));
        assertThat(apply(both, "j", c, upload("198.51.100.1", 443)).suppressed())
                .isTrue();
        assertThat(apply(both, "j", c, upload("198.51.100.1", 8443)).suppressed())
                .isFalse();
        assertThat(apply(both, "j", c, upload("203.0.113.1", 443)).suppressed()).isFalse();
    }

    @Test
    void aWindowOfNoKnownKindNeedsEverySuspiciousDestinationCovered() {
        Suppressions rules = of(rule("storage").setCidr("10.1.0.0/16"));
        List<Category> c = List.of(Category.UNKNOWN);
        assertThat(apply(rules, "j", c, dest("10.1.2.3", 443, false, 0).build()).suppressed())
                .isTrue();
        assertThat(apply(
                                rules,
                                "j",
                                c,
                                dest("10.1.2.3", 443, false, 0).build(),
                                dest("10.2.0.1", 443, false, 0).build())
                        .suppressed())
                .isFalse();
        // an external destination is suspicious, an answered internal one beside it is not
        Suppressions external = of(rule("ext").setCidr("192.0.2.0/24"));
        assertThat(apply(external, "j", c, browsed("192.0.2.10"), storage("10.0.0.5"))
                        .suppressed())
                .isTrue();
        assertThat(apply(external, "j", c, browsed("192.0.2.10"), target("10.0.0.6", 22))
                        .suppressed())
                .isFalse();
    }

    @Test
    void aCategoryRuleWithADestinationKeepsItsMeaning() {
        // every suspicious destination (external or unanswered) must lie in the range, as before
        Suppressions rules = of(rule("ok").setCidr("203.0.113.0/24").setCategory(Category.REVERSE_TUNNEL));
        List<Category> c = List.of(Category.REVERSE_TUNNEL, Category.CRYPTO_MINING);
        Suppressions.Outcome covered = apply(rules, "j", c, persistent("203.0.113.9", 22), storage("10.0.0.5"));
        assertThat(covered.categories()).containsExactly(Category.CRYPTO_MINING);
        assertThat(apply(rules, "j", c, persistent("203.0.113.9", 22), browsed("192.0.2.10"))
                        .changed())
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
        assertThat(rules.apply("j", NO_LABELS, c, Map.of(), evidence(), WINDOW_END)
                        .suppressed())
                .isTrue();
        assertThat(rules.apply("j", NO_LABELS, c, Map.of(), evidence(), expires).suppressed())
                .isTrue();
        assertThat(rules.apply("j", NO_LABELS, c, Map.of(), evidence(), expires.plusMillis(1))
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
