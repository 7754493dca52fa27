package io.vigil.pipeline.serde;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.function.Function;

/**
 * Instances of the classes a hand-written serializer writes, with every field set to a value of its own (not its
 * default), by reflection: a field added to one of them later, and not written by the serializer, then fails the
 * serializer's round-trip test. Numbers, booleans, strings, enums and primitive arrays are filled here, nested
 * classes of Vigil's recursively; a map or list field is filled by the function given for its name, and any other
 * field fails the test that asks, naming it.
 */
final class EveryField {
    private final Map<String, Function<EveryField, Object>> collections;
    private long next = 1;

    /** @param collections per name of a map or list field, what to fill it with (given this, for nested values) */
    EveryField(Map<String, Function<EveryField, Object>> collections) {
        this.collections = collections;
    }

    <T> T filled(Class<T> type) {
        try {
            T t = type.getDeclaredConstructor().newInstance();
            for (Field f : type.getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) || Modifier.isTransient(m)) {
                    continue;
                }
                f.setAccessible(true);
                f.set(t, value(f));
            }
            return t;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** A value not given before. */
    long next() {
        return next++;
    }

    private Object value(Field f) {
        Class<?> c = f.getType();
        if (collections.containsKey(f.getName())) {
            return collections.get(f.getName()).apply(this);
        } else if (c == long.class) {
            return next++;
        } else if (c == int.class) {
            return (int) next++;
        } else if (c == double.class) {
            return next++ + 0.25;
        } else if (c == boolean.class) {
            return true;
        } else if (c == String.class) {
            return "s" + next++;
        } else if (c.isEnum()) {
            Object[] constants = c.getEnumConstants();
            return constants[constants.length - 1];
        } else if (c == int[].class) {
            return new int[] {(int) next++, (int) next++};
        } else if (c == long[].class) {
            return new long[] {next++, next++, next++};
        } else if (c == byte[].class) {
            return new byte[] {(byte) next++, 0, (byte) next++};
        } else if (c.getName().startsWith("io.vigil.") && !c.isInterface()) {
            return filled(c);
        }
        throw new AssertionError("a field this test cannot fill, nor the serializer write: " + f);
    }
}
