package io.vigil.tools;

import io.vigil.broker.EmbeddedKafka;
import io.vigil.settings.KafkaClients;
import io.vigil.settings.VigilConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** What the self-contained verbs (demo, bench) share: settings for the embedded broker and a local Flink. */
public final class LocalRun {
    private LocalRun() {}

    /**
     * Settings for a detect job on the embedded broker: how to reach it (its Kafka client properties: SASL_SSL
     * when it was started so), its own consumer group and transactional ids, and checkpoints (which commit the
     * alerts) every {@code checkpointMs} into {@code checkpoints}.
     */
    public static VigilConfig config(
            EmbeddedKafka kafka, String name, long checkpointMs, Path checkpoints, Map<String, String> more) {
        Map<String, Object> values = new HashMap<>(Map.of(
                VigilConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                VigilConfig.GROUP_ID, name,
                VigilConfig.TRANSACTIONAL_ID_PREFIX, name,
                VigilConfig.CHECKPOINT_INTERVAL_MS, String.valueOf(checkpointMs),
                VigilConfig.CHECKPOINT_DIR, checkpoints.toUri().toString()));
        kafka.clientProperties().forEach((k, v) -> values.put(KafkaClients.PREFIX + k, v));
        values.putAll(more);
        return VigilConfig.defaults().with(values);
    }

    /** A mini-cluster in this JVM that fails a job rather than restarting it for ever (Flink 2's default). */
    public static StreamExecutionEnvironment environment(int parallelism) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    }

    /** Deletes a temporary directory; what cannot be deleted is left to the OS. */
    public static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // a temporary directory
        }
    }
}
