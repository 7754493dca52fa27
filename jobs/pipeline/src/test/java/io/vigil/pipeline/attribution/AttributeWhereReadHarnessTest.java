package io.vigil.pipeline.attribution;

import static io.vigil.pipeline.attribution.AttributionHarnessTest.BEGINNING;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.EXTERNAL_IP;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.ONE_MINUTE_LATER;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.OTHER_POD_IP;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.POD_IP;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.RETENTION_MS;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.TEN_MINUTES_LATER;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.flow;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.sample;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.start;
import static io.vigil.pipeline.attribution.AttributionHarnessTest.stop;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.JobFlow;
import io.vigil.models.features.NetworkScope;
import io.vigil.pipeline.ingest.DeadLetters;
import io.vigil.pipeline.ingest.Received;
import io.vigil.records.DeadLetter;
import io.vigil.records.GpuSample;
import io.vigil.records.RejectReason;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The attribution chained to a Kafka source whose every reader reads every assignment in the same stream as its
 * flows and samples: the same answers as the broadcast attribution, assignments that only build timelines, and a
 * restore at another parallelism where every subtask keeps every timeline.
 */
class AttributeWhereReadHarnessTest {
    OneInputStreamOperatorTestHarness<Received, JobFlow> harness;

    static AttributeWhereRead operator() {
        return new AttributeWhereRead(
                new FlowAttribution(NetworkScope.defaults()), new SampleAttribution(), RETENTION_MS, 100);
    }

    void open() throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(operator());
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    static void send(OneInputStreamOperatorTestHarness<Received, JobFlow> h, Object record, Instant at)
            throws Exception {
        h.processElement(Received.of(record), at.toEpochMilli());
    }

    static List<String> jobs(OneInputStreamOperatorTestHarness<Received, JobFlow> h) {
        return h.extractOutputValues().stream()
                .map(f -> f.jobId + (f.outbound ? " out" : " in"))
                .toList();
    }

    @Test
    void attributesFlowsAndSamplesAgainstTheAssignmentsReadInTheSameStream() throws Exception {
        open();
        send(harness, start("job-a", POD_IP, BEGINNING, 0, 1), BEGINNING);
        send(harness, flow(POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER), ONE_MINUTE_LATER);
        send(harness, sample(1, ONE_MINUTE_LATER, 97.0, "python"), ONE_MINUTE_LATER);

        assertThat(jobs(harness)).as("assignments go no further").containsExactly("job-a out");
        assertThat(harness.getSideOutput(ReadAndAttribute.SAMPLES))
                .extracting(StreamRecord::getValue)
                .extracting(GpuSample::getJobId)
                .containsExactly("job-a");
    }

    @Test
    void aFlowBeforeItsAssignmentWaitsForTheWatermarkAndAnUnownedOneIsADeadLetter() throws Exception {
        open();
        send(harness, flow(POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER), ONE_MINUTE_LATER);
        send(harness, flow(OTHER_POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER), ONE_MINUTE_LATER);
        send(harness, start("job-a", POD_IP, BEGINNING), BEGINNING);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processWatermark(new Watermark(TEN_MINUTES_LATER.toEpochMilli()));

        assertThat(jobs(harness)).containsExactly("job-a out");
        assertThat(harness.getSideOutput(DeadLetters.TAG))
                .extracting(StreamRecord::getValue)
                .extracting(DeadLetter::getReason)
                .containsExactly(RejectReason.UNATTRIBUTED.code());
    }

    @Test
    void anUndecodableAssignmentIsLeftToTheReadThatFeedsThePerJobStages() throws Exception {
        open();
        DeadLetter undecodable = DeadLetter.newBuilder()
                .setReason(RejectReason.UNDECODABLE.code())
                .setRecordType("assignment")
                .setField(null)
                .setSource("vigil.assignments/0@3")
                .setDetail("not Avro single-object encoding")
                .setOriginalBytes(ByteBuffer.wrap(new byte[] {1, 2}))
                .build();
        harness.processElement(Received.of(undecodable), BEGINNING.toEpochMilli());

        assertThat(harness.getSideOutput(DeadLetters.TAG)).isNullOrEmpty();
    }

    @Test
    void timelinesAndWaitingRecordsSurviveARestoreAtAnotherParallelism() throws Exception {
        open();
        send(harness, start("job-a", POD_IP, BEGINNING), BEGINNING);
        send(harness, flow(OTHER_POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER), ONE_MINUTE_LATER); // waits on its source
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();
        harness = null;

        List<String> out = new ArrayList<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            OperatorSubtaskState part =
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot, 128, 1, 2, subtask);
            try (var h = new OneInputStreamOperatorTestHarness<>(operator(), 128, 2, subtask)) {
                h.initializeState(part);
                h.open();
                // each reader reads the whole assignments topic again after a restore: the same event twice is once
                send(h, start("job-a", POD_IP, BEGINNING), BEGINNING);
                send(h, start("job-b", OTHER_POD_IP, BEGINNING), BEGINNING);
                send(h, stop("job-b", OTHER_POD_IP, TEN_MINUTES_LATER), TEN_MINUTES_LATER);
                send(h, flow(POD_IP, EXTERNAL_IP, ONE_MINUTE_LATER), ONE_MINUTE_LATER);
                h.processWatermark(new Watermark(TEN_MINUTES_LATER.toEpochMilli()));
                out.addAll(jobs(h));
            }
        }
        assertThat(out)
                .as("every subtask kept job-a's timeline; the waiting flow went to one of them")
                .containsExactlyInAnyOrder("job-a out", "job-a out", "job-b out");
    }
}
