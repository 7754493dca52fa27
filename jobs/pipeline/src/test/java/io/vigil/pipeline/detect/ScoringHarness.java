package io.vigil.pipeline.detect;

import io.vigil.models.features.ScanMemory;
import io.vigil.models.scoring.JobHistory;
import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.JobWindow;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/**
 * {@link ScoreWindows} as the pipeline runs it (keyed by job, model releases on the broadcast input) on
 * Flink's operator harness, with its metrics readable: Flink's KeyedBroadcastOperatorTestHarness, plus an
 * operator metric group that keeps what is registered on it.
 */
final class ScoringHarness extends AbstractStreamOperatorTestHarness<JobWindow> {
    private final InterceptingOperatorMetricGroup metrics;

    private ScoringHarness(ScoreWindows scoring, KeepingTaskMetricGroup metrics) throws Exception {
        super(
                new CoBroadcastWithKeyedOperator<>(
                        scoring, List.of(ScoreWindows.ACCEPTED_MODEL, ScoreWindows.SUPPRESSION_RULES)),
                new MockEnvironmentBuilder()
                        .setMetricGroup(metrics)
                        .setMaxParallelism(128)
                        .build());
        this.metrics = metrics.operator;
        config.setStatePartitioner(0, (KeySelector<ScoringInput, String>) ScoringInput::jobId);
        config.setStateKeySerializer(StringSerializer.INSTANCE);
        config.serializeAllConfigs();
    }

    /** A harness set up but not opened: {@code initializeState} (to restore) then {@code open}. */
    static ScoringHarness of(ScoreWindows scoring) throws Exception {
        return new ScoringHarness(scoring, new KeepingTaskMetricGroup());
    }

    @SuppressWarnings("unchecked")
    private TwoInputStreamOperator<ScoringInput, ScoringBroadcast, JobWindow> scoring() {
        return (TwoInputStreamOperator<ScoringInput, ScoringBroadcast, JobWindow>) operator;
    }

    void window(FeaturedWindow w) throws Exception {
        StreamRecord<ScoringInput> record =
                new StreamRecord<>(ScoringInput.of(w), w.window.getWindowEnd().toEpochMilli() - 1);
        scoring().setKeyContextElement1(record);
        scoring().processElement1(record);
    }

    void assignment(Assignment a) throws Exception {
        StreamRecord<ScoringInput> record =
                new StreamRecord<>(ScoringInput.of(a), a.getTs().toEpochMilli());
        scoring().setKeyContextElement1(record);
        scoring().processElement1(record);
    }

    /** A tool call of a job's agents, read at the edge. */
    void call(AgentCallInput call) throws Exception {
        StreamRecord<ScoringInput> record = new StreamRecord<>(ScoringInput.of(call), call.ts);
        scoring().setKeyContextElement1(record);
        scoring().processElement1(record);
    }

    void modelRelease(byte[] artifact) throws Exception {
        broadcast(ScoringBroadcast.modelRelease(artifact));
    }

    /** A model release or a suppression rule, as the broadcast input brings it. */
    void broadcast(ScoringBroadcast in) throws Exception {
        scoring().processElement2(new StreamRecord<>(in));
    }

    /** A watermark of the job input only; the model input is idle, as the model source says it is. */
    void jobWatermark(long timestamp) throws Exception {
        scoring().processWatermark1(new Watermark(timestamp));
    }

    void modelInputIdle() throws Exception {
        scoring().processWatermarkStatus2(WatermarkStatus.IDLE);
    }

    List<JobWindow> windows() {
        return extractOutputValues();
    }

    /** The flagged windows as alerts of their own. */
    List<Alert> alerts() {
        var side = getSideOutput(ScoreWindows.FLAGGED);
        return side == null
                ? List.of()
                : side.stream().map(StreamRecord::getValue).toList();
    }

    int numKeyedStateEntries() {
        return ((HeapKeyedStateBackend<?>) ((AbstractStreamOperator<?>) operator).getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    /** The history kept for a job, as the operator stores it; null when it has none. */
    JobHistory history(String jobId) throws Exception {
        AbstractStreamOperator<?> op = (AbstractStreamOperator<?>) operator;
        op.setCurrentKey(jobId);
        byte[] stored = op.getKeyedStateBackend()
                .getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        new ValueStateDescriptor<>("history", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO))
                .value();
        return stored == null ? null : JobHistory.fromBytes(stored);
    }

    /** The scan memory kept for a job, as the operator stores it; null when it has none. */
    ScanMemory scanMemory(String jobId) throws Exception {
        AbstractStreamOperator<?> op = (AbstractStreamOperator<?>) operator;
        op.setCurrentKey(jobId);
        byte[] stored = op.getKeyedStateBackend()
                .getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        new ValueStateDescriptor<>(
                                "scan-memory", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO))
                .value();
        return stored == null ? null : ScanMemory.fromBytes(stored);
    }

    long counter(String name) {
        Counter counter = (Counter) metrics.get(name);
        return count(counter, name);
    }

    /** A counter of a subgroup (key, value), such as a rule's alertsSuppressed; 0 when it has none. */
    long counter(String key, String value, String name) {
        InterceptingOperatorMetricGroup group = ((KeepingOperatorMetricGroup) metrics).subgroups.get(key + "." + value);
        return group == null ? 0 : count((Counter) group.get(name), key + "." + value + "." + name);
    }

    /** The subgroups that were added under a key, by value. */
    List<String> subgroups(String key) {
        return ((KeepingOperatorMetricGroup) metrics)
                .subgroups.keySet().stream()
                        .filter(k -> k.startsWith(key + "."))
                        .map(k -> k.substring(key.length() + 1))
                        .sorted()
                        .toList();
    }

    private static long count(Counter counter, String name) {
        if (counter == null) {
            throw new IllegalArgumentException("no counter " + name + " registered");
        }
        return counter.getCount();
    }

    /** Keeps the subgroups added to it (key and value) and what is registered on them. */
    static final class KeepingOperatorMetricGroup extends InterceptingOperatorMetricGroup {
        final Map<String, InterceptingOperatorMetricGroup> subgroups = new HashMap<>();

        @Override
        public MetricGroup addGroup(String key, String value) {
            return subgroups.computeIfAbsent(key + "." + value, k -> new InterceptingOperatorMetricGroup());
        }
    }

    /** Hands every operator the same metric group, which keeps its metrics. */
    static final class KeepingTaskMetricGroup extends UnregisteredMetricGroups.UnregisteredTaskMetricGroup {
        final InterceptingOperatorMetricGroup operator = new KeepingOperatorMetricGroup();

        @Override
        public InternalOperatorMetricGroup getOrAddOperator(
                OperatorID id, String name, Map<String, String> additionalVariables) {
            return operator;
        }
    }
}
