package io.vigil.models.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.models.features.FeatureSet.Feature;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureSetTest {

    @Test
    void listsTheV1FeaturesInOneFixedOrderEachWithADoc() {
        FeatureSet v1 = FeatureSet.V1;

        assertThat(v1.version()).isEqualTo("v1");
        assertThat(v1.size()).isEqualTo(v1.names().size()).isBetween(20, 32);
        assertThat(v1.names()).doesNotHaveDuplicates().startsWith("flows").endsWith("miner_process");
        assertThat(v1.features()).allSatisfy(f -> assertThat(f.doc()).isNotBlank());
        assertThat(v1.names()).allSatisfy(n -> assertThat(n).matches("[a-z][a-z0-9_]*"));
        for (int i = 0; i < v1.size(); i++) {
            assertThat(v1.index(v1.names().get(i))).isEqualTo(i);
        }
    }

    @Test
    void pinsTheV1IdSoThatAnyChangeToTheListIsDeliberate() {
        // Changing V1's names or order changes this id and orphans every trained model and labelled window:
        // make a V2 instead, and update this line only when that is the intent.
        assertThat(FeatureSet.V1.id()).isEqualTo("v1-" + FeatureSet.V1.hash()).isEqualTo("v1-4b3659e7");
    }

    @Test
    void hashesTheSameListTheSameWay() {
        FeatureSet again = FeatureSet.of("v1", FeatureSet.V1.features());

        assertThat(again.hash()).isEqualTo(FeatureSet.V1.hash()).matches("[0-9a-f]{8}");
        assertThat(again).isEqualTo(FeatureSet.V1);
    }

    @Test
    void hashesDifferentlyWhenANameTheOrderOrTheVersionChanges() {
        List<Feature> renamed = new ArrayList<>(FeatureSet.V1.features());
        renamed.set(3, new Feature("external_bytes_received", renamed.get(3).doc()));
        List<Feature> reordered = new ArrayList<>(FeatureSet.V1.features());
        Collections.swap(reordered, 0, 1);

        assertThat(FeatureSet.of("v1", renamed).hash()).isNotEqualTo(FeatureSet.V1.hash());
        assertThat(FeatureSet.of("v1", reordered).hash()).isNotEqualTo(FeatureSet.V1.hash());
        assertThat(FeatureSet.of("v2", FeatureSet.V1.features()).hash()).isNotEqualTo(FeatureSet.V1.hash());
    }

    @Test
    void ignoresDocsInTheHashBecauseOnlyNamesAndOrderShapeTheVector() {
        List<Feature> redocumented = FeatureSet.V1.features().stream().map(f -> new Feature(f.name(), "reworded")).toList();

        assertThat(FeatureSet.of("v1", redocumented).hash()).isEqualTo(FeatureSet.V1.hash());
    }

    @Test
    void turnsAVectorIntoANamedMapInOrderAndBack() {
        double[] values = new double[FeatureSet.V1.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = i / 10.0;
        }

        Map<String, Double> map = FeatureSet.V1.toMap(values);

        assertThat(map.keySet()).containsExactlyElementsOf(FeatureSet.V1.names());
        assertThat(map.get(FeatureSet.V1.names().get(4))).isEqualTo(0.4);
        assertThat(FeatureSet.V1.fromMap(map)).containsExactly(values);
    }

    @Test
    void readsAMapWithExtraNamesButRefusesOneMissingAFeatureNamingIt() {
        Map<String, Double> map = new HashMap<>(FeatureSet.V1.toMap(new double[FeatureSet.V1.size()]));
        map.put("a_newer_feature", 1.0);
        assertThat(FeatureSet.V1.fromMap(map)).hasSize(FeatureSet.V1.size());

        map.remove("gpu_util");
        assertThatThrownBy(() -> FeatureSet.V1.fromMap(map))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'gpu_util'");
    }

    @Test
    void refusesVectorsOfTheWrongLengthUnknownNamesAndDuplicates() {
        assertThatThrownBy(() -> FeatureSet.V1.toMap(new double[3])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FeatureSet.V1.index("no_such_feature"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no_such_feature");
        assertThatThrownBy(() -> FeatureSet.of("x", List.of(new Feature("a", "doc"), new Feature("a", "doc"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
        assertThatThrownBy(() -> FeatureSet.of("x", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FeatureSet.of("v-1", List.of(new Feature("a", "doc")))).isInstanceOf(IllegalArgumentException.class);
    }
}
