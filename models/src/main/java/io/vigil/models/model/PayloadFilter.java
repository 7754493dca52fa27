package io.vigil.models.model;

import java.io.ObjectInputFilter;
import java.util.List;
import java.util.Set;

/**
 * The deserialization filter of model payloads: an allow-list of the classes a model is made of, and
 * limits on the stream's shape. Everything else is rejected when its class descriptor is read, before
 * an instance exists or any of its code runs. One instance per payload: it remembers why it rejected,
 * for the refusal's message.
 */
final class PayloadFilter implements ObjectInputFilter {

    /**
     * Deepest nesting of objects: a tree's nodes nest once per level (Smile's forests stop at depth 20 by
     * default), and reading deeper graphs would run out of stack before a filter could say so.
     */
    static final long MAX_DEPTH = 200;
    /** Objects and back-references in one payload. */
    static final long MAX_REFERENCES = 5_000_000;
    /** Longest array: a forest's node arrays, a detector's per-feature arrays. */
    static final long MAX_ARRAY_LENGTH = 16 * 1024 * 1024;

    /** Packages whose classes a model may hold (the package itself, not its subpackages). */
    static final Set<String> PACKAGES = Set.of(
            "io.vigil.models.detectors", "io.vigil.models.features", "io.vigil.models.model",
            "io.vigil.models.scoring", "io.vigil.models.training", "io.vigil.records");
    /** Package prefixes whose classes and subpackages a model may hold: the machine-learning library. */
    static final List<String> PACKAGE_TREES = List.of("smile.");
    /** Value and collection classes of the JDK; nothing that runs code of its own while being read. */
    static final Set<String> JDK_CLASSES = Set.of(
            "java.lang.Boolean", "java.lang.Byte", "java.lang.Character", "java.lang.Short", "java.lang.Integer",
            "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Number", "java.lang.String",
            "java.lang.Enum", "java.lang.Object" /* Object[]: collections hold their elements in one */,
            "java.util.ArrayList", "java.util.LinkedList", "java.util.HashMap", "java.util.LinkedHashMap",
            "java.util.TreeMap", "java.util.HashSet", "java.util.LinkedHashSet", "java.util.TreeSet",
            "java.util.EnumMap", "java.util.BitSet", "java.util.Arrays$ArrayList", "java.util.Map$Entry",
            // List.of, Set.of, Map.of and their copies: written as CollSer, read back as these
            "java.util.CollSer", "java.util.ImmutableCollections$List12", "java.util.ImmutableCollections$ListN",
            "java.util.ImmutableCollections$Set12", "java.util.ImmutableCollections$SetN",
            "java.util.ImmutableCollections$Map1", "java.util.ImmutableCollections$MapN",
            "java.util.Collections$EmptyList", "java.util.Collections$EmptyMap", "java.util.Collections$EmptySet",
            "java.util.Collections$SingletonList", "java.util.Collections$SingletonMap",
            "java.util.Collections$SingletonSet", "java.util.Collections$UnmodifiableCollection",
            "java.util.Collections$UnmodifiableList", "java.util.Collections$UnmodifiableRandomAccessList",
            "java.util.Collections$UnmodifiableMap", "java.util.Collections$UnmodifiableSortedMap",
            "java.util.Collections$UnmodifiableSet", "java.util.Collections$UnmodifiableSortedSet",
            "java.util.Collections$UnmodifiableNavigableMap", "java.util.Collections$UnmodifiableNavigableSet");

    private final long maxBytes;
    private String refusal;

    PayloadFilter(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Why the last rejection happened; null while nothing was rejected. */
    String refusal() {
        return refusal;
    }

    @Override
    public Status checkInput(FilterInfo info) {
        if (info.depth() > MAX_DEPTH) {
            return reject("objects nest " + info.depth() + " deep, at most " + MAX_DEPTH);
        }
        if (info.references() > MAX_REFERENCES) {
            return reject("more than " + MAX_REFERENCES + " objects");
        }
        if (info.streamBytes() > maxBytes) {
            return reject("stream read past its " + maxBytes + " bytes");
        }
        if (info.arrayLength() > MAX_ARRAY_LENGTH) {
            return reject("an array of " + info.arrayLength() + " elements, at most " + MAX_ARRAY_LENGTH);
        }
        Class<?> type = info.serialClass();
        if (type == null) {
            return Status.UNDECIDED; // a limits-only check, passed above
        }
        while (type.isArray()) {
            type = type.getComponentType();
        }
        if (type.isPrimitive() || allowed(type.getName())) {
            return Status.ALLOWED;
        }
        return reject("class " + info.serialClass().getName() + " is not one a model is made of");
    }

    static boolean allowed(String className) {
        if (JDK_CLASSES.contains(className)) {
            return true;
        }
        for (String tree : PACKAGE_TREES) {
            if (className.startsWith(tree)) {
                return true;
            }
        }
        int dot = className.lastIndexOf('.');
        return dot > 0 && PACKAGES.contains(className.substring(0, dot));
    }

    private Status reject(String why) {
        if (refusal == null) {
            refusal = why;
        }
        return Status.REJECTED;
    }
}
