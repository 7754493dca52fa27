package io.vigil.records;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.records.json.JsonRecordCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrintableTest {
    /** What a hostile job id carries: clear screen, set title, BEL, CR/LF, NUL, DEL, C1 CSI, bidi, zero-width, tag. */
    static final String HOSTILE = "job\u001b[2J\u001b]0;owned\u0007\r\nfake line\u0000\u007f\u009b31m"
            + "\u202egnp.exe\u200b\u2028\u2029\ufeff" + new String(Character.toChars(0xE0041)) + "end";

    @Test
    void everyCharacterThatActsOnATerminalOrHidesTextIsShownAsAnEscape() {
        assertThat(Printable.escape(HOSTILE))
                .isEqualTo("job\\u001b[2J\\u001b]0;owned\\u0007\\r\\nfake line\\u0000\\u007f\\u009b31m"
                        + "\\u202egnp.exe\\u200b\\u2028\\u2029\\ufeff\\udb40\\udc41end");
        assertThat(Printable.escape(HOSTILE).codePoints().filter(c -> c != '\\'))
                .noneMatch(Printable::escaped);
    }

    @Test
    void plainTextOfAnyScriptIsTheSameStringAndOnlyTheBackslashIsDoubled() {
        String plain = "rl-agent-7 · 训练任务 · задача · 😀 10.0.0.1:443";
        assertThat(Printable.escape(plain)).isSameAs(plain);
        assertThat(Printable.escape("C:\\u001b")).isEqualTo("C:\\\\u001b");
        assertThat(Printable.escape((String) null)).isNull();
        assertThat(Printable.escape("a\tb")).isEqualTo("a\\tb");
        assertThat(Printable.escape("lone \ud800 half")).isEqualTo("lone \\ud800 half");
    }

    @Test
    void theEscapedTextReadsBackToTheOriginalAsAJavaOrJsonStringLiteral() throws Exception {
        Random random = new Random(18);
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>(List.of(HOSTILE, "\\u001b", "\\\\", "a\"b"));
        for (int i = 0; i < 500; i++) {
            StringBuilder s = new StringBuilder();
            for (int k = random.nextInt(20); k > 0; k--) {
                s.append((char) (random.nextBoolean() ? random.nextInt(0x100) : random.nextInt(0x10000)));
            }
            texts.add(s.toString());
        }
        for (String text : texts) {
            String escaped = Printable.escape(text).replace("\"", "\\\"");
            assertThat(json.readValue("\"" + escaped + "\"", String.class)).isEqualTo(text);
        }
    }

    @Test
    void jsonLinesOfRecordsEscapeWhatRfc8259AllowsRawToo() {
        Assignment a = Fixtures.assignmentBuilder().setJobId(HOSTILE).build();
        String line = JsonRecordCodec.of(RecordType.ASSIGNMENT).encode(a);
        // Jackson decides per UTF-16 unit: a character beyond U+FFFF (the tag) is left as it is
        assertThat(line.codePoints().filter(c -> c != '\\' && c < 0x10000).filter(Printable::escaped))
                .as("no control, bidi or separator character raw in " + line)
                .isEmpty();
        assertThat(line).contains("\\u202e", "\\u2028", "\\u2029", "\\u009b", "\\u001B");
        assertThat(JsonRecordCodec.of(RecordType.ASSIGNMENT)
                        .decode(line)
                        .record()
                        .getJobId())
                .isEqualTo(HOSTILE);
    }
}
