package io.vigil.records.formats;

import io.vigil.records.RejectReason;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Lines of a text input, read with bounded memory, as bytes first: a line longer than the limit is skipped to
 * its end without being held (a {@code too_large} line carrying only its first bytes), a line that is not
 * UTF-8 is {@code bad_encoding} (never U+FFFD in a node name), a UTF-8 byte order mark at the start is
 * skipped, and {@code \r\n} ends a line like {@code \n}. A stream that fails while being read (a truncated
 * or corrupt {@code .gz} throws {@code EOFException} or {@code ZipException} from the inflater) ends there:
 * the lines before are kept, and {@link #failure()} says what broke and at which byte.
 */
public final class BoundedLines implements Closeable {
    /** Bytes of a refused line kept to show in its dead letter. */
    static final int KEPT_OF_REFUSED = 256;

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    /** One line: its number (from 1), its text, and why it cannot be used, if it cannot. */
    public record Line(long number, String text, RejectReason problem, String detail) {
        public boolean usable() {
            return problem == null;
        }
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int pos;
    private int limit;
    private byte[] line = new byte[256];
    private int lineLength;
    private long lineNumber;
    private long consumed;
    private boolean eof;
    private String failure;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    public BoundedLines(InputStream in, int maxLineBytes) {
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
        }
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line, or null at the end of the stream (or where it broke: {@link #failure()}). */
    public Line next() {
        lineLength = 0;
        long lineBytes = 0;
        boolean sawAny = false;
        while (true) {
            if (pos == limit && !fill()) {
                if (!sawAny) {
                    return null;
                }
                break;
            }
            sawAny = true;
            int start = pos;
            int nl = -1;
            for (int i = pos; i < limit; i++) {
                if (buffer[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int end = nl < 0 ? limit : nl;
            append(start, end - start, lineBytes);
            lineBytes += end - start;
            pos = nl < 0 ? limit : nl + 1;
            consumed += pos - start;
            if (nl >= 0) {
                break;
            }
        }
        lineNumber++;
        boolean tooLarge = lineBytes > maxLineBytes;
        int length = tooLarge ? Math.min(lineLength, KEPT_OF_REFUSED) : lineLength;
        if (!tooLarge && length > 0 && line[length - 1] == '\r') {
            length--;
        }
        int offset = 0;
        if (lineNumber == 1 && length >= 3 && Arrays.equals(line, 0, 3, BOM, 0, 3)) {
            offset = 3;
        }
        if (tooLarge) {
            return new Line(
                    lineNumber,
                    lenient(offset, length - offset) + "...",
                    RejectReason.TOO_LARGE,
                    "the line has " + lineBytes + " bytes, more than input.max.line.bytes " + maxLineBytes);
        }
        try {
            String text =
                    utf8.decode(ByteBuffer.wrap(line, offset, length - offset)).toString();
            return new Line(lineNumber, text, null, null);
        } catch (CharacterCodingException e) {
            return new Line(
                    lineNumber,
                    lenient(offset, Math.min(length - offset, KEPT_OF_REFUSED)),
                    RejectReason.BAD_ENCODING,
                    "the line is not UTF-8 text");
        }
    }

    /** Keeps up to the limit (plus one byte, to tell a longer line) of each line; the rest is only counted. */
    private void append(int from, int count, long alreadyInLine) {
        long room = (long) maxLineBytes + 1 - alreadyInLine;
        int keep = (int) Math.max(0, Math.min(count, room));
        if (keep == 0) {
            return;
        }
        if (lineLength + keep > line.length) {
            line = Arrays.copyOf(
                    line, (int) Math.min((long) maxLineBytes + 1, Math.max(lineLength + keep, 2L * line.length)));
        }
        System.arraycopy(buffer, from, line, lineLength, keep);
        lineLength += keep;
    }

    private boolean fill() {
        if (eof) {
            return false;
        }
        try {
            int n = in.read(buffer, 0, buffer.length);
            if (n < 0) {
                eof = true;
                return false;
            }
            pos = 0;
            limit = n;
            return true;
        } catch (IOException e) {
            eof = true;
            failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + " after "
                    + consumed + " bytes (line " + (lineNumber + 1) + ")";
            pos = limit = 0;
            return false;
        }
    }

    private String lenient(int offset, int length) {
        return new String(line, offset, Math.max(0, length), StandardCharsets.UTF_8);
    }

    /** Bytes read so far (of the uncompressed text). */
    public long position() {
        return consumed;
    }

    /** Lines read so far. */
    public long lines() {
        return lineNumber;
    }

    /** What broke the stream and where, or null when it ended normally (or has not ended). */
    public String failure() {
        return failure;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
