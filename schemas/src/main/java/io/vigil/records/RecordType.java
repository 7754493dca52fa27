package io.vigil.records;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Each canonical record once: its name on the command line and in dead letters, its generated class,
 * its schema and the domain checks it must pass.
 */
public final class RecordType<T extends SpecificRecord> {
    static {
        AvroLimits.install();
    }

    /** A check that throws {@link RecordRejected} for a record the pipeline must not use. */
    @FunctionalInterface
    public interface Check<T> {
        void check(T record) throws RecordRejected;
    }

    public static final RecordType<Flow> FLOW =
            new RecordType<>("flow", Flow.class, Flow.getClassSchema(), RecordChecks::flow);
    public static final RecordType<GpuSample> GPU =
            new RecordType<>("gpu", GpuSample.class, GpuSample.getClassSchema(), RecordChecks::gpuSample);
    public static final RecordType<Assignment> ASSIGNMENT =
            new RecordType<>("assignment", Assignment.class, Assignment.getClassSchema(), RecordChecks::assignment);
    public static final RecordType<AgentEvent> AGENT_EVENT =
            new RecordType<>("agent-event", AgentEvent.class, AgentEvent.getClassSchema(), RecordChecks::agentEvent);
    public static final RecordType<Alert> ALERT =
            new RecordType<>("alert", Alert.class, Alert.getClassSchema(), RecordChecks::none);
    public static final RecordType<JobWindow> WINDOW =
            new RecordType<>("window", JobWindow.class, JobWindow.getClassSchema(), RecordChecks::none);
    public static final RecordType<DeadLetter> DEAD_LETTER =
            new RecordType<>("deadletter", DeadLetter.class, DeadLetter.getClassSchema(), RecordChecks::none);
    public static final RecordType<EpisodeFlag> EPISODE_FLAG =
            new RecordType<>("episode-flag", EpisodeFlag.class, EpisodeFlag.getClassSchema(), RecordChecks::none);

    public static final List<RecordType<?>> ALL =
            List.of(FLOW, GPU, ASSIGNMENT, AGENT_EVENT, ALERT, WINDOW, DEAD_LETTER, EPISODE_FLAG);

    private final String name;
    private final Class<T> recordClass;
    private final Schema schema;
    private final Check<T> check;

    private RecordType(String name, Class<T> recordClass, Schema schema, Check<T> check) {
        this.name = name;
        this.recordClass = recordClass;
        this.schema = schema;
        this.check = check;
    }

    public String name() {
        return name;
    }

    public Class<T> recordClass() {
        return recordClass;
    }

    public Schema schema() {
        return schema;
    }

    /** Applies the domain checks; throws {@link RecordRejected} with the reason when one fails. */
    public void check(T record) throws RecordRejected {
        check.check(record);
    }

    /** The domain checks as a value: null when the record may be used, else why not. */
    public Rejection rejectionOf(T record) {
        try {
            check.check(record);
            return null;
        } catch (RecordRejected e) {
            return e.rejection();
        }
    }

    public static RecordType<?> byName(String name) {
        for (RecordType<?> t : ALL) {
            if (t.name.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown record type '" + name
                + "'; known: flow, gpu, assignment, agent-event, alert, window, deadletter");
    }

    @Override
    public String toString() {
        return name;
    }
}
