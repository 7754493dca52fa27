package io.vigil.pipeline.serde;

import java.io.IOException;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot of one of this package's serializers, as a checkpoint or savepoint keeps it: only which
 * serializer it was (its class, which Flink writes) and the version of the record format (Flink writes
 * {@link #getCurrentVersion()} too); the serializers have no configuration.
 *
 * <p>State written with Flink's Avro serializer for these records (builds before the hand-written
 * serializers) is incompatible: Flink then refuses to restore it, and this class logs why. There is no
 * migration: Vigil is not released, so no savepoint of it needs to survive.
 *
 * @param <T> the record
 */
public abstract class RecordSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {
    private static final Logger LOG = LoggerFactory.getLogger(RecordSerializerSnapshot.class);

    /**
     * The record format this build writes and reads. A new one (a field added to a schema) bumps it for
     * all of the package's serializers; a reader of the old format then makes old state restorable.
     */
    public static final int VERSION = 1;

    private final Supplier<? extends TypeSerializer<T>> serializer;
    private int readVersion = VERSION;

    protected RecordSerializerSnapshot(Supplier<? extends TypeSerializer<T>> serializer) {
        this.serializer = serializer;
    }

    @Override
    public int getCurrentVersion() {
        return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) {
        // nothing beyond the class and the version, which Flink writes
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader) throws IOException {
        if (readVersion < 1 || readVersion > VERSION) {
            throw new IOException(getClass().getName() + " of record format version " + readVersion
                    + ": this build reads version " + VERSION + " only");
        }
        this.readVersion = readVersion;
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
        return serializer.get();
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> oldSnapshot) {
        if (oldSnapshot.getClass() == getClass()
                && ((RecordSerializerSnapshot<T>) oldSnapshot).readVersion == VERSION) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        LOG.warn(
                "State kept with {} ({}) cannot be read by {}, the serializer that replaced Flink's Avro serializer "
                        + "for Vigil's raw records in flight and in attribution state: the restore fails; start "
                        + "the job from empty state instead",
                oldSnapshot.getClass().getName(),
                describe(oldSnapshot),
                serializer.get().getClass().getName());
        return TypeSerializerSchemaCompatibility.incompatible();
    }

    private static String describe(TypeSerializerSnapshot<?> snapshot) {
        return snapshot instanceof RecordSerializerSnapshot<?> ours
                ? "record format version " + ours.readVersion
                : "snapshot version " + snapshot.getCurrentVersion();
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((RecordSerializerSnapshot<?>) o).readVersion == readVersion;
    }

    @Override
    public int hashCode() {
        return getClass().hashCode() * 31 + readVersion;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(version " + readVersion + ")";
    }
}
