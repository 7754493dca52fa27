package io.vigil.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.models.scoring.IndicatorScorer;
import io.vigil.settings.VigilConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.shaded.guava33.com.google.common.hash.Hashing;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * The shape of the job a deployment runs, from its job graph (no cluster, no broker): every flow and GPU sample is
 * attributed in its reader's own task, so none crosses an exchange before it is folded per job and window; that task
 * has no network input (Flink 2.2.1 triggers checkpoints only in tasks without one), and its source is one of the
 * task's operators by id, so the source's offsets are restored (a source chained into a multiple-input operator is
 * not, in Flink 2.2.1).
 */
class DetectJobShapeTest {
    @Test
    void theReadersAttributeInTheirSourcesOwnTask() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        VigilConfig config = VigilConfig.defaults().with(Map.of(VigilConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9"));
        DetectJob.prepare(env, config, new IndicatorScorer(), false);
        JobGraph graph = env.getStreamGraph().getJobGraph();

        List<JobVertex> readers = new ArrayList<>();
        for (JobVertex vertex : graph.getVertices()) {
            if (vertex.getName().contains("Read, split and attribute")) {
                readers.add(vertex);
            }
        }
        assertThat(readers).singleElement().satisfies(reader -> {
            assertThat(reader.getName()).startsWith("Source: input 0").contains("Pre-combine flows");
            assertThat(reader.isInputVertex()).as("no network input").isTrue();
            assertThat(reader.getOperatorIDs())
                    .as("the source's state is the task's: restored from a checkpoint or savepoint")
                    .anySatisfy(ids -> assertThat(ids.getGeneratedOperatorID()).isEqualTo(fromUid("source-0")));
        });
    }

    @Test
    void withoutAModelTopicNoTaskReceivesTheWindowsOnlyToDropThem() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        VigilConfig config = VigilConfig.defaults().with(Map.of(VigilConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9"));
        // bounded (a replay through Kafka, the bench): no model topic is followed
        DetectJob.prepare(env, config, new IndicatorScorer(), true);
        JobGraph graph = env.getStreamGraph().getJobGraph();

        // the scoring step's broadcast input, without a model topic, takes its event time from the windows where
        // they are made: chained there, not a task that every window crosses to
        assertThat(graph.getVertices())
                .filteredOn(vertex -> vertex.getName().contains("No model releases"))
                .isNotEmpty()
                .allSatisfy(vertex -> assertThat(vertex.getName()).doesNotStartWith("No model releases"));
        assertThat(graph.getVertices())
                .filteredOn(vertex -> vertex.getName().startsWith("Features per job and window"))
                .singleElement()
                .satisfies(vertex -> assertThat(vertex.getName()).contains("No model releases"));
    }

    @Test
    void watermarksAndNetworkBuffersGoOutAsOftenAsTheSettingsSay() {
        VigilConfig defaults = VigilConfig.defaults().with(Map.of(VigilConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DetectJob.prepare(env, defaults, new IndicatorScorer(), false);
        assertThat(env.getConfig().getAutoWatermarkInterval()).isEqualTo(100);
        assertThat(env.getBufferTimeout()).isEqualTo(50);

        // a user who wants results sooner pays CPU in every task for it
        VigilConfig sooner = defaults.with(
                Map.of(VigilConfig.WATERMARK_INTERVAL_MS, "20", VigilConfig.NETWORK_BUFFER_TIMEOUT_MS, "0"));
        StreamExecutionEnvironment soonerEnv = StreamExecutionEnvironment.getExecutionEnvironment();
        DetectJob.prepare(soonerEnv, sooner, new IndicatorScorer(), false);
        assertThat(soonerEnv.getConfig().getAutoWatermarkInterval()).isEqualTo(20);
        assertThat(soonerEnv.getBufferTimeout()).isZero();
        assertThat(soonerEnv.getStreamGraph().getStreamNodes())
                .as("every operator's output flushes as the setting says")
                .isNotEmpty()
                .allSatisfy(node -> assertThat(node.getBufferTimeout()).isZero());

        // Flink's -1 (send a buffer only when full) would hold a quiet job's alerts indefinitely: refused
        assertThatThrownBy(() -> defaults.with(Map.of(VigilConfig.NETWORK_BUFFER_TIMEOUT_MS, "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(VigilConfig.NETWORK_BUFFER_TIMEOUT_MS);
    }

    /** An operator's id as Flink derives it from its uid. */
    private static OperatorID fromUid(String uid) {
        return new OperatorID(Hashing.murmur3_128(0)
                .newHasher()
                .putString(uid, StandardCharsets.UTF_8)
                .hash()
                .asBytes());
    }
}
