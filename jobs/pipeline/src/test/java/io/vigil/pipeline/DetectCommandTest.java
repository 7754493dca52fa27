package io.vigil.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The cluster job jar's command line (DetectJob.main) takes the same Kafka client properties as `vigil detect`. */
class DetectCommandTest {

    @Test
    void theClusterEntryPointTakesKafkaClientPropertiesAndRefusesVigilsOwn() {
        CommandLine cmd = DetectCommand.commandLine();
        assertThat(cmd.getCommandSpec().findOption("--kafka-config")).isNotNull();
        assertThat(cmd.getCommandSpec().findOption("--kafka-property")).isNotNull();

        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        int rc = cmd.execute(
                "--kafka-property", "security.protocol=SASL_SSL", "--kafka-property", "transactional.id=mine");
        assertThat(rc).isEqualTo(2);
        assertThat(err.toString())
                .contains("transactional.id is Vigil's own")
                .contains("--alerts-transactional-id-prefix");
    }
}
