package io.vigil.records.formats;

import io.vigil.records.Decoded;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads the fixture files under {@code formats/} the way a file source does: line by line, then finish. */
final class FormatFixtures {
    static final Instant BEGINNING = Instant.parse("2026-02-14T03:00:00Z");

    private FormatFixtures() {}

    static String text(String resource) {
        try (InputStream in = FormatFixtures.class.getResourceAsStream("/formats/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> List<Decoded<T>> read(LineFormat<T> format, String resource) {
        LineFormat.Reader<T> reader = format.newReader(resource);
        List<Decoded<T>> out = new ArrayList<>();
        for (String line : text(resource).split("\n", -1)) {
            out.addAll(reader.read(line));
        }
        out.addAll(reader.finish());
        return out;
    }

    static <T> List<T> accepted(List<Decoded<T>> decoded) {
        return decoded.stream().filter(Decoded::isAccepted).map(Decoded::record).toList();
    }

    static <T> List<String> reasons(List<Decoded<T>> decoded) {
        return decoded.stream()
                .filter(d -> !d.isAccepted())
                .map(d -> d.rejection().reason().code())
                .toList();
    }

    static Instant at(double secondsAfterBeginning) {
        return BEGINNING.plusMillis(Math.round(secondsAfterBeginning * 1000));
    }
}
