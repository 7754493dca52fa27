package io.vigil.tools.cli;

import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.records.Printable;
import io.vigil.settings.SettingOptions;
import io.vigil.tools.replay.Replay;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The one dataset a verb runs on ({@code bench}, {@code demo}), read as {@code replay} reads it: in the flow format its
 * {@code source.json} names or its files look like, else in the formats of the verb's input flags ({@link
 * InputFormats.FILE_SETTINGS}).
 */
final class OneDataset {
    private OneDataset() {}

    /** The dataset, or null after saying on the verb's error stream what is wrong with it (exit code 2). */
    static Replay.Dataset of(CommandSpec spec, Path directory) {
        try {
            return Replay.datasets(
                            List.of(directory),
                            InputFormats.from(SettingOptions.read(spec, InputFormats.FILE_SETTINGS)))
                    .get(0);
        } catch (Replay.BadInput | IllegalArgumentException e) {
            spec.commandLine().getErr().println("vigil " + spec.name() + ": " + Printable.escape(e.getMessage()));
            return null;
        }
    }
}
