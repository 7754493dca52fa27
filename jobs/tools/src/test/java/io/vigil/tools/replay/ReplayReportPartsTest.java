package io.vigil.tools.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's pieces that need no replay: escaping, fragment ids, UTC times, the chart's ticks, the dead-letter order. */
class ReplayReportPartsTest {

    static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void textFromDataIsEscapedForContentAndQuotedAttributesWithControlCharactersShownAsEscapes() {
        assertThat(Html.esc("a<b>&\"c\"'d'\u0007e\tf\u202eg\n"))
                .isEqualTo("a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;\\u0007e\\tf\\u202eg\\n");
        assertThat(Html.esc(null)).isEmpty();
    }

    @Test
    void anchorsKeepSafeCharactersAndSpellTheRestSoDistinctJobsGetDistinctIds() {
        assertThat(Html.anchor("rome-2026-02", "rl-agent-7")).isEqualTo("job-rome-2026-02--rl-agent-7--");
        assertThat(Html.anchor("ds", "a/b"))
                .isNotEqualTo(Html.anchor("ds", "a_b"))
                .matches("[A-Za-z0-9_-]+");
    }

    @Test
    void intervalsShowSecondsOnlyWhenThereAreSomeAndTheEndDateWhenItIsAnotherDay() {
        assertThat(Html.interval(at("2026-02-14T03:02:00Z"), at("2026-02-14T03:04:00Z")))
                .isEqualTo("03:02–03:04");
        assertThat(Html.interval(at("2026-02-14T03:02:30Z"), at("2026-02-14T03:04:00Z")))
                .isEqualTo("03:02:30–03:04");
        assertThat(Html.interval(at("2026-02-14T23:58:00Z"), at("2026-02-15T00:02:00Z")))
                .isEqualTo("23:58–2026-02-15 00:02");
    }

    @Test
    void ticksAreRoundInstantsAtMostTenOfThem() {
        List<Long> ticks = ScoreChart.ticks(at("2026-02-14T03:01:10Z"), at("2026-02-14T04:00:00Z"));
        assertThat(ticks).hasSizeLessThanOrEqualTo(10).first().isEqualTo(at("2026-02-14T03:10:00Z"));
        assertThat(ticks).allSatisfy(t -> assertThat(t % (10 * 60_000L)).isZero());
    }

    @Test
    void deadLetterSourcesOrderByFileThenLineAsANumber() {
        assertThat(ReplayRecords.SourcePosition.of("story/flows.jsonl.gz:10"))
                .isGreaterThan(ReplayRecords.SourcePosition.of("story/flows.jsonl.gz:9"))
                .isLessThan(ReplayRecords.SourcePosition.of("story/gpu.jsonl:1"));
        assertThat(ReplayRecords.SourcePosition.of("no line"))
                .isEqualTo(new ReplayRecords.SourcePosition("no line", -1));
    }
}
