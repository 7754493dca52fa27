package io.vigil.records.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import io.vigil.records.Printable;

/**
 * The escapes of every JSON Vigil writes (JSON lines of records, summary.json, evaluate's figures). RFC 8259
 * requires only the C0 controls, the quote and the backslash to be escaped, which Jackson does; a file that is
 * {@code cat}ed or {@code grep}ed reaches a terminal all the same, so everything else {@link Printable} escapes
 * is written as {@code \}{@code uXXXX} too: DEL, the C1 controls (U+0080–U+009F), format characters such as
 * the bidi override U+202E, and U+2028/U+2029 (line breaks to JavaScript). The values read back the same.
 * Characters beyond U+FFFF (a Unicode tag, say) are written as they are: Jackson decides per UTF-16 unit.
 */
public final class JsonEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;

    /** The one instance: give it to a factory, mapper or writer. */
    public static final JsonEscapes INSTANCE = new JsonEscapes();

    private final int[] ascii;

    private JsonEscapes() {
        ascii = standardAsciiEscapesForJSON();
        ascii[0x7F] = ESCAPE_STANDARD;
    }

    /** A factory that writes with these escapes (for a mapper: {@code JsonMapper.builder(factory())}). */
    public static JsonFactory factory() {
        return new JsonFactoryBuilder().characterEscapes(INSTANCE).build();
    }

    @Override
    public int[] getEscapeCodesForAscii() {
        return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
        if (Character.isSurrogate((char) ch) || !Printable.escaped(ch)) {
            return null;
        }
        StringBuilder s = new StringBuilder(6);
        Printable.unicode(s, (char) ch);
        return new SerializedString(s.toString());
    }
}
