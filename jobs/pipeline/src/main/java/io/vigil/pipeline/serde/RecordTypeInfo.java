package io.vigil.pipeline.serde;

import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type information of a record with a hand-written, stateless serializer: an atomic type (no fields
 * Flink can address, not a key type: keys are extracted by key selectors), whatever the serializer
 * configuration.
 *
 * @param <T> the record
 */
public final class RecordTypeInfo<T> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final TypeSerializer<T> serializer;

    public RecordTypeInfo(Class<T> type, TypeSerializer<T> serializer) {
        this.type = Objects.requireNonNull(type);
        this.serializer = Objects.requireNonNull(serializer);
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return serializer.duplicate();
    }

    @Override
    public String toString() {
        return type.getSimpleName() + " (" + serializer.getClass().getSimpleName() + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordTypeInfo<?> other
                && other.canEqual(this)
                && type == other.type
                && serializer.equals(other.serializer);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + serializer.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof RecordTypeInfo;
    }
}
