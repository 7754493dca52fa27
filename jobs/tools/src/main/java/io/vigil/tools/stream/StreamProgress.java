package io.vigil.tools.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.tools.output.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How far a {@code vigil stream} got: which of its records the broker has acknowledged, so that
 * {@code --resume} sends each of the others once and none twice. Records are numbered in the order the stream
 * reads them (the datasets one after the other, each in event-time order, which is deterministic); the broker
 * acknowledges them in order per partition but not across partitions, so what is kept is the count of the
 * unbroken run acknowledged from the start and the numbers acknowledged beyond it. Also kept, so a resumed
 * stream plays the same timeline and looks for its alerts in the same place: each dataset's time shift, and the
 * alert topic's offsets when the stream began.
 *
 * <p>The file is JSON, written whole to a temporary file and moved over the old one, so a crash leaves the old
 * or the new one, never half of one. It lives where {@link #defaultFile} says, not in the dataset (which may be
 * read-only, and is shared by streams to different brokers).
 */
public final class StreamProgress {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What the stream is: its datasets, broker, input topics and drill; a file of another stream is refused. */
    private final String identity;

    private final List<Long> shifts = new ArrayList<>();
    private final Map<Integer, Long> alertOffsets = new TreeMap<>();
    private long acked;
    private final TreeSet<Long> ackedBeyond = new TreeSet<>();
    private boolean complete;

    private StreamProgress(String identity) {
        this.identity = identity;
    }

    /** A stream that has sent nothing yet. */
    public static StreamProgress fresh(String identity) {
        return new StreamProgress(identity);
    }

    /**
     * Where a stream's progress is kept unless {@code --progress-file} says: {@code $XDG_STATE_HOME/vigil/stream/}
     * (else {@code ~/.local/state/vigil/stream/}), one file per stream, named by a hash of its identity.
     */
    public static Path defaultFile(String identity) {
        String state = System.getenv("XDG_STATE_HOME");
        Path base = state != null && !state.isBlank()
                ? Path.of(state)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("vigil").resolve("stream").resolve(hash(identity) + ".json");
    }

    static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JVM has SHA-256
        }
    }

    /**
     * The progress in the file, or null when there is none.
     *
     * @throws IOException when it cannot be read, or is another stream's
     */
    public static StreamProgress load(Path file, String identity) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException("cannot read the progress file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.path("identity").isTextual()) {
            throw new IOException("the progress file " + file + " is not one vigil stream wrote");
        }
        if (!root.path("identity").textValue().equals(identity)) {
            throw new IOException("the progress file " + file + " is of another stream ("
                    + root.path("identity").textValue() + "), not of " + identity);
        }
        StreamProgress p = new StreamProgress(identity);
        root.path("shifts_ms").forEach(n -> p.shifts.add(n.isNull() ? null : n.longValue()));
        root.path("alert_offsets")
                .fields()
                .forEachRemaining(e -> p.alertOffsets.put(
                        Integer.parseInt(e.getKey()), e.getValue().longValue()));
        p.acked = root.path("acked").longValue();
        root.path("acked_beyond").forEach(n -> p.ackedBeyond.add(n.longValue()));
        p.complete = root.path("complete").booleanValue();
        return p;
    }

    /** Writes the file (whole, then moved over the old one). */
    public synchronized void save(Path file) throws IOException {
        ObjectNode root = Json.object();
        root.put("identity", identity);
        root.put("updated", Instant.now().toString());
        root.put("complete", complete);
        root.put("acked", acked);
        ArrayNode beyond = root.putArray("acked_beyond");
        ackedBeyond.forEach(beyond::add);
        ArrayNode s = root.putArray("shifts_ms");
        shifts.forEach(v -> {
            if (v == null) {
                s.addNull();
            } else {
                s.add(v);
            }
        });
        ObjectNode offsets = root.putObject("alert_offsets");
        alertOffsets.forEach((p, o) -> offsets.put(String.valueOf(p), o));
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve(file.getFileName() + ".tmp");
        Files.writeString(temp, Json.text(root), StandardCharsets.UTF_8);
        try {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The broker acknowledged record {@code seq}. */
    public synchronized void ack(long seq) {
        if (seq < acked) {
            return;
        }
        ackedBeyond.add(seq);
        while (ackedBeyond.remove(acked)) {
            acked++;
        }
    }

    /** Whether record {@code seq} was acknowledged (by this run or an earlier one). */
    public synchronized boolean isAcked(long seq) {
        return seq < acked || ackedBeyond.contains(seq);
    }

    /** How many records were acknowledged in all. */
    public synchronized long ackedCount() {
        return acked + ackedBeyond.size();
    }

    /** The time shift of dataset {@code index}, or null when it has not begun. */
    public synchronized Long shift(int index) {
        return index < shifts.size() ? shifts.get(index) : null;
    }

    public synchronized void shift(int index, long ms) {
        while (shifts.size() <= index) {
            shifts.add(null);
        }
        shifts.set(index, ms);
    }

    /** The alert topic's offsets (read_committed) when the stream began; empty when not taken. */
    public synchronized Map<Integer, Long> alertOffsets() {
        return Map.copyOf(alertOffsets);
    }

    public synchronized void alertOffsets(Map<Integer, Long> offsets) {
        alertOffsets.clear();
        alertOffsets.putAll(offsets);
    }

    public synchronized boolean complete() {
        return complete;
    }

    public synchronized void complete(boolean done) {
        complete = done;
    }
}
