package io.vigil.records.agents;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.AgentEvent;
import io.vigil.records.Decoded;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import io.vigil.records.json.JsonRecordCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentCommandsTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "mysql -u root --password=hunter2 -h db | hunter2",
                "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY | wJalrXUtnFEMI",
                "curl -H 'Authorization: Bearer abc.def.ghi123' https://api.example.com | abc.def.ghi123",
                "curl -u alice:s3cr3tpw https://example.com/x | s3cr3tpw",
                "git clone https://bob:tok3nvalue@github.com/org/repo.git | tok3nvalue",
                "echo ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 > ~/.token-file | ghp_ABCDEF",
                "aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE | AKIAIOSFODNN7EXAMPLE",
                "huggingface-cli login --token hf_abcdefghijklmnopqrstuvwxyz12 | hf_abcdefghij",
                "python train.py --api-key \"quoted secret value\" | quoted secret",
                "sshpass -p x ssh u@h; DB_PASSWORD: 'pw with space' psql | pw with space",
                "sshpass -e -p 'hunter two' ssh -p 2222 u@h | hunter two",
            })
    void masksSecretsAndKeepsTheCommandsShape(String command, String secret) {
        String masked = AgentCommands.mask(command);

        assertThat(masked).doesNotContain(secret).contains("[hidden]");
        assertThat(masked.split("\\s+")[0]).isEqualTo(command.split("\\s+")[0]);
    }

    @Test
    void masksAPrivateKeyBlockEvenWhenCut() {
        String command = "cat > id_rsa <<EOF\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n";

        assertThat(AgentCommands.mask(command)).isEqualTo("cat > id_rsa <<EOF\n[hidden]");
    }

    @Test
    void leavesCommandsWithoutSecretsAlone() {
        for (String command : new String[] {
            "ssh -R 2222:localhost:22 user@203.0.113.7 -N",
            "pip install --index-url https://mirror.internal/simple numpy==2.1.0",
            "pytest -q tests/test_tokenizer.py",
            "nmap -sS -p 22,80,443 10.0.0.0/24",
        }) {
            assertThat(AgentCommands.mask(command)).isEqualTo(command);
        }
    }

    @Test
    void cutsLongCommandsOnACodePointAndSaysHowMuch() {
        String command = "a".repeat(AgentCommands.MAX_CHARS - 1) + "😀" + "b".repeat(10);

        String cut = AgentCommands.cut(command);

        assertThat(cut).startsWith("a".repeat(AgentCommands.MAX_CHARS - 1) + "...");
        assertThat(cut).endsWith("[12 more characters]");
        assertThat(AgentCommands.cut("short")).isEqualTo("short");
    }

    @Test
    void decodesAJsonLineAndChecksIt() {
        JsonRecordCodec<AgentEvent> codec = JsonRecordCodec.of(RecordType.AGENT_EVENT);
        Decoded<AgentEvent> ok = codec.decode("{\"ts\":1700000001800,\"start_ts\":1700000000000,\"job_id\":\"rl-7\","
                + "\"episode_id\":\"ep-42\",\"step\":3,\"rollout_worker\":null,\"node\":\"gpu-3\","
                + "\"tool\":\"bash\",\"command\":\"ssh -R 2222:localhost:22 u@203.0.113.7\",\"exit_code\":null,"
                + "\"sandbox\":null}");
        assertThat(ok.isAccepted()).isTrue();
        assertThat(RecordType.AGENT_EVENT.rejectionOf(ok.record())).isNull();

        AgentEvent backwards = AgentEvent.newBuilder(ok.record())
                .setStartTs(ok.record().getTs().plusMillis(1))
                .build();
        assertThat(RecordType.AGENT_EVENT.rejectionOf(backwards).reason()).isEqualTo(RejectReason.OUT_OF_RANGE);
        AgentEvent noEpisode =
                AgentEvent.newBuilder(ok.record()).setEpisodeId(" ").build();
        assertThat(RecordType.AGENT_EVENT.rejectionOf(noEpisode).reason()).isEqualTo(RejectReason.MISSING_FIELD);
    }
}
