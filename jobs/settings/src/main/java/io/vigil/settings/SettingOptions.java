package io.vigil.settings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Turns settings of {@link VigilConfig} into command-line flags ({@code topic.flows} → {@code --topic-flows}),
 * so a setting's doc and default are written once. Values come, last wins, from the defaults, a
 * {@code --config} properties file, then the flags.
 */
public final class SettingOptions {
    static final String CONFIG_FILE_OPTION = "--config";

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
                    .description(def.documentation + defaultText);
            if (yesNo) {
                option.type(Boolean.class).arity("0..1").fallbackValue("true");
            }
            spec.addOption(option.build());
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
                if (!VigilConfig.DEF.names().contains(name)) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "settings file " + file + " has an unknown key '" + name + "' (see `vigil settings`)");
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
        try {
            return new VigilConfig(values);
        } catch (ConfigException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
