package io.vigil.pipeline.serde;

import java.io.IOException;
import java.time.Instant;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Field encodings the record serializers share. */
final class Wire {
    private Wire() {}

    static final int LONG = 8;
    static final int INT = 4;
    static final int DOUBLE = 8;

    /**
     * An instant is its epoch milliseconds (8 bytes), present or not as a bit of its record's flags says.
     * The records' instants are timestamp-millis: their setters truncate to the millisecond, Avro's
     * encoding keeps milliseconds only, and so does this. Fails, as Avro does, on an instant whose epoch
     * milliseconds do not fit a long.
     */
    static void writeInstant(Instant t, DataOutputView out) throws IOException {
        out.writeLong(t.toEpochMilli());
    }

    static Instant readInstant(DataInputView in) throws IOException {
        return Instant.ofEpochMilli(in.readLong());
    }

    /** Doubles by their raw bits: every NaN payload and -0.0 survive. */
    static void writeDouble(double d, DataOutputView out) throws IOException {
        out.writeLong(Double.doubleToRawLongBits(d));
    }

    static double readDouble(DataInputView in) throws IOException {
        return Double.longBitsToDouble(in.readLong());
    }
}
