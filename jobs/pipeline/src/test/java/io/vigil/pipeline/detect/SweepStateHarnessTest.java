package io.vigil.pipeline.detect;

import static io.vigil.pipeline.detect.JobContactsWindowHarnessTest.BEGINNING;
import static io.vigil.pipeline.detect.JobContactsWindowHarnessTest.MINUTE;
import static io.vigil.pipeline.detect.JobContactsWindowHarnessTest.of;
import static io.vigil.pipeline.detect.JobContactsWindowHarnessTest.probe;
import static io.vigil.pipeline.detect.JobContactsWindowHarnessTest.report;
import static io.vigil.pipeline.detect.JobContactsWindowHarnessTest.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vigil.models.features.Contact;
import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.features.JobContacts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateObject;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * A job sweeping addresses, through the per-job contacts window and the per-destination window on Flink's
 * harnesses: how much state each keeps does not depend on how many addresses the sweep tries (issue #18).
 * Two sweeps of one window, 2 000 and 20 000 addresses, beside the same answered contacts of a small fleet.
 */
class SweepStateHarnessTest {
    static final String DROP = "203.0.113.88";

    /** What one run left: state while the window is open and after it fired, and what it said. */
    record Left(
            int jobKeysOpen,
            long jobStateBytesOpen,
            int destinationEntriesOpen,
            int destinationEntriesAfter,
            List<DestinationAccumulator> asked,
            Map<String, Double> sweeperFeatures,
            List<Contact> contacts) {}

    static Left sweep(int addresses) throws Exception {
        Instant at = BEGINNING.plusSeconds(1);
        try (KeyedOneInputStreamOperatorTestHarness<String, JobFlows, JobSignal> jobs =
                        JobContactsWindowHarnessTest.harness();
                KeyedOneInputStreamOperatorTestHarness<String, DestinationAccumulator, Contact> destinations =
                        DestinationWindowHarnessTest.harness(Duration.ZERO)) {
            jobs.open();
            destinations.open();
            // a small fleet: three jobs share a tracker; the sweeper also uploads to a drop
            for (String job : List.of("job-a", "job-b", "sweeper")) {
                send(jobs, of(job, report(JobContactsWindowHarnessTest.TRACKER, 443, at)));
            }
            send(jobs, of("sweeper", report(DROP, 443, at).setOrigBytes(50_000_000)));
            for (int i = 0; i < addresses; i++) {
                String ip = "198." + (18 + (i >> 16)) + "." + (i >> 8 & 0xff) + "." + (i & 0xff);
                send(jobs, of("sweeper", probe(ip, 22, at.plusMillis(i % 50_000))));
            }
            int jobKeysOpen = jobs.numKeyedStateEntries();
            long jobStateBytesOpen = keyedBytes(jobs.snapshot(1, 1));

            long end = BEGINNING.plus(MINUTE).toEpochMilli() - 1;
            jobs.processWatermark(new Watermark(end));
            List<DestinationAccumulator> asked = jobs.getSideOutput(SplitContacts.ASK_FLEET).stream()
                    .map(StreamRecord::getValue)
                    .toList();
            for (StreamRecord<DestinationAccumulator> r : jobs.getSideOutput(SplitContacts.ASK_FLEET)) {
                destinations.processElement(r);
            }
            int destinationEntriesOpen = destinations.numKeyedStateEntries();
            destinations.processWatermark(new Watermark(end));
            JobSignal sweeper = jobs.extractOutputValues().stream()
                    .filter(s -> s.jobId().equals("sweeper"))
                    .findFirst()
                    .orElseThrow();
            return new Left(
                    jobKeysOpen,
                    jobStateBytesOpen,
                    destinationEntriesOpen,
                    destinations.numKeyedStateEntries(),
                    asked,
                    FeatureSet.CURRENT.toMap(sweeper.partial.features(FeatureSet.CURRENT)),
                    destinations.extractOutputValues());
        }
    }

    static long keyedBytes(OperatorSubtaskState state) {
        long bytes = 0;
        for (StateObject handle : state.getManagedKeyedState()) {
            bytes += handle.getStateSize();
        }
        return bytes;
    }

    @Test
    void aSweepTenTimesAsWideLeavesTheSameStateAndIsCountedInFull() throws Exception {
        Left small = sweep(2_000);
        Left large = sweep(20_000);
        System.out.printf(
                "per-job contacts window, 3 jobs, open: %,d B with a 2 000-address sweep, %,d B with 20 000%n",
                small.jobStateBytesOpen(), large.jobStateBytesOpen());

        // per job and window: one key each, and past the cap the same size however wide the sweep
        assertThat(large.jobKeysOpen()).isEqualTo(small.jobKeysOpen()).isEqualTo(3);
        assertThat((double) large.jobStateBytesOpen())
                .isCloseTo(small.jobStateBytesOpen(), within(0.1 * small.jobStateBytesOpen()));
        // per remote address: only the answered contacts are asked about, the probes never
        assertThat(large.asked())
                .extracting(d -> d.remoteIp)
                .containsExactlyInAnyOrder(
                        JobContactsWindowHarnessTest.TRACKER,
                        JobContactsWindowHarnessTest.TRACKER,
                        JobContactsWindowHarnessTest.TRACKER,
                        DROP);
        assertThat(large.destinationEntriesOpen())
                .isEqualTo(small.destinationEntriesOpen())
                .isEqualTo(2);
        assertThat(large.destinationEntriesAfter())
                .as("one history per address asked about")
                .isEqualTo(small.destinationEntriesAfter())
                .isEqualTo(2);
        assertThat(large.contacts())
                .hasSize(4)
                .allSatisfy(c -> assertThat(c.rare()).isEqualTo(c.remoteIp.equals(DROP)));

        // and the sweep is all there in the sweeper's window: hosts it failed to reach, on one port
        double failed = Math.expm1(large.sweeperFeatures().get(FeatureSet.FAILED_HOSTS));
        assertThat(failed).isCloseTo(20_000, within(2_000.0));
        assertThat(Math.expm1(large.sweeperFeatures().get(FeatureSet.FAILED_HOSTS_ONE_PORT)))
                .isCloseTo(20_000, within(2_000.0));
        assertThat(Math.expm1(small.sweeperFeatures().get(FeatureSet.FAILED_HOSTS)))
                .isCloseTo(2_000, within(200.0));
        assertThat(JobContacts.MAX_REMOTES).isLessThan(2_000); // both sweeps are past the cap
    }
}
