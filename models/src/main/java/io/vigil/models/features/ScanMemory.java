package io.vigil.models.features;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A job's failed targets ({@link WindowAccumulator#failedTargets}) over its last half hour or so: what lets a
 * scan slower than a window add up. A scan at one port every ten seconds leaves six failed targets a minute, a
 * sweep at one host a minute one; no minute alone looks like anything, the half hour does.
 *
 * <p><b>Bounded.</b> The memory is {@value #EPOCHS} slots, one per epoch of {@value #EPOCH_MINUTES} minutes of
 * event time (windows grouped by start time), each a {@link DistinctCounter} of the targets that failed in the
 * job's windows of that epoch: at most {@value #EPOCHS} x 514 bytes, whatever the scan's size. A window's epoch
 * pushes out the slots {@value #EPOCHS} or more epochs before it, so the memory covers the windows since the
 * start of the epoch three before the current one: between 30 and 40 minutes. Immutable; the scoring step
 * keeps it per job in its state as {@link #toBytes}.
 *
 * <p><b>Only while the scan goes on.</b> {@link #feature} reports the memory only in a window that keeps its
 * pace: failed targets of its own, at least {@value #PACE_SHARE} of the memory's average a minute (since its
 * first window within the horizon). Otherwise it reports the window alone. And the memory starts over after
 * {@value #QUIET_RESET_MINUTES} minutes without a failed target. So a scan that stopped raises nothing in the
 * windows after it; a workload's stray failure a minute after a burst of hundreds, far below its pace, or half
 * an hour after a scan, is not taken for the scan going on; and a slow scan, which keeps its own pace, adds up
 * (nmap's slowest timing, "paranoid", probes every five minutes: no slower scan does). A workload that fails now
 * and then on the same service counts it once.
 */
public final class ScanMemory {
    public static final int EPOCH_MINUTES = 10;
    public static final long EPOCH_MS = EPOCH_MINUTES * 60_000L;
    /** Slots: the horizon is between {@code EPOCHS - 1} and {@code EPOCHS} epochs. */
    public static final int EPOCHS = 4;
    /** Minutes between two windows with failed targets after which the memory starts over. */
    public static final int QUIET_RESET_MINUTES = 5;

    static final long QUIET_RESET_MS = QUIET_RESET_MINUTES * 60_000L;
    /** The share of the memory's failed targets a minute a window must have to be taken for the scan going on. */
    public static final double PACE_SHARE = 0.5;

    static final byte MAGIC = 'S';
    static final byte FORMAT_VERSION = 1;
    /** Magic, version, slot count, first and latest window. */
    static final int HEADER_BYTES = 3 + 2 * Long.BYTES;

    private static final ScanMemory EMPTY =
            new ScanMemory(Long.MIN_VALUE, Long.MIN_VALUE, new long[0], new DistinctCounter[0]);

    /** Start of the first window added since the memory (last) started over; {@code Long.MIN_VALUE} when empty. */
    private final long firstWindowStart;
    /** Start of the latest window added; {@code Long.MIN_VALUE} when empty. */
    private final long lastWindowStart;
    /** Epoch numbers, ascending, at most {@link #EPOCHS}. */
    private final long[] epochs;
    /** The failed targets of each epoch's windows. */
    private final DistinctCounter[] targets;

    private ScanMemory(long firstWindowStart, long lastWindowStart, long[] epochs, DistinctCounter[] targets) {
        this.firstWindowStart = firstWindowStart;
        this.lastWindowStart = lastWindowStart;
        this.epochs = epochs;
        this.targets = targets;
    }

    public static ScanMemory empty() {
        return EMPTY;
    }

    /** The epoch of a window that starts at {@code windowStart} (epoch ms). */
    static long epoch(long windowStart) {
        return Math.floorDiv(windowStart, EPOCH_MS);
    }

    /**
     * The memory with one window's failed targets added, the slots that fell out of the horizon dropped; the
     * window alone when it comes {@value #QUIET_RESET_MINUTES} minutes or more after the latest one added (the
     * class doc). A window older than the horizon (windows come in order) changes nothing.
     *
     * @param windowStart the window's start, epoch ms
     * @param windowTargets its failed targets ({@link WindowAccumulator#failedTargets}); not changed
     */
    public ScanMemory with(long windowStart, DistinctCounter windowTargets) {
        if (!isEmpty() && windowStart - lastWindowStart > QUIET_RESET_MS) {
            return EMPTY.with(windowStart, windowTargets);
        }
        long e = epoch(windowStart);
        long newest = epochs.length == 0 ? e : Math.max(e, epochs[epochs.length - 1]);
        if (e <= newest - EPOCHS) {
            return this;
        }
        int kept = 0;
        long[] outEpochs = new long[EPOCHS];
        DistinctCounter[] outTargets = new DistinctCounter[EPOCHS];
        boolean placed = false;
        for (int i = 0; i < epochs.length; i++) {
            if (epochs[i] <= newest - EPOCHS) {
                continue;
            }
            if (!placed && e < epochs[i]) {
                outEpochs[kept] = e;
                outTargets[kept++] = windowTargets.copy();
                placed = true;
            }
            DistinctCounter t = targets[i];
            if (epochs[i] == e) {
                t = t.copy();
                t.merge(windowTargets);
                placed = true;
            }
            outEpochs[kept] = epochs[i];
            outTargets[kept++] = t;
        }
        if (!placed) {
            outEpochs[kept] = e;
            outTargets[kept++] = windowTargets.copy();
        }
        return new ScanMemory(
                isEmpty() ? windowStart : Math.min(firstWindowStart, windowStart),
                Math.max(lastWindowStart, windowStart),
                Arrays.copyOf(outEpochs, kept),
                Arrays.copyOf(outTargets, kept));
    }

    /** Distinct failed targets over the memory's horizon. */
    public long targets() {
        DistinctCounter all = new DistinctCounter();
        for (DistinctCounter t : targets) {
            all.merge(t);
        }
        return all.count();
    }

    /**
     * The value of {@link FeatureSet#RECENT_FAILED_TARGETS} for a window whose failed targets this memory holds:
     * {@code log1p} of {@link #targets()} when the window keeps the memory's pace (see the class doc), else of the
     * window's own failed targets (0 for a window without any).
     */
    public double feature(DistinctCounter windowTargets) {
        long own = windowTargets.count();
        if (own == 0 || isEmpty()) {
            return Math.log1p(own);
        }
        long all = targets();
        long since = Math.max(firstWindowStart, epochs[0] * EPOCH_MS);
        double minutes = Math.max(0, lastWindowStart - since) / 60_000.0 + 1;
        return own >= PACE_SHARE * all / minutes ? Math.log1p(all) : Math.log1p(own);
    }

    /**
     * What the scoring step does with each window of a job: adds the window's failed targets to the memory
     * and sets the window's {@link FeatureSet#RECENT_FAILED_TARGETS} in {@code features} from it ({@link
     * #feature}). A window without failed targets, or a feature set without the feature, leaves both as they
     * are: the window's own value of the feature is then 0 already.
     *
     * @param features the window's features in {@code set}'s order; changed in place
     * @return the memory to keep for the job's next window
     */
    public ScanMemory recall(FeatureSet set, double[] features, long windowStart, DistinctCounter windowTargets) {
        set.checkLength(features);
        if (windowTargets == null || windowTargets.isEmpty() || !set.contains(FeatureSet.RECENT_FAILED_TARGETS)) {
            return this;
        }
        ScanMemory after = with(windowStart, windowTargets);
        features[set.index(FeatureSet.RECENT_FAILED_TARGETS)] = after.feature(windowTargets);
        return after;
    }

    public boolean isEmpty() {
        return epochs.length == 0;
    }

    /**
     * The byte form, version 1: {@code 'S'}, the version, the slot count, the first and the latest window's start
     * (int64 each), then
     * per slot its epoch (int64) and its counter ({@link DistinctCounter#writeTo}).
     */
    public byte[] toBytes() {
        int size = HEADER_BYTES;
        for (DistinctCounter t : targets) {
            size += Long.BYTES + t.byteSize();
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(MAGIC)
                .put(FORMAT_VERSION)
                .put((byte) epochs.length)
                .putLong(firstWindowStart)
                .putLong(lastWindowStart);
        for (int i = 0; i < epochs.length; i++) {
            out.putLong(epochs[i]);
            targets[i].writeTo(out);
        }
        return out.array();
    }

    /** @throws IllegalArgumentException saying what is wrong with the bytes */
    public static ScanMemory fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER_BYTES) {
            throw new IllegalArgumentException("scan memory of " + (bytes == null ? "no" : bytes.length) + " bytes");
        }
        if (bytes[0] != MAGIC || bytes[1] != FORMAT_VERSION) {
            throw new IllegalArgumentException(String.format(
                    "not a scan memory of version %d: starts 0x%02X 0x%02X", FORMAT_VERSION, bytes[0], bytes[1]));
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.position(2);
        int n = Byte.toUnsignedInt(in.get());
        if (n > EPOCHS) {
            throw new IllegalArgumentException("scan memory of " + n + " slots, at most " + EPOCHS);
        }
        long first = in.getLong();
        long last = in.getLong();
        long[] epochs = new long[n];
        DistinctCounter[] targets = new DistinctCounter[n];
        try {
            for (int i = 0; i < n; i++) {
                epochs[i] = in.getLong();
                if (i > 0 && epochs[i] <= epochs[i - 1]) {
                    throw new IllegalArgumentException("scan memory epochs not ascending");
                }
                targets[i] = DistinctCounter.readFrom(in);
            }
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("scan memory truncated", e);
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("scan memory: " + in.remaining() + " bytes after its last slot");
        }
        if (n > 0 && epochs[n - 1] - epochs[0] >= EPOCHS) {
            throw new IllegalArgumentException("scan memory spans more than " + EPOCHS + " epochs");
        }
        if (n > 0 && (epoch(last) != epochs[n - 1] || first > last)) {
            throw new IllegalArgumentException(
                    "scan memory: its latest window is not in its latest epoch, or" + " comes before its first");
        }
        return n == 0 ? EMPTY : new ScanMemory(first, last, epochs, targets);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScanMemory m
                && firstWindowStart == m.firstWindowStart
                && lastWindowStart == m.lastWindowStart
                && Arrays.equals(epochs, m.epochs)
                && Arrays.equals(targets, m.targets);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(epochs) + Arrays.hashCode(targets);
    }

    @Override
    public String toString() {
        return "ScanMemory" + Arrays.toString(epochs) + " targets=" + targets();
    }
}
