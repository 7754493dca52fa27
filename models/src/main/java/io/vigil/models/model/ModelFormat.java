package io.vigil.models.model;

import io.vigil.models.detectors.CategoryDetector;
import io.vigil.models.detectors.FleetDetector;
import io.vigil.models.detectors.JobDetector;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.model.ModelArtifact.Refusal;
import io.vigil.models.model.ModelArtifact.RefusedException;
import io.vigil.records.Category;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The body of a model artifact: the model's own numbers, written and read field by field as
 * {@code models/MODEL-FORMAT.md} describes. No object of the file names a class; the reader allocates nothing
 * before it has checked that the count it is about to allocate for is under its cap and fits in the bytes that
 * are left, so a file of N bytes costs at most a small multiple of N, and every number and index is checked
 * before the model is built.
 */
final class ModelFormat {
    /** Longest string: kinds, versions, names, summary texts. */
    static final int MAX_STRING_BYTES = 4096;

    static final int MAX_FEATURES = 4096;
    static final int MAX_TREES = 10_000;
    static final int MAX_NODES = 4_000_000;
    /** Deepest nesting of the training summary and metrics (a map of maps of lists is 3). */
    static final int MAX_SUMMARY_DEPTH = 8;
    /** Most values in the training summary and metrics together. */
    static final int MAX_SUMMARY_VALUES = 100_000;

    private ModelFormat() {}

    // ---- writing ----

    /** Every field of a body, as written: tests forge bodies from these. */
    record Parts(
            String kind,
            String modelVersion,
            String featureSetVersion,
            String featureSetHash,
            int features,
            double threshold,
            SortedMap<String, Object> training,
            SortedMap<String, Object> metrics,
            FleetDetector.Forest fleet,
            JobDetector.Settings jobSettings,
            double[] jobScaleFloors,
            CategoryDetector.Forest supervised,
            Calibration calibration) {
        static Parts of(VigilModel model) {
            FeatureSet featureSet = model.featureSet();
            return new Parts(
                    model.kind(),
                    model.modelVersion(),
                    featureSet.version(),
                    featureSet.hash(),
                    featureSet.size(),
                    model.threshold(),
                    model.trainingSummary(),
                    model.metrics(),
                    model.fleet().forest(),
                    model.job().settings(),
                    model.job().scaleFloors(),
                    model.supervised().forest(),
                    model.calibration());
        }
    }

    static byte[] write(VigilModel model) {
        return write(Parts.of(model));
    }

    static byte[] write(Parts model) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            string(out, model.kind());
            string(out, model.modelVersion());
            string(out, model.featureSetVersion());
            string(out, model.featureSetHash());
            out.writeInt(model.features());
            out.writeDouble(model.threshold());
            value(out, model.training(), 0);
            value(out, model.metrics(), 0);

            FleetDetector.Forest fleet = model.fleet();
            doubles(out, fleet.median());
            doubles(out, fleet.scale());
            out.writeDouble(fleet.averagePath());
            ints(out, fleet.roots());
            out.writeInt(fleet.feature().length);
            for (int i = 0; i < fleet.feature().length; i++) {
                out.writeInt(fleet.feature()[i]);
                out.writeDouble(fleet.cut()[i]);
                if (fleet.feature()[i] >= 0) {
                    out.writeInt(fleet.right()[i]);
                    out.writeFloat(fleet.low()[i]);
                    out.writeFloat(fleet.high()[i]);
                }
            }

            JobDetector.Settings s = model.jobSettings();
            out.writeDouble(s.halfLifeWindows());
            out.writeInt(s.warmupWindows());
            out.writeDouble(s.huberBound());
            out.writeDouble(s.allowance());
            out.writeDouble(s.excessCap());
            out.writeDouble(s.driftHalfLifeWindows());
            out.writeDouble(s.driftStep());
            out.writeDouble(s.driftCap());
            out.writeDouble(s.minScale());
            out.writeDouble(s.fleetScaleFraction());
            doubles(out, model.jobScaleFloors());

            CategoryDetector.Forest supervised = model.supervised();
            int classes = supervised.categories().length + 1;
            out.writeInt(supervised.categories().length);
            for (Category c : supervised.categories()) {
                string(out, c.name());
            }
            ints(out, supervised.roots());
            out.writeInt(supervised.feature().length);
            for (int i = 0; i < supervised.feature().length; i++) {
                out.writeInt(supervised.feature()[i]);
                if (supervised.feature()[i] >= 0) {
                    out.writeDouble(supervised.split()[i]);
                    out.writeInt(supervised.left()[i]);
                    out.writeInt(supervised.right()[i]);
                } else {
                    for (int c = 0; c < classes; c++) {
                        out.writeDouble(supervised.shares()[supervised.left()[i] * classes + c]);
                    }
                }
            }

            Calibration calibration = model.calibration();
            out.writeDouble(calibration.threshold());
            tail(out, calibration.fleet());
            tail(out, calibration.job());
            tail(out, calibration.supervised());
            out.writeBoolean(calibration.rules() != null);
            if (calibration.rules() != null) {
                tail(out, calibration.rules());
            }
            out.writeBoolean(calibration.jobFeatures() != null);
            if (calibration.jobFeatures() != null) {
                out.writeInt(calibration.jobFeatures().length);
                for (BenignTail t : calibration.jobFeatures()) {
                    tail(out, t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException(
                    "a model's text is " + utf8.length + " bytes, at most " + MAX_STRING_BYTES);
        }
        out.writeShort(utf8.length);
        out.write(utf8);
    }

    private static void doubles(DataOutputStream out, double[] v) throws IOException {
        out.writeInt(v.length);
        for (double d : v) {
            out.writeDouble(d);
        }
    }

    private static void ints(DataOutputStream out, int[] v) throws IOException {
        out.writeInt(v.length);
        for (int i : v) {
            out.writeInt(i);
        }
    }

    private static void tail(DataOutputStream out, BenignTail tail) throws IOException {
        out.writeInt(tail.windows());
        out.writeDouble(tail.scale());
        doubles(out, tail.sample());
        ints(out, tail.atOrAbove());
    }

    /** A summary value: text, whole number, finite number, yes/no, list, or map with text keys (sorted). */
    private static void value(DataOutputStream out, Object v, int depth) throws IOException {
        if (depth > MAX_SUMMARY_DEPTH) {
            throw new IllegalArgumentException("a model summary nests deeper than " + MAX_SUMMARY_DEPTH);
        }
        if (v instanceof String s) {
            out.writeByte('S');
            string(out, s);
        } else if (v instanceof Integer i) {
            out.writeByte('I');
            out.writeInt(i);
        } else if (v instanceof Long l) {
            out.writeByte('L');
            out.writeLong(l);
        } else if (v instanceof Double d && Double.isFinite(d)) {
            out.writeByte('D');
            out.writeDouble(d);
        } else if (v instanceof Boolean b) {
            out.writeByte('B');
            out.writeBoolean(b);
        } else if (v instanceof List<?> list) {
            out.writeByte('A');
            out.writeInt(list.size());
            for (Object item : list) {
                value(out, item, depth + 1);
            }
        } else if (v instanceof Map<?, ?> map) {
            TreeMap<String, Object> sorted = new TreeMap<>();
            map.forEach((k, item) -> sorted.put((String) k, item));
            out.writeByte('M');
            out.writeInt(sorted.size());
            for (Map.Entry<String, Object> e : sorted.entrySet()) {
                string(out, e.getKey());
                value(out, e.getValue(), depth + 1);
            }
        } else {
            throw new IllegalArgumentException(
                    "a model summary holds " + v + ", not text, a number, yes/no, a list or a map");
        }
    }

    // ---- reading ----

    /**
     * The model in {@code body}, for the feature set the caller computes.
     *
     * @throws RefusedException BAD_FORMAT (structure), UNKNOWN_KIND, FEATURE_SET_MISMATCH, or BAD_MODEL (numbers a
     *     trained model cannot have), naming what is wrong
     */
    static VigilModel read(byte[] body, FeatureSet expected) throws RefusedException {
        Reader in = new Reader(ByteBuffer.wrap(body));
        try {
            String kind = in.string("kind");
            if (!ModelArtifact.KINDS.contains(kind)) {
                throw new RefusedException(
                        Refusal.UNKNOWN_KIND,
                        "model kind '" + kind + "' is not one this build loads: " + ModelArtifact.KINDS);
            }
            String modelVersion = in.string("model version");
            String featureSetVersion = in.string("feature set version");
            String featureSetHash = in.string("feature set hash");
            int features = in.count("features", MAX_FEATURES, 0);
            String id = featureSetVersion + "-" + featureSetHash;
            if (!id.equals(expected.id()) || features != expected.size()) {
                throw new RefusedException(
                        Refusal.FEATURE_SET_MISMATCH,
                        "model reads feature set " + id + " (" + features
                                + " features), the pipeline computes " + expected.id() + " (" + expected.size() + "). "
                                + expected.refusal(id));
            }
            double threshold = in.finite("threshold");
            SortedMap<String, Object> training = in.map("training summary");
            SortedMap<String, Object> metrics = in.map("metrics");

            double[] median = in.doubles("fleet medians", features);
            double[] scale = in.doubles("fleet spreads", features);
            double averagePath = in.finite("fleet average path");
            int[] fleetRoots = in.ints("fleet trees", MAX_TREES);
            int fleetNodes = in.count("fleet nodes", MAX_NODES, 12);
            int[] feature = new int[fleetNodes];
            int[] right = new int[fleetNodes];
            double[] cut = new double[fleetNodes];
            float[] low = new float[fleetNodes];
            float[] high = new float[fleetNodes];
            for (int i = 0; i < fleetNodes; i++) {
                feature[i] = in.index("fleet node " + i + " feature", -1, features);
                cut[i] = in.finite("fleet node " + i + " cut");
                right[i] = -1;
                if (feature[i] >= 0) {
                    right[i] = in.index("fleet node " + i + " right child", i + 2, fleetNodes);
                    low[i] = in.finiteFloat("fleet node " + i + " low");
                    high[i] = in.finiteFloat("fleet node " + i + " high");
                }
            }

            JobDetector.Settings settings = new JobDetector.Settings(
                    in.finite("half-life"),
                    in.buffer.getInt(),
                    in.finite("huber bound"),
                    in.finite("allowance"),
                    in.finite("excess cap"),
                    in.finite("drift half-life"),
                    in.finite("drift step"),
                    in.finite("drift cap"),
                    in.finite("least scale"),
                    in.finite("fleet scale fraction"));
            double[] floors = in.doubles("per-job scale floors", features);

            int categoryCount = in.count("supervised classes", Category.values().length, 3);
            Category[] categories = new Category[categoryCount];
            for (int c = 0; c < categoryCount; c++) {
                String name = in.string("supervised class");
                try {
                    categories[c] = Category.valueOf(name);
                } catch (IllegalArgumentException e) {
                    throw bad("supervised class '" + name + "' is no category");
                }
            }
            int classes = categoryCount + 1;
            int[] supervisedRoots = in.ints("supervised trees", MAX_TREES);
            int supervisedNodes = in.count("supervised nodes", MAX_NODES, 4 + 8);
            int[] sFeature = new int[supervisedNodes];
            double[] split = new double[supervisedNodes];
            int[] left = new int[supervisedNodes];
            int[] sRight = new int[supervisedNodes];
            int leaves = 0;
            ArrayList<double[]> shareRows = new ArrayList<>();
            for (int i = 0; i < supervisedNodes; i++) {
                sFeature[i] = in.index("supervised node " + i + " feature", -1, features);
                if (sFeature[i] >= 0) {
                    split[i] = in.finite("supervised node " + i + " split");
                    left[i] = in.index("supervised node " + i + " left child", i + 1, supervisedNodes);
                    sRight[i] = in.index("supervised node " + i + " right child", i + 1, supervisedNodes);
                } else {
                    in.need(8L * classes, "supervised leaf " + i);
                    double[] row = new double[classes];
                    for (int c = 0; c < classes; c++) {
                        row[c] = in.finite("supervised leaf " + i + " share");
                    }
                    shareRows.add(row);
                    left[i] = leaves++;
                    sRight[i] = -1;
                }
            }
            double[] shares = new double[leaves * classes];
            for (int l = 0; l < leaves; l++) {
                System.arraycopy(shareRows.get(l), 0, shares, l * classes, classes);
            }

            double surpriseThreshold = in.finite("calibration threshold");
            BenignTail fleetTail = in.tail("fleet tail");
            BenignTail jobTail = in.tail("per-job tail");
            BenignTail supervisedTail = in.tail("supervised tail");
            BenignTail rulesTail = in.bool("rules tail present") ? in.tail("rules tail") : null;
            BenignTail[] jobFeatures = null;
            if (in.bool("per-feature tails present")) {
                int n = in.count("per-feature tails", MAX_FEATURES, 4 + 8 + 4 + 4);
                if (n != features) {
                    throw bad(n + " per-feature tails for " + features + " features");
                }
                jobFeatures = new BenignTail[n];
                for (int j = 0; j < n; j++) {
                    jobFeatures[j] = in.tail("per-feature tail " + j);
                }
            }
            if (in.buffer.hasRemaining()) {
                throw new RefusedException(
                        Refusal.BAD_FORMAT, "model body has " + in.buffer.remaining() + " bytes after its last field");
            }

            FleetDetector fleet = FleetDetector.of(
                    new FleetDetector.Forest(median, scale, averagePath, fleetRoots, feature, right, cut, low, high));
            JobDetector job = JobDetector.of(expected, settings, floors);
            CategoryDetector supervised = CategoryDetector.of(new CategoryDetector.Forest(
                    features, categories, supervisedRoots, sFeature, split, left, sRight, shares));
            Calibration calibration =
                    new Calibration(fleetTail, jobTail, supervisedTail, rulesTail, surpriseThreshold, jobFeatures);
            VigilModel model =
                    new VigilModel(expected, fleet, job, supervised, calibration, modelVersion, training, metrics);
            if (Double.compare(threshold, model.threshold()) != 0) {
                throw bad("threshold " + threshold + ", a " + kind + " model flags at " + model.threshold());
            }
            return model;
        } catch (BufferUnderflowException e) {
            throw new RefusedException(
                    Refusal.BAD_FORMAT,
                    "model body ends early, at byte " + in.buffer.position() + " of " + body.length);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    private static RefusedException bad(String why) {
        return new RefusedException(Refusal.BAD_MODEL, "model is not one training makes: " + why);
    }

    /** Reads fields, checking each count against its cap and the bytes left before allocating for it. */
    private static final class Reader {
        final ByteBuffer buffer;
        private int summaryValues;

        Reader(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        /** A count of items of at least {@code bytesEach} bytes each that are about to be read. */
        int count(String what, int max, int bytesEach) throws RefusedException {
            int n = buffer.getInt();
            if (n < 0 || n > max) {
                throw new RefusedException(Refusal.BAD_FORMAT, what + ": a count of " + n + ", at most " + max);
            }
            need((long) n * bytesEach, what);
            return n;
        }

        void need(long bytes, String what) throws RefusedException {
            if (bytes > buffer.remaining()) {
                throw new RefusedException(
                        Refusal.BAD_FORMAT, what + " needs " + bytes + " bytes, " + buffer.remaining() + " are left");
            }
        }

        /** An index in [min, limit) or -1 when min is -1. */
        int index(String what, int min, int limit) throws RefusedException {
            int i = buffer.getInt();
            if (i < min || i >= limit) {
                throw new RefusedException(
                        Refusal.BAD_MODEL, what + " is " + i + ", outside [" + min + ", " + limit + ")");
            }
            return i;
        }

        double finite(String what) throws RefusedException {
            double v = buffer.getDouble();
            if (!Double.isFinite(v)) {
                throw new RefusedException(Refusal.BAD_MODEL, what + " is " + v + ", not a finite number");
            }
            return v;
        }

        float finiteFloat(String what) throws RefusedException {
            float v = buffer.getFloat();
            if (!Float.isFinite(v)) {
                throw new RefusedException(Refusal.BAD_MODEL, what + " is " + v + ", not a finite number");
            }
            return v;
        }

        boolean bool(String what) throws RefusedException {
            byte b = buffer.get();
            if (b != 0 && b != 1) {
                throw new RefusedException(Refusal.BAD_FORMAT, what + " is " + b + ", not 0 or 1");
            }
            return b == 1;
        }

        double[] doubles(String what, int expected) throws RefusedException {
            int n = count(what, MAX_NODES, 8);
            if (n != expected) {
                throw new RefusedException(Refusal.BAD_MODEL, what + ": " + n + " values, expected " + expected);
            }
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = finite(what);
            }
            return v;
        }

        int[] ints(String what, int max) throws RefusedException {
            int n = count(what, max, 4);
            int[] v = new int[n];
            for (int i = 0; i < n; i++) {
                v[i] = buffer.getInt();
            }
            return v;
        }

        BenignTail tail(String what) throws RefusedException {
            int windows = buffer.getInt();
            double scale = finite(what + " scale");
            int n = count(what, BenignTail.MAX_SAMPLE, 8);
            double[] sample = new double[n];
            for (int i = 0; i < n; i++) {
                sample[i] = finite(what);
            }
            int m = count(what + " counts", BenignTail.MAX_SAMPLE, 4);
            int[] atOrAbove = new int[m];
            for (int i = 0; i < m; i++) {
                atOrAbove[i] = buffer.getInt();
            }
            try {
                return BenignTail.of(sample, atOrAbove, windows, scale);
            } catch (IllegalArgumentException e) {
                throw new RefusedException(Refusal.BAD_MODEL, what + ": " + e.getMessage());
            }
        }

        String string(String what) throws RefusedException {
            int n = Short.toUnsignedInt(buffer.getShort());
            if (n > MAX_STRING_BYTES) {
                throw new RefusedException(
                        Refusal.BAD_FORMAT, what + ": a text of " + n + " bytes, at most " + MAX_STRING_BYTES);
            }
            need(n, what);
            ByteBuffer utf8 = buffer.slice(buffer.position(), n);
            buffer.position(buffer.position() + n);
            try {
                CharBuffer chars = StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(utf8);
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw new RefusedException(Refusal.BAD_FORMAT, what + " is not UTF-8");
            }
        }

        @SuppressWarnings("unchecked")
        SortedMap<String, Object> map(String what) throws RefusedException {
            Object v = value(what, 0);
            if (!(v instanceof SortedMap<?, ?>)) {
                throw new RefusedException(Refusal.BAD_FORMAT, what + " is not a map");
            }
            return (SortedMap<String, Object>) v;
        }

        private Object value(String what, int depth) throws RefusedException {
            if (depth > MAX_SUMMARY_DEPTH) {
                throw new RefusedException(Refusal.BAD_FORMAT, what + " nests deeper than " + MAX_SUMMARY_DEPTH);
            }
            if (++summaryValues > MAX_SUMMARY_VALUES) {
                throw new RefusedException(Refusal.BAD_FORMAT, what + ": more than " + MAX_SUMMARY_VALUES + " values");
            }
            byte tag = buffer.get();
            switch (tag) {
                case 'S':
                    return string(what);
                case 'I':
                    return buffer.getInt();
                case 'L':
                    return buffer.getLong();
                case 'D':
                    return finite(what);
                case 'B':
                    return bool(what);
                case 'A': {
                    int n = count(what, MAX_SUMMARY_VALUES, 2);
                    List<Object> list = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        list.add(value(what, depth + 1));
                    }
                    return Collections.unmodifiableList(list);
                }
                case 'M': {
                    int n = count(what, MAX_SUMMARY_VALUES, 4);
                    TreeMap<String, Object> map = new TreeMap<>();
                    String previous = null;
                    for (int i = 0; i < n; i++) {
                        String key = string(what + " key");
                        if (previous != null && key.compareTo(previous) <= 0) {
                            throw new RefusedException(
                                    Refusal.BAD_FORMAT, what + ": keys not in ascending order at '" + key + "'");
                        }
                        previous = key;
                        map.put(key, value(what, depth + 1));
                    }
                    return map;
                }
                default:
                    throw new RefusedException(Refusal.BAD_FORMAT, what + ": unknown value tag " + (tag & 0xFF));
            }
        }
    }
}
