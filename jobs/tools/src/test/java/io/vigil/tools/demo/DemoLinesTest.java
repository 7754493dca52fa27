package io.vigil.tools.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.Alert;
import io.vigil.records.Fixtures;
import io.vigil.records.Printable;
import io.vigil.records.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's alert lines, without the demo: what they say, and that ids from data reach the terminal escaped. */
class DemoLinesTest {

    @Test
    void anIncidentsOpeningSaysWhenWhichJobWhatAndWhy() {
        assertThat(Demo.describe(Fixtures.alert()))
                .startsWith("OPEN   03:00-03:05  job-42")
                .contains("CRYPTO_MINING+NETWORK_SCAN", "score 0.93", "HIGH")
                .contains("gpu_util_without_tensor=0.97 (fleet 0.15); distinct_external_ips=41.00 (fleet 3.00)");
    }

    @Test
    void aJobIdOrReasonWithTerminalEscapesIsPrintedEscapedOnOneLine() {
        String job = "job\u001b[2J\u001b]0;owned\u0007\r\nALERT 00:00-00:01  fake\u0000\u202e";
        Alert a = Fixtures.alertBuilder()
                .setJobId(job)
                .setReasons(List.of(Reason.newBuilder()
                        .setFeature("f\u001b[31m")
                        .setValue(1.0)
                        .setJobBaseline(null)
                        .setFleetBaseline(null)
                        .setWeight(1.0)
                        .build()))
                .build();

        String line = Demo.describe(a);

        assertThat(line)
                .contains("job\\u001b[2J\\u001b]0;owned\\u0007\\r\\nALERT 00:00-00:01  fake\\u0000\\u202e")
                .contains("f\\u001b[31m=1.00");
        assertThat(line.codePoints().filter(c -> c != '\\').filter(Printable::escaped))
                .as("no raw control character in " + Printable.escape(line))
                .isEmpty();
    }
}
