package io.vigil.records.formats;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.records.Decoded;
import io.vigil.records.Flow;
import io.vigil.records.RecordRejected;
import io.vigil.records.RejectReason;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Zeek's JSON logs ({@code LogAscii::use_json=T}): one conn.log entry per line, keys as in the TSV header
 * ({@code "id.orig_h"}), absent fields left out, {@code ts} epoch seconds (or ISO 8601 text with
 * {@code LogAscii::json_timestamps=JSON::TS_ISO8601}). {@code _path} {@code conn_long} (or, without
 * {@code _path}, a source named {@code conn_long...}) is the long-connections package's interim log; a line
 * with any other {@code _path} than {@code conn} is {@code unsupported}. Conversions: {@link ZeekConn}.
 */
final class ZeekJsonFormat extends JsonObjectLines<Flow> {
    private final FormatOptions options;

    ZeekJsonFormat(FormatOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return Formats.ZEEK_JSON;
    }

    @Override
    public Reader<Flow> newReader(String sourceName) {
        String defaultPath = ZeekConn.pathOf(sourceName);
        return line -> line.isBlank() || line.startsWith("#")
                ? List.of()
                : List.of(decode(line, o -> decodeObject(o, defaultPath)));
    }

    @Override
    Decoded<Flow> decodeObject(JsonNode o) {
        return decodeObject(o, ZeekConn.PATH);
    }

    private Decoded<Flow> decodeObject(JsonNode o, String defaultPath) {
        JsonNode path = o.get("_path");
        String logPath = path != null && path.isTextual() ? path.textValue() : defaultPath;
        if (!ZeekConn.isConnections(logPath)) {
            return Decoded.rejected(
                    RejectReason.UNSUPPORTED,
                    "_path",
                    "a Zeek " + Values.abbreviate(logPath) + " log entry, not conn: it holds no connection");
        }
        Map<String, String> fields = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = o.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isValueNode() && !v.isNull()) {
                fields.put(e.getKey(), v.asText());
            }
        }
        Long ts = null;
        JsonNode t = o.get("ts");
        try {
            if (t != null && t.isTextual()) {
                ts = Values.isoMillis("ts", t.textValue());
            } else if (t != null && !t.isNull() && !t.isNumber()) {
                throw new RecordRejected(
                        RejectReason.WRONG_TYPE,
                        "ts",
                        "ts should be epoch seconds, not " + Values.abbreviate(t.toString()));
            }
        } catch (RecordRejected e) {
            return Decoded.rejected(e.rejection());
        }
        return ZeekConn.flow(fields, null, ts, options, logPath.equals(ZeekConn.LONG_PATH));
    }
}
