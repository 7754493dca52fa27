package io.vigil.models.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vigil.models.features.FeatureSet.Feature;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureSetTest {

    @Test
    void listsTheV3FeaturesInOneFixedOrderEachWithADocADirectionAndWhy() {
        FeatureSet v3 = FeatureSet.V3;

        assertThat(FeatureSet.CURRENT).isSameAs(v3);
        assertThat(v3.version()).isEqualTo("v3");
        assertThat(v3.size()).isEqualTo(v3.names().size()).isBetween(20, 40);
        assertThat(v3.names()).doesNotHaveDuplicates().startsWith("flows").endsWith("miner_process");
        assertThat(v3.features()).allSatisfy(f -> {
            assertThat(f.doc()).isNotBlank();
            assertThat(f.why()).as(f.name()).isNotBlank();
        });
        assertThat(v3.names()).allSatisfy(n -> assertThat(n).matches("[a-z][a-z0-9_]*"));
        for (int i = 0; i < v3.size(); i++) {
            assertThat(v3.index(v3.names().get(i))).isEqualTo(i);
        }
    }

    @Test
    void talliesAreTheCountsWhoseNumberIsTheEvidenceNotThoseWhoseFirstOccurrenceIs() {
        FeatureSet v3 = FeatureSet.V3;
        List<String> tallies =
                v3.features().stream().filter(Feature::tally).map(Feature::name).toList();
        assertThat(tallies)
                .containsExactlyInAnyOrder(
                        FeatureSet.FLOWS,
                        FeatureSet.EXTERNAL_HOSTS,
                        FeatureSet.INTERNAL_HOSTS,
                        FeatureSet.FAILED_HOSTS,
                        FeatureSet.FAILED_PORTS_ONE_HOST,
                        FeatureSet.FAILED_HOSTS_ONE_PORT,
                        FeatureSet.FAILED_TARGETS,
                        FeatureSet.RECENT_FAILED_TARGETS);
        assertThat(v3.features())
                .filteredOn(Feature::tally)
                .allSatisfy(f -> assertThat(f.doc()).as(f.name()).startsWith("log1p("));
        boolean[] flags = v3.tallies();
        for (int i = 0; i < v3.size(); i++) {
            assertThat(flags[i])
                    .as(v3.names().get(i))
                    .isEqualTo(v3.features().get(i).tally());
        }
    }

    @Test
    void countingNoiseIsThePoissonSpreadOfTheCountOnTheLog1pScale() {
        assertThat(FeatureSet.countingNoise(0)).isZero();
        assertThat(FeatureSet.countingNoise(-1)).isZero();
        assertThat(FeatureSet.countingNoise(Math.log1p(1))).isCloseTo(0.5, within(1e-12));
        assertThat(FeatureSet.countingNoise(Math.log1p(15))).isCloseTo(Math.sqrt(15) / 16, within(1e-12));
        // one event is within the noise of none (log1p(1) / 0.5 = 1.39 standard deviations); 40 targets are not
        assertThat(Math.log1p(1) / FeatureSet.countingNoise(Math.log1p(1))).isLessThan(1.5);
        assertThat(Math.log1p(40) / FeatureSet.countingNoise(Math.log1p(40))).isGreaterThan(20);
    }

    @Test
    void quietIsTheBenignSideOfEveryFeature() {
        // every feature is 0 in a quiet window, so each must be UP (more is suspect) or context
        assertThat(FeatureSet.CURRENT.features())
                .allSatisfy(f -> assertThat(f.direction())
                        .as(f.name())
                        .isIn(FeatureSet.Direction.UP, FeatureSet.Direction.CONTEXT));
        assertThat(FeatureSet.CURRENT.features().stream()
                        .filter(f -> f.direction() == FeatureSet.Direction.CONTEXT)
                        .map(Feature::name))
                .containsExactly("gpu_count", "gpu_telemetry");
    }

    @Test
    void directionsSayWhichMovesAreSuspicious() {
        assertThat(FeatureSet.Direction.UP.suspicious(0.1)).isTrue();
        assertThat(FeatureSet.Direction.UP.suspicious(-0.1)).isFalse();
        assertThat(FeatureSet.Direction.DOWN.suspicious(-0.1)).isTrue();
        assertThat(FeatureSet.Direction.DOWN.suspicious(0.1)).isFalse();
        assertThat(FeatureSet.Direction.BOTH.suspicious(0.1)).isTrue();
        assertThat(FeatureSet.Direction.BOTH.suspicious(-0.1)).isTrue();
        assertThat(FeatureSet.Direction.CONTEXT.suspicious(5)).isFalse();
        assertThat(FeatureSet.Direction.UP.suspicious(0)).isFalse();
    }

    @Test
    void movesTheBenignSideToTheBaselineAndKeepsTheSuspiciousSide() {
        FeatureSet set = FeatureSet.of(
                "t",
                List.of(
                        new Feature("up", "u", FeatureSet.Direction.UP, "more"),
                        new Feature("down", "d", FeatureSet.Direction.DOWN, "less"),
                        new Feature("both", "b", FeatureSet.Direction.BOTH, "either"),
                        new Feature("context", "c", FeatureSet.Direction.CONTEXT, "neither")));
        double[] baseline = {1, 1, 1, 1};

        assertThat(set.towardsBaseline(new double[] {0, 0, 0, 0}, baseline)).containsExactly(1, 0, 0, 1);
        assertThat(set.towardsBaseline(new double[] {2, 2, 2, 2}, baseline)).containsExactly(2, 1, 2, 1);
    }

    @Test
    void pinsTheV3IdSoThatAnyChangeToTheListIsDeliberate() {
        // Changing V3's names or order changes this id and orphans every trained model and labelled window:
        // make a V4 instead, and update this line only when that is the intent.
        assertThat(FeatureSet.V3.id()).isEqualTo("v3-" + FeatureSet.V3.hash()).isEqualTo("v3-3fc5b463");
        assertThat(FeatureSet.V3.names())
                .containsSubsequence(FeatureSet.FAILED_TARGETS, FeatureSet.RECENT_FAILED_TARGETS)
                .containsSubsequence(FeatureSet.BUSY_GPUS_WITHOUT_PROCESS, FeatureSet.SHARED_GPU_PROCESSES);
    }

    @Test
    void marksTheFeaturesOfHowTheGpusWork() {
        assertThat(FeatureSet.CURRENT.features().stream()
                        .filter(Feature::gpuWork)
                        .map(Feature::name))
                .containsExactly(
                        "gpu_util",
                        "sm_active",
                        "tensor_active",
                        "dram_active",
                        "sm_without_tensor",
                        "hashing_gpu_fraction",
                        "hashing_divergence",
                        "tensor_ratio_spread",
                        "busy_gpus_without_process",
                        "shared_gpu_processes");
        double[] x = new double[FeatureSet.CURRENT.size()];
        assertThat(FeatureSet.CURRENT.gpusAtWork(x)).isFalse();
        x[FeatureSet.CURRENT.index(FeatureSet.GPU_UTIL)] = 0.19;
        assertThat(FeatureSet.CURRENT.gpusAtWork(x)).isFalse();
        x[FeatureSet.CURRENT.index(FeatureSet.GPU_UTIL)] = 0.2;
        assertThat(FeatureSet.CURRENT.gpusAtWork(x)).isTrue();
    }

    @Test
    void aModelOfAnotherSetIsToldBothSetsAndHowToRetrain() {
        String why = FeatureSet.V3.refusal("v2-da507ced");

        assertThat(why)
                .contains("v2-da507ced")
                .contains(FeatureSet.V3.id())
                .contains("vigil windows")
                .contains("vigil train")
                .contains("scripts/train-default-model.sh");
    }

    @Test
    void hashesTheSameListTheSameWay() {
        FeatureSet again = FeatureSet.of("v3", FeatureSet.CURRENT.features());

        assertThat(again.hash()).isEqualTo(FeatureSet.CURRENT.hash()).matches("[0-9a-f]{8}");
        assertThat(again).isEqualTo(FeatureSet.CURRENT);
    }

    @Test
    void hashesDifferentlyWhenANameTheOrderOrTheVersionChanges() {
        List<Feature> renamed = new ArrayList<>(FeatureSet.CURRENT.features());
        renamed.set(
                3,
                new Feature(
                        "external_bytes_received",
                        renamed.get(3).doc(),
                        FeatureSet.Direction.UP,
                        "more is the test's suspicious way"));
        List<Feature> reordered = new ArrayList<>(FeatureSet.CURRENT.features());
        Collections.swap(reordered, 0, 1);

        assertThat(FeatureSet.of("v3", renamed).hash()).isNotEqualTo(FeatureSet.CURRENT.hash());
        assertThat(FeatureSet.of("v3", reordered).hash()).isNotEqualTo(FeatureSet.CURRENT.hash());
        assertThat(FeatureSet.of("v4", FeatureSet.CURRENT.features()).hash()).isNotEqualTo(FeatureSet.CURRENT.hash());
    }

    @Test
    void ignoresDocsInTheHashBecauseOnlyNamesAndOrderShapeTheVector() {
        List<Feature> redocumented = FeatureSet.CURRENT.features().stream()
                .map(f ->
                        new Feature(f.name(), "reworded", FeatureSet.Direction.UP, "more is the test's suspicious way"))
                .toList();

        assertThat(FeatureSet.of("v3", redocumented).hash()).isEqualTo(FeatureSet.CURRENT.hash());
    }

    @Test
    void turnsAVectorIntoANamedMapInOrderAndBack() {
        double[] values = new double[FeatureSet.CURRENT.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = i / 10.0;
        }

        Map<String, Double> map = FeatureSet.CURRENT.toMap(values);

        assertThat(map.keySet()).containsExactlyElementsOf(FeatureSet.CURRENT.names());
        assertThat(map.get(FeatureSet.CURRENT.names().get(4))).isEqualTo(0.4);
        assertThat(FeatureSet.CURRENT.fromMap(map)).containsExactly(values);
    }

    @Test
    void readsAMapWithExtraNamesButRefusesOneMissingAFeatureNamingIt() {
        Map<String, Double> map = new HashMap<>(FeatureSet.CURRENT.toMap(new double[FeatureSet.CURRENT.size()]));
        map.put("a_newer_feature", 1.0);
        assertThat(FeatureSet.CURRENT.fromMap(map)).hasSize(FeatureSet.CURRENT.size());

        map.remove("gpu_util");
        assertThatThrownBy(() -> FeatureSet.CURRENT.fromMap(map))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'gpu_util'");
    }

    @Test
    void refusesVectorsOfTheWrongLengthUnknownNamesAndDuplicates() {
        assertThatThrownBy(() -> FeatureSet.CURRENT.toMap(new double[3])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FeatureSet.CURRENT.index("no_such_feature"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no_such_feature");
        assertThatThrownBy(() -> FeatureSet.of(
                        "x",
                        List.of(
                                new Feature("a", "doc", FeatureSet.Direction.UP, "more is the test's suspicious way"),
                                new Feature("a", "doc", FeatureSet.Direction.UP, "more is the test's suspicious way"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a'");
        assertThatThrownBy(() -> FeatureSet.of("x", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FeatureSet.of(
                        "v-1",
                        List.of(new Feature("a", "doc", FeatureSet.Direction.UP, "more is the test's suspicious way"))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
