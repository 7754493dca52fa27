package io.vigil.tools.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.models.eval.Label;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.training.LabelledWindow;
import io.vigil.records.Category;
import io.vigil.records.JobWindow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WindowLabellingTest {
    static final FeatureSet V1 = FeatureSet.CURRENT;
    static final long T0 = Instant.parse("2026-02-14T03:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000;

    static long minute(int m) {
        return T0 + m * MINUTE;
    }

    /** A window whose first feature (flows) is its minute, so tests can tell windows apart by their features. */
    static JobWindow window(String job, int m) {
        double[] features = new double[V1.size()];
        features[0] = m;
        return JobWindow.newBuilder()
                .setJobId(job)
                .setWindowStart(Instant.ofEpochMilli(minute(m)))
                .setWindowEnd(Instant.ofEpochMilli(minute(m + 1)))
                .setFeatureSet(V1.id())
                .setFeatures(V1.toMap(features))
                .build();
    }

    static List<JobWindow> minutes(String job, int count) {
        List<JobWindow> windows = new ArrayList<>();
        for (int m = count - 1; m >= 0; m--) { // out of order on purpose: the export sorts
            windows.add(window(job, m));
        }
        return windows;
    }

    static Label label(String incident, String job, Category c, long from, long to) {
        return new Label(incident, job, c, from, to);
    }

    static Feedback verdict(String json) {
        return Feedback.parse(json, "verdicts.jsonl:1");
    }

    static LabelledWindow at(WindowLabelling.Result r, String dataset, String job, int m) {
        return r.windows().stream()
                .filter(w -> w.dataset().equals(dataset) && w.jobId().equals(job) && w.windowStart() == minute(m))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void labelsWindowsThatOverlapALabelOfTheirJobWithTheLongestOverlap() {
        // the scan covers minutes 2 and 3 and the start of 4; the tunnel starts 30 s into minute 4
        List<Label> labels = List.of(
                label("rome", "agent", Category.NETWORK_SCAN, minute(2), minute(4) + 20_000),
                label("rome", "agent", Category.REVERSE_TUNNEL, minute(4) + 30_000, minute(7)),
                label("other", "trainer", Category.CRYPTO_MINING, minute(9), minute(10)));
        List<JobWindow> windows = new ArrayList<>(minutes("agent", 6));
        windows.addAll(minutes("trainer", 3));

        WindowLabelling.Result r = WindowLabelling.label(
                V1, List.of(new WindowLabelling.DatasetWindows("rome-2026-02", labels, windows)), List.of());

        assertThat(r.windows())
                .extracting(LabelledWindow::label)
                .containsExactly(
                        null,
                        null,
                        Category.NETWORK_SCAN,
                        Category.NETWORK_SCAN,
                        Category.REVERSE_TUNNEL,
                        Category.REVERSE_TUNNEL, // agent 0..5
                        null,
                        null,
                        null); // trainer: its label lies after its windows
        assertThat(at(r, "rome-2026-02", "agent", 4).label())
                .as("30 s of tunnel beat 20 s of scan")
                .isEqualTo(Category.REVERSE_TUNNEL);
        assertThat(at(r, "rome-2026-02", "agent", 2).incident()).isEqualTo("rome");
        assertThat(at(r, "rome-2026-02", "agent", 0).incident()).isNull();
        assertThat(at(r, "rome-2026-02", "agent", 3).features()[0]).isEqualTo(3.0);
        assertThat(at(r, "rome-2026-02", "agent", 3).windowEnd()).isEqualTo(minute(4));
        assertThat(r.fromLabels()).isEqualTo(4);
        assertThat(r.benign()).isEqualTo(5);
        assertThat(r.perCategory()).isEqualTo(Map.of(Category.NETWORK_SCAN, 2, Category.REVERSE_TUNNEL, 2));
    }

    @Test
    void aTieInOverlapGoesToTheEarlierLabelWhateverTheFileOrder() {
        Label scan = label("rome", "agent", Category.NETWORK_SCAN, minute(0), minute(1) + 30_000);
        Label tunnel = label("rome", "agent", Category.REVERSE_TUNNEL, minute(1) + 30_000, minute(3));

        assertThat(WindowLabelling.bestLabel(List.of(tunnel, scan), "agent", minute(1), minute(2)))
                .isEqualTo(scan);
        assertThat(WindowLabelling.bestLabel(List.of(scan, tunnel), "agent", minute(1), minute(2)))
                .isEqualTo(scan);
        assertThat(WindowLabelling.bestLabel(List.of(scan, tunnel), "other", minute(1), minute(2)))
                .isNull();
    }

    @Test
    void sortsByDatasetJobAndWindowStart() {
        WindowLabelling.Result r = WindowLabelling.label(
                V1,
                List.of(
                        new WindowLabelling.DatasetWindows("b", List.of(), minutes("x", 2)),
                        new WindowLabelling.DatasetWindows(
                                "a", List.of(), List.of(window("z", 1), window("y", 1), window("y", 0)))),
                List.of());

        assertThat(r.windows())
                .extracting(w -> w.dataset() + "/" + w.jobId() + "/" + (w.windowStart() - T0) / MINUTE)
                .containsExactly("a/y/0", "a/y/1", "a/z/1", "b/x/0", "b/x/1");
    }

    @Test
    void anAnalystsVerdictWinsOverLabelsJson() {
        List<Label> labels = List.of(label("mining", "miner", Category.CRYPTO_MINING, minute(1), minute(3)));
        List<Feedback> feedback = List.of(
                // the miner's first labelled window was in fact its benign warm-up
                verdict(
                        "{\"job_id\": \"miner\", \"window_start\": \"2026-02-14T03:01:00Z\", \"verdict\": \"false_positive\"}"),
                // a true positive without a category keeps the labelled one
                verdict(
                        "{\"job_id\": \"miner\", \"window_start\": \"2026-02-14T03:02:30Z\", \"verdict\": \"true_positive\"}"),
                // the trainer leaked data at minute 0, which labels.json missed
                verdict("{\"alert_id\": \"a-9\", \"job_id\": \"trainer\", \"window_start\": " + minute(0)
                        + ", \"verdict\": \"true_positive\", \"category\": \"EXFILTRATION\"}"),
                // a job-only verdict without category or alert
                verdict("{\"job_id\": \"trainer\", \"window_start\": " + minute(2)
                        + ", \"verdict\": \"true_positive\"}"));
        List<JobWindow> windows = new ArrayList<>(minutes("miner", 4));
        windows.addAll(minutes("trainer", 3));

        WindowLabelling.Result r =
                WindowLabelling.label(V1, List.of(new WindowLabelling.DatasetWindows("d", labels, windows)), feedback);

        assertThat(at(r, "d", "miner", 1).label()).isNull();
        assertThat(at(r, "d", "miner", 1).incident()).isNull();
        assertThat(at(r, "d", "miner", 2).label()).isEqualTo(Category.CRYPTO_MINING);
        assertThat(at(r, "d", "miner", 2).incident()).isEqualTo("mining");
        assertThat(at(r, "d", "trainer", 0).label()).isEqualTo(Category.EXFILTRATION);
        assertThat(at(r, "d", "trainer", 0).incident()).isEqualTo("a-9");
        assertThat(at(r, "d", "trainer", 2).label()).isEqualTo(Category.UNKNOWN);
        assertThat(at(r, "d", "trainer", 2).incident()).isEqualTo("analyst verdict on trainer at 2026-02-14T03:02:00Z");
        assertThat(r.fromLabels()).isEqualTo(2);
        assertThat(r.feedbackApplied()).isEqualTo(4);
        assertThat(r.madeBenign()).isEqualTo(1);
        assertThat(r.madeMalicious()).isEqualTo(2);
        assertThat(r.unmatched()).isEmpty();
    }

    @Test
    void reportsVerdictsThatMatchNoWindowAndCountsReplacedOnes() {
        Feedback noSuchJob = verdict(
                "{\"job_id\": \"ghost\", \"window_start\": " + minute(0) + ", \"verdict\": \"false_positive\"}");
        Feedback tooLate = verdict(
                "{\"job_id\": \"miner\", \"window_start\": " + minute(9) + ", \"verdict\": \"false_positive\"}");
        Feedback otherDataset = verdict("{\"job_id\": \"miner\", \"window_start\": " + minute(0)
                + ", \"verdict\": \"false_positive\", \"dataset\": \"elsewhere\"}");
        Feedback first = verdict(
                "{\"job_id\": \"miner\", \"window_start\": " + minute(1) + ", \"verdict\": \"false_positive\"}");
        Feedback second = verdict("{\"job_id\": \"miner\", \"window_start\": " + minute(1)
                + ", \"verdict\": \"true_positive\", \"category\": \"GPU_DIVERSION\"}");

        WindowLabelling.Result r = WindowLabelling.label(
                V1,
                List.of(new WindowLabelling.DatasetWindows("d", List.of(), minutes("miner", 3))),
                List.of(noSuchJob, first, tooLate, second, otherDataset));

        assertThat(r.unmatched()).containsExactly(noSuchJob, tooLate, otherDataset);
        assertThat(r.superseded()).isEqualTo(1);
        assertThat(at(r, "d", "miner", 1).label()).as("the later verdict wins").isEqualTo(Category.GPU_DIVERSION);
    }

    @Test
    void refusesWindowsOfAnotherFeatureSet() {
        JobWindow odd = JobWindow.newBuilder(window("j", 0))
                .setFeatureSet("v0-deadbeef")
                .build();

        assertThatThrownBy(() -> WindowLabelling.label(
                        V1, List.of(new WindowLabelling.DatasetWindows("d", List.of(), List.of(odd))), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("feature set v0-deadbeef, expected " + V1.id());
    }
}
