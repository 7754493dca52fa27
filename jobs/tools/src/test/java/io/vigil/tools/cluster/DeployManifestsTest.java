package io.vigil.tools.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vigil.collector.CollectGpuCommand;
import io.vigil.pipeline.DetectJob;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.flink.util.TimeUtils;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

/**
 * The deploy files name the jar, the entry point, the topics and the settings that the code defines. No
 * Kubernetes cluster is here to apply them, so this test reads them and checks they say the same as the
 * code: a renamed topic, jar or setting fails here rather than in production.
 */
class DeployManifestsTest {
    static final Path ROOT = LocalCluster.repositoryRoot();
    static final ObjectMapper YAML = new YAMLMapper();

    @Test
    void flinkDeploymentRunsTheJobJarThatTheBuildMakesWithTheDetectJobsEntryPoint() throws Exception {
        JsonNode job = flinkDeployment().path("spec").path("job");
        assertThat(job.path("jarURI").asText()).isEqualTo("local:///opt/flink/usrlib/" + jobJarName());
        assertThat(job.path("entryClass").asText()).isEqualTo(DetectJob.class.getName());
        assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");
    }

    @Test
    void dockerfileIsTheOfficialFlinkImageOfTheBuildsFlinkVersionWithTheJarInUsrlib() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("deploy/k8s/Dockerfile"));
        Matcher from = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(dockerfile);
        assertThat(from.find()).isTrue();
        assertThat(from.group(1)).isEqualTo("flink:" + rootProperty("flink.version") + "-java17");
        assertThat(dockerfile)
                .containsPattern("(?m)^COPY .*jobs/target/" + Pattern.quote(jobJarName()) + " /opt/flink/usrlib/"
                        + Pattern.quote(jobJarName()) + "$");
    }

    @Test
    void everyDetectFlagInTheDeploymentIsAVigilSettingAndTopicsHaveTheirDefaultNames() throws Exception {
        Map<String, String> flags = new TreeMap<>();
        List<String> args = args();
        for (int i = 0; i < args.size(); i += 2) {
            assertThat(args.get(i)).as("flag at %d", i).startsWith("--");
            flags.put(args.get(i), args.get(i + 1));
        }
        Map<String, String> settingByFlag =
                VigilConfig.keys().stream().collect(Collectors.toMap(k -> "--" + k.replace('.', '-'), k -> k));
        assertThat(settingByFlag).containsKeys(flags.keySet().toArray(String[]::new));
        // every value is valid for its setting
        Map<String, Object> values = new HashMap<>();
        flags.forEach((flag, value) -> values.put(settingByFlag.get(flag), value));
        VigilConfig config = new VigilConfig(values);
        for (Topic t :
                List.of(Topic.FLOWS, Topic.GPU, Topic.ASSIGNMENTS, Topic.ALERTS, Topic.WINDOWS, Topic.DEADLETTER)) {
            assertThat(config.topic(t)).as(t.nameSetting()).isEqualTo(t.defaultName());
        }
        assertThat(config.bootstrapServers())
                .isNotEqualTo(VigilConfig.defaults().bootstrapServers());
    }

    @Test
    void everyTopicHasAStrimziKafkaTopicWithItsNameAndPartitionsAndWhatIsKeptForGoodIs() throws Exception {
        Map<String, Integer> partitionsByTopic = new HashMap<>();
        Map<String, JsonNode> configByTopic = new HashMap<>();
        try (var parser = new YAMLFactory()
                .createParser(ROOT.resolve("deploy/k8s/kafka-topics.yaml").toFile())) {
            Iterator<JsonNode> docs = YAML.readValues(parser, JsonNode.class);
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isMissingNode() || doc.isEmpty()) {
                    continue;
                }
                assertThat(doc.path("kind").asText()).isEqualTo("KafkaTopic");
                assertThat(doc.path("metadata")
                                .path("labels")
                                .path("strimzi.io/cluster")
                                .asText())
                        .isNotBlank();
                partitionsByTopic.put(
                        doc.path("spec").path("topicName").asText(),
                        doc.path("spec").path("partitions").asInt());
                configByTopic.put(
                        doc.path("spec").path("topicName").asText(),
                        doc.path("spec").path("config"));
            }
        }
        Map<String, Integer> expected = new HashMap<>();
        for (Topic t : Topic.values()) {
            expected.put(t.defaultName(), t.defaultPartitions());
            if (t.keptForGood()) {
                // kept for good, as `vigil topics` keeps it: no time-based retention, or compaction alone
                JsonNode config = configByTopic.get(t.defaultName());
                String policy = config.path("cleanup.policy").asText("delete");
                assertThat(
                                policy.contains("delete")
                                        ? config.path("retention.ms").asText()
                                        : "-1")
                        .as(t.defaultName() + " is kept for good")
                        .isEqualTo("-1");
                t.kafkaSettings().forEach((setting, value) -> {
                    if (setting.startsWith("retention.") && policy.contains("delete")) {
                        assertThat(config.path(setting).asText())
                                .as(t.defaultName() + " " + setting)
                                .isEqualTo(value);
                    }
                });
            }
        }
        assertThat(partitionsByTopic).isEqualTo(expected);
    }

    @Test
    void kubernetesAndLocalFlinkConfigurationsAgreeOnStateCheckpointsRestartsAndJavaFlags() throws Exception {
        Map<String, String> local =
                flatten(YAML.readTree(ROOT.resolve("deploy/flink/config.yaml").toFile()));
        JsonNode k8s = flinkDeployment().path("spec").path("flinkConfiguration");
        for (String key : List.of(
                "state.backend.type",
                "execution.checkpointing.mode",
                "execution.checkpointing.incremental",
                "execution.checkpointing.externalized-checkpoint-retention",
                "execution.checkpointing.tolerable-failed-checkpoints",
                "restart-strategy.type",
                "restart-strategy.fixed-delay.attempts",
                "restart-strategy.fixed-delay.delay",
                "taskmanager.numberOfTaskSlots",
                "env.java.opts.all")) {
            assertThat(k8s.path(key).asText()).as(key).isNotBlank().isEqualTo(local.get(key));
        }
        assertThat(local.get("state.backend.type")).isEqualTo("rocksdb");
        assertThat(k8s.path("high-availability.type").asText()).isEqualTo("kubernetes");
        assertThat(k8s.path("execution.checkpointing.dir").asText()).isNotBlank();
        assertThat(k8s.path("execution.checkpointing.savepoint-dir").asText()).isNotBlank();
        // the job jar runs with the same module opens as the tests (root pom's flink.jvm.opens)
        assertThat(Set.of(local.get("env.java.opts.all").split("\\s+")))
                .isEqualTo(Set.of(rootProperty("flink.jvm.opens").split("\\s+")));
    }

    @Test
    void flinkDeploymentHealthCheckWindowsFitTheCheckpointIntervalSetInTheFlinkConfiguration() throws Exception {
        JsonNode conf = flinkDeployment().path("spec").path("flinkConfiguration");
        assertThat(conf.path("kubernetes.operator.cluster.health-check.enabled").asText())
                .isEqualTo("true");
        assertThat(conf.path("kubernetes.operator.cluster.health-check.checkpoint-progress.enabled")
                        .asText())
                .isEqualTo("true");
        // FLINK-37354: the interval in the Flink configuration, the same as the job's flag
        List<String> args = args();
        long flagMs = Long.parseLong(args.get(args.indexOf("--checkpoint-interval-ms") + 1));
        Duration interval = TimeUtils.parseDuration(
                conf.path("execution.checkpointing.interval").asText());
        assertThat(interval.toMillis()).isEqualTo(flagMs);
        Duration timeout = TimeUtils.parseDuration(
                conf.path("execution.checkpointing.timeout").asText());
        int tolerable = conf.path("execution.checkpointing.tolerable-failed-checkpoints")
                .asInt();
        Duration window =
                TimeUtils.parseDuration(conf.path("kubernetes.operator.cluster.health-check.checkpoint-progress.window")
                        .asText());
        assertThat(window)
                .as("the operator's minimum: max(interval, timeout) x (tolerable failures + 2)")
                .isGreaterThanOrEqualTo(
                        (interval.compareTo(timeout) > 0 ? interval : timeout).multipliedBy(tolerable + 2));
        Duration restartWindow =
                TimeUtils.parseDuration(conf.path("kubernetes.operator.cluster.health-check.restarts.window")
                        .asText());
        Duration delay = TimeUtils.parseDuration(
                conf.path("restart-strategy.fixed-delay.delay").asText());
        int threshold = conf.path("kubernetes.operator.cluster.health-check.restarts.threshold")
                .asInt();
        assertThat(threshold)
                .as("a restart loop (one restart per fixed delay) crosses the threshold within the window")
                .isBetween(3, (int) (restartWindow.toMillis() / delay.toMillis()));
    }

    @Test
    void collectGpuDaemonSetRunsTheAgentsJarWithItsOwnFlagsOnGpuNodesReadOnly() throws Exception {
        JsonNode ds = YAML.readTree(
                ROOT.resolve("deploy/k8s/collect-gpu-daemonset.yaml").toFile());
        assertThat(ds.path("kind").asText()).isEqualTo("DaemonSet");
        JsonNode pod = ds.path("spec").path("template").path("spec");
        assertThat(pod.path("nodeSelector").path("nvidia.com/gpu.present").asText())
                .isEqualTo("true");
        assertThat(pod.path("tolerations").findValuesAsText("key")).contains("nvidia.com/gpu");
        JsonNode container = pod.path("containers").get(0);
        // the args are the agent's own flags, and every value is valid for it
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        CommandLine cmd = CollectGpuCommand.commandLine();
        cmd.parseArgs(args.toArray(String[]::new));
        assertThat(args.get(args.indexOf("--topic-gpu") + 1)).isEqualTo(Topic.GPU.defaultName());
        // metrics: the --metrics port is the container's metrics port and the scrape annotation's
        String metrics = args.get(args.indexOf("--metrics") + 1);
        String port = metrics.substring(metrics.lastIndexOf(':') + 1);
        assertThat(container.path("ports").findValuesAsText("containerPort")).contains(port);
        assertThat(ds.path("spec")
                        .path("template")
                        .path("metadata")
                        .path("annotations")
                        .path("prometheus.io/port")
                        .asText())
                .isEqualTo(port);
        // the pod -> job file is on a read-only mount; no GPU is requested (it would take one from training)
        String pods = args.get(args.indexOf("--pods") + 1);
        JsonNode podsMount = null;
        for (JsonNode m : container.path("volumeMounts")) {
            if (pods.startsWith(m.path("mountPath").asText() + "/")) {
                podsMount = m;
            }
        }
        assertThat(podsMount).as("a volume mount holding %s", pods).isNotNull();
        assertThat(podsMount.path("readOnly").asBoolean()).isTrue();
        assertThat(container
                        .path("securityContext")
                        .path("readOnlyRootFilesystem")
                        .asBoolean())
                .isTrue();
        assertThat(container.path("resources").path("limits").path("memory").asText())
                .isNotBlank();
        assertThat(container.path("resources").path("limits").has("nvidia.com/gpu"))
                .isFalse();
        assertThat(container.path("env").findValuesAsText("name")).contains("NODE_NAME");
        // the image is built with the jar the collector module makes
        String dockerfile = Files.readString(ROOT.resolve("deploy/k8s/Dockerfile.collector"));
        assertThat(dockerfile).contains("COPY jobs/target/" + collectorJarName() + " ");
    }

    /** The file name of the node agent's jar, as jobs/collector/pom.xml's shade execution writes it. */
    private static String collectorJarName() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(ROOT.resolve("jobs/collector/pom.xml").toFile());
        String out =
                pom.getElementsByTagName("outputFile").item(0).getTextContent().trim();
        return out.substring(out.lastIndexOf('/') + 1);
    }

    private static JsonNode flinkDeployment() throws IOException {
        JsonNode d =
                YAML.readTree(ROOT.resolve("deploy/k8s/flinkdeployment.yaml").toFile());
        assertThat(d.path("kind").asText()).isEqualTo("FlinkDeployment");
        return d;
    }

    private static List<String> args() throws IOException {
        List<String> args = new ArrayList<>();
        flinkDeployment().path("spec").path("job").path("args").forEach(a -> args.add(a.asText()));
        return args;
    }

    /** The file name of the cluster job jar, as jobs/pipeline/pom.xml's shade execution "vigil-job" writes it. */
    private static String jobJarName() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(ROOT.resolve("jobs/pipeline/pom.xml").toFile());
        NodeList executions = pom.getElementsByTagName("execution");
        for (int i = 0; i < executions.getLength(); i++) {
            Element e = (Element) executions.item(i);
            NodeList ids = e.getElementsByTagName("id");
            if (ids.getLength() > 0 && ids.item(0).getTextContent().trim().equals("vigil-job")) {
                String out = e.getElementsByTagName("outputFile")
                        .item(0)
                        .getTextContent()
                        .trim();
                return out.substring(out.lastIndexOf('/') + 1);
            }
        }
        throw new AssertionError("jobs/pipeline/pom.xml has no shade execution 'vigil-job'");
    }

    private static String rootProperty(String name) throws Exception {
        Document pom = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(ROOT.resolve("pom.xml").toFile());
        Element props = (Element) pom.getElementsByTagName("properties").item(0);
        return props.getElementsByTagName(name).item(0).getTextContent().trim();
    }

    /** Nested YAML maps as Flink reads them: dotted keys. */
    private static Map<String, String> flatten(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node instanceof ObjectNode object) {
            object.fields()
                    .forEachRemaining(
                            e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
        } else {
            out.put(prefix, node.asText());
        }
    }
}
