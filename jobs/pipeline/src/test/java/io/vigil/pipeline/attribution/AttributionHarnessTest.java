package io.vigil.pipeline.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.JobFlow;
import io.vigil.models.features.NetworkScope;
import io.vigil.pipeline.ingest.DeadLetters;
import io.vigil.pipeline.serde.RecordTypes;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.DeadLetter;
import io.vigil.records.Flow;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.InputSelectable;
import org.apache.flink.streaming.api.operators.InputSelection;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Attribution on Flink's operator harness: event time, IP and GPU reuse, waiting, clean-up, a restore at
 * another parallelism, BATCH mode.
 */
class AttributionHarnessTest {
    static final Instant BEGINNING = Instant.parse("2026-02-14T03:00:00Z");
    static final Instant ONE_MINUTE_LATER = BEGINNING.plus(Duration.ofMinutes(1));
    static final Instant TWO_MINUTES_LATER = BEGINNING.plus(Duration.ofMinutes(2));
    static final Instant TEN_MINUTES_LATER = BEGINNING.plus(Duration.ofMinutes(10));
    static final long RETENTION_MS = 70_000;
    static final String POD_IP = "10.0.3.17";
    static final String OTHER_POD_IP = "10.0.3.18";
    static final String MIRROR_IP = "10.9.0.10";
    static final String EXTERNAL_IP = "203.0.113.9";
    static final String NODE = "gpu-node-07";

    static Assignment start(String job, String ip, Instant at, Integer... gpus) {
        return assignment(AssignmentEvent.START, job, ip, at, gpus);
    }

    static Assignment stop(String job, String ip, Instant at, Integer... gpus) {
        return assignment(AssignmentEvent.STOP, job, ip, at, gpus);
    }

    static Assignment assignment(AssignmentEvent event, String job, String ip, Instant at, Integer... gpus) {
        return Assignment.newBuilder()
                .setTs(at)
                .setEvent(event)
                .setJobId(job)
                .setNode(NODE)
                .setPod(job + "-0")
                .setIp(ip)
                .setGpus(List.of(gpus))
                .setLabels(null)
                .build();
    }

    static Flow flow(String src, String dst, Instant at) {
        return Flow.newBuilder()
                .setTs(at)
                .setStartTs(at.minusSeconds(5))
                .setNode(NODE)
                .setJobId(null)
                .setSrcIp(src)
                .setDstIp(dst)
                .setSrcPort(40_000)
                .setDstPort(443)
                .setProtocol("TCP")
                .setOrigBytes(1_000)
                .setRespBytes(2_000)
                .setOrigPkts(10)
                .setRespPkts(10)
                .setConnState("SF")
                .build();
    }

    static AttributionOperator<FlowLookup, JobFlow> flowOperator(int maxWaiting) {
        return new AttributionOperator<>(
                new FlowAttribution(NetworkScope.defaults()), FlowLookup.TYPE, RETENTION_MS, maxWaiting);
    }

    static AttributionOperator<GpuSample, GpuSample> sampleOperator() {
        return new AttributionOperator<>(new SampleAttribution(), RecordTypes.GPU_SAMPLE, RETENTION_MS, 100);
    }

    static GpuSample sample(int gpu, Instant at, double util, String... processes) {
        return GpuSample.newBuilder()
                .setTs(at)
                .setNode(NODE)
                .setGpu(gpu)
                .setUtil(util)
                .setProcesses(Arrays.stream(processes)
                        .map(p -> new GpuProcess(1234L, p, 4000L))
                        .toList())
                .build();
    }

    @Nested
    class Flows {
        AttributionOperator<FlowLookup, JobFlow> operator;
        TwoInputStreamOperatorTestHarness<FlowLookup, Assignment, JobFlow> harness;

        void open() throws Exception {
            open(100);
        }

        void open(int maxWaiting) throws Exception {
            operator = flowOperator(maxWaiting);
            harness = new TwoInputStreamOperatorTestHarness<>(operator);
            harness.open();
        }

        @AfterEach
        void close() throws Exception {
            if (harness != null) {
                harness.close();
            }
        }

        void send(Flow f) throws Exception {
            harness.processElement1(new FlowLookup(f, false), f.getTs().toEpochMilli());
        }

        void send(Assignment a) throws Exception {
            harness.processElement2(a, a.getTs().toEpochMilli());
        }

        void watermark(Instant at) throws Exception {
            harness.processBothWatermarks(new Watermark(at.toEpochMilli()));
        }

        List<String> jobs() {
            return harness.extractOutputValues().stream().map(f -> f.jobId).collect(Collectors.toList());
        }

        List<DeadLetter> deadLetters() {
            var side = harness.getSideOutput(DeadLetters.TAG);
            return side == null
                    ? List.of()
                    : side.stream().map(StreamRecord::getValue).toList();
        }

        @Test
        void attributesAFlowToTheJobHoldingItsSourceAddress() throws Exception {
            open();
            send(start("job-a", POD_IP, BEGINNING));
            send(flow(POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER));
            assertThat(harness.extractOutputValues()).singleElement().satisfies(f -> {
                assertThat(f.jobId).isEqualTo("job-a");
                assertThat(f.outbound).isTrue();
                assertThat(f.remoteIp).isEqualTo(EXTERNAL_IP);
            });
        }

        @Test
        void aReusedAddressBelongsToWhoeverHeldItAtTheFlowsTime() throws Exception {
            open();
            send(start("job-a", POD_IP, BEGINNING));
            send(stop("job-a", POD_IP, ONE_MINUTE_LATER));
            send(start("job-b", POD_IP, TWO_MINUTES_LATER));
            send(flow(POD_IP, EXTERNAL_IP, BEGINNING.plusSeconds(30)));
            send(flow(POD_IP, EXTERNAL_IP, TWO_MINUTES_LATER.plusSeconds(30)));
            assertThat(jobs()).containsExactly("job-a", "job-b");
        }

        @Test
        void aLaterStartEndsTheEarlierHoldEvenWithoutStop() throws Exception {
            open();
            send(start("job-a", POD_IP, BEGINNING));
            send(start("job-b", POD_IP, ONE_MINUTE_LATER));
            send(flow(POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER.plusSeconds(1)));
            assertThat(jobs()).containsExactly("job-b");
        }

        @Test
        void aFlowBeforeItsAssignmentWaitsAndIsThenAttributed() throws Exception {
            open();
            send(flow(POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER));
            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(operator.waitingRecords()).isEqualTo(1);
            send(start("job-a", POD_IP, BEGINNING)); // the scheduler's event arrives late, but in time
            watermark(ONE_MINUTE_LATER);
            assertThat(jobs()).containsExactly("job-a");
            assertThat(deadLetters()).isEmpty();
            assertThat(operator.waitingRecords()).isZero();
        }

        @Test
        void recordsStillWaitingWhenTheWatermarkJumpsToTheEndAreAllAttributed() throws Exception {
            open();
            for (int minute = 0; minute < 5; minute++) {
                send(flow(
                        POD_IP,
                        EXTERNAL_IP,
                        BEGINNING.plus(Duration.ofMinutes(minute)).plusSeconds(30)));
            }
            send(start("job-a", POD_IP, BEGINNING));
            send(stop("job-a", POD_IP, BEGINNING.plus(Duration.ofMinutes(5))));
            harness.processBothWatermarks(new Watermark(Long.MAX_VALUE)); // a bounded input ends
            assertThat(jobs()).containsExactly("job-a", "job-a", "job-a", "job-a", "job-a");
            assertThat(deadLetters()).isEmpty();
            assertThat(operator.addresses()).isZero();
            assertThat(operator.waitingRecords()).isZero();
        }

        @Test
        void aFlowNoJobOwnsIsDeadLetteredOnceTheWatermarkPassesIt() throws Exception {
            open();
            send(flow(POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER));
            watermark(ONE_MINUTE_LATER.minusMillis(1));
            assertThat(deadLetters()).as("still waiting").isEmpty();
            watermark(ONE_MINUTE_LATER);
            assertThat(deadLetters()).singleElement().satisfies(d -> {
                assertThat(d.getReason()).isEqualTo("unattributed");
                assertThat(d.getRecordType()).isEqualTo("flow");
                assertThat(d.getOriginalText()).contains("\"src_ip\":\"" + POD_IP + "\"");
            });
            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(operator.waitingRecords()).isZero();
        }

        @Test
        void aFlowFromOutsideWaitsOnlyOnItsDestination() throws Exception {
            open();
            send(flow(EXTERNAL_IP, POD_IP, ONE_MINUTE_LATER));
            assertThat(operator.waitingRecords()).isEqualTo(1);
            send(start("notebook-1", POD_IP, BEGINNING));
            watermark(ONE_MINUTE_LATER);
            assertThat(harness.extractOutputValues()).singleElement().satisfies(f -> {
                assertThat(f.jobId).isEqualTo("notebook-1");
                assertThat(f.outbound).isFalse();
                assertThat(f.remoteIp).isEqualTo(EXTERNAL_IP);
            });
        }

        @Test
        void aFlowBetweenTwoJobsPodsCountsForBoth() throws Exception {
            open();
            send(start("job-a", POD_IP, BEGINNING));
            send(start("job-b", OTHER_POD_IP, BEGINNING));
            send(flow(POD_IP, OTHER_POD_IP, ONE_MINUTE_LATER));
            assertThat(harness.extractOutputValues())
                    .extracting(f -> f.jobId + (f.outbound ? " out" : " in"))
                    .containsExactly("job-a out", "job-b in");
        }

        @Test
        void anInboundSessionBelongsToTheJobHoldingTheDestination() throws Exception {
            open();
            send(start("notebook-1", POD_IP, BEGINNING));
            send(Flow.newBuilder(flow(MIRROR_IP, POD_IP, ONE_MINUTE_LATER))
                    .setDstPort(22)
                    .build());
            watermark(ONE_MINUTE_LATER); // its source, an internal address, may still turn out to be a pod
            assertThat(harness.extractOutputValues()).singleElement().satisfies(f -> {
                assertThat(f.jobId).isEqualTo("notebook-1");
                assertThat(f.outbound).isFalse();
                assertThat(f.remoteIp).isEqualTo(MIRROR_IP);
            });
        }

        @Test
        void aServiceTheSourceJobTalksToIsNoDeadLetterAndDoesNotWait() throws Exception {
            open();
            send(start("job-a", POD_IP, BEGINNING));
            send(flow(POD_IP, MIRROR_IP, ONE_MINUTE_LATER));
            assertThat(operator.waitingRecords()).isZero();
            watermark(TEN_MINUTES_LATER);
            assertThat(jobs()).containsExactly("job-a");
            assertThat(deadLetters()).isEmpty();
        }

        @Test
        void aFlowNeitherEndOfWhichIsOwnedIsOneDeadLetter() throws Exception {
            open();
            send(flow(MIRROR_IP, POD_IP, ONE_MINUTE_LATER));
            watermark(TEN_MINUTES_LATER);
            assertThat(deadLetters()).hasSize(1);
            assertThat(operator.waitingRecords()).isZero();
        }

        @Test
        void aFlowThatNamesItsJobNeedsNoAssignment() throws Exception {
            open();
            send(Flow.newBuilder(flow(POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER))
                    .setJobId("job-x")
                    .build());
            assertThat(jobs()).containsExactly("job-x");
            assertThat(operator.addresses()).isZero();
            assertThat(operator.waitingRecords()).isZero();
        }

        @Test
        void outOfOrderAssignmentsGiveTheSameAnswer() throws Exception {
            open();
            send(start("job-b", POD_IP, TWO_MINUTES_LATER));
            send(stop("job-a", POD_IP, ONE_MINUTE_LATER));
            send(start("job-a", POD_IP, BEGINNING));
            send(flow(POD_IP, EXTERNAL_IP, BEGINNING.plusSeconds(30)));
            send(flow(POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER.plusSeconds(30))); // between the STOP and the next START
            send(flow(POD_IP, EXTERNAL_IP, TWO_MINUTES_LATER.plusSeconds(30)));
            watermark(TEN_MINUTES_LATER.minusSeconds(300));
            assertThat(jobs()).containsExactly("job-a", "job-b");
            assertThat(deadLetters())
                    .singleElement()
                    .satisfies(d -> assertThat(d.getReason()).isEqualTo("unattributed"));
        }

        @Test
        void forgetsAnAddressOnceItsLastHoldEndedAndRetentionPassed() throws Exception {
            open();
            send(start("job-a", POD_IP, BEGINNING));
            send(flow(POD_IP, EXTERNAL_IP, BEGINNING.plusSeconds(10)));
            send(stop("job-a", POD_IP, ONE_MINUTE_LATER));
            assertThat(operator.addresses()).isEqualTo(1);
            watermark(ONE_MINUTE_LATER.plusMillis(RETENTION_MS - 1));
            assertThat(operator.addresses())
                    .as("records up to a window late still count")
                    .isEqualTo(1);
            watermark(ONE_MINUTE_LATER.plusMillis(RETENTION_MS));
            assertThat(operator.addresses()).isZero();
        }

        @Test
        void anAddressWhoseJobNeverStopsStaysItsJobsUntilAnotherJobGetsIt() throws Exception {
            open();
            send(start("job-a", POD_IP, BEGINNING));
            Instant muchLater = BEGINNING.plus(Duration.ofDays(30));
            watermark(muchLater);
            send(flow(POD_IP, EXTERNAL_IP, muchLater.plusSeconds(1)));
            send(start("job-b", POD_IP, muchLater.plusSeconds(2)));
            watermark(muchLater.plusSeconds(2).plusMillis(RETENTION_MS));
            assertThat(jobs()).containsExactly("job-a");
            assertThat(operator.addresses()).as("job-b's hold only").isEqualTo(1);
        }

        @Test
        void boundsHowManyRecordsWaitPerAddress() throws Exception {
            open(2);
            for (int i = 0; i < 5; i++) {
                send(flow(POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER.plusSeconds(i)));
            }
            assertThat(deadLetters()).as("three could not wait").hasSize(3);
            watermark(TEN_MINUTES_LATER);
            assertThat(deadLetters()).hasSize(5);
            assertThat(operator.waitingRecords()).isZero();
        }

        @Test
        void timelinesAndWaitingRecordsSurviveARestoreAtAnotherParallelism() throws Exception {
            open();
            send(start("job-a", POD_IP, BEGINNING));
            send(flow(OTHER_POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER)); // waits on its source
            send(flow(EXTERNAL_IP, OTHER_POD_IP, ONE_MINUTE_LATER)); // waits on its destination
            OperatorSubtaskState snapshot = harness.snapshot(1, 1);
            harness.close();
            harness = null;

            List<JobFlow> out = new ArrayList<>();
            for (int subtask = 0; subtask < 2; subtask++) {
                OperatorSubtaskState part =
                        AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot, 128, 1, 2, subtask);
                AttributionOperator<FlowLookup, JobFlow> restored = flowOperator(100);
                try (var h = new TwoInputStreamOperatorTestHarness<>(restored, 128, 2, subtask)) {
                    h.initializeState(part);
                    h.open();
                    assertThat(restored.addresses())
                            .as("every subtask has every timeline")
                            .isEqualTo(1);
                    h.processElement2(start("job-b", OTHER_POD_IP, BEGINNING), BEGINNING.toEpochMilli());
                    h.processElement1(
                            new FlowLookup(flow(POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER), false),
                            ONE_MINUTE_LATER.toEpochMilli());
                    h.processBothWatermarks(new Watermark(TEN_MINUTES_LATER.toEpochMilli()));
                    assertThat(restored.waitingRecords()).isZero();
                    out.addAll(h.extractOutputValues());
                }
            }
            assertThat(out)
                    .extracting(f -> f.jobId + (f.outbound ? " out" : " in"))
                    .containsExactlyInAnyOrder("job-a out", "job-a out", "job-b out", "job-b in");
        }
    }

    @Nested
    class GpuSamples {
        AttributionOperator<GpuSample, GpuSample> operator;
        TwoInputStreamOperatorTestHarness<GpuSample, Assignment, GpuSample> harness;

        @AfterEach
        void close() throws Exception {
            harness.close();
        }

        void open() throws Exception {
            operator = sampleOperator();
            harness = new TwoInputStreamOperatorTestHarness<>(operator);
            harness.open();
        }

        @Test
        void aSampleBelongsToTheJobHoldingItsGpuAtThatTime() throws Exception {
            open();
            harness.processElement2(start("job-a", POD_IP, BEGINNING, 3), BEGINNING.toEpochMilli());
            harness.processElement2(stop("job-a", POD_IP, ONE_MINUTE_LATER, 3), ONE_MINUTE_LATER.toEpochMilli());
            harness.processElement2(
                    start("job-b", OTHER_POD_IP, TWO_MINUTES_LATER, 3), TWO_MINUTES_LATER.toEpochMilli());
            harness.processElement1(
                    sample(3, BEGINNING.plusSeconds(10), 95, "python"),
                    BEGINNING.plusSeconds(10).toEpochMilli());
            harness.processElement1(
                    sample(3, TWO_MINUTES_LATER.plusSeconds(10), 90, "python"),
                    TWO_MINUTES_LATER.plusSeconds(10).toEpochMilli());
            assertThat(harness.extractOutputValues())
                    .extracting(GpuSample::getJobId)
                    .containsExactly("job-a", "job-b");
        }

        @Test
        void anAssignmentHoldsEachOfItsGpus() throws Exception {
            open();
            harness.processElement2(start("job-a", POD_IP, BEGINNING, 0, 1), BEGINNING.toEpochMilli());
            harness.processElement1(sample(0, ONE_MINUTE_LATER, 95, "python"), ONE_MINUTE_LATER.toEpochMilli());
            harness.processElement1(sample(1, ONE_MINUTE_LATER, 95, "python"), ONE_MINUTE_LATER.toEpochMilli());
            assertThat(harness.extractOutputValues())
                    .extracting(GpuSample::getJobId)
                    .containsExactly("job-a", "job-a");
            assertThat(operator.addresses()).isEqualTo(2);
        }

        @Test
        void aBusyGpuNoJobHoldsIsScoredAsUnassigned() throws Exception {
            open();
            GpuSample miner = sample(5, ONE_MINUTE_LATER, 99, "xmrig");
            harness.processElement1(miner, ONE_MINUTE_LATER.toEpochMilli());
            harness.processBothWatermarks(new Watermark(ONE_MINUTE_LATER.toEpochMilli()));
            assertThat(harness.extractOutputValues())
                    .extracting(GpuSample::getJobId)
                    .containsExactly(SampleAttribution.unassignedJob(NODE));
            assertThat(operator.waitingRecords()).isZero();
        }

        @Test
        void aSampleRightAfterTheGpuChangesHandsFindsTheNewJob() throws Exception {
            open();
            harness.processElement2(start("job-a", POD_IP, BEGINNING, 3), BEGINNING.toEpochMilli());
            harness.processElement1(
                    sample(3, BEGINNING.plusSeconds(10), 95, "python"),
                    BEGINNING.plusSeconds(10).toEpochMilli());
            harness.processElement2(
                    start("job-b", OTHER_POD_IP, BEGINNING.plusSeconds(20), 3),
                    BEGINNING.plusSeconds(20).toEpochMilli());
            harness.processElement1(
                    sample(3, BEGINNING.plusSeconds(30), 95, "python"),
                    BEGINNING.plusSeconds(30).toEpochMilli());
            assertThat(harness.extractOutputValues())
                    .extracting(GpuSample::getJobId)
                    .containsExactly("job-a", "job-b");
        }

        @Test
        void anIdleGpuNoJobHoldsGoesNoFurther() throws Exception {
            open();
            harness.processElement1(sample(6, ONE_MINUTE_LATER, 0), ONE_MINUTE_LATER.toEpochMilli());
            harness.processBothWatermarks(new Watermark(ONE_MINUTE_LATER.toEpochMilli()));
            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(operator.waitingRecords()).isZero();
        }
    }

    @Nested
    class BatchMode {
        @Test
        void readsEveryAssignmentBeforeAnyRecord() throws Exception {
            AttributionOperator<GpuSample, GpuSample> operator =
                    AttributionOperator.of(new SampleAttribution(), RecordTypes.GPU_SAMPLE, RETENTION_MS, 100, true);
            try (var harness = new TwoInputStreamOperatorTestHarness<>(operator)) {
                harness.open();
                var selectable = (InputSelectable) operator;
                assertThat(selectable.nextSelection()).isEqualTo(InputSelection.SECOND);
                harness.processElement2(start("job-a", POD_IP, BEGINNING, 3), BEGINNING.toEpochMilli());
                ((BoundedMultiInput) operator).endInput(2);
                assertThat(selectable.nextSelection()).isEqualTo(InputSelection.ALL);
            }
            assertThat(AttributionOperator.of(
                            new SampleAttribution(), RecordTypes.GPU_SAMPLE, RETENTION_MS, 100, false))
                    .as("streaming: both inputs as they come (and checkpoints)")
                    .isNotInstanceOf(InputSelectable.class);
        }
    }
}
