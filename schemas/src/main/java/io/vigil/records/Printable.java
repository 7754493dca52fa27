package io.vigil.records;

/**
 * Text from data as a terminal, a log or a page may show it. Whoever controls a job, a pod or a file controls
 * its job id, node, pod, process and file names: an ESC sequence there can clear the screen, retitle the
 * window or rewrite the line above, CR/LF can forge a whole line of output, a bidi override (U+202E) or a
 * zero-width character can make one name read as another. {@link #escape} shows every such character as a
 * visible escape instead, the way Java and JSON write them: {@code \n}, {@code \r}, {@code \t}, {@code \\}
 * for the backslash itself, else {@code \}{@code uXXXX} (a character beyond U+FFFF as its two UTF-16 halves).
 * Escaping the backslash keeps it reversible: a name that spells {@code \}{@code u001b} is shown as
 * {@code \\u001b}, never as what an escaped ESC looks like.
 *
 * <p>Escaped: the controls (C0, DEL, C1: U+0000–U+001F, U+007F–U+009F), the format characters (Unicode
 * category Cf: the bidi embeddings, overrides and isolates, zero-width joiners and spaces, the invisible tag
 * characters U+E0000–U+E007F, a BOM), the line and paragraph separators U+2028 and U+2029, and a lone UTF-16
 * surrogate. Everything else, any script included, is shown as it is.
 */
public final class Printable {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Printable() {}

    /** Whether {@link #escape} shows this code point as an escape. */
    public static boolean escaped(int codePoint) {
        if (codePoint == '\\') {
            return true;
        }
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL,
                    Character.FORMAT,
                    Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR,
                    Character.SURROGATE -> true;
            default -> false;
        };
    }

    /** The text with every character of {@link #escaped} as a visible escape; the same string when it has none. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int first = firstEscaped(text);
        if (first < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); ) {
            int c = text.codePointAt(i);
            int width = Character.charCount(c);
            if (!escaped(c)) {
                out.appendCodePoint(c);
            } else {
                switch (c) {
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        for (int k = i; k < i + width; k++) {
                            unicode(out, text.charAt(k));
                        }
                    }
                }
            }
            i += width;
        }
        return out.toString();
    }

    /** {@link #escape} of the value's text: for records and numbers printed beside data. */
    public static String escape(Object value) {
        return value == null ? null : escape(value.toString());
    }

    /** {@code \}{@code uXXXX} of one UTF-16 unit. */
    public static void unicode(StringBuilder out, char c) {
        out.append("\\u")
                .append(HEX[(c >> 12) & 0xF])
                .append(HEX[(c >> 8) & 0xF])
                .append(HEX[(c >> 4) & 0xF])
                .append(HEX[c & 0xF]);
    }

    private static int firstEscaped(String text) {
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            if (escaped(c)) {
                return i;
            }
            i += Character.charCount(c);
        }
        return -1;
    }
}
