package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.models.suppression.Suppression;
import io.vigil.models.suppression.Suppressions;
import io.vigil.records.Category;
import io.vigil.records.RecordType;
import io.vigil.records.SuppressionRule;
import io.vigil.records.json.JsonRecordCodec;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The suppression topic's edge: rules on, tombstones as removals, everything else a dead letter; and rule files. */
class SuppressionInputTest {
    static final RecordFraming<SuppressionRule> FRAMING =
            Framings.forTopic(RecordType.SUPPRESSION, "vigil.suppressions", null);
    static final Instant CREATED = Instant.parse("2026-02-14T03:00:00Z");

    static SuppressionRule.Builder rule(String id) {
        return SuppressionRule.newBuilder()
                .setId(id)
                .setJob("train-*")
                .setReason("sanctioned")
                .setAuthor("analyst")
                .setCreated(CREATED);
    }

    static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRuleKeyedByItsIdIsAnUpdateAndATombstoneARemoval() {
        SuppressionInput in =
                SuppressionInput.decode(key("r1"), FRAMING.encode(rule("r1").build()), FRAMING, "s/0@1");
        assertThat(in.deadLetter).isNull();
        assertThat(in.update.kind).isEqualTo(ScoringBroadcast.Kind.RULE);
        assertThat(ScoringBroadcast.rule(in.update.bytes).record())
                .isEqualTo(rule("r1").build());

        SuppressionInput removed = SuppressionInput.decode(key("r1"), null, FRAMING, "s/0@2");
        assertThat(removed.update.kind).isEqualTo(ScoringBroadcast.Kind.RULE_REMOVED);
        assertThat(removed.update.ruleId).isEqualTo("r1");
    }

    @Test
    void whatIsNoUsableRuleIsADeadLetterWithTheReason() {
        assertThat(SuppressionInput.decode(key("r1"), new byte[] {1, 2, 3}, FRAMING, "s/0@3").deadLetter)
                .satisfies(d -> {
                    assertThat(d.getRecordType()).isEqualTo("suppression");
                    assertThat(d.getReason()).isEqualTo("undecodable");
                    assertThat(d.getSource()).isEqualTo("s/0@3");
                });
        assertThat(SuppressionInput.decode(
                                key("other"), FRAMING.encode(rule("r1").build()), FRAMING, "s/0@4")
                        .deadLetter
                        .getDetail())
                .contains("key 'other'", "id is 'r1'");
        SuppressionRule everything = rule("all").setJob("*").build();
        assertThat(SuppressionInput.decode(key("all"), FRAMING.encode(everything), FRAMING, "s/0@5")
                        .deadLetter
                        .getDetail())
                .contains("matches every flagged window");
        assertThat(SuppressionInput.decode(null, null, FRAMING, "s/0@6")
                        .deadLetter
                        .getDetail())
                .contains("tombstone without a key");
    }

    @Test
    void aFileOfRulesIsReadLineByLineAndABadLineIsNamed(@TempDir Path dir) throws IOException {
        JsonRecordCodec<SuppressionRule> json = JsonRecordCodec.of(RecordType.SUPPRESSION);
        Path file = dir.resolve("rules.jsonl");
        Files.write(
                file,
                List.of(
                        "# allowed by the SOC",
                        json.encode(
                                rule("a").setCategory(Category.CRYPTO_MINING).build()),
                        "",
                        json.encode(rule("b").setCidr("2001:db8::/32").build()),
                        json.encode(rule("a").setJob("hpc-*").build())));
        Suppressions rules = SuppressionInput.readJsonLines(file);
        assertThat(rules.rules()).extracting(Suppression::id).containsExactly("a", "b");
        assertThat(rules.rules().get(0).toString()).contains("hpc-*");

        Files.write(
                file,
                List.of(
                        json.encode(rule("a").build()),
                        json.encode(rule("c").setJob("*").build())));
        assertThatThrownBy(() -> SuppressionInput.readJsonLines(file))
                .hasMessageContaining("line 2")
                .hasMessageContaining("matches every flagged window");
        Files.write(file, List.of("{\"id\": \"x\""));
        assertThatThrownBy(() -> SuppressionInput.readJsonLines(file)).hasMessageContaining("line 1");
    }
}
