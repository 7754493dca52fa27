package io.vigil.pipeline.serde;

import io.vigil.records.Fixtures;
import io.vigil.records.Flow;
import java.time.Instant;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's own serializer test suite (round trips one by one and in sequence, with and without reuse,
 * copy, stream-to-stream copy, duplicate across threads, snapshot write, read and compatibility) over
 * flows with every field set, with the optional ones absent, with the required ones absent too (as
 * {@code new Flow()} leaves them), and at the edges of what the instants, numbers and strings can hold.
 */
public class FlowSerializerTest extends SerializerTestBase<Flow> {

    FlowSerializerTest() {
        super(SameFields.checker());
    }

    @Override
    protected TypeSerializer<Flow> createSerializer() {
        return FlowSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<Flow> getTypeClass() {
        return Flow.class;
    }

    @Override
    protected Flow[] getTestData() {
        return flows();
    }

    public static Flow[] flows() {
        Flow optionalsAbsent =
                Fixtures.flowBuilder().setJobId(null).setConnState(null).build();
        Flow everythingAbsent = new Flow();
        Flow before1970 = Fixtures.flowBuilder()
                .setTs(Instant.parse("1969-12-31T23:59:59.999Z"))
                .setStartTs(Instant.ofEpochMilli(-86_400_001L))
                .build();
        Flow extremes = Fixtures.flowBuilder()
                .setTs(Instant.ofEpochMilli(Long.MAX_VALUE))
                .setStartTs(Instant.ofEpochMilli(Long.MIN_VALUE))
                .setSrcPort(Integer.MIN_VALUE)
                .setDstPort(Integer.MAX_VALUE)
                .setOrigBytes(Long.MAX_VALUE)
                .setRespBytes(Long.MIN_VALUE)
                .setOrigPkts(-1)
                .setRespPkts(0)
                .setNode("")
                .setProtocol("ü-TCP \u0000 \uD83D\uDE80 " + "x".repeat(70_000))
                .build();
        Flow ipv6 = Fixtures.flowBuilder()
                .setSrcIp("fd00:10:3::17")
                .setDstIp("2001:db8::1")
                .setProtocol("UDP")
                .setConnState("S0")
                .setJobId(null)
                .setTs(Instant.ofEpochMilli(0))
                .setStartTs(Instant.ofEpochMilli(-1))
                .build();
        return new Flow[] {Fixtures.flow(), optionalsAbsent, everythingAbsent, before1970, extremes, ipv6};
    }
}
