package io.vigil.pipeline.ingest;

import io.vigil.pipeline.serde.RecordTypes;
import io.vigil.records.Assignment;
import io.vigil.records.DeadLetter;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What a source hands to the pipeline: one decoded input record, or the dead letter saying why it could
 * not be used. Decoding happens inside the source so that event time, and so watermarks, are known per
 * Kafka partition or file. Exactly one field is set. A Flink POJO: flows and samples use the hand-written
 * serializers ({@link RecordTypes}), assignments and dead letters Flink's Avro serializer.
 */
public class Received {
    @TypeInfo(RecordTypes.FlowFactory.class)
    public Flow flow;
    @TypeInfo(RecordTypes.GpuSampleFactory.class)
    public GpuSample sample;
    public Assignment assignment;
    public DeadLetter deadLetter;

    public Received() {}

    public static Received of(Object record) {
        Received r = new Received();
        if (record instanceof Flow f) {
            r.flow = f;
        } else if (record instanceof GpuSample s) {
            r.sample = s;
        } else if (record instanceof Assignment a) {
            r.assignment = a;
        } else if (record instanceof DeadLetter d) {
            r.deadLetter = d;
        } else {
            throw new IllegalArgumentException("not an input record: " + record.getClass());
        }
        return r;
    }

    /** The record's event time, or Long.MIN_VALUE for a dead letter (which must not move watermarks). */
    public long eventTime() {
        if (flow != null) {
            return flow.getTs().toEpochMilli();
        }
        if (sample != null) {
            return sample.getTs().toEpochMilli();
        }
        if (assignment != null) {
            return assignment.getTs().toEpochMilli();
        }
        return Long.MIN_VALUE;
    }

    /** The input record (flow, sample or assignment), or null for a dead letter. */
    public Object record() {
        return flow != null ? flow : sample != null ? sample : assignment;
    }
}
