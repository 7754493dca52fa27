package io.vigil.pipeline.ingest;

import io.vigil.records.Decoded;
import io.vigil.records.InputBounds;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import io.vigil.records.Rejection;
import io.vigil.records.agents.AgentCommands;
import io.vigil.records.formats.DcgmPrometheusFormat;
import io.vigil.records.formats.FormatOptions;
import io.vigil.records.formats.Formats;
import io.vigil.records.formats.LineFormat;
import io.vigil.records.formats.NvidiaSmiCsvFormat;
import io.vigil.records.json.JsonRecordCodec;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;

/**
 * Decodes one input (a Kafka message or a JSON line) into a {@link Received}: the record, or a dead
 * letter with the reason, the source position and the original. Serializable configuration; the codecs
 * are built on first use in the task.
 *
 * <p>Every record it accepts also meets the {@link InputBounds}: a plausible event time (checked against
 * the processing time when the input is live, a Kafka topic; a file's records are judged against their
 * file by {@link TextLinesFormat}) and counts a link can carry. A Kafka message longer than the line limit
 * is {@code too_large} before it is read as text.
 */
public final class ReceivedDecoder<T extends SpecificRecord> implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Originals longer than this are cut in dead letters: a dead letter must fit in a Kafka message. */
    static final int MAX_ORIGINAL = 64 * 1024;

    private final String typeName;
    private final String topic;
    private final String registryUrl;
    /** The input format's name ({@link Formats}); canonical by default. */
    private final String format;

    private final String node;
    private InputBounds bounds = InputBounds.DEFAULTS;
    /** Whether records are judged against the processing time ({@link InputBounds#eventTime}): Kafka, not files. */
    private boolean live;

    private transient RecordType<T> type;
    private transient LineFormat<T> lineFormat;
    private transient RecordFraming<T> framing;
    private transient JsonRecordCodec<T> json;

    private ReceivedDecoder(String typeName, String topic, String registryUrl) {
        this(typeName, topic, registryUrl, Formats.VIGIL, null);
    }

    private ReceivedDecoder(String typeName, String topic, String registryUrl, String format, String node) {
        this.typeName = typeName;
        this.topic = topic;
        this.registryUrl = registryUrl;
        this.format = format;
        this.node = node;
    }

    /**
     * For input in a named format ({@link Formats}): text lines in files, or Kafka messages on {@code topic}
     * (canonical Avro framed as configured for {@code vigil}/{@code vigil-avro}, else text).
     *
     * @param node the node for formats that carry none, or null
     */
    public static <T extends SpecificRecord> ReceivedDecoder<T> forFormat(
            RecordType<T> type, String format, String node, String topic, String registryUrl) {
        if (!format.equals(Formats.VIGIL_AVRO)) {
            Formats.of(
                    type, format, FormatOptions.DEFAULTS); // refuses an unknown or unfitting name now, not in the task
        }
        return new ReceivedDecoder<>(type.name(), topic, registryUrl, format, node);
    }

    public String format() {
        return format;
    }

    /**
     * Sets the bounds records must meet; {@code live}: the input is read as it happens (Kafka), so event times
     * are also checked against the processing time. Before the decoder is shipped to the job.
     */
    public ReceivedDecoder<T> bounded(InputBounds bounds, boolean live) {
        this.bounds = bounds;
        this.live = live;
        return this;
    }

    public InputBounds bounds() {
        return bounds;
    }

    /** The dead letter of a line refused before it was decoded (too long, not UTF-8, where a file broke). */
    public Received refusedLine(Rejection why, String source, String original) {
        return Received.of(why.toDeadLetter(typeName, source, null, cut(original)));
    }

    /** The dead letter of a record refused after it was decoded (a bound it fails, judged by its file). */
    public Received refused(Object record, Rejection why, String source) {
        String original;
        try {
            original =
                    cut(JsonRecordCodec.of(type()).encode(type().recordClass().cast(record)));
        } catch (RuntimeException e) {
            original = String.valueOf(record);
        }
        long ts = InputBounds.eventTimeOf(record);
        return Received.of(
                why.toDeadLetter(typeName, source, ts == Long.MIN_VALUE ? null : Instant.ofEpochMilli(ts), original));
    }

    /** Whether lines are canonical JSON (the old path, {@link #decodeLine}), rather than another text format. */
    public boolean isCanonicalJson() {
        return format.equals(Formats.VIGIL) || format.equals(Formats.VIGIL_JSON);
    }

    private LineFormat<T> lineFormat() {
        if (lineFormat == null) {
            lineFormat = Formats.of(type(), format, FormatOptions.node(node));
        }
        return lineFormat;
    }

    /** Reads one text stream (a file) line by line in this decoder's format, keeping its headers. */
    public LineReader lineReader(String sourceName) {
        return new LineReader(lineFormat().newReader(sourceName));
    }

    /** One stream's reader: each line gives zero or more records or dead letters. */
    public final class LineReader {
        private final LineFormat.Reader<T> reader;

        private LineReader(LineFormat.Reader<T> reader) {
            this.reader = reader;
        }

        public List<Received> read(String line, String source) {
            return received(reader.read(line), source, line);
        }

        /** What the stream still holds at its end (a last DCGM scrape or nvidia-smi sample). */
        public List<Received> finish(String source) {
            return received(reader.finish(), source, "");
        }
    }

    /**
     * Decodes one Kafka message: canonical Avro as framed; a DCGM scrape or an nvidia-smi poll as one block
     * timed by the message's timestamp; other text formats line by line.
     */
    public void decodeMessage(byte[] value, Supplier<String> position, long messageTs, Consumer<Received> out) {
        if (Formats.isAvroOnKafka(format)) {
            out.accept(decodeMessage(value, position));
            return;
        }
        String source = position.get();
        if (value != null && value.length > bounds.maxLineBytes()) {
            out.accept(Received.of(new Rejection(
                            RejectReason.TOO_LARGE,
                            null,
                            "the message has " + value.length + " bytes, more than input.max.line.bytes "
                                    + bounds.maxLineBytes())
                    .toDeadLetter(typeName, source, (Instant) null, cut(Arrays.copyOf(value, 256)))));
            return;
        }
        String text;
        try {
            text = value == null
                    ? ""
                    : StandardCharsets.UTF_8
                            .newDecoder()
                            .decode(ByteBuffer.wrap(value))
                            .toString();
        } catch (CharacterCodingException e) {
            out.accept(Received.of(new Rejection(RejectReason.BAD_ENCODING, null, "the message is not UTF-8 text")
                    .toDeadLetter(typeName, source, (Instant) null, cut(value))));
            return;
        }
        List<Decoded<T>> decoded;
        Long ts = messageTs >= 0 ? messageTs : null;
        if (lineFormat() instanceof DcgmPrometheusFormat dcgm) {
            decoded = uncheckedCast(dcgm.parseScrape(text, ts));
        } else if (lineFormat() instanceof NvidiaSmiCsvFormat smi) {
            decoded = uncheckedCast(smi.parsePoll(text, "", ts));
        } else {
            LineFormat.Reader<T> reader = lineFormat().newReader(source);
            decoded = new ArrayList<>();
            for (String line : text.split("\r?\n")) {
                decoded.addAll(reader.read(line));
            }
            decoded.addAll(reader.finish());
        }
        if (decoded.isEmpty()) {
            decoded = List.of(
                    Decoded.rejected(RejectReason.MALFORMED, null, "the message holds no " + typeName + " record"));
        }
        received(decoded, source, text).forEach(out);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T> List<Decoded<T>> uncheckedCast(List decoded) {
        return decoded; // the format was chosen by this decoder's type
    }

    private List<Received> received(List<Decoded<T>> decoded, String source, String original) {
        if (decoded.isEmpty()) {
            return List.of();
        }
        List<Received> out = new ArrayList<>(decoded.size());
        for (Decoded<T> d : decoded) {
            out.add(
                    d.isAccepted()
                            ? accepted(d, source, original)
                            : Received.of(d.rejection().toDeadLetter(typeName, source, null, cut(original))));
        }
        return out;
    }

    /** A decoded record that must still meet the bounds; a cumulative report keeps its connection. */
    private Received accepted(Decoded<T> d, String source, String original) {
        T record = d.record();
        Rejection r = bounds.check(record, live ? System.currentTimeMillis() : -1);
        if (r != null) {
            long ts = InputBounds.eventTimeOf(record);
            return Received.of(r.toDeadLetter(
                    typeName, source, ts == Long.MIN_VALUE ? null : Instant.ofEpochMilli(ts), cut(original)));
        }
        Received received = Received.of(record);
        if (d.cumulative() != null) {
            received.connection = d.cumulative().connection();
            received.connectionOpen = d.cumulative().open();
        }
        return received;
    }

    /** For JSON lines. */
    public static <T extends SpecificRecord> ReceivedDecoder<T> json(RecordType<T> type) {
        return new ReceivedDecoder<>(type.name(), null, null);
    }

    /** For Avro messages on a topic, framed as configured (single-object, or Confluent with a registry). */
    public static <T extends SpecificRecord> ReceivedDecoder<T> avro(
            RecordType<T> type, String topic, String registryUrl) {
        return new ReceivedDecoder<>(type.name(), topic, registryUrl);
    }

    @SuppressWarnings("unchecked")
    private RecordType<T> type() {
        if (type == null) {
            type = (RecordType<T>) RecordType.byName(typeName);
        }
        return type;
    }

    public Received decodeLine(String line, String source) {
        if (json == null) {
            json = JsonRecordCodec.of(type());
        }
        Decoded<T> decoded = json.decode(line);
        if (decoded.isAccepted()) {
            return accepted(decoded, source, line);
        }
        return Received.of(decoded.rejection().toDeadLetter(typeName, source, null, cut(line)));
    }

    /**
     * Decodes one Avro message. {@code position} names where it was read (topic, partition, offset), asked only for
     * a dead letter: building it for every message was a tenth of the decoder's garbage.
     */
    public Received decodeMessage(byte[] value, Supplier<String> position) {
        if (framing == null) {
            framing = Framings.forTopic(type(), topic, registryUrl);
        }
        Decoded<T> decoded = framing.decode(value);
        if (decoded.isAccepted()) {
            Rejection r = bounds.check(decoded.record(), live ? System.currentTimeMillis() : -1);
            if (r == null) {
                return Received.of(decoded.record());
            }
            long ts = InputBounds.eventTimeOf(decoded.record());
            return Received.of(r.toDeadLetter(
                    typeName, position.get(), ts == Long.MIN_VALUE ? null : Instant.ofEpochMilli(ts), cut(value)));
        }
        return Received.of(decoded.rejection().toDeadLetter(typeName, position.get(), (Instant) null, cut(value)));
    }

    public String typeName() {
        return typeName;
    }

    /**
     * The original bytes as a dead letter keeps them: cut; none of an agent event, whose command may hold a secret
     * that undecoded bytes do not let {@link AgentCommands} find.
     */
    private byte[] cut(byte[] value) {
        if (typeName.equals(RecordType.AGENT_EVENT.name())) {
            return null;
        }
        return value == null || value.length <= MAX_ORIGINAL ? value : Arrays.copyOf(value, MAX_ORIGINAL);
    }

    /** The original text as a dead letter keeps it: cut, and an agent event's secrets masked. */
    private String cut(String text) {
        String line = typeName.equals(RecordType.AGENT_EVENT.name()) ? AgentCommands.mask(text) : text;
        if (line.length() <= MAX_ORIGINAL) {
            return line;
        }
        // cut on a character boundary; the reason already says what was wrong
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= MAX_ORIGINAL ? line : line.substring(0, MAX_ORIGINAL / 4) + "...";
    }
}
