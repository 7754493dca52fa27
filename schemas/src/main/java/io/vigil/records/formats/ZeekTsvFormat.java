package io.vigil.records.formats;

import io.vigil.records.Decoded;
import io.vigil.records.Flow;
import io.vigil.records.RejectReason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Zeek's tab-separated conn.log (Zeek's ASCII writer, docs.zeek.org "Zeek Logs"): header lines
 * {@code #separator \x09}, {@code #set_separator}, {@code #empty_field}, {@code #unset_field},
 * {@code #path}, {@code #open}, {@code #fields}, {@code #types}, {@code #close}, then one connection per
 * line. The reader follows the header: its separator, unset marker and column order (a stream with no
 * {@code #fields} is read in Zeek's default conn.log order). {@code #path conn_long} (or, without a header,
 * a source named {@code conn_long...}) is the long-connections package's interim log. A log whose
 * {@code #path} is neither (dns, http, ...) is refused line by line as {@code unsupported}. Conversions:
 * {@link ZeekConn}.
 */
final class ZeekTsvFormat implements LineFormat<Flow> {
    private final FormatOptions options;

    ZeekTsvFormat(FormatOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return Formats.ZEEK_TSV;
    }

    @Override
    public Reader<Flow> newReader(String sourceName) {
        return new Reader<>() {
            private String separator = "\t";
            private String unset = "-";
            private String path = ZeekConn.pathOf(sourceName);
            private List<String> fields = ZeekConn.DEFAULT_FIELDS;

            @Override
            public List<Decoded<Flow>> read(String line) {
                if (line.isBlank()) {
                    return List.of();
                }
                if (line.startsWith("#")) {
                    header(line);
                    return List.of();
                }
                if (!ZeekConn.isConnections(path)) {
                    return List.of(Decoded.rejected(
                            RejectReason.UNSUPPORTED,
                            "#path",
                            "a Zeek " + path + " log, not conn.log: it holds no connections"));
                }
                String[] values = line.split(Pattern.quote(separator), -1);
                if (values.length != fields.size()) {
                    return List.of(Decoded.rejected(
                            RejectReason.MALFORMED,
                            null,
                            values.length + " columns where #fields names " + fields.size()));
                }
                Map<String, String> byName = new HashMap<>();
                for (int i = 0; i < values.length; i++) {
                    byName.put(fields.get(i), values[i]);
                }
                return List.of(ZeekConn.flow(byName, unset, null, options, path.equals(ZeekConn.LONG_PATH)));
            }

            private void header(String line) {
                if (line.startsWith("#separator")) {
                    String s = line.substring("#separator".length()).trim();
                    separator = unescape(s);
                    return;
                }
                int cut = line.indexOf(separator);
                if (cut < 0) {
                    return; // a comment
                }
                String key = line.substring(1, cut);
                String rest = line.substring(cut + separator.length());
                switch (key) {
                    case "unset_field" -> unset = rest;
                    case "path" -> path = rest;
                    case "fields" -> fields = new ArrayList<>(List.of(rest.split(Pattern.quote(separator), -1)));
                    default -> {}
                }
            }
        };
    }

    /** {@code \x09} and friends, as Zeek writes the separator. */
    static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\'
                    && i + 3 < s.length()
                    && s.charAt(i + 1) == 'x'
                    && Character.digit(s.charAt(i + 2), 16) >= 0
                    && Character.digit(s.charAt(i + 3), 16) >= 0) {
                out.append((char) Integer.parseInt(s.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.length() == 0 ? "\t" : out.toString();
    }
}
