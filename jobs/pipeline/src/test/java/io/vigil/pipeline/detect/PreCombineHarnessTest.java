package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.features.JobFlow;
import io.vigil.models.features.NetworkScope;
import io.vigil.records.Flow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pre-combining on Flink's harness: when partials go out, what passes through, and that windows come out the same. */
class PreCombineHarnessTest {
    static final Instant BEGINNING = Instant.parse("2026-02-14T03:00:00Z");
    static final long MINUTE_MS = Duration.ofMinutes(1).toMillis();
    static final long START = BEGINNING.toEpochMilli();

    OneInputStreamOperatorTestHarness<JobFlow, JobFlows> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new PreCombiners.Flows(MINUTE_MS));
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static JobFlow flow(String job, String localIp, String remoteIp, int port, long ts, long bytes) {
        Flow f = Flow.newBuilder()
                .setTs(Instant.ofEpochMilli(ts))
                .setStartTs(Instant.ofEpochMilli(ts - 5_000))
                .setNode("n")
                .setJobId(job)
                .setSrcIp(localIp)
                .setDstIp(remoteIp)
                .setSrcPort(40_000)
                .setDstPort(port)
                .setProtocol("TCP")
                .setOrigBytes(bytes)
                .setRespBytes(bytes / 2)
                .setOrigPkts(10)
                .setRespPkts(8)
                .setConnState("SF")
                .build();
        return JobFlow.of(f, job, true, NetworkScope.defaults());
    }

    void send(JobFlow f) throws Exception {
        harness.processElement(new StreamRecord<>(f, f.ts));
    }

    List<Object> output() {
        return new ArrayList<>(harness.getOutput());
    }

    @Test
    void aReportSentTwiceCountsOnceEvenAcrossACheckpointFlush() throws Exception {
        JobFlow report = flow("job-a", "10.0.0.1", "198.51.100.7", 443, START + 1_000, 100);
        send(report);
        send(flow("job-a", "10.0.0.1", "198.51.100.7", 443, START + 1_000, 100)); // the same report, again
        harness.prepareSnapshotPreBarrier(1);
        send(flow("job-a", "10.0.0.1", "198.51.100.7", 443, START + 1_000, 100)); // and after a checkpoint's flush
        send(flow("job-a", "10.0.0.1", "198.51.100.7", 443, START + 2_000, 100)); // another report of the connection
        harness.processWatermark(new Watermark(START + MINUTE_MS - 1));
        long flows = output().stream()
                .filter(o -> o instanceof StreamRecord<?>)
                .mapToLong(o ->
                        ((JobFlows) ((StreamRecord<?>) o).getValue()).partial.remotes.get("198.51.100.7").stats.flows)
                .sum();
        assertThat(flows).isEqualTo(2);
    }

    @Test
    void flowsOfOneJobAndWindowGoOutAsOnePartialJustBeforeTheWatermarkThatClosesTheWindow() throws Exception {
        send(flow("job-a", "10.0.0.1", "198.51.100.7", 443, START + 1_000, 100));
        send(flow("job-a", "10.0.0.1", "198.51.100.8", 443, START + 1_500, 100));
        send(flow("job-b", "10.0.0.2", "198.51.100.7", 443, START + 2_000, 200));
        send(flow("job-a", "10.0.0.1", "198.51.100.7", 443, START + MINUTE_MS + 1_000, 300)); // next window
        harness.processWatermark(new Watermark(START + MINUTE_MS - 2));
        assertThat(output()).as("the window is still open").containsExactly(new Watermark(START + MINUTE_MS - 2));

        harness.processWatermark(new Watermark(START + MINUTE_MS - 1));
        List<Object> out = output();
        assertThat(out).hasSize(4);
        StreamRecord<?> partial = (StreamRecord<?>) out.get(1);
        assertThat(partial.getTimestamp()).as("within the window").isEqualTo(START + MINUTE_MS - 1);
        JobFlows sent = (JobFlows) partial.getValue();
        assertThat(sent.flow).isNull();
        assertThat(sent.partial.jobId).isEqualTo("job-a");
        assertThat(sent.partial.remotes).containsOnlyKeys("198.51.100.7", "198.51.100.8");
        assertThat(sent.partial.remotes.get("198.51.100.7").stats.flows).isEqualTo(1);
        assertThat(((JobFlows) ((StreamRecord<?>) out.get(2)).getValue()).partial.jobId)
                .isEqualTo("job-b");
        assertThat(out.get(3))
                .as("the partials go before the watermark")
                .isEqualTo(new Watermark(START + MINUTE_MS - 1));
    }

    @Test
    void aFlowWhoseWindowTheWatermarkHasClosedPassesThroughAsItIs() throws Exception {
        harness.processWatermark(new Watermark(START + MINUTE_MS));
        JobFlow late = flow("job-a", "10.0.0.1", "198.51.100.7", 443, START + 30_000, 100);
        send(late);
        List<Object> out = output();
        assertThat(out).hasSize(2);
        StreamRecord<?> passed = (StreamRecord<?>) out.get(1);
        assertThat(passed.getTimestamp()).isEqualTo(late.ts);
        assertThat(((JobFlows) passed.getValue()).flow).isEqualTo(late);
    }

    @Test
    void everythingHeldGoesOutBeforeACheckpointBarrierWhenTheInputGoesIdleAndAtTheEnd() throws Exception {
        send(flow("job-a", "10.0.0.1", "198.51.100.7", 443, START + 1_000, 100));
        harness.prepareSnapshotPreBarrier(1);
        assertThat(harness.extractOutputValues()).hasSize(1);

        send(flow("job-a", "10.0.0.1", "198.51.100.7", 443, START + 2_000, 100));
        harness.processWatermarkStatus(WatermarkStatus.IDLE);
        assertThat(harness.extractOutputValues()).hasSize(2);

        send(flow("job-a", "10.0.0.1", "198.51.100.7", 443, START + 3_000, 100));
        harness.endInput();
        assertThat(harness.extractOutputValues()).hasSize(3);
    }

    /**
     * Random flows, out of order, some late, watermarks in between, through the per-job contacts window once
     * as they are and once pre-combined: the same contacts asked about, the same partial windows, and the
     * same late flows.
     */
    @Test
    void thePerJobContactsWindowGivesTheSameFromPartialsAsFromFlows() throws Exception {
        Random random = new Random(7);
        List<Object> input = new ArrayList<>();
        long watermark = START - 1;
        for (int i = 0; i < 3_000; i++) {
            long ts = START + i * 200L - random.nextInt(15_000);
            int job = random.nextInt(5);
            input.add(flow(
                    "job-" + job,
                    "10.0.0." + job,
                    random.nextInt(3) == 0 ? "10.1.0." + random.nextInt(6) : "198.51.100." + random.nextInt(6),
                    random.nextBoolean() ? 443 : 22 + random.nextInt(3),
                    ts,
                    random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(100_000)));
            if (random.nextInt(25) == 0) {
                watermark = Math.max(watermark, START + i * 200L - 10_000);
                input.add(new Watermark(watermark));
            }
        }
        input.add(new Watermark(Long.MAX_VALUE));

        var direct = JobContactsWindowHarnessTest.harness();
        direct.open();
        for (Object o : input) {
            if (o instanceof JobFlow f) {
                direct.processElement(new StreamRecord<>(JobFlows.of(f), f.ts));
            } else {
                direct.processWatermark((Watermark) o);
            }
        }

        KeyedOneInputStreamOperatorTestHarness<String, JobFlows, JobSignal> combined =
                JobContactsWindowHarnessTest.harness();
        combined.open();
        for (Object o : input) {
            if (o instanceof JobFlow f) {
                send(f);
            } else {
                harness.processWatermark((Watermark) o);
            }
            for (Object out : harness.getOutput()) {
                if (out instanceof StreamRecord<?> r) {
                    combined.processElement(new StreamRecord<>((JobFlows) r.getValue(), r.getTimestamp()));
                } else {
                    combined.processWatermark((Watermark) out);
                }
            }
            harness.getOutput().clear();
        }

        assertThat(asked(combined)).isEqualTo(asked(direct)).hasSizeGreaterThan(100);
        assertThat(windows(combined)).isEqualTo(windows(direct)).hasSizeGreaterThan(50);
        assertThat(combined.getSideOutput(DetectPipeline.LATE_FLOWS))
                .extracting(r -> r.getValue().flow)
                .as("late flows pass through the combiner and are late at the window, as before")
                .containsExactlyInAnyOrderElementsOf(direct.getSideOutput(DetectPipeline.LATE_FLOWS).stream()
                        .map(r -> r.getValue().flow)
                        .toList())
                .isNotEmpty();
        direct.close();
        combined.close();
    }

    /** The contacts a window asked the fleet about, by time, address and job. */
    static List<String> asked(KeyedOneInputStreamOperatorTestHarness<String, JobFlows, JobSignal> h) {
        List<String> out = new ArrayList<>();
        for (StreamRecord<DestinationAccumulator> r : h.getSideOutput(SplitContacts.ASK_FLEET)) {
            DestinationAccumulator d = r.getValue();
            for (String job : d.jobIds()) {
                out.add(r.getTimestamp() + " " + d.remoteIp + " " + job + " " + d.jobs.get(job));
            }
        }
        out.sort(null);
        return out;
    }

    /** The partial windows handed on, by time and job: their features and evidence. */
    static List<String> windows(KeyedOneInputStreamOperatorTestHarness<String, JobFlows, JobSignal> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof JobSignal s) {
                out.add(r.getTimestamp() + " " + s.jobId() + " "
                        + Arrays.toString(s.partial.features(FeatureSet.CURRENT)) + " " + s.partial.evidence(32));
            }
        }
        out.sort(null);
        return out;
    }
}
