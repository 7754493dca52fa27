package io.vigil.tools.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * deploy/observability/: the PrometheusRule says what the plain rules file says, and promtool's unit tests of
 * the rules pass. That every metric name they use exists is checked against a live scrape by ClusterFailureIT.
 */
class ObservabilityTest {

    @Test
    void prometheusRuleHoldsExactlyTheGroupsOfThePlainRulesFile() throws Exception {
        YAMLMapper yaml = new YAMLMapper();
        JsonNode plain = yaml.readTree(Observability.RULES.toFile());
        JsonNode k8s = yaml.readTree(Observability.PROMETHEUS_RULE.toFile());
        assertThat(k8s.path("kind").asText()).isEqualTo("PrometheusRule");
        assertThat(k8s.path("spec").path("groups")).isEqualTo(plain.path("groups"));
    }

    @Test
    void metricNamesAreReadFromExpressionsWithoutFunctionsLabelsOrKeywords() {
        assertThat(
                        Observability.names(
                                "sum by (job_name) (rate(a_total{job_name=~\"$job\"}[5m]) + rate(b[$__rate_interval])) == 0"
                                        + " and on (job_name) histogram_quantile(0.99, sum by (le) (rate(c_bucket[1m] offset 10m))) > 1e3"))
                .containsExactlyInAnyOrder("a_total", "b", "c_bucket");
        assertThat(Observability.namePatterns("sum by (__name__) (rate({__name__=~\"x_deadletters_.+\",j=\"1\"}[1m]))"))
                .containsExactly("x_deadletters_.+");
        assertThat(Observability.allNames())
                .contains(
                        "flink_jobmanager_job_numRestarts",
                        "flink_taskmanager_job_task_operator_windowsScored",
                        "vigil_collector_failures_total");
    }

    @Test
    void promtoolUnitTestsOfEveryAlertRulePass() throws Exception {
        Path script = LocalCluster.repositoryRoot().resolve("scripts/promtool-test.sh");
        Process p = new ProcessBuilder("bash", script.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        Assumptions.assumeFalse(
                p.exitValue() == 3,
                "SKIPPED: promtool is not installed and Debian's prometheus package could not be installed: " + out);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("SUCCESS");
        System.out.println(out);
    }
}
