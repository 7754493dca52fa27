package io.vigil.pipeline;

import io.vigil.models.model.ModelArtifact;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.pipeline.detect.Scorers;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.Topic;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
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
            "The long-running job: reads flows, GPU samples and assignments from Kafka, writes alerts (exactly once),"
                    + " scored windows and dead letters. Submitted to a Flink cluster it runs there; run with java -jar it runs"
                    + " in a local mini-cluster.",
            ""
        })
public final class DetectCommand implements Callable<Integer>, UsesSettings {
    @Spec
    CommandSpec spec;

    @Override
    public List<String> settingKeys() {
        List<String> keys = new ArrayList<>(List.of(
                VigilConfig.BOOTSTRAP_SERVERS,
                VigilConfig.SCHEMA_REGISTRY_URL,
                VigilConfig.GROUP_ID,
                VigilConfig.WINDOW_SIZE_MS,
                VigilConfig.OUT_OF_ORDERNESS_MS,
                VigilConfig.IDLENESS_MS,
                VigilConfig.ASSIGNMENT_IDLENESS_MS,
                VigilConfig.CHECKPOINT_INTERVAL_MS,
                VigilConfig.CHECKPOINT_DIR,
                VigilConfig.PARALLELISM,
                VigilConfig.MODEL_PATH,
                VigilConfig.MODEL_TRUSTED_KEYS,
                VigilConfig.ALLOW_UNSIGNED_MODELS,
                VigilConfig.INTERNAL_CIDRS,
                VigilConfig.DESTINATION_LOOKBACK_MS,
                VigilConfig.FLEET_WARMUP_MS,
                VigilConfig.JOB_IDLE_TIMEOUT_MS,
                VigilConfig.ATTRIBUTION_MAX_WAITING,
                VigilConfig.ATTRIBUTION_STATE_TTL_MS,
                VigilConfig.EVIDENCE_TOP_DESTINATIONS,
                VigilConfig.INCIDENT_UPDATE_INTERVAL_MS,
                VigilConfig.INCIDENT_CLOSE_QUIET_WINDOWS,
                VigilConfig.TRANSACTIONAL_ID_PREFIX,
                VigilConfig.TRANSACTION_TIMEOUT_MS,
                VigilConfig.FLOW_FORMAT,
                VigilConfig.GPU_FORMAT,
                VigilConfig.INPUT_NODE,
                VigilConfig.INPUT_TIME_FLOOR_MS,
                VigilConfig.INPUT_FUTURE_MARGIN_MS,
                VigilConfig.INPUT_LINK_MAX_BPS,
                VigilConfig.INPUT_MAX_LINE_BYTES));
        for (Topic t : List.of(
                Topic.FLOWS,
                Topic.GPU,
                Topic.ASSIGNMENTS,
                Topic.ALERTS,
                Topic.WINDOWS,
                Topic.DEADLETTER,
                Topic.MODELS)) {
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
        return cmd;
    }

    @Override
    public Integer call() throws Exception {
        VigilConfig config = SettingOptions.read(spec, settingKeys());
        if (model != null) {
            config = config.with(Map.of(VigilConfig.MODEL_PATH, model.toString()));
        }
        WindowScorer scorer;
        try {
            scorer = Scorers.initial(config);
        } catch (ModelArtifact.RefusedException e) {
            spec.commandLine().getErr().println("vigil detect: " + e.getMessage());
            return 2;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DetectJob.prepare(env, config, scorer, false);
        env.execute("vigil detect");
        return 0;
    }
}
