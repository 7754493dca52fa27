package io.vigil.pipeline;

import io.vigil.models.model.ModelArtifact;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.pipeline.detect.DetectSettings;
import io.vigil.pipeline.detect.Scorers;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.records.Printable;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.Topic;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The long-running job on Kafka, as a verb: {@code vigil detect}, and the cluster job jar's command line ({@link DetectJob#main}). */
@Command(
        name = "detect",
        mixinStandardHelpOptions = true,
        description = {
            "The long-running job: reads flows, GPU samples, assignments and agents' tool calls from Kafka (and follows"
                    + " model releases and suppression rules), writes alerts, the episodes they name (episode"
                    + " flags), scored windows and dead letters. Submitted to a Flink cluster it runs there; run with java -jar it runs"
                    + " in a local mini-cluster. It starts once a broker answers and has the job's topics (vigil topics"
                    + " creates them); until then it says on stderr what it waits for, every 5 s. Brokers that refuse its"
                    + " Kafka client properties (authentication failed, not authorized) stop it with exit code 1.",
            ""
        })
public final class DetectCommand implements Callable<Integer>, UsesSettings {
    /** The topics the job reads and writes (each named by its setting's flag). */
    public static final List<Topic> JOB_TOPICS = List.of(
            Topic.FLOWS,
            Topic.GPU,
            Topic.ASSIGNMENTS,
            Topic.AGENT_EVENTS,
            Topic.ALERTS,
            Topic.EPISODE_FLAGS,
            Topic.WINDOWS,
            Topic.DEADLETTER,
            Topic.MODELS,
            Topic.SUPPRESSIONS);

    @Spec
    CommandSpec spec;

    @Override
    public List<String> settingKeys() {
        List<String> keys = new ArrayList<>(List.of(
                VigilConfig.BOOTSTRAP_SERVERS,
                VigilConfig.SCHEMA_REGISTRY_URL,
                VigilConfig.GROUP_ID,
                VigilConfig.INPUT_MAX_POLL_RECORDS,
                VigilConfig.CHECKPOINT_INTERVAL_MS,
                VigilConfig.CHECKPOINT_DIR,
                VigilConfig.PARALLELISM,
                VigilConfig.MODEL_PATH,
                VigilConfig.MODEL_TRUSTED_KEYS,
                VigilConfig.ALLOW_UNSIGNED_MODELS,
                VigilConfig.ALERT_FORMAT,
                VigilConfig.OUTPUT_DELIVERY,
                VigilConfig.TRANSACTIONAL_ID_PREFIX,
                VigilConfig.TRANSACTION_TIMEOUT_MS));
        keys.addAll(InputFormats.LIVE_SETTINGS);
        keys.addAll(DetectSettings.DETECTION_KEYS);
        keys.addAll(DetectSettings.LIVE_WATERMARK_KEYS);
        for (Topic t : JOB_TOPICS) {
            keys.add(t.nameSetting());
        }
        return keys;
    }

    @Option(
            names = "--model",
            paramLabel = "FILE",
            description =
                    "Model artifact to start scoring with (the same as --model-path). A release on the model topic"
                            + " replaces it while the job runs (vigil publish-model); a job restored from a checkpoint or savepoint"
                            + " scores with the release it last accepted.")
    Path model;

    /** This verb alone, with its settings as flags: what the cluster job jar runs. */
    static CommandLine commandLine() {
        DetectCommand detect = new DetectCommand();
        CommandLine cmd = new CommandLine(detect);
        SettingOptions.addTo(cmd.getCommandSpec(), detect.settingKeys());
        return SettingOptions.hidingSecrets(cmd, e -> 1);
    }

    /** The topics the job reads and writes: it starts once they exist. */
    static List<String> topics(VigilConfig config) {
        return JOB_TOPICS.stream().map(config::topic).toList();
    }

    @Override
    public Integer call() throws Exception {
        VigilConfig config = SettingOptions.read(spec, settingKeys());
        if (model != null) {
            config = config.with(Map.of(VigilConfig.MODEL_PATH, model.toString()));
        }
        PrintWriter err = spec.commandLine().getErr();
        WindowScorer scorer;
        try {
            scorer = Scorers.initial(config);
        } catch (ModelArtifact.RefusedException e) {
            err.println("vigil detect: " + Printable.escape(e.getMessage()));
            return 2;
        }
        try {
            KafkaTopics.awaitBrokerAndTopics(config, topics(config), KafkaTopics.RETRY, line -> {
                err.println("vigil detect: " + Printable.escape(line));
                err.flush();
            });
        } catch (InterruptedException e) {
            err.println("vigil detect: stopped before the job started");
            err.flush();
            Thread.currentThread().interrupt();
            return 1;
        } catch (KafkaTopics.RefusedException e) {
            err.println("vigil detect: not started: " + Printable.escape(e.getMessage()));
            return 1;
        }
        for (String problem : KafkaTopics.retentionProblems(config)) {
            err.println("vigil detect: warning: " + Printable.escape(problem));
        }
        err.flush();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DetectJob.prepare(env, config, scorer, false);
        env.execute("vigil detect");
        return 0;
    }
}
