package io.vigil.records.formats;

import io.vigil.records.Decoded;
import io.vigil.records.Flow;
import io.vigil.records.RecordRejected;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One Zeek conn.log entry (docs.zeek.org, base/protocols/conn/main.zeek, Conn::Info) as a canonical flow,
 * whichever way Zeek wrote it (TSV or JSON).
 *
 * <p>Zeek's {@code ts} is the time of the connection's first packet and {@code duration} how long it lasted,
 * and Zeek logs a connection once, when it ends. So {@code start_ts = ts} and the canonical event time
 * (the end of the reported interval) is {@code ts + duration}; a connection with no duration (one packet,
 * {@code -}) ends when it starts. Times are epoch seconds with a fraction, cut to ms. {@code -} (the unset
 * field) is 0 for counts; {@code proto} (tcp, udp, icmp) is upper-cased; {@code conn_state} is kept.
 *
 * <p>The long-connections package (github.com/corelight/zeek-long-connections) writes the same columns to
 * {@code conn_long.log} while a connection is open, at configured durations: {@code ts} is still the start,
 * {@code duration} and the counters are cumulative so far. So every record with a {@code uid} is marked
 * {@link Decoded#cumulative}: an interim one open, the conn.log one closing the connection; the pipeline
 * turns them into per-interval counts (ConnectionIntervals in the jobs).
 *
 * <p>ICMP: Zeek writes the ICMP type in {@code id.orig_p} and the code in {@code id.resp_p}, and they stay
 * there ({@code src_port} is the type, {@code dst_port} the code: see the Flow schema). Zeek's {@code proto}
 * says {@code icmp} for ICMPv6 too; between IPv6 addresses it becomes {@code ICMPv6}, as IANA number 58 does
 * in the other formats, because the type numbers of the two differ (3 is "unreachable" in ICMP, "time
 * exceeded" in ICMPv6).
 */
final class ZeekConn {
    /** Zeek's default conn.log columns ({@link Formats#ZEEK_CONN_DEFAULT_FIELDS}). */
    static final List<String> DEFAULT_FIELDS = Formats.ZEEK_CONN_DEFAULT_FIELDS;

    /** The {@code #path} of conn.log, and of the long-connections package's interim log. */
    static final String PATH = "conn";

    static final String LONG_PATH = "conn_long";

    private ZeekConn() {}

    /** Whether a log of this path holds connections. */
    static boolean isConnections(String path) {
        return PATH.equals(path) || LONG_PATH.equals(path);
    }

    /** The path a log has when it does not say: conn_long for a source named so ({@code conn_long.log.gz}), else conn. */
    static String pathOf(String sourceName) {
        if (sourceName == null) {
            return PATH;
        }
        String file = sourceName.substring(sourceName.lastIndexOf('/') + 1);
        return file.startsWith(LONG_PATH) ? LONG_PATH : PATH;
    }

    /**
     * @param fields field name to value text; absent or {@code unset} (usually {@code -}) means unset
     * @param tsMillis the start time, when the caller already converted it (Zeek JSON's ISO times); else null
     * @param interim whether the record is an interim one of conn_long.log (more of the connection follow)
     */
    static Decoded<Flow> flow(
            Map<String, String> fields, String unset, Long tsMillis, FormatOptions options, boolean interim) {
        try {
            long start;
            if (tsMillis != null) {
                start = tsMillis;
            } else {
                String ts = value(fields, "ts", unset);
                if (ts == null) {
                    throw new RecordRejected(RejectReason.MISSING_TIME, "ts", "ts is missing");
                }
                start = Values.secondsToMillis("ts", ts);
            }
            String duration = value(fields, "duration", unset);
            long end = start;
            if (duration != null) {
                BigDecimal d = Values.decimal("duration", duration);
                if (d.signum() < 0) {
                    throw new RecordRejected(
                            RejectReason.OUT_OF_RANGE, "duration", "duration is negative: " + duration);
                }
                end = start + Values.secondsToMillis("duration", d);
            }
            Flow flow = Flow.newBuilder()
                    .setTs(Instant.ofEpochMilli(end))
                    .setStartTs(Instant.ofEpochMilli(start))
                    .setNode(options.nodeOr(value(fields, "_node_name", unset)))
                    .setJobId(null)
                    .setSrcIp(required(fields, "id.orig_h", unset))
                    .setDstIp(required(fields, "id.resp_h", unset))
                    .setSrcPort(port(fields, "id.orig_p", unset))
                    .setDstPort(port(fields, "id.resp_p", unset))
                    .setProtocol(protocol(required(fields, "proto", unset), required(fields, "id.resp_h", unset)))
                    .setOrigBytes(count(fields, "orig_bytes", unset))
                    .setRespBytes(count(fields, "resp_bytes", unset))
                    .setOrigPkts(count(fields, "orig_pkts", unset))
                    .setRespPkts(count(fields, "resp_pkts", unset))
                    .setConnState(value(fields, "conn_state", unset))
                    .build();
            return Values.checked(RecordType.FLOW, flow).cumulative(value(fields, "uid", unset), interim);
        } catch (RecordRejected e) {
            return Decoded.rejected(e.rejection());
        }
    }

    /** Zeek's proto as a canonical name; its {@code icmp} between IPv6 addresses is ICMPv6 (see the class doc). */
    static String protocol(String proto, String respHost) {
        String name = Values.protocol(proto);
        return name.equals("ICMP") && respHost.indexOf(':') >= 0 && !respHost.startsWith("::ffff:") ? "ICMPv6" : name;
    }

    private static String value(Map<String, String> fields, String name, String unset) {
        String v = fields.get(name);
        return v == null || v.equals(unset) || v.isEmpty() ? null : v;
    }

    private static String required(Map<String, String> fields, String name, String unset) throws RecordRejected {
        String v = value(fields, name, unset);
        if (v == null) {
            throw new RecordRejected(RejectReason.MISSING_FIELD, name, name + " is missing");
        }
        return v;
    }

    private static int port(Map<String, String> fields, String name, String unset) throws RecordRejected {
        String v = value(fields, name, unset);
        return v == null ? 0 : Values.port(name, v);
    }

    private static long count(Map<String, String> fields, String name, String unset) throws RecordRejected {
        String v = value(fields, name, unset);
        return v == null ? 0 : Values.integer(name, v);
    }
}
