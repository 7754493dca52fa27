package io.vigil.tools.replay;

import java.util.stream.Stream;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * One local mini-cluster for a whole replay, when nothing around provides one (run from the command line).
 * Flink's own local environment starts a cluster per Flink job and shuts it down the moment the job ends, while
 * the client may still be fetching collected results (it then warns that "some data might be lost"). Here
 * the cluster outlives each Flink job, so the results are fetched from a live cluster, and datasets after the
 * first do not pay the start-up again.
 */
final class ReplayCluster implements AutoCloseable {
    private static final String TARGET = "vigil-replay-cluster";

    private final MiniCluster cluster;

    private ReplayCluster(MiniCluster cluster) {
        this.cluster = cluster;
    }

    /** Whether the caller runs without a surrounding environment (a test's mini-cluster, a Flink cluster). */
    static boolean needed() {
        return StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment;
    }

    /** Starts a cluster of one task manager with a slot per parallel task. */
    static ReplayCluster start(int slots) throws Exception {
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(new Configuration())
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .setRpcServiceSharing(RpcServiceSharing.SHARED)
                .withRandomPorts()
                .build());
        cluster.start();
        return new ReplayCluster(cluster);
    }

    /** An environment whose Flink jobs run on this cluster; the cluster stays up after each. */
    StreamExecutionEnvironment environment(Configuration conf) {
        Configuration c = new Configuration(conf);
        c.set(DeploymentOptions.TARGET, TARGET);
        c.set(DeploymentOptions.ATTACHED, true);
        PipelineExecutor executor = (pipeline, configuration, classLoader) -> {
            StreamGraph graph = PipelineExecutorUtils.getStreamGraph(pipeline, configuration);
            graph.serializeUserDefinedInstances();
            return cluster.submitJob(graph)
                    .thenApply(submitted -> new MiniClusterJobClient(
                            submitted.getJobID(),
                            cluster,
                            classLoader,
                            MiniClusterJobClient.JobFinalizationBehavior.NOTHING));
        };
        PipelineExecutorFactory factory = new PipelineExecutorFactory() {
            @Override
            public String getName() {
                return TARGET;
            }

            @Override
            public boolean isCompatibleWith(Configuration configuration) {
                return TARGET.equals(configuration.get(DeploymentOptions.TARGET));
            }

            @Override
            public PipelineExecutor getExecutor(Configuration configuration) {
                return executor;
            }
        };
        PipelineExecutorServiceLoader loader = new PipelineExecutorServiceLoader() {
            @Override
            public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
                return factory;
            }

            @Override
            public Stream<String> getExecutorNames() {
                return Stream.of(TARGET);
            }
        };
        return new StreamExecutionEnvironment(loader, c, ReplayCluster.class.getClassLoader());
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
