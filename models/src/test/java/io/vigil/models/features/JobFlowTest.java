package io.vigil.models.features;

import static io.vigil.records.Fixtures.BEGINNING;
import static io.vigil.records.Fixtures.EXTERNAL_IP;
import static io.vigil.records.Fixtures.JOB;
import static io.vigil.records.Fixtures.ONE_MINUTE_LATER;
import static io.vigil.records.Fixtures.POD_IP;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.records.Fixtures;
import io.vigil.records.Flow;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobFlowTest {

    @Test
    void seesAnOutboundFlowFromTheOriginatorsSide() {
        JobFlow f = JobFlow.of(Fixtures.flow(), JOB, true);

        assertThat(f.jobId).isEqualTo(JOB);
        assertThat(f.localIp).isEqualTo(POD_IP);
        assertThat(f.remoteIp).isEqualTo(EXTERNAL_IP);
        assertThat(f.remotePort).isEqualTo(443);
        assertThat(f.servicePort()).isEqualTo(443);
        assertThat(f.protocol).isEqualTo("TCP");
        assertThat(f.outbound).isTrue();
        assertThat(f.bytesOut).isEqualTo(123_456);
        assertThat(f.bytesIn).isEqualTo(7_890);
        assertThat(f.pktsOut).isEqualTo(120);
        assertThat(f.pktsIn).isEqualTo(80);
        assertThat(f.connState).isEqualTo("SF");
        assertThat(f.startTs).isEqualTo(BEGINNING.toEpochMilli());
        assertThat(f.ts).isEqualTo(ONE_MINUTE_LATER.toEpochMilli());
        assertThat(f.external).isTrue();
        assertThat(f.metadataService).isFalse();
    }

    @Test
    void turnsAnInboundFlowAroundSoThatOutIsWhatTheJobSent() {
        Flow ssh = Fixtures.flowBuilder()
                .setSrcIp(EXTERNAL_IP)
                .setSrcPort(51_000)
                .setDstIp(POD_IP)
                .setDstPort(22)
                .setOrigBytes(5_000)
                .setRespBytes(90_000)
                .setOrigPkts(60)
                .setRespPkts(110)
                .build();

        JobFlow f = JobFlow.of(ssh, JOB, false);

        assertThat(f.localIp).isEqualTo(POD_IP);
        assertThat(f.remoteIp).isEqualTo(EXTERNAL_IP);
        assertThat(f.localPort).isEqualTo(22);
        assertThat(f.remotePort).isEqualTo(51_000);
        assertThat(f.servicePort())
                .as("the job's listening port, not the caller's ephemeral one")
                .isEqualTo(22);
        assertThat(f.bytesOut).isEqualTo(90_000);
        assertThat(f.bytesIn).isEqualTo(5_000);
        assertThat(f.pktsOut).isEqualTo(110);
        assertThat(f.pktsIn).isEqualTo(60);
        assertThat(f.respPkts()).isEqualTo(110);
    }

    @Test
    void writesTheRemoteAddressCanonicallySoOneHostIsOneKey() {
        Flow f = Fixtures.flowBuilder()
                .setDstIp("2001:DB8:0:0:0:0:0:9")
                .setProtocol("tcp")
                .build();

        JobFlow j = JobFlow.of(f, JOB, true);

        assertThat(j.remoteIp).isEqualTo("2001:db8::9");
        assertThat(j.protocol).isEqualTo("TCP");
    }

    @Test
    void classifiesTheRemoteWithTheScopeItIsGiven() {
        Flow f = Fixtures.flow();
        NetworkScope ownsTestNet = NetworkScope.defaults().and(List.of("203.0.113.0/24"));

        assertThat(JobFlow.of(f, JOB, true).external).isTrue();
        assertThat(JobFlow.of(f, JOB, true, ownsTestNet).external).isFalse();
        assertThat(JobFlow.of(Fixtures.flowBuilder().setDstIp("169.254.169.254").build(), JOB, true).metadataService)
                .isTrue();
    }

    @Test
    void knowsItsDurationAndWhetherItIsLongLived() {
        JobFlow shortOne = JobFlow.of(
                Fixtures.flowBuilder()
                        .setStartTs(BEGINNING)
                        .setTs(BEGINNING.plusSeconds(30))
                        .build(),
                JOB,
                true);
        JobFlow stillOpen = JobFlow.of(
                Fixtures.flowBuilder()
                        .setStartTs(BEGINNING)
                        .setTs(BEGINNING.plusSeconds(30))
                        .setConnState("S1")
                        .build(),
                JOB,
                true);
        JobFlow sixMinutes = JobFlow.of(
                Fixtures.flowBuilder()
                        .setStartTs(BEGINNING)
                        .setTs(BEGINNING.plusSeconds(360))
                        .build(),
                JOB,
                true);

        assertThat(shortOne.durationMs()).isEqualTo(30_000);
        assertThat(shortOne.longLived()).isFalse();
        assertThat(stillOpen.longLived()).isTrue();
        assertThat(sixMinutes.longLived()).isTrue();
    }
}
