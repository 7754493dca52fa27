package io.vigil.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.records.Category;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelsTest {

    @Test
    void readsEpochMillisAndIsoInstantsIgnoringUnknownFields(@TempDir Path dataset) throws Exception {
        Files.writeString(dataset.resolve("labels.json"), """
                [
                  {"incident": "rome", "job_id": "job-7", "category": "REVERSE_TUNNEL", "start_ts": 1771038000000, "end_ts": 1771038120000,
                   "note": "ssh -R to 203.0.113.9"},
                  {"incident": "rome", "job_id": "job-7", "category": "CRYPTO_MINING",
                   "start_ts": "2026-02-14T03:02:00Z", "end_ts": "2026-02-14T03:10:00Z"}
                ]
                """);

        assertThat(Labels.ofDataset(dataset))
                .containsExactly(
                        new Label("rome", "job-7", Category.REVERSE_TUNNEL, 1771038000000L, 1771038120000L),
                        new Label(
                                "rome",
                                "job-7",
                                Category.CRYPTO_MINING,
                                Instant.parse("2026-02-14T03:02:00Z").toEpochMilli(),
                                Instant.parse("2026-02-14T03:10:00Z").toEpochMilli()));
    }

    @Test
    void anIncidentsLabelMayNameTheEpisodeAndToolCallThatCausedIt() {
        assertThat(Labels.parse("""
                        [{"incident": "rome", "job_id": "rl-7", "category": "REVERSE_TUNNEL", "start_ts": 1, "end_ts": 2,
                          "episode_id": "ep-1207", "call_step": 14},
                         {"incident": "dep", "job_id": "rl-7", "category": "CRYPTO_MINING", "start_ts": 1, "end_ts": 2}]""", "f"))
                .containsExactly(
                        new Label("rome", "rl-7", Category.REVERSE_TUNNEL, 1, 2, "ep-1207", 14L),
                        new Label("dep", "rl-7", Category.CRYPTO_MINING, 1, 2));
        assertThatThrownBy(() -> Labels.parse(
                        "[{\"incident\": \"a\", \"job_id\": \"j\", \"category\": \"NETWORK_SCAN\", \"start_ts\": 1,"
                                + " \"end_ts\": 2, \"episode_id\": \"e\", \"call_step\": \"x\"}]",
                        "f"))
                .hasMessageContaining("call_step must be a whole number");
    }

    @Test
    void aDatasetWithoutLabelsHasNone(@TempDir Path dataset) {
        assertThat(Labels.ofDataset(dataset)).isEmpty();
    }

    @Test
    void badEntriesAreRefusedNamingFileEntryAndIncident() {
        assertThatThrownBy(() -> Labels.parse("""
                [{"incident": "a", "job_id": "j", "category": "NETWORK_SCAN", "start_ts": 1, "end_ts": 2},
                 {"incident": "b", "job_id": "j", "category": "MINING", "start_ts": 1, "end_ts": 2}]""", "ds/labels.json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ds/labels.json: entry 1 (incident \"b\"): category \"MINING\" is not one of");
        assertThatThrownBy(() -> Labels.parse(
                        "[{\"incident\": \"a\", \"category\": \"NETWORK_SCAN\", \"start_ts\": 1, \"end_ts\": 2}]", "f"))
                .hasMessage("f: entry 0 (incident \"a\"): job_id is missing");
        assertThatThrownBy(() -> Labels.parse(
                        "[{\"incident\": \"a\", \"job_id\": \"j\", \"category\": \"NETWORK_SCAN\", \"start_ts\": 5, \"end_ts\": 5}]",
                        "f"))
                .hasMessageContaining("entry 0 (incident \"a\"): end_ts (5) must be after start_ts (5)");
        assertThatThrownBy(() -> Labels.parse(
                        "[{\"incident\": \"a\", \"job_id\": \"j\", \"category\": \"NETWORK_SCAN\", \"start_ts\": \"yesterday\", \"end_ts\": 5}]",
                        "f"))
                .hasMessageContaining("start_ts must be epoch milliseconds or an ISO-8601 instant");
        assertThatThrownBy(() -> Labels.parse("{\"incident\": \"a\"}", "f"))
                .hasMessage("f: expected a JSON array of labels, found OBJECT");
        assertThatThrownBy(() -> Labels.parse("[1]", "f")).hasMessage("f: entry 0: expected an object, found NUMBER");
        assertThatThrownBy(() -> Labels.parse("[{", "f")).hasMessageStartingWith("f: not JSON");
    }

    @Test
    void anEmptyArrayOrFileIsNoLabels() {
        assertThat(Labels.parse("[]", "f")).isEmpty();
        assertThat(Labels.parse("", "f")).isEmpty();
    }
}
