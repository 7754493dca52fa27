package io.vigil.settings;

import io.vigil.records.Printable;
import io.vigil.records.wire.Credentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Turns settings of {@link VigilConfig} into command-line flags ({@code topic.flows} → {@code --topic-flows}),
 * so a setting's doc and default are written once. Values come, last wins, from the defaults, a
 * {@code --config} properties file, then the flags. A verb that talks to Kafka (one with bootstrap.servers)
 * also takes Kafka client properties ({@link KafkaClients}): {@code kafka.*} keys in the settings file, then a
 * {@code --kafka-config} file, then {@code --kafka-property KEY=VALUE} flags.
 */
public final class SettingOptions {
    static final String CONFIG_FILE_OPTION = "--config";
    static final String KAFKA_CONFIG_OPTION = "--kafka-config";
    static final String KAFKA_PROPERTY_OPTION = "--kafka-property";

    private SettingOptions() {}

    static String flag(String key) {
        return "--" + key.replace('.', '-');
    }

    /** Adds one flag per setting key, plus --config, to a verb. */
    public static void addTo(CommandSpec spec, List<String> keys) {
        spec.addOption(OptionSpec.builder(CONFIG_FILE_OPTION)
                .paramLabel("FILE")
                .type(Path.class)
                .description("Settings file (Java properties with the keys of `vigil settings`); flags override it.")
                .build());
        for (String key : keys) {
            ConfigDef.ConfigKey def = VigilConfig.DEF.configKeys().get(key);
            if (def == null) {
                throw new IllegalArgumentException("no such setting: " + key);
            }
            String defaultText = def.hasDefault()
                            && def.defaultValue != null
                            && !String.valueOf(def.defaultValue).isEmpty()
                    ? " Default: " + def.defaultValue + "."
                    : "";
            boolean yesNo = def.type == ConfigDef.Type.BOOLEAN;
            // a yes/no setting is a switch (--allow-unsigned-models); it takes only "true" or "false" after it
            OptionSpec.Builder option = OptionSpec.builder(flag(key))
                    .paramLabel(def.type == ConfigDef.Type.STRING ? "VALUE" : def.type.name())
                    .type(String.class)
                    // picocli formats descriptions: a setting's "%" is text
                    .description((def.documentation + defaultText).replace("%", "%%"));
            if (yesNo) {
                option.type(Boolean.class).arity("0..1").fallbackValue("true");
            }
            spec.addOption(option.build());
        }
        if (keys.contains(VigilConfig.BOOTSTRAP_SERVERS)) {
            spec.addOption(OptionSpec.builder(KAFKA_CONFIG_OPTION)
                    .paramLabel("FILE")
                    .type(Path.class)
                    .description("Kafka client properties file (what Kafka's tools take as --command-config:"
                            + " security.protocol, sasl.*, ssl.*, ...), for every Kafka client of this verb; over the"
                            + " settings file's kafka.* keys. Keep passwords here, not on the command line.")
                    .build());
            spec.addOption(OptionSpec.builder(KAFKA_PROPERTY_OPTION)
                    .paramLabel("KEY=VALUE")
                    .type(List.class)
                    .auxiliaryTypes(String.class)
                    .arity("1")
                    .description("A Kafka client property (repeatable, like Kafka's --producer-property), over"
                            + " --kafka-config. Vigil's own are refused: "
                            + String.join(", ", KafkaClients.vigilsOwn().keySet())
                            + ". Secret values are shown nowhere ([hidden]).")
                    .build());
        }
    }

    /** The settings of this invocation: defaults, then --config, then flags. */
    public static VigilConfig read(CommandSpec spec, List<String> keys) {
        Map<String, Object> values = new LinkedHashMap<>();
        OptionSpec configOption = spec.findOption(CONFIG_FILE_OPTION);
        Path file = configOption == null ? null : configOption.getValue();
        if (file != null) {
            Properties props = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                props.load(in);
            } catch (IOException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "cannot read settings file " + file + ": " + e.getMessage());
            }
            for (String name : props.stringPropertyNames()) {
                if (!VigilConfig.DEF.names().contains(name) && !name.startsWith(KafkaClients.PREFIX)) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "settings file " + file + " has an unknown key '" + name
                                    + "' (see `vigil settings`; Kafka client properties take the prefix "
                                    + KafkaClients.PREFIX + ")");
                }
                values.put(name, props.getProperty(name));
            }
        }
        for (String key : keys) {
            Object value = spec.findOption(flag(key)).getValue();
            if (value != null) {
                values.put(key, String.valueOf(value));
            }
        }
        values.putAll(kafkaFlags(spec));
        try {
            return new VigilConfig(values);
        } catch (ConfigException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), Credentials.redact(e.getMessage()));
        }
    }

    /** The Kafka client properties of --kafka-config, then --kafka-property, as {@code kafka.*} settings. */
    private static Map<String, String> kafkaFlags(CommandSpec spec) {
        Map<String, String> values = new LinkedHashMap<>();
        OptionSpec fileOption = spec.findOption(KAFKA_CONFIG_OPTION);
        Path file = fileOption == null ? null : fileOption.getValue();
        if (file != null) {
            try {
                KafkaClients.read(file).forEach((k, v) -> values.put(KafkaClients.PREFIX + k, v));
            } catch (NoSuchFileException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "no such Kafka client properties file: " + file);
            } catch (IOException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "cannot read Kafka client properties " + file + ": " + e.getMessage());
            }
        }
        OptionSpec propertyOption = spec.findOption(KAFKA_PROPERTY_OPTION);
        List<String> properties = propertyOption == null ? null : propertyOption.getValue();
        for (String keyValue : properties == null ? List.<String>of() : properties) {
            try {
                Map.Entry<String, String> property = KafkaClients.parse(keyValue);
                values.put(KafkaClients.PREFIX + property.getKey(), property.getValue());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        return values;
    }

    /**
     * Makes a command line's errors show no secret: a usage error repeats what was typed (an unknown flag and
     * what follows it, a value a flag does not take), so the secret values among the arguments (a secret
     * {@code --kafka-property}, a URL's user info) and those read from files are hidden in its message, as are
     * those of a failure's message; a failure prints its message, not a stack trace. Set on the top command,
     * it covers the subcommands.
     *
     * @param failureExitCode the exit code of a failure, from its exception
     */
    public static CommandLine hidingSecrets(CommandLine cmd, ToIntFunction<Exception> failureExitCode) {
        cmd.setParameterExceptionHandler((e, args) -> {
            hideSecretArguments(args);
            CommandLine failed = e.getCommandLine();
            PrintWriter err = failed.getErr();
            err.println(failed.getColorScheme().errorText(Printable.escape(Credentials.redact(e.getMessage()))));
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
                failed.usage(err, failed.getColorScheme());
            }
            return failed.getCommandSpec().exitCodeOnInvalidInput();
        });
        cmd.setExecutionExceptionHandler((e, failed, parseResult) -> {
            hideSecretArguments(parseResult.originalArgs().toArray(String[]::new));
            // the message may quote data (a path, a line, a model's header): shown, never acted on by the terminal
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            failed.getErr()
                    .println("vigil " + failed.getCommandName() + ": " + Printable.escape(Credentials.redact(message)));
            return failureExitCode.applyAsInt(e);
        });
        return cmd;
    }

    /** Registers the secret values among command-line arguments: those of {@code KEY=VALUE} with a secret key. */
    static void hideSecretArguments(String[] args) {
        for (String arg : args) {
            String keyValue = arg.startsWith(KAFKA_PROPERTY_OPTION + "=")
                    ? arg.substring(KAFKA_PROPERTY_OPTION.length() + 1)
                    : arg;
            int eq = keyValue.indexOf('=');
            if (eq > 0) {
                KafkaClients.hideSecrets(Map.of(keyValue.substring(0, eq).trim(), keyValue.substring(eq + 1)));
            }
        }
    }
}
