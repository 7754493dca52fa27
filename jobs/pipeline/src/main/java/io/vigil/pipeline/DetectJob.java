package io.vigil.pipeline;

import io.vigil.models.scoring.WindowScorer;
import io.vigil.pipeline.detect.DetectPipeline;
import io.vigil.pipeline.detect.DetectSettings;
import io.vigil.pipeline.kafka.KafkaEnds;
import io.vigil.records.AvroLimits;
import io.vigil.settings.VigilConfig;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The long-running job: Kafka topics in, alerts out, exactly once. The cluster job jar's entry point: on a Flink
 * cluster, {@code flink run -c io.vigil.pipeline.DetectJob vigil-job.jar --bootstrap-servers ...} (the flags of
 * {@link DetectCommand}, the same as {@code vigil detect}); for a try, {@code vigil detect} runs it locally.
 */
public final class DetectJob {
    private DetectJob() {}

    /** The cluster job jar's main: {@code vigil detect}'s flags, without the tools around it. */
    public static void main(String[] args) {
        AvroLimits.install(); // before anything decodes Avro
        System.exit(DetectCommand.commandLine().execute(args));
    }

    /** Configures checkpointing and parallelism as the settings say, and wires the pipeline to Kafka. */
    public static StreamExecutionEnvironment prepare(
            StreamExecutionEnvironment env, VigilConfig config, WindowScorer scorer, boolean bounded) {
        configure(env, config);
        DetectSettings settings = DetectSettings.from(config);
        DetectPipeline.build(
                env,
                bounded ? settings.withoutAlignment() : settings,
                scorer,
                KafkaEnds.inputs(config, bounded),
                KafkaEnds.outputs(config));
        return env;
    }

    /**
     * The runtime settings detect runs with, whatever job the environment then gets: checkpoints, watermark
     * interval, buffer timeout, parallelism.
     */
    public static StreamExecutionEnvironment configure(StreamExecutionEnvironment env, VigilConfig config) {
        env.enableCheckpointing(config.getLong(VigilConfig.CHECKPOINT_INTERVAL_MS), CheckpointingMode.EXACTLY_ONCE);
        CheckpointConfig checkpoints = env.getCheckpointConfig();
        checkpoints.setMinPauseBetweenCheckpoints(
                Math.min(5_000, config.getLong(VigilConfig.CHECKPOINT_INTERVAL_MS) / 2));
        String dir = config.getString(VigilConfig.CHECKPOINT_DIR);
        if (!dir.isBlank()) {
            Configuration conf = new Configuration();
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir);
            env.configure(conf);
        }
        // An alert waits for the watermark to reach the window operators: for the next watermark, then up to a
        // buffer timeout at each of the four exchanges on its way. Sooner costs CPU in every task, busy or not.
        env.getConfig().setAutoWatermarkInterval(config.getLong(VigilConfig.WATERMARK_INTERVAL_MS));
        env.setBufferTimeout(config.getLong(VigilConfig.NETWORK_BUFFER_TIMEOUT_MS));
        int parallelism = config.getInt(VigilConfig.PARALLELISM);
        if (parallelism > 0) {
            env.setParallelism(parallelism);
        }
        return env;
    }

    public static JobClient start(StreamExecutionEnvironment env, VigilConfig config, WindowScorer scorer)
            throws Exception {
        return prepare(env, config, scorer, false).executeAsync("vigil detect");
    }
}
