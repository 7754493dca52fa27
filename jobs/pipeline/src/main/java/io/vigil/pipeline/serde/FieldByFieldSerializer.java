package io.vigil.pipeline.serde;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A stateless serializer of a mutable class that writes its fields by hand ({@link #write}, {@link #read}): one
 * instance serves every thread. A copy goes through bytes, so it is exactly what a restore would read and shares no
 * object with the original; these classes are copied only when heap state is written while a checkpoint runs.
 *
 * @param <T> the class
 */
public abstract class FieldByFieldSerializer<T> extends TypeSerializerSingleton<T> {
    private static final long serialVersionUID = 1L;

    /** Writes {@code value} (never null). */
    protected abstract void write(T value, DataOutputView out) throws IOException;

    /** Reads what {@link #write} wrote. */
    protected abstract T read(DataInputView in) throws IOException;

    @Override
    public final boolean isImmutableType() {
        return false;
    }

    @Override
    public final T copy(T from) {
        if (from == null) {
            return null;
        }
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            write(from, out);
            return read(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException("copying a " + from.getClass().getSimpleName(), e);
        }
    }

    @Override
    public final T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final void serialize(T value, DataOutputView out) throws IOException {
        write(value, out);
    }

    @Override
    public final T deserialize(DataInputView in) throws IOException {
        return read(in);
    }

    @Override
    public final T deserialize(T reuse, DataInputView in) throws IOException {
        return read(in);
    }

    @Override
    public final void copy(DataInputView in, DataOutputView out) throws IOException {
        write(read(in), out);
    }
}
