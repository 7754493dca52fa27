package io.vigil.pipeline.detect;

import io.vigil.models.suppression.Suppression;
import io.vigil.models.suppression.Suppressions;
import io.vigil.pipeline.ingest.DeadLetters;
import io.vigil.records.DeadLetter;
import io.vigil.records.Decoded;
import io.vigil.records.Printable;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import io.vigil.records.SuppressionRule;
import io.vigil.records.json.JsonRecordCodec;
import io.vigil.records.wire.RecordFraming;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One message of the suppression topic, decoded at the edge: an update for the scoring step (a rule added or
 * changed, or removed by a tombstone), or a dead letter for a message that is not a rule Vigil may use (one it
 * cannot decode, one whose key is not its id, one {@link Suppression#refusal} refuses). A bad rule never reaches
 * the scoring step and never fails the job. Also reads the rules of a file, for replay and evaluate.
 */
public class SuppressionInput {
    public ScoringBroadcast update;
    public DeadLetter deadLetter;

    public SuppressionInput() {}

    private SuppressionInput(ScoringBroadcast update, DeadLetter deadLetter) {
        this.update = update;
        this.deadLetter = deadLetter;
    }

    /**
     * Decodes one message: its key is the rule's id, its value the rule in the topic's framing, or null (a
     * tombstone: the rule is removed).
     *
     * @param source where it came from, for the dead letter (topic/partition@offset)
     */
    public static SuppressionInput decode(
            byte[] key, byte[] value, RecordFraming<SuppressionRule> framing, String source) {
        String id = key == null ? null : utf8(key);
        if (value == null) {
            return id == null || id.isEmpty()
                    ? rejected(RejectReason.MALFORMED, "a tombstone without a key removes no rule", source, null)
                    : new SuppressionInput(ScoringBroadcast.ruleRemoved(id), null);
        }
        Decoded<SuppressionRule> decoded = framing.decode(value);
        if (!decoded.isAccepted()) {
            return rejected(decoded.rejection().reason(), decoded.rejection().detail(), source, value);
        }
        SuppressionRule rule = decoded.record();
        if (!rule.getId().equals(id)) {
            return rejected(
                    RejectReason.MALFORMED,
                    "the message's key " + (id == null ? "is missing" : "'" + Printable.escape(id) + "'")
                            + " but the rule's id is '" + Printable.escape(rule.getId())
                            + "' (a tombstone for the id would not remove it)",
                    source,
                    value);
        }
        String refusal = Suppression.refusal(rule);
        if (refusal != null) {
            return rejected(RejectReason.MALFORMED, refusal, source, value);
        }
        return new SuppressionInput(ScoringBroadcast.rule(rule), null);
    }

    private static SuppressionInput rejected(RejectReason reason, String detail, String source, byte[] value) {
        return new SuppressionInput(
                null,
                DeadLetter.newBuilder()
                        .setRecordType(RecordType.SUPPRESSION.name())
                        .setReason(reason.code())
                        .setField(null)
                        .setDetail(Printable.escape(detail))
                        .setSource(source)
                        .setEventTs(null)
                        .setOriginalText(null)
                        .setOriginalBytes(value == null ? null : ByteBuffer.wrap(value))
                        .build());
    }

    /** The key as text; bytes that are not UTF-8 are no rule's id. */
    private static String utf8(byte[] key) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Updates on; dead letters to {@link DeadLetters#TAG}. */
    public static final class Split extends ProcessFunction<SuppressionInput, ScoringBroadcast> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(SuppressionInput in, Context ctx, Collector<ScoringBroadcast> out) {
            if (in.update != null) {
                out.collect(in.update);
            } else {
                ctx.output(DeadLetters.TAG, in.deadLetter);
            }
        }
    }

    /**
     * The rules of a file, one JSON object a line (the SuppressionRule record's fields; blank lines and lines
     * starting with # skipped), for replay and evaluate. A later line with the same id replaces an earlier one.
     *
     * @throws IllegalArgumentException naming the line that is not a rule Vigil may use
     */
    public static Suppressions readJsonLines(Path file) throws IOException {
        JsonRecordCodec<SuppressionRule> codec = JsonRecordCodec.of(RecordType.SUPPRESSION);
        Map<String, Suppression> rules = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int number = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                number++;
                if (line.isBlank() || line.strip().startsWith("#")) {
                    continue;
                }
                Decoded<SuppressionRule> decoded = codec.decode(line);
                String where = file + " line " + number + ": ";
                if (!decoded.isAccepted()) {
                    throw new IllegalArgumentException(where + decoded.rejection());
                }
                try {
                    Suppression rule = Suppression.of(decoded.record());
                    rules.put(rule.id(), rule);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + e.getMessage(), e);
                }
            }
        }
        return Suppressions.of(rules.values());
    }
}
