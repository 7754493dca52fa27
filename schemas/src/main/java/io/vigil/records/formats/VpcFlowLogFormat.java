package io.vigil.records.formats;

import io.vigil.records.Decoded;
import io.vigil.records.Flow;
import io.vigil.records.RecordRejected;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * AWS VPC Flow Logs as delivered to S3 or CloudWatch Logs (AWS VPC User Guide, "Flow log records"):
 * space-separated fields, {@code -} for none. The default format is version 2:
 * {@code version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end
 * action log-status}. A custom format is read from its header line of field names (as S3 delivery writes
 * it, {@code version vpc-id ... log-status}, or as the format is defined, {@code ${version} ${vpc-id} ...};
 * {@code _} and {@code -} are the same). Lines before any header use the default format.
 *
 * <p>{@code start} and {@code end} are epoch seconds of the aggregation interval; {@code end} is the event
 * time. {@code protocol} is an IANA number. One record is one direction as the interface saw it, so bytes
 * and packets are the source's. {@code action REJECT} sets {@code conn_state REJ}. {@code NODATA} and
 * {@code SKIPDATA} lines carry no flow and are refused as {@code unsupported}. The node is the configured
 * one, else the record's {@code instance-id}, else its {@code interface-id}.
 */
final class VpcFlowLogFormat implements LineFormat<Flow> {
    static final List<String> DEFAULT_FIELDS = List.of(
            "version",
            "account-id",
            "interface-id",
            "srcaddr",
            "dstaddr",
            "srcport",
            "dstport",
            "protocol",
            "packets",
            "bytes",
            "start",
            "end",
            "action",
            "log-status");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Pattern FIELD_NAME = Pattern.compile("(\\$\\{)?[a-z][a-z0-9_-]*}?");

    private final FormatOptions options;

    VpcFlowLogFormat(FormatOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return Formats.VPC;
    }

    @Override
    public Reader<Flow> newReader(String sourceName) {
        return new Reader<>() {
            private List<String> fields = DEFAULT_FIELDS;

            @Override
            public List<Decoded<Flow>> read(String line) {
                String trimmed = line.trim();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    return List.of();
                }
                String[] tokens = SPACES.split(trimmed);
                if (isHeader(tokens)) {
                    fields = new ArrayList<>();
                    for (String t : tokens) {
                        fields.add(normalise(t));
                    }
                    return List.of();
                }
                if (tokens.length != fields.size()) {
                    return List.of(Decoded.rejected(
                            RejectReason.MALFORMED,
                            null,
                            tokens.length + " fields where the format has " + fields.size()));
                }
                Map<String, String> byName = new HashMap<>();
                for (int i = 0; i < tokens.length; i++) {
                    byName.put(fields.get(i), tokens[i]);
                }
                return List.of(flow(byName));
            }
        };
    }

    private static boolean isHeader(String[] tokens) {
        boolean named = false;
        for (String t : tokens) {
            if (!FIELD_NAME.matcher(t).matches()) {
                return false;
            }
            String n = normalise(t);
            named |= n.equals("srcaddr") || n.equals("version") || n.equals("log-status");
        }
        return named;
    }

    static String normalise(String token) {
        String t = token;
        if (t.startsWith("${") && t.endsWith("}")) {
            t = t.substring(2, t.length() - 1);
        }
        return t.replace('_', '-').toLowerCase(Locale.ROOT);
    }

    private Decoded<Flow> flow(Map<String, String> f) {
        try {
            String status = value(f, "log-status");
            if (status != null && !status.equals("OK")) {
                throw new RecordRejected(
                        RejectReason.UNSUPPORTED,
                        "log-status",
                        "log-status " + Values.abbreviate(status) + ": no flow was recorded in this interval");
            }
            long start = Values.secondsToMillis("start", required(f, "start", RejectReason.MISSING_TIME));
            long end = Values.secondsToMillis("end", required(f, "end", RejectReason.MISSING_TIME));
            String action = value(f, "action");
            String instance = value(f, "instance-id");
            Flow flow = Flow.newBuilder()
                    .setTs(Instant.ofEpochMilli(end))
                    .setStartTs(Instant.ofEpochMilli(start))
                    .setNode(options.nodeOr(instance != null ? instance : value(f, "interface-id")))
                    .setJobId(null)
                    .setSrcIp(required(f, "srcaddr", RejectReason.MISSING_FIELD))
                    .setDstIp(required(f, "dstaddr", RejectReason.MISSING_FIELD))
                    .setSrcPort(port(f, "srcport"))
                    .setDstPort(port(f, "dstport"))
                    .setProtocol(Values.protocol(required(f, "protocol", RejectReason.MISSING_FIELD)))
                    .setOrigBytes(count(f, "bytes"))
                    .setOrigPkts(count(f, "packets"))
                    .setRespBytes(0L)
                    .setRespPkts(0L)
                    .setConnState("REJECT".equals(action) ? "REJ" : null)
                    .build();
            return Values.checked(RecordType.FLOW, flow);
        } catch (RecordRejected e) {
            return Decoded.rejected(e.rejection());
        }
    }

    private static String value(Map<String, String> f, String name) {
        String v = f.get(name);
        return v == null || v.equals("-") ? null : v;
    }

    private static String required(Map<String, String> f, String name, RejectReason reason) throws RecordRejected {
        String v = value(f, name);
        if (v == null) {
            throw new RecordRejected(reason, name, name + " is missing");
        }
        return v;
    }

    private static int port(Map<String, String> f, String name) throws RecordRejected {
        String v = value(f, name);
        return v == null ? 0 : Values.port(name, v);
    }

    private static long count(Map<String, String> f, String name) throws RecordRejected {
        String v = value(f, name);
        return v == null ? 0 : Values.integer(name, v);
    }
}
