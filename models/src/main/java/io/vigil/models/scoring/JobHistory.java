package io.vigil.models.scoring;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A job's own normal, as the per-job online model ({@link io.vigil.models.detectors.JobDetector}) has
 * learned it from the job's past windows: small (goal: at most 64 KiB per job; 16 + 12 bytes per
 * feature, 376 bytes for 30 features), immutable, and with a compact versioned byte form for Flink
 * keyed state. It names the feature set it was learned under ({@link #featureSetHash()}), so a history
 * restored into a pipeline that computes other features is recognised as foreign rather than misread.
 *
 * <p>It counts the windows learned, and of those the windows in which the job's GPUs were at work
 * ({@link #workWindows()}): the features of how the GPUs work are learned from those only.
 *
 * <p>Per feature it holds three numbers: the job's typical value (location), its typical spread
 * (scale, in standard-deviation units) and the excess the recent windows have accumulated over the
 * job's normal (drift, a CUSUM). They are kept as {@code float}: enough for feature values, half the
 * size, and {@link #toBytes()} / {@link #fromBytes} round-trip them exactly, so a job scores the same
 * whether its history came from memory or from a restored checkpoint.
 *
 * <p>Byte form, version 2 (big-endian): {@code 'J'}, version byte {@code 2}, windows (int32), work windows
 * (int32), feature count (uint16), feature-set hash (4 bytes, {@link io.vigil.models.features.FeatureSet#hash()}),
 * then the locations, the scales and the drifts, one float32 per feature each. Version 1, the same without the
 * work windows, still reads, as a history whose every window was at work (what its detector assumed).
 */
public final class JobHistory implements Serializable {
    private static final long serialVersionUID = 1L;

    /** First byte of the byte form. */
    static final byte MAGIC = 'J';
    /** The byte form this build writes. */
    static final byte FORMAT_VERSION = 2;
    /** The byte form before work windows were counted: still read. */
    static final byte FORMAT_VERSION_1 = 1;
    /** Magic, version, windows, work windows, feature count, feature-set hash. */
    static final int HEADER_BYTES = 1 + 1 + 4 + 4 + 2 + 4;
    /** Version 1's header: no work windows. */
    static final int HEADER_BYTES_1 = HEADER_BYTES - 4;
    /** Location, scale and drift, a float each. */
    static final int BYTES_PER_FEATURE = 3 * Float.BYTES;
    /** The most features the byte form can name (uint16). */
    public static final int MAX_FEATURES = 0xFFFF;

    private static final JobHistory EMPTY = new JobHistory(0, 0, 0, new float[0], new float[0], new float[0]);

    private final int windows;
    /** Of {@link #windows}, those in which the job's GPUs were at work. */
    private final int workWindows;
    /** {@link io.vigil.models.features.FeatureSet#hash()}'s 8 hex digits as 4 bytes; 0 when empty. */
    private final int featureSetHash;

    private final float[] location;
    private final float[] scale;
    private final float[] drift;

    private JobHistory(
            int windows, int workWindows, int featureSetHash, float[] location, float[] scale, float[] drift) {
        this.windows = windows;
        this.workWindows = workWindows;
        this.featureSetHash = featureSetHash;
        this.location = location;
        this.scale = scale;
        this.drift = drift;
    }

    /** No windows learned yet: a job's first window. */
    public static JobHistory empty() {
        return EMPTY;
    }

    /** A history of {@code windows} learned windows, all of them with the GPUs at work (the arrays are copied). */
    public static JobHistory of(int windows, String featureSetHash, float[] location, float[] scale, float[] drift) {
        return of(windows, windows, featureSetHash, location, scale, drift);
    }

    /**
     * A history of {@code windows} learned windows, {@code workWindows} of them with the GPUs at work (the arrays
     * are copied).
     *
     * @param featureSetHash {@link io.vigil.models.features.FeatureSet#hash()} of the features learned: 8 hex digits
     * @param location per feature, the job's typical value; finite
     * @param scale per feature, the job's typical spread; finite, non-negative
     * @param drift per feature, the accumulated recent excess; finite, non-negative
     * @throws IllegalArgumentException if the arrays differ in length, a value is out of range, or
     *     windows and features disagree (a history with features has learned at least one window), or there are
     *     more work windows than windows
     */
    public static JobHistory of(
            int windows, int workWindows, String featureSetHash, float[] location, float[] scale, float[] drift) {
        if (!isHash(featureSetHash)) {
            throw new IllegalArgumentException("feature-set hash must be 8 lower-case hex digits: " + featureSetHash);
        }
        if (location.length != scale.length || location.length != drift.length) {
            throw new IllegalArgumentException("location, scale and drift must have one value per feature: "
                    + location.length + ", " + scale.length + ", " + drift.length);
        }
        check(windows, workWindows, location.length);
        for (int i = 0; i < location.length; i++) {
            checkValues(i, location[i], scale[i], drift[i]);
        }
        if (windows == 0) {
            return EMPTY;
        }
        return new JobHistory(
                windows,
                workWindows,
                Integer.parseUnsignedInt(featureSetHash, 16),
                location.clone(),
                scale.clone(),
                drift.clone());
    }

    /** How many windows the job's normal has been learned from. */
    public int windows() {
        return windows;
    }

    /**
     * Of {@link #windows()}, how many had the job's GPUs at work
     * ({@link io.vigil.models.features.FeatureSet#gpusAtWork}): what the job's normal in the features of how its
     * GPUs work was learned from.
     */
    public int workWindows() {
        return workWindows;
    }

    /** How many features the history covers; 0 before any window. */
    public int features() {
        return location.length;
    }

    /** {@link io.vigil.models.features.FeatureSet#hash()} of the features it was learned from; null when empty. */
    public String featureSetHash() {
        if (isEmpty()) {
            return null;
        }
        // per window scored: no String.format
        String hex = Integer.toHexString(featureSetHash);
        return "0".repeat(8 - hex.length()) + hex;
    }

    /** 8 lower-case hex digits. */
    private static boolean isHash(String text) {
        if (text == null || text.length() != 8) {
            return false;
        }
        for (int i = 0; i < 8; i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** Nothing learned yet. */
    public boolean isEmpty() {
        return windows == 0;
    }

    /** The job's typical value of feature {@code i} so far; NaN before it has a history. */
    public double baseline(int feature) {
        if (isEmpty()) {
            if (feature < 0) {
                throw new IndexOutOfBoundsException("feature " + feature);
            }
            return Double.NaN;
        }
        return location[feature];
    }

    /** The job's typical spread of feature {@code i} (standard-deviation units); NaN before it has a history. */
    public double scale(int feature) {
        if (isEmpty()) {
            if (feature < 0) {
                throw new IndexOutOfBoundsException("feature " + feature);
            }
            return Double.NaN;
        }
        return scale[feature];
    }

    /** The excess over the job's normal that feature {@code i} has accumulated recently; 0 before it has a history. */
    public double drift(int feature) {
        if (isEmpty()) {
            if (feature < 0) {
                throw new IndexOutOfBoundsException("feature " + feature);
            }
            return 0;
        }
        return drift[feature];
    }

    /** Size of {@link #toBytes()} for a history of {@code features} features. */
    public static int byteSize(int features) {
        return HEADER_BYTES + BYTES_PER_FEATURE * features;
    }

    /** The compact form kept in Flink state; {@link #fromBytes} reads it back. */
    public byte[] toBytes() {
        int n = features();
        ByteBuffer out = ByteBuffer.allocate(byteSize(n));
        out.put(MAGIC)
                .put(FORMAT_VERSION)
                .putInt(windows)
                .putInt(workWindows)
                .putShort((short) n)
                .putInt(featureSetHash);
        for (float v : location) {
            out.putFloat(v);
        }
        for (float v : scale) {
            out.putFloat(v);
        }
        for (float v : drift) {
            out.putFloat(v);
        }
        return out.array();
    }

    /** @throws IllegalArgumentException saying what is wrong with the bytes */
    public static JobHistory fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("job history bytes are " + (bytes == null ? "null" : "empty"));
        }
        if (bytes[0] != MAGIC) {
            throw new IllegalArgumentException(String.format(
                    "not a job history: first byte is 0x%02X, a job history starts with 0x%02X ('J')",
                    bytes[0], MAGIC));
        }
        if (bytes.length >= 2 && bytes[1] != FORMAT_VERSION && bytes[1] != FORMAT_VERSION_1) {
            throw new IllegalArgumentException("job history format version " + bytes[1] + ", this build reads versions "
                    + FORMAT_VERSION_1 + " and " + FORMAT_VERSION);
        }
        boolean version1 = bytes.length >= 2 && bytes[1] == FORMAT_VERSION_1;
        int header = version1 ? HEADER_BYTES_1 : HEADER_BYTES;
        if (bytes.length < header) {
            throw new IllegalArgumentException(
                    "job history truncated: " + bytes.length + " bytes, its header alone takes " + header);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        in.position(2);
        int windows = in.getInt();
        int workWindows = version1 ? windows : in.getInt();
        int n = Short.toUnsignedInt(in.getShort());
        int featureSetHash = in.getInt();
        int expected = header + BYTES_PER_FEATURE * n;
        if (bytes.length < expected) {
            throw new IllegalArgumentException(
                    "job history truncated: " + bytes.length + " bytes, its " + n + " features need " + expected);
        }
        if (bytes.length > expected) {
            throw new IllegalArgumentException("job history of " + n + " features takes " + expected + " bytes, got "
                    + bytes.length + ": the feature count is wrong or bytes follow it");
        }
        check(windows, workWindows, n);
        float[] location = new float[n];
        float[] scale = new float[n];
        float[] drift = new float[n];
        for (int i = 0; i < n; i++) {
            location[i] = in.getFloat();
        }
        for (int i = 0; i < n; i++) {
            scale[i] = in.getFloat();
        }
        for (int i = 0; i < n; i++) {
            drift[i] = in.getFloat();
        }
        for (int i = 0; i < n; i++) {
            checkValues(i, location[i], scale[i], drift[i]);
        }
        return windows == 0 ? EMPTY : new JobHistory(windows, workWindows, featureSetHash, location, scale, drift);
    }

    private static void check(int windows, int workWindows, int features) {
        if (windows < 0) {
            throw new IllegalArgumentException("job history with a negative window count: " + windows);
        }
        if (workWindows < 0 || workWindows > windows) {
            throw new IllegalArgumentException(
                    "job history of " + windows + " windows, " + workWindows + " of them at work: not a share of them");
        }
        if (features > MAX_FEATURES) {
            throw new IllegalArgumentException("job history of " + features + " features; at most " + MAX_FEATURES);
        }
        if ((windows == 0) != (features == 0)) {
            throw new IllegalArgumentException("job history of " + windows + " windows and " + features
                    + " features: a history has features exactly when it has learned a window");
        }
    }

    private static void checkValues(int feature, float location, float scale, float drift) {
        if (!Float.isFinite(location)) {
            throw new IllegalArgumentException("job history: feature " + feature + " has location " + location);
        }
        if (!(Float.isFinite(scale) && scale >= 0)) {
            throw new IllegalArgumentException(
                    "job history: feature " + feature + " has scale " + scale + ", not a finite non-negative number");
        }
        if (!(Float.isFinite(drift) && drift >= 0)) {
            throw new IllegalArgumentException(
                    "job history: feature " + feature + " has drift " + drift + ", not a finite non-negative number");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobHistory h
                && windows == h.windows
                && workWindows == h.workWindows
                && featureSetHash == h.featureSetHash
                && Arrays.equals(location, h.location)
                && Arrays.equals(scale, h.scale)
                && Arrays.equals(drift, h.drift);
    }

    @Override
    public int hashCode() {
        return 31
                        * (31 * (31 * (31 * (31 * windows + workWindows) + featureSetHash) + Arrays.hashCode(location))
                                + Arrays.hashCode(scale))
                + Arrays.hashCode(drift);
    }

    @Override
    public String toString() {
        return "JobHistory[" + windows + " windows (" + workWindows + " at work), " + features() + " features of "
                + featureSetHash() + "]";
    }
}
