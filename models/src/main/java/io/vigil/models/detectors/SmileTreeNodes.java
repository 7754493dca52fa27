package io.vigil.models.detectors;

import java.lang.reflect.Field;
import smile.anomaly.IsolationTree;

/**
 * Reads the nodes of a grown Smile 3.1.1 {@link IsolationTree}, which keeps them private, so that
 * {@link FleetDetector} can hold the same cuts in a compact form. A node of Smile's tree is a leaf (no
 * children; {@code depth} is the path length it stands for, the depth plus c(rows left)) or a split that sends
 * a row left when {@code dot(row, slope) < bias}. With extension level 0 exactly one component of
 * {@code slope} is non-zero, so the split reads one feature. What this relies on is checked on every tree by
 * comparing path lengths with Smile's own ({@code FleetDetector.Compiler}).
 */
final class SmileTreeNodes {
    private static final Field ROOT;
    private static final Field DEPTH;
    private static final Field SLOPE;
    private static final Field BIAS;
    private static final Field LEFT;
    private static final Field RIGHT;

    static {
        try {
            ROOT = accessible(IsolationTree.class.getDeclaredField("root"));
            Class<?> node = Class.forName("smile.anomaly.IsolationTree$Node");
            DEPTH = accessible(node.getDeclaredField("depth"));
            SLOPE = accessible(node.getDeclaredField("slope"));
            BIAS = accessible(node.getDeclaredField("bias"));
            LEFT = accessible(node.getDeclaredField("left"));
            RIGHT = accessible(node.getDeclaredField("right"));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Smile's IsolationTree is not the 3.1.1 this code reads: " + e, e);
        }
    }

    private SmileTreeNodes() {}

    /** One node, read on demand. */
    record Node(Object smileNode) {
        boolean isLeaf() {
            return get(LEFT) == null && get(RIGHT) == null;
        }

        /** A leaf's path length. */
        double pathLength() {
            return (double) get(DEPTH);
        }

        /** The one feature a split reads. */
        int feature() {
            double[] slope = (double[]) get(SLOPE);
            int feature = -1;
            for (int j = 0; j < slope.length; j++) {
                if (slope[j] != 0) {
                    if (feature >= 0) {
                        throw new IllegalStateException("isolation tree split reads features " + feature + " and " + j
                                + ": grown with an extension level above 0");
                    }
                    feature = j;
                }
            }
            // An all-zero slope (a normal draw of exactly 0) compares 0 with the bias for every row: so does
            // feature 0 times its zero slope.
            return Math.max(feature, 0);
        }

        double slope() {
            return ((double[]) get(SLOPE))[feature()];
        }

        double bias() {
            return (double) get(BIAS);
        }

        Node left() {
            return new Node(get(LEFT));
        }

        Node right() {
            return new Node(get(RIGHT));
        }

        private Object get(Field field) {
            try {
                return field.get(smileNode);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static Node root(IsolationTree tree) {
        try {
            return new Node(ROOT.get(tree));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Field accessible(Field field) {
        field.setAccessible(true);
        return field;
    }
}
