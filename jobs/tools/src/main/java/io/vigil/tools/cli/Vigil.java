package io.vigil.tools.cli;

import io.vigil.collector.CollectGpuCommand;
import io.vigil.models.model.ModelArtifact;
import io.vigil.pipeline.DetectCommand;
import io.vigil.pipeline.PublishModelCommand;
import io.vigil.records.AvroLimits;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.UsesSettings;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vigil} command line: one verb per use (see README and docs/ARCHITECTURE.md). */
@Command(
        name = "vigil",
        mixinStandardHelpOptions = true,
        versionProvider = Vigil.Version.class,
        description = {
            "Streaming anomaly detection for AI training clusters: joins network flows with GPU metrics per"
                    + " training job, scores each job's windows and sends flagged windows to a Kafka alert topic.",
            ""
        },
        subcommands = {
            DemoCommand.class,
            DetectCommand.class,
            ReplayCommand.class,
            StreamCommand.class,
            SimulateCommand.class,
            CollectGpuCommand.class,
            WindowsCommand.class,
            TrainCommand.class,
            KeygenCommand.class,
            SignCommand.class,
            EvaluateCommand.class,
            WrapCaptureCommand.class,
            PublishModelCommand.class,
            TopicsCommand.class,
            AlertsCommand.class,
            VerdictCommand.class,
            SuppressCommand.class,
            BenchCommand.class,
            SettingsCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {"", "Run `vigil VERB --help` for a verb's flags."})
public final class Vigil implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        AvroLimits.install(); // before anything decodes Avro
        System.exit(run(args));
    }

    /** Runs one invocation and returns its exit code (tests call this rather than main). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Vigil());
        cmd.getSubcommands().values().forEach(Vigil::addSettings);
        // a model that cannot be used is the user's to fix, like a bad flag
        return SettingOptions.hidingSecrets(cmd, e -> e instanceof ModelArtifact.RefusedException ? 2 : 1);
    }

    /** A verb's settings as flags, and its own verbs' (suppress add, remove, list). */
    private static void addSettings(CommandLine verb) {
        if (verb.getCommand() instanceof UsesSettings uses) {
            SettingOptions.addTo(verb.getCommandSpec(), uses.settingKeys());
        }
        verb.getSubcommands().values().forEach(Vigil::addSettings);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Vigil.class.getResourceAsStream("/vigil-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"vigil " + p.getProperty("version", "(unknown version)")};
        }
    }
}
