package io.vigil.tools.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.vigil.pipeline.DetectJob;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

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
    void everyTopicHasAStrimziKafkaTopicWithItsNameAndPartitions() throws Exception {
        Map<String, Integer> partitionsByTopic = new HashMap<>();
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
            }
        }
        Map<String, Integer> expected = new HashMap<>();
        for (Topic t : Topic.values()) {
            expected.put(t.defaultName(), t.defaultPartitions());
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
