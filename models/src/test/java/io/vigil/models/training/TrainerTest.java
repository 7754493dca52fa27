package io.vigil.models.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.models.model.ModelArtifact;
import io.vigil.models.model.VigilModel;
import io.vigil.records.Category;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainerTest {
    private static final Trainer.Options OPTIONS = new Trainer.Options(42, 0.5);

    /** Small: two datasets of a few jobs, one incident each. */
    private static List<LabelledWindow> small() {
        SyntheticWindows synthetic = new SyntheticWindows(1);
        List<LabelledWindow> out = new ArrayList<>();
        out.addAll(synthetic.dataset("ds-a", 3, 50, Category.CRYPTO_MINING));
        out.addAll(synthetic.dataset("ds-b", 3, 50, Category.NETWORK_SCAN));
        return out;
    }

    private static byte[] serialized(VigilModel model) {
        return ModelArtifact.toBytes(model);
    }

    @Test
    void sameWindowsAndOptionsGiveTheSameModelByteForByteInWhateverOrder() throws IOException {
        List<LabelledWindow> windows = small();
        List<String> progress = new ArrayList<>();
        VigilModel a = Trainer.train(SyntheticWindows.SET, windows, OPTIONS, progress::add);
        List<LabelledWindow> shuffled = new ArrayList<>(windows);
        Collections.shuffle(shuffled, new Random(3));
        VigilModel b = Trainer.train(SyntheticWindows.SET, shuffled, OPTIONS, Trainer.Progress.SILENT);

        byte[] bytes = serialized(a);
        assertThat(serialized(b)).isEqualTo(bytes);
        assertThat(a.modelVersion()).matches("vigil-[0-9a-f]{12}").isEqualTo(b.modelVersion());
        assertThat(bytes.length).isLessThan(600 * 1024);
        assertThat(progress)
                .anyMatch(line -> line.startsWith("fold 1/2"))
                .anyMatch(line -> line.startsWith("calibration"))
                .anyMatch(line -> line.startsWith("final model"));

        VigilModel otherSeed =
                Trainer.train(SyntheticWindows.SET, windows, new Trainer.Options(43, 0.5), Trainer.Progress.SILENT);
        assertThat(otherSeed.modelVersion()).isNotEqualTo(a.modelVersion());
        assertThat(serialized(otherSeed)).isNotEqualTo(bytes);
    }

    @Test
    void summarisesItsTrainingAndMeasuresItselfOutOfFold() {
        VigilModel model = Trainer.train(SyntheticWindows.SET, small(), OPTIONS, Trainer.Progress.SILENT);
        assertThat(model.kind()).isEqualTo("vigil-ensemble/1");
        assertThat(model.threshold()).isEqualTo(0.5);
        assertThat(model.trainingSummary())
                .containsEntry("datasets", List.of("ds-a", "ds-b"))
                .containsEntry("windows", 400)
                .containsEntry("benign_windows", 370)
                .containsEntry("jobs", 8)
                .containsEntry("seed", 42L)
                .containsEntry("target_false_alerts_per_100_job_hours", 0.5)
                .containsEntry("positives", Map.of("CRYPTO_MINING", 15, "NETWORK_SCAN", 15))
                .containsEntry("folds", 2);
        assertThat(model.metrics())
                .containsKeys(
                        "pr_auc",
                        "false_alerts_per_100_job_hours",
                        "recall",
                        "category_right_when_flagged",
                        "incidents_detected");
        assertThat(model.metrics().get("recall").toString())
                .startsWith("{CRYPTO_MINING=")
                .contains(", NETWORK_SCAN=");
        // Each dataset's incident kind is absent from the other: out of fold, only the unsupervised detectors and
        // the rules can find it, and they do.
        assertThat(model.metrics().get("incidents_detected")).isEqualTo("2/2");
        assertThat((double) model.metrics().get("pr_auc")).isGreaterThan(0.8);
    }

    @Test
    void refusesWindowsItCannotTrainOn() {
        List<LabelledWindow> windows = small();
        assertThatThrownBy(() -> Trainer.train(SyntheticWindows.SET, List.of(), OPTIONS, Trainer.Progress.SILENT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no windows");

        List<LabelledWindow> shortOne = new ArrayList<>(windows);
        shortOne.set(7, new LabelledWindow("ds-a", "job-0", 0, 60_000, new double[3], null, null));
        assertThatThrownBy(() -> Trainer.train(SyntheticWindows.SET, shortOne, OPTIONS, Trainer.Progress.SILENT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ds-a/job-0@0 has 3 features");

        List<LabelledWindow> nan = new ArrayList<>(windows);
        double[] features = windows.get(0).features().clone();
        features[4] = Double.NaN;
        nan.set(0, new LabelledWindow("ds-a", "job-0", 0, 60_000, features, null, null));
        assertThatThrownBy(() -> Trainer.train(SyntheticWindows.SET, nan, OPTIONS, Trainer.Progress.SILENT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'external_inbound_hosts' is not finite");

        List<LabelledWindow> noBenign =
                windows.stream().filter(w -> !w.benign()).toList();
        assertThatThrownBy(() -> Trainer.train(SyntheticWindows.SET, noBenign, OPTIONS, Trainer.Progress.SILENT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 0 of 30");

        List<LabelledWindow> oneJob = windows.stream()
                .filter(w -> w.dataset().equals("ds-a") && w.jobId().equals("job-0"))
                .toList();
        assertThatThrownBy(() -> Trainer.train(SyntheticWindows.SET, oneJob, OPTIONS, Trainer.Progress.SILENT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2 jobs");

        assertThatThrownBy(() -> new Trainer.Options(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
