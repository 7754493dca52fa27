package io.vigil.records.formats;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.records.Decoded;
import io.vigil.records.Flow;
import io.vigil.records.RecordRejected;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * goflow2's JSON lines ({@code -format=json}): one object per flow with snake_case keys, for NetFlow v5/v9,
 * IPFIX and sFlow alike (github.com/netsampler/goflow2, docs/protocols.md): {@code type},
 * {@code time_received_ns}, {@code sampling_rate}, {@code sampler_address}, {@code time_flow_start_ns},
 * {@code time_flow_end_ns}, {@code bytes}, {@code packets}, {@code src_addr}, {@code dst_addr},
 * {@code proto}, {@code src_port}, {@code dst_port}, ...
 *
 * <p>A goflow2 flow is one direction: its bytes and packets are the originator's, the reply is another
 * flow. Bytes and packets are multiplied by {@code sampling_rate} (0, absent: unsampled). Times: the
 * {@code _ns} fields (nanoseconds, or RFC 3339 text when goflow2 formats times), else the older
 * {@code time_flow_start}/{@code time_flow_end}/{@code time_received} in seconds; the end of the flow (else
 * when it was received) is the event time. {@code proto} is a name ({@code "TCP"}) or an IANA number.
 * The node is the configured one, else the {@code sampler_address} (the exporting router or host).
 */
final class Goflow2Format extends JsonObjectLines<Flow> {
    private final FormatOptions options;

    Goflow2Format(FormatOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return Formats.GOFLOW2;
    }

    @Override
    Decoded<Flow> decodeObject(JsonNode o) {
        try {
            Long end = time(o, "time_flow_end_ns", "time_flow_end");
            Long received = time(o, "time_received_ns", "time_received");
            Long start = time(o, "time_flow_start_ns", "time_flow_start");
            Long ts = end != null && end > 0 ? end : received;
            if (ts == null) {
                throw new RecordRejected(
                        RejectReason.MISSING_TIME,
                        "time_flow_end_ns",
                        "no time_flow_end_ns, time_flow_end, time_received_ns or time_received");
            }
            long startTs = start != null && start > 0 ? Math.min(start, ts) : ts;
            long rate = Math.max(1, count(o, "sampling_rate"));
            String sampler = text(o, "sampler_address", false);
            String protocol = protocol(o);
            // goflow2 gives ICMP's type and code in their own fields (ports are 0); the Flow schema, like Zeek,
            // carries them in the ports, where the features tell an error reply from a probe
            boolean icmp = protocol.equals("ICMP") || protocol.equals("ICMPv6");
            Flow flow = Flow.newBuilder()
                    .setTs(Instant.ofEpochMilli(ts))
                    .setStartTs(Instant.ofEpochMilli(startTs))
                    .setNode(options.nodeOr(sampler))
                    .setJobId(null)
                    .setSrcIp(text(o, "src_addr", true))
                    .setDstIp(text(o, "dst_addr", true))
                    .setSrcPort((int) Math.min(
                            Integer.MAX_VALUE, count(o, icmp && o.has("icmp_type") ? "icmp_type" : "src_port")))
                    .setDstPort((int) Math.min(
                            Integer.MAX_VALUE, count(o, icmp && o.has("icmp_code") ? "icmp_code" : "dst_port")))
                    .setProtocol(protocol)
                    .setOrigBytes(Values.times("bytes", count(o, "bytes"), rate))
                    .setOrigPkts(Values.times("packets", count(o, "packets"), rate))
                    .setRespBytes(0L)
                    .setRespPkts(0L)
                    .setConnState(null)
                    .build();
            return Values.checked(RecordType.FLOW, flow);
        } catch (RecordRejected e) {
            return Decoded.rejected(e.rejection());
        }
    }

    /** ms from the {@code _ns} field (number or RFC 3339 text), else from the seconds field. */
    private static Long time(JsonNode o, String nsField, String secondsField) throws RecordRejected {
        JsonNode ns = o.get(nsField);
        if (ns != null && !ns.isNull()) {
            if (ns.isTextual()) {
                return Values.isoMillis(nsField, ns.textValue());
            }
            if (!ns.isIntegralNumber()) {
                throw new RecordRejected(
                        RejectReason.WRONG_TYPE, nsField, nsField + " should be nanoseconds, not " + ns);
            }
            long v = ns.asLong();
            if (v < 0) {
                throw new RecordRejected(RejectReason.NEGATIVE_TIME, nsField, nsField + " is before 1970: " + v);
            }
            return Math.floorDiv(v, 1_000_000L);
        }
        JsonNode s = o.get(secondsField);
        if (s != null && !s.isNull()) {
            if (s.isTextual()) {
                return Values.isoMillis(secondsField, s.textValue());
            }
            if (!s.isNumber()) {
                throw new RecordRejected(
                        RejectReason.WRONG_TYPE, secondsField, secondsField + " should be seconds, not " + s);
            }
            long ms = Values.secondsToMillis(secondsField, new BigDecimal(s.asText()));
            if (ms < 0) {
                throw new RecordRejected(RejectReason.NEGATIVE_TIME, secondsField, secondsField + " is before 1970");
            }
            return ms;
        }
        return null;
    }

    private static long count(JsonNode o, String field) throws RecordRejected {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new RecordRejected(
                    RejectReason.WRONG_TYPE,
                    field,
                    field + " should be an integer, not " + Values.abbreviate(v.toString()));
        }
        return v.asLong();
    }

    private static String text(JsonNode o, String field, boolean required) throws RecordRejected {
        JsonNode v = o.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.textValue().isEmpty())) {
            if (required) {
                throw new RecordRejected(RejectReason.MISSING_FIELD, field, field + " is missing");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new RecordRejected(
                    RejectReason.WRONG_TYPE, field, field + " should be text, not " + Values.abbreviate(v.toString()));
        }
        return v.textValue();
    }

    private static String protocol(JsonNode o) throws RecordRejected {
        JsonNode v = o.get("proto");
        if (v == null || v.isNull()) {
            throw new RecordRejected(RejectReason.MISSING_FIELD, "proto", "proto is missing");
        }
        return Values.protocol(v.asText());
    }
}
