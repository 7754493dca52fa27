package io.vigil.models.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.models.features.FeatureSet;
import io.vigil.records.Category;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelledWindowsTest {
    private static final FeatureSet SET = FeatureSet.of(
            "t1",
            List.of(
                    new FeatureSet.Feature(
                            "flows", "flows", FeatureSet.Direction.UP, "more is the test's suspicious way"),
                    new FeatureSet.Feature(
                            "ratio", "a ratio", FeatureSet.Direction.UP, "more is the test's suspicious way")));

    @TempDir
    Path dir;

    private static List<LabelledWindow> windows() {
        return List.of(
                new LabelledWindow("ds-a", "job-1", 60_000, 120_000, new double[] {3.25, 0.0}, null, null),
                new LabelledWindow(
                        "ds-a", "job-1", 120_000, 180_000, new double[] {1e-7, 1}, Category.CRYPTO_MINING, "rome"),
                new LabelledWindow(
                        "ds-b",
                        "job \"2\"",
                        0,
                        60_000,
                        new double[] {-2.5, 0.123456789012345},
                        Category.NETWORK_SCAN,
                        "scan"));
    }

    @Test
    void roundTripsPlainAndGzipped() throws IOException {
        for (String name : new String[] {"w.jsonl", "w.jsonl.gz"}) {
            Path file = dir.resolve(name);
            LabelledWindows.write(file, SET, windows());
            assertThat(LabelledWindows.read(file, SET)).as(name).isEqualTo(windows());
        }
    }

    @Test
    void writesOneObjectPerLineFeaturesInTheSetsOrder() throws IOException {
        Path file = dir.resolve("w.jsonl");
        LabelledWindows.write(file, SET, windows().subList(0, 2));
        assertThat(Files.readAllLines(file))
                .containsExactly(
                        "{\"dataset\":\"ds-a\",\"job_id\":\"job-1\",\"window_start\":60000,\"window_end\":120000,\"label\":null,"
                                + "\"incident\":null,\"features\":{\"flows\":3.25,\"ratio\":0.0}}",
                        "{\"dataset\":\"ds-a\",\"job_id\":\"job-1\",\"window_start\":120000,\"window_end\":180000,"
                                + "\"label\":\"CRYPTO_MINING\",\"incident\":\"rome\",\"features\":{\"flows\":1.0E-7,\"ratio\":1.0}}");
    }

    @Test
    void sameWindowsSameBytesGzipHeaderCarriesNoTime() throws IOException {
        Path a = dir.resolve("a.jsonl.gz");
        Path b = dir.resolve("b.jsonl.gz");
        LabelledWindows.write(a, SET, windows());
        LabelledWindows.write(b, SET, windows());
        byte[] bytes = Files.readAllBytes(a);
        assertThat(Files.readAllBytes(b)).isEqualTo(bytes);
        assertThat(bytes[0] & 0xff).isEqualTo(0x1f);
        assertThat(new byte[] {bytes[4], bytes[5], bytes[6], bytes[7]}).containsOnly(0);
    }

    @Test
    void readsFeaturesByNameIgnoringOthersAndSkipsBlankLines() throws IOException {
        Path file = dir.resolve("w.jsonl");
        Files.writeString(
                file,
                "{\"features\":{\"ratio\":0.5,\"extra\":\"x\",\"flows\":2},\"dataset\":\"d\",\"job_id\":\"j\","
                        + "\"window_start\":0,\"window_end\":60000}\n\n");
        assertThat(LabelledWindows.read(file, SET))
                .containsExactly(new LabelledWindow("d", "j", 0, 60_000, new double[] {2, 0.5}, null, null));
    }

    @Test
    void aBadLineNamesTheFileTheLineAndTheProblem() throws IOException {
        String good = "{\"dataset\":\"d\",\"job_id\":\"j\",\"window_start\":0,\"window_end\":60000,\"label\":null,"
                + "\"incident\":null,\"features\":{\"flows\":1,\"ratio\":0}}";
        String[][] cases = {
            {"{not json", "not JSON"},
            {"[1,2]", "not a JSON object"},
            {good.replace("\"dataset\":\"d\",", ""), "'dataset' is missing"},
            {
                good.replace("\"window_start\":0", "\"window_start\":\"soon\""),
                "'window_start' must be epoch milliseconds"
            },
            {good.replace("\"window_end\":60000", "\"window_end\":0"), "window_end 0 is not after window_start 0"},
            {good.replace("\"label\":null", "\"label\":\"MINING\""), "label 'MINING' is not a category"},
            {good.replace(",\"ratio\":0", ""), "feature 'ratio' of t1-"},
            {good.replace("\"ratio\":0", "\"ratio\":\"high\""), "feature 'ratio' is not a number"},
            {
                good.replace("\"features\":{\"flows\":1,\"ratio\":0}", "\"features\":[1,0]"),
                "'features' must be an object"
            },
        };
        for (String[] c : cases) {
            Path file = dir.resolve("bad.jsonl");
            Files.writeString(file, good + "\n" + c[0] + "\n", StandardCharsets.UTF_8);
            assertThatThrownBy(() -> LabelledWindows.read(file, SET))
                    .as(c[1])
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith(file + ":2: ")
                    .hasMessageContaining(c[1]);
        }
    }

    @Test
    void refusesToWriteWhatItCouldNotReadBack() {
        List<LabelledWindow> nan =
                List.of(new LabelledWindow("d", "j", 0, 60_000, new double[] {Double.NaN, 0}, null, null));
        assertThatThrownBy(() -> LabelledWindows.write(dir.resolve("w.jsonl"), SET, nan))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'flows' is not finite");
        List<LabelledWindow> short1 = List.of(new LabelledWindow("d", "j", 0, 60_000, new double[] {1}, null, null));
        assertThatThrownBy(() -> LabelledWindows.write(dir.resolve("w.jsonl"), SET, short1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
