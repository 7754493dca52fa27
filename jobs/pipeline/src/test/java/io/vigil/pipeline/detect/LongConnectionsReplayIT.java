package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.FeatureSet;
import io.vigil.pipeline.CollectingSink;
import io.vigil.pipeline.files.DatasetFiles;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.DeadLetter;
import io.vigil.records.JobWindow;
import io.vigil.records.RecordType;
import io.vigil.records.formats.Formats;
import io.vigil.records.json.JsonRecordCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reverse tunnel held open for nine minutes, as Zeek with the long-connections package logs it: a
 * conn_long.log record each minute with the counters so far, then the conn.log record when it closes. The job's
 * windows see it from the window after it opened, with each minute's bytes in its own window, and the closing
 * record adds only its last seconds: the connection's bytes are counted once.
 */
class LongConnectionsReplayIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static final Instant T0 = Instant.parse("2026-02-14T03:00:00Z");
    static final String HEADER = String.join(
            "\n",
            "#separator \\x09",
            "#set_separator\t,",
            "#empty_field\t(empty)",
            "#unset_field\t-",
            "#path\t%s",
            "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes"
                    + "\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents",
            "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]");
    static final long PER_MINUTE = 1_000_000;

    static String row(double durationS, long origBytes, String state) {
        double start = T0.getEpochSecond() + 10;
        return String.format(
                Locale.ROOT,
                "%.6f\tCtun1\t10.0.2.1\t40022\t203.0.113.9\t443\ttcp\tssl\t%.6f\t%d\t%d\t%s\tT\tF\t0\tShADad"
                        + "\t%d\t%d\t%d\t%d\t-",
                start,
                durationS,
                origBytes,
                origBytes / 50,
                state,
                origBytes / 1000,
                origBytes / 1000 * 1052,
                origBytes / 4000,
                origBytes / 4000 * 52);
    }

    @Test
    void aTunnelHeldOpenIsSeenWithinTwoWindowsAndCountedOnce(@TempDir Path dir) throws Exception {
        Path ds = Files.createDirectories(dir.resolve("tunnel"));
        JsonRecordCodec<Assignment> assignments = JsonRecordCodec.of(RecordType.ASSIGNMENT);
        Files.writeString(
                ds.resolve("assignments.jsonl"),
                assignments.encode(Scenario.assignment(AssignmentEvent.START, "job-tunnel", "10.0.2.1", "node-2", T0))
                        + "\n"
                        + assignments.encode(Scenario.assignment(
                                AssignmentEvent.STOP, "job-tunnel", "10.0.2.1", "node-2", T0.plusSeconds(12 * 60)))
                        + "\n");
        Files.writeString(ds.resolve("gpu.jsonl"), "");
        List<String> interim =
                new ArrayList<>(List.of(HEADER.formatted("conn_long").split("\n")));
        for (int minute = 1; minute <= 8; minute++) {
            interim.add(row(minute * 60.0, minute * PER_MINUTE, "S1"));
            if (minute == 4) {
                interim.add(row(minute * 60.0, minute * PER_MINUTE, "S1")); // a shipper sent it twice
            }
        }
        Files.write(ds.resolve("conn_long.log"), interim);
        long total = 8 * PER_MINUTE + PER_MINUTE / 3; // closed 20 s after the last interim record
        Files.write(
                ds.resolve("conn.log"),
                List.of(
                        HEADER.formatted("conn").split("\n")[0],
                        HEADER.formatted("conn").split("\n")[1],
                        HEADER.formatted("conn").split("\n")[2],
                        HEADER.formatted("conn").split("\n")[3],
                        HEADER.formatted("conn").split("\n")[4],
                        HEADER.formatted("conn").split("\n")[5],
                        HEADER.formatted("conn").split("\n")[6],
                        row(500.0, total, "SF")));

        StreamExecutionEnvironment env = DetectPipelineIT.environment(RuntimeExecutionMode.BATCH);
        CollectingSink<Alert> alerts = new CollectingSink<>("long-alerts");
        CollectingSink<JobWindow> windows = new CollectingSink<>("long-windows");
        CollectingSink<DeadLetter> dead = new CollectingSink<>("long-dead");
        DetectPipeline.build(
                env,
                DetectSettings.defaults(),
                DetectPipelineIT.SCORER,
                DatasetFiles.inputs(List.of(ds), new InputFormats(Formats.ZEEK_TSV, Formats.VIGIL, null)),
                new DetectPipeline.Outputs(alerts, windows, dead));
        env.execute("long connections");

        Map<Long, Double> bytesOutByMinute = new TreeMap<>();
        for (JobWindow w : windows.received()) {
            Double logBytes = w.getFeatures().get(FeatureSet.EXTERNAL_BYTES_OUT);
            bytesOutByMinute.put(
                    (w.getWindowStart().toEpochMilli() - T0.toEpochMilli()) / 60_000,
                    logBytes == null ? 0 : Math.expm1(logBytes));
        }
        assertThat(dead.received()).isEmpty();
        // opened at 00:10 in window 0; its first interim report (01:10) is in window 1: the second window
        assertThat(bytesOutByMinute.get(1L)).isCloseTo(PER_MINUTE, Offset.offset(1.0));
        for (long minute = 2; minute <= 7; minute++) {
            assertThat(bytesOutByMinute.get(minute)).as("minute %d", minute).isCloseTo(PER_MINUTE, Offset.offset(1.0));
        }
        // the last interim report (08:10) and the closing record (08:30) share the last window: only 20 s more
        assertThat(bytesOutByMinute.get(8L)).isCloseTo(PER_MINUTE + PER_MINUTE / 3, Offset.offset(1.0));
        assertThat(bytesOutByMinute.values().stream()
                        .mapToDouble(Double::doubleValue)
                        .sum())
                .as("the connection's bytes, once")
                .isCloseTo(total, Offset.offset(10.0));
    }
}
