package io.vigil.pipeline.detect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Folds records into one partial accumulator per key and tumbling window before they are shuffled to a
 * keyed window, which then merges partials instead of adding records: one record per key, window and
 * subtask crosses the network instead of every flow or sample, and the window's state is touched as
 * often. Chained after the operator that makes the records; no state of its own.
 *
 * <p><b>Same windows, same results.</b> The accumulators' merge is exact (their sums are integers), so a
 * window gets the same result from partials as from the records. A partial is sent before this subtask
 * forwards the watermark that closes its window, so it reaches the window before the window fires,
 * exactly as its records would have. A record whose window this subtask's watermark has already closed
 * is passed on as it is: the window then judges it late, or not, as before (and its dead letter names it);
 * so is a record without a key or a timestamp, for the window to handle as before.
 * Everything held is also sent before a checkpoint barrier (so nothing needs checkpointing), when the
 * input goes idle (the window would stop waiting for it), and at the end of input.
 *
 * <p><b>Duplicates are counted once here.</b> An at-least-once exporter or shipper sends some reports twice.
 * This is the cheapest place that sees every copy: the operator before it is keyed by an address of the
 * record, so all copies of one report reach the same subtask, and its window is already at hand. So a
 * subclass may give each record a {@link #fingerprint}; a record whose fingerprint its window has already
 * seen is dropped. The fingerprints (8 bytes a record) are kept until the watermark closes their window,
 * across the flushes before checkpoints, and are not checkpointed: after a restart the sources rewind to
 * the checkpoint, whose partials hold none of the records read again.
 *
 * <p>That a held record reaches its window on time rests on one property of today's graph: every input of
 * the window descends from the same sources as this operator's input, so they go idle and active together
 * and the window's watermark cannot pass one this subtask has not forwarded. A window fed from another
 * source too (whose watermark could run ahead while this input is idle) would see held records late.
 *
 * @param <IN> the records
 * @param <ACC> the partial accumulator
 * @param <OUT> what the keyed window reads: a record passed on, or a partial
 */
abstract class PreCombine<IN, ACC, OUT> extends AbstractStreamOperator<OUT>
        implements OneInputStreamOperator<IN, OUT>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final long windowMs;

    /** Window start to key to the partial of that key and window. */
    private transient TreeMap<Long, Map<String, ACC>> partials;
    /** The window the last record went to (most records go to the window of the one before), or null. */
    private transient Map<String, ACC> lastWindow;

    private transient long lastStart;
    private transient long watermark;
    private transient StreamRecord<OUT> reuse;
    private transient Counter combined;
    private transient Counter sent;
    private transient Counter duplicates;
    /** Window start to the fingerprints of the records it has taken; only with {@link #fingerprint}s. */
    private transient TreeMap<Long, SeenFingerprints> seen;

    PreCombine(long windowMs) {
        if (windowMs <= 0) {
            throw new IllegalArgumentException("window size must be positive: " + windowMs);
        }
        this.windowMs = windowMs;
    }

    /** The key of the window downstream: the job. */
    protected abstract String key(IN record);

    protected abstract ACC newPartial();

    protected abstract void add(ACC partial, IN record);

    /**
     * What makes a record the same report as another (its key, interval and counts), folded to 64 bits; 0 (the
     * default) when records are never duplicates of each other.
     */
    protected long fingerprint(IN record) {
        return 0;
    }

    /** A partial as the window's input. */
    protected abstract OUT partial(ACC partial);

    /** A record passed on as it is, as the window's input. */
    protected abstract OUT single(IN record);

    @Override
    public void open() throws Exception {
        super.open();
        partials = new TreeMap<>();
        watermark = Long.MIN_VALUE;
        reuse = new StreamRecord<>(null);
        combined = getMetricGroup().counter("preCombinedRecords");
        sent = getMetricGroup().counter("preCombinedPartials");
        duplicates = getMetricGroup().counter("duplicateRecords");
        seen = new TreeMap<>();
    }

    @Override
    public void processElement(StreamRecord<IN> element) {
        IN record = element.getValue();
        String key = key(record);
        long start =
                element.hasTimestamp() ? TimeWindow.getWindowStartWithOffset(element.getTimestamp(), 0, windowMs) : 0;
        if (key == null || !element.hasTimestamp() || start + windowMs - 1 <= watermark) {
            output.collect(element.replace(single(record)));
            return;
        }
        long fingerprint = fingerprint(record);
        if (fingerprint != 0
                && !seen.computeIfAbsent(start, s -> new SeenFingerprints()).add(fingerprint)) {
            duplicates.inc();
            return;
        }
        Map<String, ACC> window = lastWindow != null && lastStart == start ? lastWindow : null;
        if (window == null) {
            window = partials.computeIfAbsent(start, s -> new HashMap<>());
            lastWindow = window;
            lastStart = start;
        }
        ACC partial = window.get(key);
        if (partial == null) {
            partial = newPartial();
            window.put(key, partial);
        }
        add(partial, record);
        combined.inc();
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
        sendUpTo(watermark);
        // windows the watermark has closed take no more records here: their fingerprints can go
        while (!seen.isEmpty() && seen.firstKey() + windowMs - 1 <= watermark) {
            seen.pollFirstEntry();
        }
        super.processWatermark(mark);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        if (status.isIdle()) {
            sendUpTo(Long.MAX_VALUE);
        }
        super.processWatermarkStatus(status);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        sendUpTo(Long.MAX_VALUE);
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() {
        sendUpTo(Long.MAX_VALUE);
        seen.clear();
    }

    /** Sends the partials of every window that ends at or before {@code upTo} (inclusive of its last ms). */
    private void sendUpTo(long upTo) {
        lastWindow = null; // it may be sent and removed here
        Iterator<Map.Entry<Long, Map<String, ACC>>> windows =
                partials.entrySet().iterator();
        while (windows.hasNext()) {
            Map.Entry<Long, Map<String, ACC>> window = windows.next();
            long lastMs = window.getKey() + windowMs - 1;
            if (upTo != Long.MAX_VALUE && lastMs > upTo) {
                break;
            }
            // sorted keys: the same partials go out in the same order in every run
            List<String> keys = new ArrayList<>(window.getValue().keySet());
            keys.sort(null);
            for (String key : keys) {
                output.collect(reuse.replace(partial(window.getValue().get(key)), lastMs));
                sent.inc();
            }
            windows.remove();
        }
    }
}
