package io.vigil.tools.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.records.Category;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeedbackTest {
    static final long START = Instant.parse("2026-02-14T03:02:00Z").toEpochMilli();

    @Test
    void readsVerdictsWithIsoOrEpochTimesSkippingBlankLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("verdicts.jsonl");
        Files.writeString(file, """
                {"job_id": "rl-7", "window_start": "2026-02-14T03:02:00Z", "verdict": "true_positive", "category": "CRYPTO_MINING", "analyst": "ana"}

                {"alert_id": "a-1", "job_id": "train-3", "window_start": %d, "verdict": "false_positive", "dataset": "baseline"}
                """.formatted(START));

        List<Feedback> verdicts = Feedback.read(file);

        assertThat(verdicts)
                .containsExactly(
                        new Feedback(
                                file + ":1",
                                null,
                                "rl-7",
                                START,
                                Feedback.Judgement.TRUE_POSITIVE,
                                Category.CRYPTO_MINING,
                                null,
                                null,
                                null,
                                null),
                        new Feedback(
                                file + ":3",
                                "baseline",
                                "train-3",
                                START,
                                Feedback.Judgement.FALSE_POSITIVE,
                                null,
                                "a-1",
                                null,
                                null,
                                null));
    }

    @Test
    void aBadLineIsRefusedNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("verdicts.jsonl");
        Files.writeString(file, """
                {"job_id": "rl-7", "window_start": 1771038120000, "verdict": "true_positive"}
                {"job_id": "rl-7", "window_start": 1771038120000, "verdict": "maybe"}
                """);

        assertThatThrownBy(() -> Feedback.read(file))
                .isInstanceOf(Feedback.BadFeedback.class)
                .hasMessage(file + ":2: verdict \"maybe\" is not true_positive or false_positive");
    }

    @Test
    void saysWhatIsWrongWithALine() {
        assertThat(error("not json")).startsWith("f:9: not JSON");
        assertThat(error("[1]")).isEqualTo("f:9: expected a JSON object, found ARRAY");
        assertThat(error("{\"window_start\": 1, \"verdict\": \"false_positive\"}"))
                .isEqualTo("f:9: job_id is missing");
        assertThat(error("{\"job_id\": \"j\", \"verdict\": \"false_positive\"}"))
                .isEqualTo("f:9: window_start is missing");
        assertThat(error("{\"job_id\": \"j\", \"window_start\": \"yesterday\", \"verdict\": \"false_positive\"}"))
                .startsWith("f:9: window_start must be epoch milliseconds or an ISO-8601 instant");
        assertThat(error("{\"job_id\": \"j\", \"window_start\": -5, \"verdict\": \"false_positive\"}"))
                .startsWith("f:9: window_start must be");
        assertThat(error("{\"job_id\": 7, \"window_start\": 1, \"verdict\": \"false_positive\"}"))
                .isEqualTo("f:9: job_id must be non-empty text, found 7");
        assertThat(
                        error(
                                "{\"job_id\": \"j\", \"window_start\": 1, \"verdict\": \"false_positive\", \"category\": \"NETWORK_SCAN\"}"))
                .startsWith("f:9: a false_positive has no category");
        assertThat(
                        error(
                                "{\"job_id\": \"j\", \"window_start\": 1, \"verdict\": \"true_positive\", \"category\": \"MINING\"}"))
                .startsWith("f:9: category \"MINING\" is not one of [CRYPTO_MINING");
    }

    @Test
    void matchesTheWindowOfItsJobThatHoldsItsTime() {
        Feedback f = Feedback.parse(
                "{\"job_id\": \"j\", \"window_start\": 1030, \"verdict\": \"false_positive\", \"dataset\": \"d\"}",
                "f:1");

        assertThat(f.matches("d", "j", 1000, 2000)).isTrue();
        assertThat(f.matches("d", "j", 1030, 2000)).isTrue();
        assertThat(f.matches("d", "j", 0, 1030)).as("windows are half-open").isFalse();
        assertThat(f.matches("d", "other", 1000, 2000)).isFalse();
        assertThat(f.matches("e", "j", 1000, 2000)).as("another dataset").isFalse();
    }

    @Test
    void aVerdictWithAWindowEndMatchesEveryWindowOverlappingItsSpan() {
        Feedback f = Feedback.parse(
                "{\"job_id\": \"j\", \"window_start\": 1030, \"window_end\": 3000, \"verdict\": \"false_positive\"}",
                "f:1");

        assertThat(f.matches("d", "j", 1000, 2000)).as("holds the start").isTrue();
        assertThat(f.matches("d", "j", 2000, 3000)).as("inside").isTrue();
        assertThat(f.matches("d", "j", 3000, 4000)).as("the span is half-open").isFalse();
        assertThat(f.matches("d", "j", 0, 1030)).isFalse();
        assertThat(f.matches("d", "other", 2000, 3000)).isFalse();
        assertThat(
                        error(
                                "{\"job_id\": \"j\", \"window_start\": 5000, \"window_end\": 5000, \"verdict\": \"false_positive\"}"))
                .isEqualTo("f:9: window_end 1970-01-01T00:00:05Z is not after window_start 1970-01-01T00:00:05Z");
        assertThat(error("{\"job_id\": \"j\", \"window_start\": 1, \"verdict\": \"false_positive\", \"author\": 3}"))
                .isEqualTo("f:9: author must be non-empty text, found 3");
    }

    @Test
    void whatAVerdictWritesIsWhatAFileLineSays() {
        Feedback written = new Feedback(
                "vigil verdict",
                "story",
                "rl-7",
                START,
                Feedback.Judgement.TRUE_POSITIVE,
                Category.REVERSE_TUNNEL,
                "inc-1",
                START + 300_000,
                "ana",
                "tunnel to \"home\"\nconfirmed");

        String json = written.json();
        Feedback read = Feedback.parse(json, "t-0@4");

        assertThat(json)
                .doesNotContain("\n")
                .startsWith("{\"alert_id\":\"inc-1\",\"job_id\":\"rl-7\",\"window_start\":\"2026-02-14T03:02:00Z\"");
        assertThat(read)
                .isEqualTo(new Feedback(
                        "t-0@4",
                        "story",
                        "rl-7",
                        START,
                        Feedback.Judgement.TRUE_POSITIVE,
                        Category.REVERSE_TUNNEL,
                        "inc-1",
                        START + 300_000,
                        "ana",
                        "tunnel to \"home\"\nconfirmed"));
        Feedback bare = Feedback.parse(
                new Feedback("x", null, "j", 5, Feedback.Judgement.FALSE_POSITIVE, null, null, null, null, null).json(),
                "x");
        assertThat(bare.windowEnd()).isNull();
        assertThat(bare.author()).isNull();
    }

    private static String error(String line) {
        try {
            Feedback.parse(line, "f:9");
        } catch (Feedback.BadFeedback e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + line);
    }
}
