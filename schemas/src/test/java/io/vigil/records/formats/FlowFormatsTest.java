package io.vigil.records.formats;

import static io.vigil.records.formats.FormatFixtures.accepted;
import static io.vigil.records.formats.FormatFixtures.at;
import static io.vigil.records.formats.FormatFixtures.read;
import static io.vigil.records.formats.FormatFixtures.reasons;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.records.Decoded;
import io.vigil.records.Flow;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each flow format's fixture: its good lines as exact canonical flows, each kind of bad line as its reason. */
class FlowFormatsTest {

    static Flow flow(
            Instant start,
            Instant end,
            String node,
            String src,
            int sport,
            String dst,
            int dport,
            String proto,
            long origBytes,
            long respBytes,
            long origPkts,
            long respPkts,
            String state) {
        return Flow.newBuilder()
                .setTs(end)
                .setStartTs(start)
                .setNode(node)
                .setJobId(null)
                .setSrcIp(src)
                .setSrcPort(sport)
                .setDstIp(dst)
                .setDstPort(dport)
                .setProtocol(proto)
                .setOrigBytes(origBytes)
                .setRespBytes(respBytes)
                .setOrigPkts(origPkts)
                .setRespPkts(respPkts)
                .setConnState(state)
                .build();
    }

    @Test
    void goflow2FlowsAreOneDirectionScaledBySamplingWithNanosecondTimes() {
        List<Decoded<Flow>> out = read(Formats.flows(Formats.GOFLOW2, FormatOptions.DEFAULTS), "goflow2.json");
        assertThat(accepted(out))
                .containsExactly(
                        flow(
                                at(0.25),
                                at(60.75),
                                "10.0.0.254",
                                "10.0.2.1",
                                50522,
                                "203.0.113.7",
                                22,
                                "TCP",
                                52_000,
                                0,
                                40,
                                0,
                                null),
                        flow(
                                at(65),
                                at(65),
                                "10.0.0.253",
                                "fd01::1",
                                53,
                                "fd01::2",
                                41001,
                                "UDP",
                                1_500_000,
                                0,
                                1_000,
                                0,
                                null),
                        flow(at(68), at(69), "10.0.0.252", "10.0.2.1", 0, "10.0.9.9", 0, "ICMP", 84, 0, 1, 0, null));
        assertThat(reasons(out)).containsExactly("malformed", "missing_field", "missing_time", "bad_ip", "wrong_type");
    }

    @Test
    void goflow2IcmpTypeAndCodeGoWhereZeekPutsThemInThePorts() {
        LineFormat.Reader<Flow> reader =
                Formats.flows(Formats.GOFLOW2, FormatOptions.DEFAULTS).newReader("icmp");
        String portUnreachable = "{\"time_flow_end_ns\":1771038068000000000,\"sampler_address\":\"10.0.0.252\","
                + "\"src_addr\":\"10.0.9.9\",\"dst_addr\":\"10.0.2.1\",\"proto\":\"ICMP\",\"icmp_type\":3,"
                + "\"icmp_code\":3,\"src_port\":0,\"dst_port\":0,\"bytes\":84,\"packets\":1}";
        Flow reply = accepted(reader.read(portUnreachable)).get(0);
        assertThat(reply.getSrcPort()).as("type").isEqualTo(3);
        assertThat(reply.getDstPort()).as("code").isEqualTo(3);
        String udp = portUnreachable.replace("\"ICMP\"", "\"UDP\"").replace("\"src_port\":0", "\"src_port\":1900");
        assertThat(accepted(reader.read(udp)).get(0).getSrcPort())
                .as("a UDP flow keeps its ports")
                .isEqualTo(1900);
    }

    @Test
    void aConfiguredNodeWinsOverTheSamplerAddress() {
        List<Decoded<Flow>> out = read(Formats.flows(Formats.GOFLOW2, FormatOptions.node("edge-1")), "goflow2.json");
        assertThat(accepted(out)).extracting(Flow::getNode).containsOnly("edge-1");
    }

    @Test
    void zeekTsvFollowsItsHeaderAndEndsEachConnectionAtTsPlusDuration() {
        List<Decoded<Flow>> out = read(Formats.flows(Formats.ZEEK_TSV, FormatOptions.node("zeek-1")), "conn.log");
        assertThat(accepted(out))
                .containsExactly(
                        flow(
                                at(5.123),
                                at(60.623),
                                "zeek-1",
                                "10.0.2.1",
                                50522,
                                "203.0.113.7",
                                22,
                                "TCP",
                                48_213,
                                3_120,
                                40,
                                31,
                                "SF"),
                        flow(at(10), at(10), "zeek-1", "10.0.2.1", 41000, "10.0.50.3", 3306, "TCP", 0, 0, 1, 0, "S0"),
                        flow(
                                at(11.5),
                                at(11.5),
                                "zeek-1",
                                "10.0.2.1",
                                53111,
                                "10.0.0.2",
                                53,
                                "UDP",
                                34,
                                234,
                                1,
                                1,
                                "SF"));
        assertThat(reasons(out))
                .containsExactly("malformed", "bad_ip", "out_of_range", "missing_time", "wrong_type", "unsupported");
    }

    @Test
    void zeekTsvWithoutAHeaderIsReadInTheDefaultConnColumns() {
        LineFormat.Reader<Flow> reader =
                Formats.flows(Formats.ZEEK_TSV, FormatOptions.DEFAULTS).newReader("kafka");
        List<Decoded<Flow>> out = reader.read(
                "1771038011.5\tC1\t10.0.2.1\t53111\t10.0.0.2\t53\tudp\tdns\t0.000368\t34\t234\tSF\tT\tT\t0\tDd\t1\t62\t1\t262\t(empty)");
        assertThat(out)
                .singleElement()
                .satisfies(d -> assertThat(d.record())
                        .isEqualTo(flow(
                                at(11.5),
                                at(11.5),
                                "unknown",
                                "10.0.2.1",
                                53111,
                                "10.0.0.2",
                                53,
                                "UDP",
                                34,
                                234,
                                1,
                                1,
                                "SF")));
    }

    @Test
    void zeekIcmpKeepsTypeAndCodeInThePortsAndNamesIcmpv6() {
        LineFormat.Reader<Flow> reader =
                Formats.flows(Formats.ZEEK_TSV, FormatOptions.node("zeek-1")).newReader("kafka");
        // a port unreachable (type 3, code 3) sent back by 10.0.0.9, and an ICMPv6 destination unreachable (type 1,
        // code 4)
        List<Decoded<Flow>> v4 = reader.read(
                "1771038011.5\tC1\t10.0.0.9\t3\t10.0.2.1\t3\ticmp\t-\t-\t-\t-\tOTH\tT\tT\t0\t-\t1\t56\t0\t0\t(empty)");
        List<Decoded<Flow>> v6 = reader.read(
                "1771038012\tC2\tfd01::9\t1\tfd01::1\t4\ticmp\t-\t-\t-\t-\tOTH\tT\tT\t0\t-\t1\t96\t0\t0\t(empty)");
        assertThat(v4)
                .singleElement()
                .satisfies(d -> assertThat(d.record())
                        .isEqualTo(flow(
                                at(11.5),
                                at(11.5),
                                "zeek-1",
                                "10.0.0.9",
                                3,
                                "10.0.2.1",
                                3,
                                "ICMP",
                                0,
                                0,
                                1,
                                0,
                                "OTH")));
        assertThat(v6)
                .singleElement()
                .satisfies(d -> assertThat(d.record())
                        .isEqualTo(flow(
                                at(12), at(12), "zeek-1", "fd01::9", 1, "fd01::1", 4, "ICMPv6", 0, 0, 1, 0, "OTH")));
        assertThat(ZeekConn.protocol("icmp", "::ffff:10.0.0.1")).isEqualTo("ICMP");
    }

    @Test
    void zeekJsonTakesEpochOrIsoTimesAndRefusesOtherLogs() {
        List<Decoded<Flow>> out =
                read(Formats.flows(Formats.ZEEK_JSON, FormatOptions.node("zeek-1")), "zeek-conn.json");
        assertThat(accepted(out))
                .containsExactly(
                        flow(
                                at(5.123),
                                at(60.623),
                                "zeek-1",
                                "10.0.2.1",
                                50522,
                                "203.0.113.7",
                                22,
                                "TCP",
                                48_213,
                                3_120,
                                40,
                                31,
                                "SF"),
                        flow(at(10), at(10), "zeek-1", "10.0.2.1", 41000, "10.0.50.3", 3306, "TCP", 0, 0, 1, 0, "S0"));
        assertThat(reasons(out)).containsExactly("malformed", "unsupported", "missing_field");
    }

    @Test
    void vpcFlowLogsInTheDefaultAndACustomFormat() {
        List<Decoded<Flow>> out = read(Formats.flows(Formats.VPC, FormatOptions.DEFAULTS), "vpc-flow-logs.log");
        String eni = "eni-1235b8ca123456789";
        assertThat(accepted(out))
                .containsExactly(
                        flow(at(0), at(60), eni, "10.0.2.1", 50522, "203.0.113.7", 22, "TCP", 4249, 0, 20, 0, null),
                        flow(at(0), at(60), eni, "198.51.100.2", 49761, "10.0.2.1", 3389, "TCP", 4249, 0, 20, 0, "REJ"),
                        flow(
                                at(100),
                                at(160),
                                "i-01234567890123456",
                                "10.0.2.1",
                                41000,
                                "10.0.50.3",
                                5432,
                                "TCP",
                                44,
                                0,
                                1,
                                0,
                                null));
        assertThat(reasons(out)).containsExactly("unsupported", "malformed", "bad_ip", "missing_time", "unsupported");
    }

    @Test
    void vpcCustomFormatHeaderMayUseTheDefinitionSyntax() {
        LineFormat.Reader<Flow> reader =
                Formats.flows(Formats.VPC, FormatOptions.node("vpc-a")).newReader("s3");
        assertThat(
                        reader.read(
                                "${version} ${srcaddr} ${dstaddr} ${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${log-status}"))
                .isEmpty();
        assertThat(reader.read("5 10.0.2.1 203.0.113.7 17 900 3 1771038000 1771038060 ACCEPT OK"))
                .singleElement()
                .satisfies(d -> assertThat(d.record())
                        .isEqualTo(flow(
                                at(0), at(60), "vpc-a", "10.0.2.1", 0, "203.0.113.7", 0, "UDP", 900, 0, 3, 0, null)));
    }

    @Test
    void protocolNumbersBecomeNames() {
        assertThat(List.of("6", "17", "1", "58", "47", "tcp", "icmp"))
                .extracting(Values::protocol)
                .containsExactly("TCP", "UDP", "ICMP", "ICMPv6", "47", "TCP", "ICMP");
    }

    @Test
    void theRegistryNamesEveryFormatAndRefusesOthers() {
        for (String name : Formats.FLOW_FORMATS) {
            if (!name.equals(Formats.VIGIL_AVRO)) {
                assertThat(Formats.flows(name, FormatOptions.DEFAULTS).newReader("x"))
                        .isNotNull();
            }
        }
        assertThatThrownBy(() -> Formats.flows("netflow-v1", FormatOptions.DEFAULTS))
                .hasMessageContaining("known: vigil, vigil-json, vigil-avro, goflow2, zeek-tsv, zeek-json, vpc");
    }
}
