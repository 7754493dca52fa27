package io.vigil.tools.simulate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.records.formats.Formats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A Zeek conn.log read for an analyst's purposes ({@link CaptureLabels}, {@link CaptureWrap}), in Zeek's
 * TSV (following its {@code #fields} header) or JSON lines (numeric or ISO-8601 {@code ts}), plain or gzip.
 * Deliberately not Vigil's flow decoder: the ground truth of a real capture must not be read through the
 * code it is used to judge, and labelling needs fields the flow record does not carry ({@code service},
 * {@code history}).
 */
public final class ConnLog {
    /** Zeek's format names as {@code --flow-format} knows them. */
    public static final String TSV = "zeek-tsv";

    public static final String JSON = "zeek-json";

    /**
     * One connection. Times in epoch ms; {@code end = start + duration}. Unset counts are 0, unset text null.
     * {@code proto} is lower case (tcp, udp, icmp).
     */
    public record Row(
            long start,
            long end,
            String uid,
            String origH,
            int origP,
            String respH,
            int respP,
            String proto,
            String service,
            long origBytes,
            long respBytes,
            String connState,
            String history) {
        public long durationMs() {
            return end - start;
        }

        public boolean isTcp() {
            return "tcp".equals(proto);
        }

        /** Payload in either direction (Zeek's orig_bytes/resp_bytes: application bytes, not headers). */
        public boolean carriedPayload() {
            return origBytes > 0 || respBytes > 0;
        }
    }

    /** What was read: the rows in file order, the format, and lines that were not connections. */
    public record Read(String format, List<Row> rows, int skipped) {}

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ConnLog() {}

    /** The format of a conn.log from its first non-blank line: {@code {} is JSON, anything else TSV. */
    public static String sniff(Path file) throws IOException {
        try (BufferedReader r = reader(file)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    return line.stripLeading().startsWith("{") ? JSON : TSV;
                }
            }
        }
        return TSV;
    }

    public static Read read(Path file, String format) throws IOException {
        try (BufferedReader r = reader(file)) {
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
            return parse(lines, format);
        }
    }

    /** Parses the lines of a conn.log in {@code format} ({@value #TSV} or {@value #JSON}). */
    public static Read parse(List<String> lines, String format) {
        return switch (format) {
            case TSV -> tsv(lines);
            case JSON -> json(lines);
            default ->
                throw new IllegalArgumentException(
                        "conn.log format must be " + TSV + " or " + JSON + ", not " + format);
        };
    }

    static BufferedReader reader(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    private static Read tsv(List<String> lines) {
        String separator = "\t";
        String unset = "-";
        String path = "conn";
        List<String> fields = Formats.ZEEK_CONN_DEFAULT_FIELDS;
        List<Row> rows = new ArrayList<>();
        int skipped = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#separator")) {
                separator = unescape(line.substring("#separator".length()).trim());
                continue;
            }
            if (line.startsWith("#")) {
                int cut = line.indexOf(separator);
                if (cut > 0) {
                    String key = line.substring(1, cut);
                    String rest = line.substring(cut + separator.length());
                    switch (key) {
                        case "unset_field" -> unset = rest;
                        case "path" -> path = rest;
                        case "fields" -> fields = List.of(rest.split(Pattern.quote(separator), -1));
                        default -> {}
                    }
                }
                continue;
            }
            String[] values = line.split(Pattern.quote(separator), -1);
            if (!path.equals("conn") || values.length != fields.size()) {
                skipped++;
                continue;
            }
            Map<String, String> byName = new HashMap<>();
            for (int i = 0; i < values.length; i++) {
                if (!values[i].equals(unset) && !values[i].isEmpty()) {
                    byName.put(fields.get(i), values[i]);
                }
            }
            Row row = row(byName, null);
            if (row == null) {
                skipped++;
            } else {
                rows.add(row);
            }
        }
        return new Read(TSV, List.copyOf(rows), skipped);
    }

    private static Read json(List<String> lines) {
        List<Row> rows = new ArrayList<>();
        int skipped = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = MAPPER.readTree(line);
            } catch (IOException e) {
                skipped++;
                continue;
            }
            if (node == null || !node.isObject()) {
                skipped++;
                continue;
            }
            Map<String, String> byName = new HashMap<>();
            node.fields().forEachRemaining(e -> {
                JsonNode v = e.getValue();
                if (!v.isNull() && !v.isContainerNode()) {
                    byName.put(e.getKey(), v.isNumber() ? v.decimalValue().toPlainString() : v.asText());
                } else if (v.isArray() && e.getKey().equals("service")) {
                    List<String> parts = new ArrayList<>();
                    v.forEach(p -> parts.add(p.asText()));
                    byName.put("service", String.join(",", parts));
                }
            });
            Long isoTs = null;
            String ts = byName.get("ts");
            if (ts != null && ts.contains("T")) {
                try {
                    isoTs = Instant.parse(ts).toEpochMilli();
                } catch (RuntimeException e) {
                    skipped++;
                    continue;
                }
            }
            Row row = row(byName, isoTs);
            if (row == null) {
                skipped++;
            } else {
                rows.add(row);
            }
        }
        return new Read(JSON, List.copyOf(rows), skipped);
    }

    /** A row from field values (unset ones absent); null when a required field is missing or bad. */
    private static Row row(Map<String, String> f, Long isoTs) {
        try {
            long start = isoTs != null ? isoTs : millis(f.get("ts"));
            String d = f.get("duration");
            long end = d == null ? start : start + millis(d);
            String origH = f.get("id.orig_h");
            String respH = f.get("id.resp_h");
            String proto = f.get("proto");
            if (origH == null || respH == null || proto == null) {
                return null;
            }
            return new Row(
                    start,
                    end,
                    f.get("uid"),
                    origH,
                    integer(f.get("id.orig_p")),
                    respH,
                    integer(f.get("id.resp_p")),
                    proto.toLowerCase(Locale.ROOT),
                    f.get("service"),
                    count(f.get("orig_bytes")),
                    count(f.get("resp_bytes")),
                    f.get("conn_state"),
                    f.get("history"));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static long millis(String seconds) {
        return new BigDecimal(seconds).movePointRight(3).longValue();
    }

    private static int integer(String v) {
        return v == null ? 0 : Integer.parseInt(v);
    }

    private static long count(String v) {
        return v == null ? 0 : Long.parseLong(v);
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.charAt(i + 1) == 'x') {
                out.append((char) Integer.parseInt(s.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.length() == 0 ? "\t" : out.toString();
    }
}
