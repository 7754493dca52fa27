package io.vigil.pipeline.serde;

import io.vigil.pipeline.attribution.FlowLookup;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.testutils.DeeplyEqualsChecker;

/**
 * Field-by-field equality of Avro records, stricter than their {@code equals}: every field of the schema
 * (so a field added to the schema is compared without changing this), nulls anywhere (Avro's {@code
 * equals} throws on a null in a required field), doubles by
 * {@link Double#equals} (-0.0 is not 0.0), lists element by element.
 */
public final class SameFields {
    private SameFields() {}

    static boolean same(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof SpecificRecord ra && b instanceof SpecificRecord rb) {
            Schema schema = ra.getSchema();
            if (!schema.equals(rb.getSchema())) {
                return false;
            }
            for (Schema.Field f : schema.getFields()) {
                if (!same(ra.get(f.pos()), rb.get(f.pos()))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof FlowLookup la && b instanceof FlowLookup lb) {
            return la.waitsOnDestination == lb.waitsOnDestination && same(la.flow, lb.flow);
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if (la.size() != lb.size()) {
                return false;
            }
            for (int i = 0; i < la.size(); i++) {
                if (!same(la.get(i), lb.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.getClass() == b.getClass() && Objects.equals(a, b);
    }

    /** For {@code SerializerTestBase}: records and lookups compared as {@link #same} does. */
    public static DeeplyEqualsChecker checker() {
        return new DeeplyEqualsChecker()
                .withCustomCheck(
                        (a, b) -> a instanceof SpecificRecord || a instanceof FlowLookup,
                        (a, b, checker) -> same(a, b));
    }
}
