package io.vigil.pipeline;

import io.vigil.models.model.ModelArtifact;
import io.vigil.pipeline.detect.Scorers;
import io.vigil.pipeline.kafka.ModelTopic;
import io.vigil.records.Printable;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.Topic;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Hands a trained model to the running detect job through the model topic. */
@Command(
        name = "publish-model",
        mixinStandardHelpOptions = true,
        description = {
            "Hand a trained model to the running detect job: checks the artifact against the pipeline's"
                    + " feature set, then puts it on the model topic, keyed by its model version. The job scores with it from"
                    + " its next window on, without a restart; a release the job cannot use is refused there (logged and"
                    + " counted) and the previous model goes on scoring.",
            ""
        },
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:published",
            "1:the artifact is refused (nothing published) or the broker did not take it",
            "2:bad usage: no such file, bad setting"
        })
public final class PublishModelCommand implements Callable<Integer>, UsesSettings {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model artifact file (from vigil train).")
    Path file;

    @Option(
            names = "--no-verify",
            description =
                    "Publish without refusing a bad artifact (to see the job refuse it); an unreadable one is keyed"
                            + " 'unverified:<file name>'.")
    boolean noVerify;

    /** This verb alone, with its settings as flags ({@code vigil publish-model} registers the same command). */
    public static CommandLine commandLine() {
        PublishModelCommand publish = new PublishModelCommand();
        CommandLine cmd = new CommandLine(publish);
        SettingOptions.addTo(cmd.getCommandSpec(), publish.settingKeys());
        return SettingOptions.hidingSecrets(cmd, e -> 1);
    }

    @Override
    public List<String> settingKeys() {
        return List.of(
                VigilConfig.BOOTSTRAP_SERVERS,
                Topic.MODELS.nameSetting(),
                VigilConfig.MODEL_TRUSTED_KEYS,
                VigilConfig.ALLOW_UNSIGNED_MODELS);
    }

    @Override
    public Integer call() throws Exception {
        VigilConfig config = SettingOptions.read(spec, settingKeys());
        if (!Files.isRegularFile(file)) {
            spec.commandLine().getErr().println("vigil publish-model: no such file: " + Printable.escape(file));
            return 2;
        }
        byte[] artifact = Files.readAllBytes(file);
        String key;
        try {
            key = ModelArtifact.load(artifact, Scorers.FEATURE_SET, Scorers.trust(config))
                    .modelVersion();
        } catch (ModelArtifact.RefusedException e) {
            String why = Printable.escape(file + " is refused (" + e.refusal().code() + "): " + e.getMessage());
            if (!noVerify) {
                spec.commandLine().getErr().println("vigil publish-model: " + why + "; nothing published");
                return 1;
            }
            spec.commandLine().getErr().println("vigil publish-model: " + why + "; publishing it anyway (--no-verify)");
            key = "unverified:" + file.getFileName();
        }
        RecordMetadata published = ModelTopic.publish(config, key, artifact);
        spec.commandLine()
                .getOut()
                .printf(
                        "published %s (%d bytes) to %s, partition %d, offset %d%n",
                        Printable.escape(key),
                        artifact.length,
                        published.topic(),
                        published.partition(),
                        published.offset());
        return 0;
    }
}
