package io.vigil.tools.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.state.StateObject;

/**
 * How big a completed checkpoint's state is, per operator (keyed and operator state apart), read from its
 * {@code _metadata}: what the checkpoint goal is about, without guessing from file sizes.
 *
 * @param files the bytes of the checkpoint's files on disk (0 where only its metadata was read)
 * @param total the state size of every operator together, bytes
 * @param bytesByOperator operator (its uid, else its name) to its keyed and its operator state, bytes, largest first
 */
record CheckpointSizes(long checkpoint, long files, long total, Map<String, long[]> bytesByOperator) {
    static final CheckpointSizes NONE = new CheckpointSizes(-1, 0, 0, Map.of());

    /**
     * The latest completed checkpoint under {@code dir} ({@code chk-N/_metadata}) with the size of its files, or
     * {@link #NONE}. One walk of the directory: the bench calls this while the measured job runs.
     */
    static CheckpointSizes ofLatest(Path dir) {
        return ofLatest(dir, NONE);
    }

    /**
     * The same, or {@code previous} itself when the latest is still the checkpoint it describes: its metadata
     * is read once, not at every look (reading a backlog's, with an offset per waiting record, took the bench's
     * own thread several percent of the measured CPU at four looks a second).
     */
    static CheckpointSizes ofLatest(Path dir, CheckpointSizes previous) {
        try (Stream<Path> all = Files.walk(dir)) {
            Path latest = all.filter(p -> p.getFileName().toString().equals("_metadata"))
                    .max((a, b) -> Long.compare(number(a.getParent()), number(b.getParent())))
                    .orElse(null);
            if (latest == null) {
                return NONE;
            }
            if (previous.checkpoint() >= 0 && number(latest.getParent()) == previous.checkpoint()) {
                return previous;
            }
            CheckpointSizes sizes = read(latest);
            try (Stream<Path> files = Files.walk(latest.getParent())) {
                long bytes = files.filter(Files::isRegularFile)
                        .mapToLong(f -> f.toFile().length())
                        .sum();
                return new CheckpointSizes(sizes.checkpoint(), bytes, sizes.total(), sizes.bytesByOperator());
            }
        } catch (IOException | RuntimeException e) {
            return NONE; // a checkpoint being written or discarded as we look
        }
    }

    /** One checkpoint's sizes from its {@code _metadata} file. */
    static CheckpointSizes read(Path metadataFile) throws IOException {
        CheckpointMetadata metadata;
        try (InputStream in = Files.newInputStream(metadataFile)) {
            metadata = Checkpoints.loadCheckpointMetadata(
                    new DataInputStream(in),
                    CheckpointSizes.class.getClassLoader(),
                    metadataFile.getParent().toString());
        }
        Map<String, long[]> sizes = new LinkedHashMap<>();
        long total = 0;
        for (OperatorState operator : metadata.getOperatorStates()) {
            long keyed = 0;
            long operatorState = 0;
            for (OperatorSubtaskState subtask : operator.getStates()) {
                keyed += size(subtask.getManagedKeyedState()) + size(subtask.getRawKeyedState());
                operatorState += size(subtask.getManagedOperatorState()) + size(subtask.getRawOperatorState());
            }
            if (keyed + operatorState == 0) {
                continue;
            }
            String name = operator.getOperatorUid()
                    .filter(u -> !u.isBlank())
                    .or(operator::getOperatorName)
                    .orElse(operator.getOperatorID().toString());
            long[] both = sizes.computeIfAbsent(name, n -> new long[2]);
            both[0] += keyed;
            both[1] += operatorState;
            total += keyed + operatorState;
        }
        Map<String, long[]> byOperator = new LinkedHashMap<>();
        sizes.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue()[0] + b.getValue()[1], a.getValue()[0] + a.getValue()[1]))
                .forEach(e -> byOperator.put(e.getKey(), e.getValue()));
        return new CheckpointSizes(metadata.getCheckpointId(), 0, total, byOperator);
    }

    /** Operator to {@code "keyed K, operator O"} bytes, largest first. */
    Map<String, String> byOperator() {
        Map<String, String> text = new LinkedHashMap<>();
        bytesByOperator.forEach((name, both) -> text.put(name, "keyed " + both[0] + ", operator " + both[1]));
        return text;
    }

    private static long size(Iterable<? extends StateObject> handles) {
        long bytes = 0;
        for (StateObject handle : handles) {
            bytes += handle.getStateSize();
        }
        return bytes;
    }

    private static long number(Path chk) {
        String name = chk.getFileName().toString();
        return name.startsWith("chk-") ? Long.parseLong(name.substring(4)) : -1;
    }
}
