package io.vigil.tools.cli;

import io.vigil.records.wire.Credentials;
import io.vigil.settings.KafkaClients;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Lists every setting with its value and doc: the keys a --config file or deploy file may use, and, given the
 * same files and flags as a verb, what that verb would run with (secrets shown as [hidden]).
 */
@Command(
        name = "settings",
        mixinStandardHelpOptions = true,
        description = {
            "List every setting: key, value and what it does (use them in a --config file or as --flags), then the"
                    + " Kafka client properties. Given a verb's --config, --kafka-config, --kafka-property and flags, the"
                    + " values are the ones that verb would run with; secret values are shown as [hidden].",
            ""
        })
final class SettingsCommand implements Callable<Integer>, UsesSettings {
    @Spec
    CommandSpec spec;

    @Override
    public List<String> settingKeys() {
        return VigilConfig.keys();
    }

    @Override
    public Integer call() {
        VigilConfig config = SettingOptions.read(spec, settingKeys());
        PrintWriter out = spec.commandLine().getOut();
        for (String key : VigilConfig.keys()) {
            ConfigDef.ConfigKey def = VigilConfig.DEF.configKeys().get(key);
            String value = text(config.values().get(key));
            String defaultValue = text(def.defaultValue);
            out.printf(
                    "%s = %s%n    %s%s%n",
                    key,
                    Credentials.redact(value),
                    def.documentation,
                    Objects.equals(value, defaultValue) ? "" : " Default: " + defaultValue + ".");
        }
        out.printf(
                "%s<property> =%n    Kafka client properties (security.protocol, sasl.*, ssl.*, timeouts...), given to"
                        + " every Kafka client of detect, publish-model, topics and collect-gpu: %s* keys here, then"
                        + " --kafka-config FILE, then --kafka-property KEY=VALUE. Vigil's own are refused: %s. Secret"
                        + " values are shown as %s.%n",
                KafkaClients.PREFIX,
                KafkaClients.PREFIX,
                String.join(", ", KafkaClients.vigilsOwn().keySet()),
                Credentials.HIDDEN);
        for (Map.Entry<String, String> property :
                KafkaClients.shown(config.kafkaProperties()).entrySet()) {
            out.printf("%s%s = %s%n", KafkaClients.PREFIX, property.getKey(), property.getValue());
        }
        out.flush();
        return 0;
    }

    /** A setting's value as a settings file writes it (a list comma-separated). */
    private static String text(Object value) {
        if (value == null) {
            return "";
        }
        return value instanceof List<?> list
                ? String.join(",", list.stream().map(String::valueOf).toList())
                : String.valueOf(value);
    }
}
