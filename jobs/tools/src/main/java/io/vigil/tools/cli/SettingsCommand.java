package io.vigil.tools.cli;

import io.vigil.settings.VigilConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Lists every setting with its default and doc: the keys a --config file or deploy file may use. */
@Command(
        name = "settings",
        mixinStandardHelpOptions = true,
        description = "List every setting: key, default and what it does (use them in a --config file or as --flags).")
final class SettingsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (String key : VigilConfig.keys()) {
            ConfigDef.ConfigKey def = VigilConfig.DEF.configKeys().get(key);
            out.printf("%s = %s%n    %s%n", key, def.defaultValue == null ? "" : def.defaultValue, def.documentation);
        }
        out.flush();
        return 0;
    }
}
