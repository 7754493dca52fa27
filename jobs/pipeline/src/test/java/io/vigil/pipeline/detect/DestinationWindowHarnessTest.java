package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.Contact;
import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.JobFlow;
import io.vigil.models.features.NetworkScope;
import io.vigil.records.Flow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.operators.windowing.WindowOperatorBuilder;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-destination window on Flink's harness, as the per-job windows ask it about their contacts: out-of-order
 * input, late input, fleet-relative counts.
 */
class DestinationWindowHarnessTest {
    static final Instant BEGINNING = Instant.parse("2026-02-14T03:00:00Z");
    static final Duration MINUTE = Duration.ofMinutes(1);
    static final String TRACKER = "198.51.100.10";

    KeyedOneInputStreamOperatorTestHarness<String, DestinationAccumulator, Contact> harness;

    @BeforeEach
    void open() throws Exception {
        harness = harness(Duration.ZERO);
        harness.open();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, DestinationAccumulator, Contact> harness(Duration warmup)
            throws Exception {
        WindowOperatorBuilder<DestinationAccumulator, String, TimeWindow> builder = new WindowOperatorBuilder<>(
                TumblingEventTimeWindows.of(MINUTE),
                EventTimeTrigger.create(),
                new ExecutionConfig(),
                TypeInformation.of(DestinationAccumulator.class),
                d -> d.remoteIp,
                Types.STRING);
        builder.sideOutputLateData(DetectPipeline.LATE_ASKED);
        OneInputStreamOperator<DestinationAccumulator, Contact> operator = builder.aggregate(
                new DestinationAggregate(),
                new DestinationContacts(Duration.ofHours(24), warmup),
                TypeInformation.of(DestinationAccumulator.class));
        return new KeyedOneInputStreamOperatorTestHarness<>(operator, d -> d.remoteIp, Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static JobFlow flow(String job, String localIp, Instant at) {
        Flow f = Flow.newBuilder()
                .setTs(at)
                .setStartTs(at.minusSeconds(5))
                .setNode("n")
                .setJobId(job)
                .setSrcIp(localIp)
                .setDstIp(TRACKER)
                .setSrcPort(40_000)
                .setDstPort(443)
                .setProtocol("TCP")
                .setOrigBytes(5_000)
                .setRespBytes(1_000)
                .setOrigPkts(10)
                .setRespPkts(8)
                .setConnState("SF")
                .build();
        return JobFlow.of(f, job, true, NetworkScope.defaults());
    }

    /** The flow's job asks about its contact with the address (as the per-job window would, with its window's flows). */
    void send(JobFlow f) throws Exception {
        DestinationAccumulator asked = new DestinationAccumulator();
        asked.add(f);
        harness.processElement(new StreamRecord<>(asked, f.ts));
    }

    List<Contact> contacts() {
        return harness.extractOutputValues();
    }

    @Test
    void outOfOrderContactsOfAWindowAllCount() throws Exception {
        send(flow("job-a", "10.0.0.1", BEGINNING.plusSeconds(30)));
        send(flow("job-a", "10.0.0.1", BEGINNING.plusSeconds(10)));
        send(flow("job-a", "10.0.0.1", BEGINNING.plusSeconds(50)));
        send(flow("job-a", "10.0.0.1", BEGINNING.plusSeconds(61))); // next window
        harness.processWatermark(new Watermark(BEGINNING.plus(MINUTE).toEpochMilli() - 1));
        assertThat(contacts()).singleElement().satisfies(c -> {
            assertThat(c.jobId).isEqualTo("job-a");
            assertThat(c.flows).isEqualTo(3);
            assertThat(c.windowStart).isEqualTo(BEGINNING.toEpochMilli());
        });
    }

    @Test
    void aContactAskedAboutAfterTheWatermarkPassedItsWindowGoesToTheLateOutput() throws Exception {
        send(flow("job-a", "10.0.0.1", BEGINNING.plusSeconds(10)));
        harness.processWatermark(new Watermark(BEGINNING.plus(MINUTE).toEpochMilli() - 1));
        send(flow("job-a", "10.0.0.1", BEGINNING.plusSeconds(40)));
        assertThat(contacts())
                .singleElement()
                .satisfies(c -> assertThat(c.flows).isEqualTo(1));
        assertThat(harness.getSideOutput(DetectPipeline.LATE_ASKED))
                .singleElement()
                .satisfies(r -> assertThat(r.getTimestamp())
                        .isEqualTo(BEGINNING.plusSeconds(40).toEpochMilli()));
    }

    @Test
    void noDestinationIsRareUntilTheFleetHasBeenWatchedForTheWarmUpEvenAcrossARestore() throws Exception {
        harness.close();
        harness = harness(Duration.ofMinutes(10));
        harness.open();
        send(flow("job-a", "10.0.0.1", BEGINNING.plusSeconds(10)));
        harness.processWatermark(new Watermark(BEGINNING.plus(MINUTE).toEpochMilli()));
        assertThat(contacts())
                .singleElement()
                .satisfies(c -> assertThat(c.rare()).as("first minute").isFalse());

        // the job fails over: a new operator instance restores from the snapshot
        var snapshot = harness.snapshot(1, 1);
        harness.close();
        harness = harness(Duration.ofMinutes(10));
        harness.initializeState(snapshot);
        harness.open();
        Instant fifthMinute = BEGINNING.plus(MINUTE.multipliedBy(5));
        Instant eleventhMinute = BEGINNING.plus(MINUTE.multipliedBy(11));
        send(flow("job-a", "10.0.0.1", fifthMinute.plusSeconds(10)));
        send(flow("job-a", "10.0.0.1", eleventhMinute.plusSeconds(10)));
        harness.processWatermark(new Watermark(eleventhMinute.plus(MINUTE).toEpochMilli()));
        assertThat(contacts())
                .extracting(c -> c.windowStart + ":" + c.rare())
                .containsExactly(fifthMinute.toEpochMilli() + ":false", eleventhMinute.toEpochMilli() + ":true");
    }

    @Test
    void theWarmUpRunsFromTheFirstTrafficTheAskingWindowsSawNotFromTheFirstQuestion() throws Exception {
        harness.close();
        harness = harness(Duration.ofMinutes(10));
        harness.open();
        Instant eleventhMinute = BEGINNING.plus(MINUTE.multipliedBy(11));
        JobFlow f = flow("job-a", "10.0.0.1", eleventhMinute.plusSeconds(10));
        DestinationAccumulator asked = new DestinationAccumulator();
        asked.add(f);
        asked.watchingSince = BEGINNING.toEpochMilli(); // the job's window had seen traffic since the beginning
        harness.processElement(new StreamRecord<>(asked, f.ts));
        harness.processWatermark(new Watermark(eleventhMinute.plus(MINUTE).toEpochMilli()));

        assertThat(contacts())
                .singleElement()
                .satisfies(c -> assertThat(c.rare()).isTrue());
    }

    @Test
    void eachJobTalkingToADestinationIsCountedInItsWindowAndOverTheLookback() throws Exception {
        send(flow("job-a", "10.0.0.1", BEGINNING.plusSeconds(10)));
        send(flow("job-b", "10.0.0.2", BEGINNING.plusSeconds(20)));
        send(flow("job-c", "10.0.0.3", BEGINNING.plus(MINUTE).plusSeconds(5)));
        harness.processWatermark(
                new Watermark(BEGINNING.plus(MINUTE.multipliedBy(2)).toEpochMilli()));
        assertThat(contacts())
                .extracting(c -> c.jobId + ":" + c.jobsThisWindow + "/" + c.jobsRecent)
                .containsExactlyInAnyOrder("job-a:2/2", "job-b:2/2", "job-c:1/3");
    }
}
