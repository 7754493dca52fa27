package io.vigil.pipeline.detect;

import io.vigil.records.Decoded;
import io.vigil.records.RecordType;
import io.vigil.records.SuppressionRule;
import io.vigil.records.json.JsonRecordCodec;
import java.nio.charset.StandardCharsets;

/**
 * What reaches every scoring instance on the broadcast input: a model release (artifact bytes), a suppression
 * rule added or changed, or a rule removed (a tombstone). A rule travels, and is kept in broadcast state, as its
 * JSON line ({@link JsonRecordCodec}): a later version of the record reads it with the schema's defaults.
 */
public class ScoringBroadcast {
    private static final JsonRecordCodec<SuppressionRule> RULES = JsonRecordCodec.of(RecordType.SUPPRESSION);

    public enum Kind {
        MODEL_RELEASE,
        RULE,
        RULE_REMOVED
    }

    public Kind kind;
    /** The rule's id (RULE, RULE_REMOVED). */
    public String ruleId;
    /** The artifact (MODEL_RELEASE) or the rule's JSON (RULE). */
    public byte[] bytes;

    public ScoringBroadcast() {}

    private ScoringBroadcast(Kind kind, String ruleId, byte[] bytes) {
        this.kind = kind;
        this.ruleId = ruleId;
        this.bytes = bytes;
    }

    public static ScoringBroadcast modelRelease(byte[] artifact) {
        return new ScoringBroadcast(Kind.MODEL_RELEASE, null, artifact);
    }

    public static ScoringBroadcast rule(SuppressionRule rule) {
        return new ScoringBroadcast(Kind.RULE, rule.getId(), ruleBytes(rule));
    }

    public static ScoringBroadcast ruleRemoved(String id) {
        return new ScoringBroadcast(Kind.RULE_REMOVED, id, null);
    }

    static byte[] ruleBytes(SuppressionRule rule) {
        return RULES.encode(rule).getBytes(StandardCharsets.UTF_8);
    }

    /** A rule from its bytes; {@link Decoded#rejected} when they are not one. */
    static Decoded<SuppressionRule> rule(byte[] bytes) {
        return RULES.decode(new String(bytes, StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return kind + (ruleId == null ? "" : " " + ruleId) + (bytes == null ? "" : " (" + bytes.length + " bytes)");
    }
}
