package io.vigil.pipeline.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.JobFlow;
import io.vigil.models.features.NetworkScope;
import io.vigil.pipeline.ingest.DeadLetters;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.DeadLetter;
import io.vigil.records.Flow;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Attribution on Flink's operator harness: event time, IP and GPU reuse, waiting, clean-up. */
class AttributionHarnessTest {
    static final Instant BEGINNING = Instant.parse("2026-02-14T03:00:00Z");
    static final Instant ONE_MINUTE_LATER = BEGINNING.plus(Duration.ofMinutes(1));
    static final Instant TWO_MINUTES_LATER = BEGINNING.plus(Duration.ofMinutes(2));
    static final Instant TEN_MINUTES_LATER = BEGINNING.plus(Duration.ofMinutes(10));
    static final long RETENTION_MS = 70_000;
    static final Duration TTL = Duration.ofDays(7);
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

    @Nested
    class FlowsBySource {
        KeyedTwoInputStreamOperatorTestHarness<String, FlowLookup, Assignment, JobFlow> harness;

        void open() throws Exception {
            harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                    new KeyedCoProcessOperator<>(new FlowAttribution(
                            FlowAttribution.End.SOURCE, NetworkScope.defaults(), RETENTION_MS, 100, TTL)),
                    l -> FlowAttribution.key(l, FlowAttribution.End.SOURCE),
                    Assignment::getIp,
                    Types.STRING);
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
            assertThat(harness.numEventTimeTimers()).isEqualTo(1);
            send(start("job-a", POD_IP, BEGINNING)); // the scheduler's event arrives late, but in time
            watermark(ONE_MINUTE_LATER);
            assertThat(jobs()).containsExactly("job-a");
            assertThat(deadLetters()).isEmpty();
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
            assertThat(harness.numKeyedStateEntries()).isZero();
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
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }

        @Test
        void aFlowFromOutsideGoesStraightToTheDestinationStep() throws Exception {
            open();
            send(flow(EXTERNAL_IP, POD_IP, ONE_MINUTE_LATER));
            assertThat(harness.getSideOutput(FlowAttribution.BY_DESTINATION)).hasSize(1);
            assertThat(harness.numKeyedStateEntries())
                    .as("nothing waits for an external address")
                    .isZero();
        }

        @Test
        void aFlowToAnotherPodAlsoGoesToTheDestinationStep() throws Exception {
            open();
            send(start("job-a", POD_IP, BEGINNING));
            send(flow(POD_IP, OTHER_POD_IP, ONE_MINUTE_LATER));
            assertThat(jobs()).containsExactly("job-a");
            assertThat(harness.getSideOutput(FlowAttribution.BY_DESTINATION))
                    .singleElement()
                    .satisfies(r -> assertThat(r.getValue().ownedBySource).isTrue());
        }

        @Test
        void aFlowThatNamesItsJobNeedsNoAssignment() throws Exception {
            open();
            send(Flow.newBuilder(flow(POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER))
                    .setJobId("job-x")
                    .build());
            assertThat(jobs()).containsExactly("job-x");
            assertThat(harness.numKeyedStateEntries()).isZero();
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
            assertThat(harness.numKeyedStateEntries()).isPositive();
            watermark(ONE_MINUTE_LATER.plusMillis(RETENTION_MS - 1));
            assertThat(harness.numKeyedStateEntries())
                    .as("records up to a window late still count")
                    .isPositive();
            watermark(ONE_MINUTE_LATER.plusMillis(RETENTION_MS));
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }

        @Test
        void boundsHowManyRecordsWaitPerAddress() throws Exception {
            harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                    new KeyedCoProcessOperator<>(new FlowAttribution(
                            FlowAttribution.End.SOURCE, NetworkScope.defaults(), RETENTION_MS, 2, TTL)),
                    l -> FlowAttribution.key(l, FlowAttribution.End.SOURCE),
                    Assignment::getIp,
                    Types.STRING);
            harness.open();
            for (int i = 0; i < 5; i++) {
                send(flow(POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER.plusSeconds(i)));
            }
            assertThat(deadLetters()).as("three could not wait").hasSize(3);
            watermark(TEN_MINUTES_LATER);
            assertThat(deadLetters()).hasSize(5);
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Nested
    class FlowsByDestination {
        KeyedTwoInputStreamOperatorTestHarness<String, FlowLookup, Assignment, JobFlow> harness;

        @AfterEach
        void close() throws Exception {
            harness.close();
        }

        void open() throws Exception {
            harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                    new KeyedCoProcessOperator<>(new FlowAttribution(
                            FlowAttribution.End.DESTINATION, NetworkScope.defaults(), RETENTION_MS, 100, TTL)),
                    l -> FlowAttribution.key(l, FlowAttribution.End.DESTINATION),
                    Assignment::getIp,
                    Types.STRING);
            harness.open();
        }

        @Test
        void anInboundSessionBelongsToTheJobHoldingTheDestination() throws Exception {
            open();
            harness.processElement2(start("notebook-1", POD_IP, BEGINNING), BEGINNING.toEpochMilli());
            Flow ssh = Flow.newBuilder(flow(MIRROR_IP, POD_IP, ONE_MINUTE_LATER))
                    .setDstPort(22)
                    .build();
            harness.processElement1(new FlowLookup(ssh, false), ssh.getTs().toEpochMilli());
            assertThat(harness.extractOutputValues()).singleElement().satisfies(f -> {
                assertThat(f.jobId).isEqualTo("notebook-1");
                assertThat(f.outbound).isFalse();
                assertThat(f.remoteIp).isEqualTo(MIRROR_IP);
            });
        }

        @Test
        void aServiceTheSourceJobTalksToIsNoDeadLetterAndDoesNotWait() throws Exception {
            open();
            harness.processElement1(
                    new FlowLookup(flow(POD_IP, MIRROR_IP, ONE_MINUTE_LATER), true), ONE_MINUTE_LATER.toEpochMilli());
            harness.processBothWatermarks(new Watermark(TEN_MINUTES_LATER.toEpochMilli()));
            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(harness.getSideOutput(DeadLetters.TAG)).isNullOrEmpty();
            assertThat(harness.numKeyedStateEntries()).isZero();
        }

        @Test
        void aFlowNeitherEndOfWhichIsOwnedIsOneDeadLetter() throws Exception {
            open();
            harness.processElement1(
                    new FlowLookup(flow(MIRROR_IP, POD_IP, ONE_MINUTE_LATER), false), ONE_MINUTE_LATER.toEpochMilli());
            harness.processBothWatermarks(new Watermark(TEN_MINUTES_LATER.toEpochMilli()));
            assertThat(harness.getSideOutput(DeadLetters.TAG)).hasSize(1);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    @Nested
    class GpuSamples {
        KeyedTwoInputStreamOperatorTestHarness<String, GpuSample, Assignment, GpuSample> harness;

        @AfterEach
        void close() throws Exception {
            harness.close();
        }

        void open() throws Exception {
            harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                    new KeyedCoProcessOperator<>(new SampleAttribution(RETENTION_MS, 100, TTL)),
                    s -> SampleAttribution.key(s.getNode(), s.getGpu()),
                    a -> SampleAttribution.key(a.getNode(), a.getGpus().get(0)),
                    Types.STRING);
            harness.open();
        }

        GpuSample sample(int gpu, Instant at, double util, String... processes) {
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
        void aBusyGpuNoJobHoldsIsScoredAsUnassigned() throws Exception {
            open();
            GpuSample miner = sample(5, ONE_MINUTE_LATER, 99, "xmrig");
            harness.processElement1(miner, ONE_MINUTE_LATER.toEpochMilli());
            harness.processBothWatermarks(new Watermark(ONE_MINUTE_LATER.toEpochMilli()));
            assertThat(harness.extractOutputValues())
                    .extracting(GpuSample::getJobId)
                    .containsExactly(SampleAttribution.unassignedJob(NODE));
            assertThat(harness.numKeyedStateEntries()).isZero();
        }

        /** Moves processing time, the timers' and the state TTL's clocks together, as in a real task. */
        void wallClockAt(Duration sinceStart) throws Exception {
            harness.setProcessingTime(sinceStart.toMillis());
            harness.setStateTtlProcessingTime(sinceStart.toMillis());
        }

        @Test
        void aGpuInUseKeepsItsJobLongerThanTheStateTtlAndOneUnusedForTheTtlForgetsIt() throws Exception {
            Duration ttl = Duration.ofMinutes(10);
            harness = new KeyedTwoInputStreamOperatorTestHarness<>(
                    new KeyedCoProcessOperator<>(new SampleAttribution(RETENTION_MS, 100, ttl)),
                    s -> SampleAttribution.key(s.getNode(), s.getGpu()),
                    a -> SampleAttribution.key(a.getNode(), a.getGpus().get(0)),
                    Types.STRING);
            harness.open();
            wallClockAt(Duration.ZERO);
            harness.processElement2(start("job-a", POD_IP, BEGINNING, 3), BEGINNING.toEpochMilli());
            // a sample every 20 s of wall time for three TTLs: the job never sends STOP, its GPU stays known
            for (int i = 1; i <= 90; i++) {
                wallClockAt(Duration.ofSeconds(20L * i));
                Instant at = BEGINNING.plusSeconds(20L * i);
                harness.processElement1(sample(3, at, 95, "python"), at.toEpochMilli());
            }
            assertThat(harness.extractOutputValues())
                    .hasSize(90)
                    .extracting(GpuSample::getJobId)
                    .containsOnly("job-a");

            // then nothing for longer than the TTL: the GPU is forgotten, a busy sample on it is unassigned
            wallClockAt(Duration.ofSeconds(20L * 90).plus(ttl).plusMinutes(2));
            Instant later = BEGINNING.plus(Duration.ofDays(1));
            harness.processBothWatermarks(new Watermark(later.toEpochMilli()));
            harness.processElement1(sample(3, later, 95, "python"), later.toEpochMilli());
            assertThat(harness.extractOutputValues())
                    .last()
                    .extracting(GpuSample::getJobId)
                    .isEqualTo(SampleAttribution.unassignedJob(NODE));
        }

        @Test
        void aSampleRightAfterTheGpuChangesHandsFindsTheNewJob() throws Exception {
            open();
            harness.processElement2(start("job-a", POD_IP, BEGINNING, 3), BEGINNING.toEpochMilli());
            harness.processElement1(
                    sample(3, BEGINNING.plusSeconds(10), 95, "python"),
                    BEGINNING.plusSeconds(10).toEpochMilli());
            // no time passes on the wall clock: the timeline just read must not hide the new hold
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
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }
}
