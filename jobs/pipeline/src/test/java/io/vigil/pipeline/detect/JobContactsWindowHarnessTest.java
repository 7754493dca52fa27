package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.features.JobContacts;
import io.vigil.models.features.JobFlow;
import io.vigil.models.features.NetworkScope;
import io.vigil.records.Flow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.MapTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
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

/** The per-job contacts window on Flink's harness: what it asks the fleet about, what it folds itself, late input. */
class JobContactsWindowHarnessTest {
    static final Instant BEGINNING = Instant.parse("2026-02-14T03:00:00Z");
    static final Duration MINUTE = Duration.ofMinutes(1);
    static final String POD = "10.0.0.1";
    static final String TRACKER = "198.51.100.10";

    KeyedOneInputStreamOperatorTestHarness<String, JobFlows, JobSignal> harness;

    @BeforeEach
    void open() throws Exception {
        harness = harness();
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static KeyedOneInputStreamOperatorTestHarness<String, JobFlows, JobSignal> harness() throws Exception {
        WindowOperatorBuilder<JobFlows, String, TimeWindow> builder = new WindowOperatorBuilder<>(
                TumblingEventTimeWindows.of(MINUTE),
                EventTimeTrigger.create(),
                new ExecutionConfig(),
                TypeInformation.of(JobFlows.class),
                JobFlows::jobId,
                Types.STRING);
        builder.sideOutputLateData(DetectPipeline.LATE_FLOWS);
        OneInputStreamOperator<JobFlows, JobSignal> operator = builder.aggregate(
                new JobContactsAggregate(), new SplitContacts(), TypeInformation.of(JobContacts.class));
        return new KeyedOneInputStreamOperatorTestHarness<>(operator, JobFlows::jobId, Types.STRING);
    }

    /** A report of a connection the job's pod opened. */
    static Flow.Builder report(String remoteIp, int port, Instant at) {
        return Flow.newBuilder()
                .setTs(at)
                .setStartTs(at.minusSeconds(5))
                .setNode("n")
                .setSrcIp(POD)
                .setDstIp(remoteIp)
                .setSrcPort(40_000)
                .setDstPort(port)
                .setProtocol("TCP")
                .setOrigBytes(5_000)
                .setRespBytes(1_000)
                .setOrigPkts(10)
                .setRespPkts(8)
                .setConnState("SF");
    }

    /** A SYN nobody answered. */
    static Flow.Builder probe(String remoteIp, int port, Instant at) {
        return report(remoteIp, port, at)
                .setOrigBytes(0)
                .setRespBytes(0)
                .setOrigPkts(1)
                .setRespPkts(0)
                .setConnState("S0");
    }

    static JobFlow of(String job, Flow.Builder f) {
        return JobFlow.of(f.setJobId(job).build(), job, true, NetworkScope.defaults());
    }

    static void send(KeyedOneInputStreamOperatorTestHarness<String, JobFlows, JobSignal> h, JobFlow f)
            throws Exception {
        h.processElement(new StreamRecord<>(JobFlows.of(f), f.ts));
    }

    List<DestinationAccumulator> asked() {
        return harness.getSideOutput(SplitContacts.ASK_FLEET).stream()
                .map(StreamRecord::getValue)
                .toList();
    }

    static Map<String, Double> features(JobSignal s) {
        return FeatureSet.CURRENT.toMap(s.partial.features(FeatureSet.CURRENT));
    }

    @Test
    void asksTheFleetAboutExternalHostsTheJobReachedAndFoldsTheRestItself() throws Exception {
        send(harness, of("job-a", report(TRACKER, 443, BEGINNING.plusSeconds(30))));
        send(harness, of("job-a", report(TRACKER, 443, BEGINNING.plusSeconds(10)))); // out of order
        send(harness, of("job-a", report("10.0.9.1", 5432, BEGINNING.plusSeconds(20)))); // internal
        send(harness, of("job-a", probe("198.18.0.1", 22, BEGINNING.plusSeconds(40)))); // never answered
        send(harness, of("job-a", report(TRACKER, 443, BEGINNING.plusSeconds(61)))); // next window
        harness.processWatermark(new Watermark(BEGINNING.plus(MINUTE).toEpochMilli() - 1));

        assertThat(asked()).singleElement().satisfies(d -> {
            assertThat(d.remoteIp).isEqualTo(TRACKER);
            assertThat(d.jobs.get("job-a").flows).isEqualTo(2);
        });
        assertThat(harness.getSideOutput(SplitContacts.ASK_FLEET))
                .singleElement()
                .satisfies(r -> assertThat(r.getTimestamp())
                        .as("within the window")
                        .isEqualTo(BEGINNING.plus(MINUTE).toEpochMilli() - 1));
        assertThat(harness.extractOutputValues()).singleElement().satisfies(s -> {
            assertThat(s.jobId()).isEqualTo("job-a");
            assertThat(s.partial.flowCount()).isEqualTo(2);
            assertThat(features(s).get(FeatureSet.INTERNAL_HOSTS)).isEqualTo(Math.log1p(1));
            assertThat(features(s).get(FeatureSet.FAILED_HOSTS)).isEqualTo(Math.log1p(1));
        });
    }

    @Test
    void aFlowAfterTheWatermarkPassedItsWindowGoesToTheLateOutput() throws Exception {
        send(harness, of("job-a", report(TRACKER, 443, BEGINNING.plusSeconds(10))));
        harness.processWatermark(new Watermark(BEGINNING.plus(MINUTE).toEpochMilli() - 1));
        send(harness, of("job-a", report(TRACKER, 443, BEGINNING.plusSeconds(40))));

        assertThat(asked())
                .singleElement()
                .satisfies(d -> assertThat(d.jobs.get("job-a").flows).isEqualTo(1));
        assertThat(harness.getSideOutput(DetectPipeline.LATE_FLOWS))
                .singleElement()
                .satisfies(r -> assertThat(r.getValue().flow.ts)
                        .isEqualTo(BEGINNING.plusSeconds(40).toEpochMilli()));
    }

    @Test
    void itsStateIsAFlinkPojoWithoutKryo() {
        PojoTypeInfo<JobContacts> type = (PojoTypeInfo<JobContacts>) TypeInformation.of(JobContacts.class);
        TypeInformation<?> remotes = type.getTypeAt("remotes");
        assertThat(remotes).isInstanceOf(MapTypeInfo.class);
        PojoTypeInfo<?> remote = (PojoTypeInfo<?>) ((MapTypeInfo<?, ?>) remotes).getValueTypeInfo();
        assertThat(remote.getTypeAt("stats")).isInstanceOf(PojoTypeInfo.class);
        assertThat(type.getTypeAt("tail")).isInstanceOf(PojoTypeInfo.class);
        assertThat(type.getFieldNames()).as("the transient floor is no state").containsOnly("jobId", "remotes", "tail");
    }

    @Test
    void aJobWithNothingButContactsToAskAboutHandsOnNoPartial() throws Exception {
        send(harness, of("job-a", report(TRACKER, 443, BEGINNING.plusSeconds(10))));
        harness.processWatermark(new Watermark(BEGINNING.plus(MINUTE).toEpochMilli() - 1));

        assertThat(asked()).hasSize(1);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numKeyedStateEntries())
                .as("the window's state is gone")
                .isZero();
    }
}
