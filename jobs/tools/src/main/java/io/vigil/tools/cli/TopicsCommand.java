package io.vigil.tools.cli;

import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.records.Printable;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.Topic;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Creates Vigil's topics on a broker (the ones that do not exist yet). */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Create Vigil's Kafka topics that do not exist yet, with the configured names and partitions.")
final class TopicsCommand implements Callable<Integer>, UsesSettings {
    @Spec
    CommandSpec spec;

    @Override
    public List<String> settingKeys() {
        List<String> keys =
                new ArrayList<>(List.of(VigilConfig.BOOTSTRAP_SERVERS, VigilConfig.TOPIC_REPLICATION_FACTOR));
        for (Topic t : Topic.values()) {
            keys.add(t.nameSetting());
            keys.add(t.partitionsSetting());
        }
        return keys;
    }

    @Override
    public Integer call() {
        VigilConfig config = SettingOptions.read(spec, settingKeys());
        List<String> created = KafkaTopics.createAll(config);
        for (Topic t : Topic.values()) {
            String name = config.topic(t);
            spec.commandLine().getOut().printf("%-20s %s%n", name, created.contains(name) ? "created" : "exists");
        }
        // an existing topic is left as it is: say where its retention loses what a fresh start needs
        for (String problem : KafkaTopics.retentionProblems(config)) {
            spec.commandLine().getErr().println("vigil topics: warning: " + Printable.escape(problem));
        }
        return 0;
    }
}
