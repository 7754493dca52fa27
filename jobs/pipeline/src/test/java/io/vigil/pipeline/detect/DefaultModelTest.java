package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.FeatureSet;
import io.vigil.models.model.VigilModel;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The build carries the committed default model, and it loads. This is what makes a missing or stale
 * {@code models/default/vigil-default.model} fail the build ({@code mvn verify}), while {@code mvn package
 * -DskipTests} still builds the jar that {@code scripts/train-default-model.sh} trains it with.
 */
class DefaultModelTest {

    @Test
    void theCommittedDefaultModelIsPackagedAndLoads() throws Exception {
        Path committed = Path.of("../..").resolve(DefaultModel.SOURCE);
        assertThat(DefaultModel.packaged())
                .as("%s is missing: run scripts/train-default-model.sh and commit it", DefaultModel.SOURCE)
                .isTrue();

        VigilModel model = DefaultModel.load();

        assertThat(model.featureSet()).isEqualTo(FeatureSet.CURRENT);
        assertThat(model.modelVersion()).isNotBlank();
        try (InputStream packaged = DefaultModel.class.getResourceAsStream(DefaultModel.RESOURCE)) {
            assertThat(packaged.readAllBytes())
                    .as("the packaged model is the committed one")
                    .isEqualTo(Files.readAllBytes(committed));
        }
    }
}
