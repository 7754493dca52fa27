package io.vigil.models.model;

import static io.vigil.models.features.FeatureSet.FAILED_ATTEMPT_RATIO;
import static io.vigil.models.features.FeatureSet.FAILED_HOSTS;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.scoring.JobHistory;
import io.vigil.models.scoring.Verdict;
import io.vigil.models.training.LabelledWindow;
import io.vigil.models.training.SyntheticWindows;
import io.vigil.models.training.Trainer;
import io.vigil.records.Category;
import io.vigil.records.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VigilModelTest {
    private static VigilModel model;

    @BeforeAll
    static void train() {
        SyntheticWindows synthetic = new SyntheticWindows(1);
        List<LabelledWindow> windows = new ArrayList<>();
        windows.addAll(synthetic.dataset("ds-a", 5, 60, Category.CRYPTO_MINING, Category.NETWORK_SCAN));
        windows.addAll(synthetic.dataset("ds-b", 5, 60, Category.REVERSE_TUNNEL, Category.EXFILTRATION));
        windows.addAll(synthetic.dataset("ds-c", 5, 60, Category.CRYPTO_MINING, Category.NETWORK_SCAN));
        model = Trainer.train(SyntheticWindows.SET, windows, new Trainer.Options(7, 0.5), Trainer.Progress.SILENT);
    }

    /** Replays a held-out dataset job by job, as the pipeline would: score, then update. */
    private static Map<LabelledWindow, Verdict> replay(List<LabelledWindow> windows) {
        Map<String, JobHistory> histories = new HashMap<>();
        Map<LabelledWindow, Verdict> out = new HashMap<>();
        for (LabelledWindow w : windows) {
            JobHistory history = histories.getOrDefault(w.jobId(), JobHistory.empty());
            Verdict verdict = model.score(w.features(), history);
            histories.put(w.jobId(), model.update(history, w.features(), verdict));
            out.put(w, verdict);
        }
        return out;
    }

    @Test
    void flagsIncidentsOfAnUnseenDatasetWithTheirCategoryAndFewBenignWindows() {
        SyntheticWindows fresh = new SyntheticWindows(99);
        List<LabelledWindow> heldOut = fresh.dataset(
                "ds-x",
                10,
                100,
                Category.CRYPTO_MINING,
                Category.NETWORK_SCAN,
                Category.REVERSE_TUNNEL,
                Category.EXFILTRATION);
        Map<LabelledWindow, Verdict> verdicts = replay(heldOut);

        long benign = heldOut.stream().filter(LabelledWindow::benign).count();
        long falseFlags = heldOut.stream()
                .filter(w -> w.benign() && verdicts.get(w).flagged())
                .count();
        assertThat(falseFlags).as("benign windows flagged of " + benign).isLessThanOrEqualTo(benign / 100);
        for (Category kind : List.of(
                Category.CRYPTO_MINING, Category.NETWORK_SCAN, Category.REVERSE_TUNNEL, Category.EXFILTRATION)) {
            List<Verdict> during = heldOut.stream()
                    .filter(w -> w.label() == kind)
                    .map(verdicts::get)
                    .toList();
            assertThat(during.stream().filter(Verdict::flagged).count())
                    .as(kind + " flagged")
                    .isGreaterThanOrEqualTo(during.size() * 8L / 10);
            assertThat(during.stream()
                            .filter(v -> v.flagged() && v.categories().get(0) == kind)
                            .count())
                    .as(kind + " named first")
                    .isGreaterThanOrEqualTo(during.size() * 8L / 10);
        }
        for (Verdict v : verdicts.values()) {
            assertThat(v.score()).isBetween(0.0, 1.0);
            assertThat(v.threshold()).isEqualTo(0.5);
            assertThat(v.categories().isEmpty()).isEqualTo(!v.flagged());
        }
    }

    @Test
    void reasonsNameWhatDroveTheScoreWithTheJobsAndTheFleetsBaselines() {
        SyntheticWindows fresh = new SyntheticWindows(5);
        SyntheticWindows.Job job = fresh.job();
        JobHistory history = JobHistory.empty();
        for (int m = 0; m < 20; m++) {
            double[] x = fresh.benign(job);
            history = model.update(history, x, model.score(x, history));
        }
        double[] scan = fresh.incident(job, Category.NETWORK_SCAN);
        Verdict verdict = model.score(scan, history);

        assertThat(verdict.flagged()).isTrue();
        assertThat(verdict.reasons()).hasSizeBetween(1, Verdict.MAX_REASONS);
        List<String> named = verdict.reasons().stream().map(Reason::getFeature).toList();
        assertThat(named).contains(FAILED_HOSTS, FAILED_ATTEMPT_RATIO);
        double previous = 1;
        for (Reason r : verdict.reasons()) {
            int i = SyntheticWindows.SET.index(r.getFeature());
            assertThat(r.getValue()).isEqualTo(scan[i]);
            assertThat(r.getJobBaseline()).isEqualTo(history.baseline(i));
            assertThat(r.getFleetBaseline()).isEqualTo(model.fleet().baseline()[i]);
            assertThat(r.getWeight()).isBetween(0.0, previous);
            previous = r.getWeight();
        }
        assertThat(verdict.reasons().stream().mapToDouble(Reason::getWeight).sum())
                .isLessThanOrEqualTo(1.0 + 1e-9);

        // A job's first window has no baseline of its own yet.
        Verdict first = model.score(scan, JobHistory.empty());
        assertThat(first.flagged()).isTrue();
        assertThat(first.reasons())
                .allSatisfy(r -> assertThat(r.getJobBaseline()).isNull());
    }

    @Test
    void aFlaggedWindowIsNotLearnedIntoTheJobsNormal() {
        SyntheticWindows fresh = new SyntheticWindows(6);
        SyntheticWindows.Job job = fresh.job();
        JobHistory history = JobHistory.empty();
        for (int m = 0; m < 10; m++) {
            double[] x = fresh.benign(job);
            history = model.update(history, x, model.score(x, history));
        }
        double[] scan = fresh.incident(job, Category.NETWORK_SCAN);
        Verdict flagged = model.score(scan, history);
        assertThat(flagged.flagged()).isTrue();
        JobHistory after = model.update(history, scan, flagged);
        int unanswered = SyntheticWindows.SET.index(FAILED_HOSTS);
        assertThat(after.windows()).isEqualTo(history.windows());
        assertThat(after.baseline(unanswered)).isEqualTo(history.baseline(unanswered));

        Verdict notFlagged = Verdict.of(0.1, 0.5, List.of(), List.of());
        JobHistory learned = model.update(history, scan, notFlagged);
        assertThat(learned.windows()).isEqualTo(history.windows() + 1);
        assertThat(learned.baseline(unanswered)).isGreaterThan(history.baseline(unanswered));
    }

    @Test
    void aTypicalWindowScoresLowAndABadValueCannotRaiseAnAlert() {
        SyntheticWindows fresh = new SyntheticWindows(8);
        double[] typical = fresh.benign(fresh.job());
        assertThat(model.score(typical).score()).isLessThan(0.5);
        double[] broken = typical.clone();
        broken[0] = Double.NaN;
        broken[5] = Double.POSITIVE_INFINITY;
        assertThat(model.score(broken).flagged()).isFalse();
    }

    @Test
    void survivesJavaSerializationScoringTheSame() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(model);
        }
        VigilModel read;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            read = (VigilModel) in.readObject();
        }
        SyntheticWindows fresh = new SyntheticWindows(9);
        SyntheticWindows.Job job = fresh.job();
        for (double[] x : List.of(fresh.benign(job), fresh.incident(job, Category.CRYPTO_MINING))) {
            assertThat(read.score(x)).isEqualTo(model.score(x));
        }
        assertThat(read.modelVersion()).isEqualTo(model.modelVersion());
        assertThat(read.trainingSummary()).isEqualTo(model.trainingSummary());
        assertThat(read.metrics()).isEqualTo(model.metrics());
    }
}
