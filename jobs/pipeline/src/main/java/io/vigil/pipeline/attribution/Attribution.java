package io.vigil.pipeline.attribution;

import io.vigil.records.Assignment;
import java.io.Serializable;
import java.util.List;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.OutputTag;

/**
 * What attributing one kind of record means: which addresses an assignment names, and what becomes of a
 * record once the owners of its addresses are known or known to be nobody. The operator that runs it
 * ({@link ReadAndAttribute} in the readers' own task; {@link AttributionOperator} after a step between) holds, in an
 * {@link AttributionState}, the address → job timelines of every assignment (broadcast: the scheduler's events are
 * few) and the records waiting for the watermark, so records are attributed where they are read, without a shuffle
 * and without keyed state per record.
 *
 * <p>A record whose time a known hold covers is attributed at once. Otherwise it may wait until the watermark
 * passes its time: by then every assignment up to that time has arrived (within the out-of-orderness bound),
 * so the answer is final. At most {@code maxWaiting} records wait per address and subtask; beyond that a
 * record is decided at once.
 */
public abstract class Attribution<IN, OUT> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** What the operator offers a record's attribution. */
    public interface Context<IN, OUT> {
        /** The job that held {@code address} at {@code ts} as far as the assignments seen tell, or null. */
        String ownerAt(String address, long ts);

        /** Whether {@code record} may wait on {@code address} (the watermark has not passed it, room is left). */
        boolean mayWait(String address, long ts);

        /** Holds {@code record} until the watermark passes {@code ts}, then gives it to {@link #decide}. */
        void await(IN record, String address, long ts);

        /** Sends an attributed record on, at the record's time. */
        void emit(OUT out);

        /** Sends something to a side output, at the record's time. */
        <X> void emit(OutputTag<X> tag, X value);
    }

    /** Registers the attribution's own metrics, when its operator opens. */
    protected void open(MetricGroup metrics) {}

    /** The record's event time, epoch ms. */
    protected abstract long eventTime(IN record);

    /** The addresses (timeline keys) an assignment is about. */
    protected abstract List<String> addresses(Assignment assignment);

    /** A record as it arrives: attributes it, decides it unowned, or lets it wait. */
    protected abstract void arrived(IN record, Context<IN, OUT> ctx);

    /** A record that waited, once the watermark has passed its time: every owner it can have is known. */
    protected abstract void decide(IN record, Context<IN, OUT> ctx);

    /** The address a waiting record waits on (to count it again after a restore). */
    protected abstract String waitingOn(IN record);
}
