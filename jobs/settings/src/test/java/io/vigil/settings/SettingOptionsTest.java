package io.vigil.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

class SettingOptionsTest {
    static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\"";

    @Command(name = "probe", mixinStandardHelpOptions = true)
    static final class Probe implements Callable<Integer>, UsesSettings {
        @Spec
        CommandSpec spec;

        VigilConfig config;
        private final List<String> keys;

        Probe(List<String> keys) {
            this.keys = keys;
        }

        @Override
        public List<String> settingKeys() {
            return keys;
        }

        @Override
        public Integer call() {
            config = SettingOptions.read(spec, keys);
            if (config.kafkaProperties().containsKey("fail")) {
                throw new IllegalStateException(
                        "failed with " + config.kafkaProperties().get("ssl.key.password"));
            }
            return 0;
        }
    }

    record Run(int exitCode, String out, String err, VigilConfig config) {}

    static Run run(List<String> keys, String... args) {
        Probe probe = new Probe(keys);
        CommandLine cmd = new CommandLine(probe);
        SettingOptions.addTo(cmd.getCommandSpec(), keys);
        SettingOptions.hidingSecrets(cmd, e -> 7);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int rc = cmd.execute(args);
        return new Run(rc, out.toString(), err.toString(), probe.config);
    }

    static Run kafkaVerb(String... args) {
        return run(List.of(VigilConfig.BOOTSTRAP_SERVERS, VigilConfig.GROUP_ID), args);
    }

    @Test
    void aSettingsDocumentationIsShownAsWrittenPercentSignsIncluded() {
        // picocli formats a description: a bare "%" makes it warn on the process's stderr on every --help
        PrintStream stderr = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        Run help;
        try {
            System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
            help = run(List.of(VigilConfig.INPUT_MAX_POLL_RECORDS), "--help");
        } finally {
            System.setErr(stderr);
        }

        assertThat(help.out().replaceAll("\\s+", " "))
                .contains("(3 % of the job's)")
                .contains("Default: 0.");
        assertThat(warnings.toString(StandardCharsets.UTF_8)).doesNotContain("Could not format");
    }

    @Test
    void onlyAVerbThatTalksToKafkaTakesKafkaClientProperties() {
        assertThat(kafkaVerb("--help").out()).contains("--kafka-config", "--kafka-property");
        assertThat(run(List.of(VigilConfig.WINDOW_SIZE_MS), "--help").out()).doesNotContain("--kafka-");
    }

    @Test
    void theSettingsFileThenTheKafkaConfigFileThenTheFlagsWin(@TempDir Path dir) throws Exception {
        Path settings = dir.resolve("vigil.properties");
        Files.writeString(
                settings,
                "group.id=from-settings\nkafka.security.protocol=SSL\nkafka.client.id=from-settings\n"
                        + "kafka.linger.ms=5\n");
        Path client = dir.resolve("client.properties");
        Files.writeString(client, "security.protocol=SASL_SSL\nclient.id=from-kafka-config\n");
        Run run = kafkaVerb(
                "--config",
                settings.toString(),
                "--kafka-config",
                client.toString(),
                "--kafka-property",
                "client.id=from-flag",
                "--kafka-property",
                "sasl.jaas.config=" + JAAS + " password=\"Fl4g-passw0rd\";");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.config().getString(VigilConfig.GROUP_ID)).isEqualTo("from-settings");
        assertThat(run.config().kafkaProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("client.id", "from-flag")
                .containsEntry("linger.ms", "5")
                .containsEntry("sasl.jaas.config", JAAS + " password=\"Fl4g-passw0rd\";");
        // every client gets them, bootstrap.servers from its setting
        assertThat(run.config().kafkaClient())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("bootstrap.servers", "127.0.0.1:9092");
    }

    @Test
    void aPropertyVigilKeepsToItselfIsRefusedNamingIt(@TempDir Path dir) throws Exception {
        Run flag = kafkaVerb("--kafka-property", "isolation.level=read_uncommitted");
        assertThat(flag.exitCode()).isEqualTo(2);
        assertThat(flag.err()).contains("isolation.level is Vigil's own");
        Path settings = dir.resolve("vigil.properties");
        Files.writeString(settings, "kafka.bootstrap.servers=elsewhere:9092\n");
        Run file = kafkaVerb("--config", settings.toString());
        assertThat(file.exitCode()).isEqualTo(2);
        assertThat(file.err()).contains("bootstrap.servers is Vigil's own: it is Vigil's setting bootstrap.servers");
    }

    @Test
    void aSecretIsShownNeitherInAUsageErrorNorInAFailure() {
        String secret = "Us4ge-s3cret";
        // a mistyped flag: picocli repeats what follows it
        Run typo = kafkaVerb("--kafka-propertyy", "sasl.jaas.config=" + JAAS + " password=\"" + secret + "\";");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err())
                .contains("--kafka-propertyy")
                .contains("[hidden]")
                .doesNotContain(secret);
        Run url = kafkaVerb("--bootstrap-servers", "h:1", "--no-such", "http://user:" + secret + "@registry/");
        assertThat(url.err()).contains("http://[hidden]@registry/").doesNotContain(secret);
        Run failure = kafkaVerb("--kafka-property", "fail=1", "--kafka-property", "ssl.key.password=" + secret);
        assertThat(failure.exitCode()).isEqualTo(7);
        assertThat(failure.err()).isEqualTo("vigil probe: failed with [hidden]" + System.lineSeparator());
    }

    @Test
    void anUnknownKeyOfTheSettingsFileIsRefusedButKafkaPropertiesAreNot(@TempDir Path dir) throws Exception {
        Path settings = dir.resolve("vigil.properties");
        Files.writeString(settings, "kafka.security.protocol=SSL\ntopic.flowz=x\n");
        Run run = kafkaVerb("--config", settings.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().findFirst().orElseThrow())
                .contains("unknown key 'topic.flowz'")
                .doesNotContain("security.protocol");
    }
}
