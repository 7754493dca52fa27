package io.vigil.tools.cli;

import io.vigil.models.model.ModelTrust;
import io.vigil.pipeline.detect.Scorers;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.records.Printable;
import io.vigil.settings.UsesSettings;
import io.vigil.tools.demo.Demo;
import io.vigil.tools.replay.Replay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The zero-setup showcase: embedded Kafka and Flink, a recorded incident through the real topics. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Zero-setup showcase: starts an embedded Kafka broker and a Flink mini-cluster, runs the detect job"
                    + " on the real topics, streams a recorded incident in at an accelerated pace and prints each alert as"
                    + " the job commits it: an incident opening, a behaviour joining it, its severity rising, its close.",
            ""
        })
final class DemoCommand implements Callable<Integer>, UsesSettings {
    static final Path DEFAULT_DATASET = Path.of("replay-data", "rome-2026-02");

    @Spec
    CommandSpec spec;

    @Option(
            names = "--dataset",
            paramLabel = "DIR",
            description = "Dataset to stream: its flows, GPU samples and assignments, read as replay reads them (a real"
                    + " capture in the format its source.json names or its files look like; --flow-format otherwise)."
                    + " Default: ${DEFAULT-VALUE}.")
    Path dataset = DEFAULT_DATASET;

    @Option(
            names = "--speed",
            paramLabel = "X",
            description =
                    "Simulated seconds per second; 0 paces the dataset to about a minute. Default: ${DEFAULT-VALUE}.")
    double speed = 0;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            description = "Parallelism of the job. Default: ${DEFAULT-VALUE}.")
    int parallelism = 2;

    @Option(
            names = "--model",
            paramLabel = "FILE",
            description = "Model artifact to score with. Default: the packaged default model.")
    Path model;

    @Option(
            names = "--sasl-ssl",
            description =
                    "Run the embedded broker as a secured cluster is run: clients reach it over SASL_SSL only"
                            + " (SCRAM-SHA-512, a certificate made for it), and every client of the demo and the job connects so.")
    boolean saslSsl;

    /** The embedded demo runs the user's own file on their own machine: no signature needed. */
    private static final ModelTrust UNSIGNED_ALLOWED = ModelTrust.of(List.of(), true);

    /** How the dataset's files are read: a real capture in a foreign format streams as replay reads it. */
    @Override
    public List<String> settingKeys() {
        return InputFormats.FILE_SETTINGS;
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dataset)) {
            spec.commandLine()
                    .getErr()
                    .println("vigil demo: no dataset at " + Printable.escape(dataset.toAbsolutePath())
                            + " (run from the repository root, or give --dataset DIR)");
            return 2;
        }
        Replay.Dataset checked = OneDataset.of(spec, dataset);
        if (checked == null) {
            return 2;
        }
        new Demo(
                        new Demo.Options(checked, speed, parallelism, saslSsl),
                        Scorers.load(model == null ? null : model.toString(), UNSIGNED_ALLOWED),
                        System.out)
                .run();
        return 0;
    }
}
