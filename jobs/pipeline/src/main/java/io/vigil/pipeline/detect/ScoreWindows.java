package io.vigil.pipeline.detect;

import io.vigil.models.agents.AgentBehaviour;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.features.ScanMemory;
import io.vigil.models.model.ModelArtifact;
import io.vigil.models.model.ModelTrust;
import io.vigil.models.scoring.JobHistory;
import io.vigil.models.scoring.Verdict;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.models.suppression.Suppression;
import io.vigil.models.suppression.Suppressions;
import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Decoded;
import io.vigil.records.JobWindow;
import io.vigil.records.Printable;
import io.vigil.records.SuppressionRule;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores each window of a job, emits every scored window, and each flagged one that no suppression rule silences
 * also as an alert of its own (a side output, {@link #FLAGGED}), which {@link IncidentLifecycle} puts into an
 * incident.
 *
 * <p>State per job: the job's {@link JobHistory} (what the model has learned of the
 * job's own normal) and its {@link ScanMemory} (the services it failed to reach over the last half hour, which
 * gives each window its {@code recent_failed_targets} before it is scored, so that a scan slower than a window
 * adds up). All are cleared a window after the job's STOP, or after {@code jobIdleTimeout} without a window,
 * whichever comes first.
 *
 * <p>Agents: the tool calls of the job's agents ({@link AgentCallInput}, read at the edge) wait in state until the
 * job's window in which they ended is scored; that window is scored with what they add up to ({@link
 * AgentBehaviour}, {@link FeatureSet#AGENT}), which only the model's indicator rules read, and carries those values
 * beside its features. A call that comes after its window was scored (its topic lagging) is counted in the job's next
 * window, never dropped ({@code agentCallsAfterTheirWindow}); past {@value #MAX_WAITING_CALLS} waiting calls of one
 * job (its windows stopped coming) the newest are dropped ({@code agentCallsDropped}). A window in which the job's
 * agents ended no call is scored, and written, exactly as without agents. Calls never hold event time back: their
 * input is idle in event time ({@link ModelReleases#idle}, see {@link DetectPipeline}).
 *
 * <p>Models: the constructor's model scores until a model release arrives on the broadcast input (the
 * bytes of a {@link ModelArtifact}, from {@code vigil publish-model}). A release is loaded the one way every
 * model is ({@link ModelArtifact#load}: format, signature against the settings' {@link ModelTrust}, feature
 * set, canned windows); a good one scores from the next window on, a bad one is refused (logged with the
 * reason, counted) and the previous model goes on scoring. The last accepted release is kept in broadcast
 * state, so a job restored from a checkpoint or savepoint scores with it again; one that is refused then
 * is skipped. A model must never fail the job: a release that throws anything, an {@link Error} included,
 * while scoring a window is dropped for the rest of this task's life (counted as {@code failed_check}) and
 * the window is scored again by the model before it.
 *
 * <p>Suppressions: analysts' rules ({@link Suppressions}, pure) from a file (the constructor's, replay and
 * evaluate) and from the suppression topic on the same broadcast input as the models (added, changed, removed by
 * a tombstone; kept in broadcast state, so a restored job has them). A flagged window a rule silences is still
 * emitted, flagged by the model and marked with the rules' ids ({@code suppressed_by}), but is no alert: it
 * opens or updates no incident. A rule that removes some of a window's categories (a category rule, or a
 * destination rule taking off those that rest on its destination alone) only takes them off its alert (the window
 * keeps the model's categories, which retraining reads). A rule's labels are matched
 * against the job's labels from its START assignments (kept with the job's other state); its expiry against the
 * window's end, in event time, so a replay suppresses the same windows and a running job stops applying an
 * expired rule without a restart. A rule applies from the first window scored after it arrives.
 *
 * <p>Metrics: {@code windowsScored}, {@code windowsFlagged}, {@code jobStatesCleared} (jobs whose state ended),
 * {@code modelsAccepted}, {@code modelsRefused} and {@code modelsRefused_<code>} per
 * {@link ModelArtifact.Refusal} (e.g. {@code modelsRefused_checksum_mismatch}); {@code alertsSuppressed} (flagged
 * windows silenced), {@code suppressionRuleUpdates} (rules added, changed or removed: each instance counts each)
 * and {@code suppression_rule.<id>.alertsSuppressed} per rule, for the first
 * {@value #MAX_RULE_METRICS} rules this task has seen silence a window (the rest under the id {@code other}, so
 * that rules written by the hundred cannot flood the metrics system).
 */
public final class ScoreWindows
        extends KeyedBroadcastProcessFunction<String, ScoringInput, ScoringBroadcast, JobWindow> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ScoreWindows.class);

    /** Each flagged window as an alert of its own, not yet in an incident. */
    public static final OutputTag<Alert> FLAGGED = new OutputTag<>("flagged") {};

    /** The last accepted model release: at most one entry, its model version → its artifact bytes. */
    public static final MapStateDescriptor<String, byte[]> ACCEPTED_MODEL = new MapStateDescriptor<>(
            "accepted-model", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    /** The suppression rules from the topic: each rule's id → its JSON ({@link ScoringBroadcast}). */
    public static final MapStateDescriptor<String, byte[]> SUPPRESSION_RULES = new MapStateDescriptor<>(
            "suppression-rules", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    /** Most rules with a metric of their own, per task. */
    static final int MAX_RULE_METRICS = 100;

    /** Most tool calls of one job waiting for their window. */
    static final int MAX_WAITING_CALLS = 4096;

    private final WindowScorer initialModel;
    private final Suppressions fileRules;
    private final ModelTrust trust;
    private final FeatureSet featureSet;
    private final long windowMs;
    private final long retentionMs;
    private final long idleTimeoutMs;

    private transient ValueState<byte[]> history;
    /** The job's {@link ScanMemory}, as its bytes; written only by windows with failed targets. */
    private transient ValueState<byte[]> scanMemory;

    /** The job's agents' tool calls whose window has not been scored yet, and how many. */
    private transient ListState<AgentCallInput> waitingCalls;

    private transient ValueState<Integer> waitingCount;

    private transient ValueState<Long> cleanupAt;
    /** When the job stopped (its latest STOP), until a later START restarts it. */
    private transient ValueState<Long> stoppedAt;
    /** The job's scheduler labels, from its START assignments, for suppression rules. */
    private transient MapState<String, String> labels;
    /** The rules in force: the file's and the topic's; null until the next window reads the broadcast state. */
    private transient Suppressions rules;
    /** The model scoring now; null until the first window after open() looked at the broadcast state. */
    private transient WindowScorer model;
    /** The model before the current release, which takes over if the release fails on a window. */
    private transient WindowScorer previous;

    private transient Counter flagged;
    private transient Counter windows;
    private transient Counter jobStatesCleared;
    private transient Counter modelsAccepted;
    private transient Counter modelsRefused;
    private transient Map<ModelArtifact.Refusal, Counter> modelsRefusedBy;
    private transient Counter alertsSuppressed;
    private transient Counter agentCallsCounted;
    private transient Counter agentCallsLate;
    private transient Counter agentCallsDropped;
    private transient Counter ruleUpdates;
    private transient Map<String, Counter> suppressedByRule;
    private transient MetricGroup metrics;
    /** The version that scored the last window; read by the metrics reporter's thread. */
    private transient volatile String versionInUse;

    private transient Map<String, Object> versionGauges;

    /** @param initialModel scores until a model release is accepted; its feature set is the one releases must have */
    public ScoreWindows(WindowScorer initialModel, DetectSettings settings) {
        this(initialModel, settings, Suppressions.none());
    }

    /** @param fileRules suppression rules in force from the start, beside those of the topic */
    public ScoreWindows(WindowScorer initialModel, DetectSettings settings, Suppressions fileRules) {
        this.initialModel = initialModel;
        this.fileRules = fileRules;
        this.trust = settings.modelTrust();
        this.featureSet = initialModel.featureSet();
        this.windowMs = settings.windowSize().toMillis();
        this.retentionMs = settings.retentionMs();
        this.idleTimeoutMs = settings.jobIdleTimeout().toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        history = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("history", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        scanMemory = getRuntimeContext()
                .getState(new ValueStateDescriptor<>(
                        "scan-memory", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        waitingCalls = getRuntimeContext()
                .getListState(new ListStateDescriptor<>("waiting-calls", TypeInformation.of(AgentCallInput.class)));
        waitingCount = getRuntimeContext().getState(new ValueStateDescriptor<>("waiting-count", Types.INT));
        cleanupAt = getRuntimeContext().getState(new ValueStateDescriptor<>("cleanup-at", Types.LONG));
        stoppedAt = getRuntimeContext().getState(new ValueStateDescriptor<>("stopped-at", Types.LONG));
        labels = getRuntimeContext().getMapState(new MapStateDescriptor<>("job-labels", Types.STRING, Types.STRING));
        rules = null;
        // Flink does not run constructors or field initialisers when it deserializes a function
        model = null;
        metrics = getRuntimeContext().getMetricGroup();
        versionInUse = null;
        versionGauges = new HashMap<>();
        flagged = metrics.counter("windowsFlagged");
        windows = metrics.counter("windowsScored");
        jobStatesCleared = metrics.counter("jobStatesCleared");
        modelsAccepted = metrics.counter("modelsAccepted");
        modelsRefused = metrics.counter("modelsRefused");
        modelsRefusedBy = new EnumMap<>(ModelArtifact.Refusal.class);
        for (ModelArtifact.Refusal refusal : ModelArtifact.Refusal.values()) {
            modelsRefusedBy.put(refusal, metrics.counter("modelsRefused_" + refusal.code()));
        }
        alertsSuppressed = metrics.counter("alertsSuppressed");
        agentCallsCounted = metrics.counter("agentCallsCounted");
        agentCallsLate = metrics.counter("agentCallsAfterTheirWindow");
        agentCallsDropped = metrics.counter("agentCallsDropped");
        ruleUpdates = metrics.counter("suppressionRuleUpdates");
        suppressedByRule = new HashMap<>();
    }

    @Override
    public void processElement(ScoringInput input, ReadOnlyContext ctx, Collector<JobWindow> out) throws Exception {
        if (input.window != null) {
            score(input.window, ctx, out);
        } else if (input.call != null) {
            call(input.call, ctx);
        } else {
            assignment(input.assignment, ctx);
        }
    }

    private void score(FeaturedWindow featured, ReadOnlyContext ctx, Collector<JobWindow> out) throws Exception {
        WindowScorer scorer = model(ctx.getBroadcastState(ACCEPTED_MODEL));
        JobWindow window = featured.window;
        double[] features = featureSet.fromMap(window.getFeatures());
        boolean recalled = recall(featured, features);
        double[] agents = agents(window);
        JobHistory before = history(window.getJobId());
        Verdict verdict;
        JobHistory after;
        try {
            verdict = scorer.score(features, agents, before);
            after = scorer.update(before, features, verdict);
        } catch (Throwable e) {
            if (scorer == initialModel || previous == null) {
                throw e; // the job's own model: a bug to see, not a release to drop
            }
            refused(
                    ModelArtifact.Refusal.FAILED_CHECK,
                    "model " + scorer.modelVersion() + " failed on a window of job " + window.getJobId() + ": " + e,
                    0,
                    previous.modelVersion());
            model = previous;
            previous = null;
            scorer = model;
            verdict = scorer.score(features, agents, before);
            after = scorer.update(before, features, verdict);
        }
        if (after != before) {
            history.update(after.toBytes());
        }
        String modelVersion = scorer.modelVersion();
        inUse(modelVersion);
        // The window is this operator's own (it came over the network, and state keeps bytes, not it): scored in
        // place, not copied deeply twice.
        if (recalled) {
            window.setFeatures(featureSet.toMap(features));
        }
        if (agents != null) {
            Map<String, Double> withAgents = new LinkedHashMap<>(window.getFeatures());
            withAgents.putAll(FeatureSet.AGENT.toMap(agents));
            window.setFeatures(withAgents);
        }
        window.setScore(verdict.score());
        window.setThreshold(verdict.threshold());
        window.setFlagged(verdict.flagged());
        window.setCategories(verdict.categories());
        window.setModelVersion(modelVersion);
        Alert alert = null;
        if (verdict.flagged()) {
            flagged.inc();
            alert = Alerts.ofWindow(window, verdict, modelVersion, featured.evidence);
            Suppressions.Outcome outcome = suppressions(ctx.getBroadcastState(SUPPRESSION_RULES))
                    .apply(
                            window.getJobId(),
                            jobLabels(),
                            alert.getCategories(),
                            window.getFeatures(), // with the agents' values: what the rules read the category from
                            alert.getEvidence(),
                            window.getWindowEnd());
            if (outcome.suppressed()) {
                window.setSuppressedBy(outcome.ruleIds());
                suppressed(outcome.ruleIds());
                alert = null;
            } else if (outcome.changed()) {
                alert.setCategories(outcome.categories());
            }
        }
        windows.inc();
        out.collect(window);
        if (alert != null) {
            ctx.output(FLAGGED, alert);
        }
        long end = window.getWindowEnd().toEpochMilli();
        if (stoppedAt.value() == null) {
            scheduleCleanup(ctx, end + idleTimeoutMs);
        }
    }

    /**
     * Adds the window's failed targets to the job's scan memory and sets {@code recent_failed_targets} in
     * {@code features} from it ({@link ScanMemory#recall}). Only a window with failed targets reads or writes
     * the memory: the feature is 0 in the others, as the window computed it. Whether the features changed.
     */
    private boolean recall(FeaturedWindow featured, double[] features) throws Exception {
        if (featured.failedTargets == null || featured.failedTargets.isEmpty()) {
            return false;
        }
        ScanMemory before = ScanMemory.empty();
        byte[] stored = scanMemory.value();
        if (stored != null) {
            try {
                before = ScanMemory.fromBytes(stored);
            } catch (IllegalArgumentException e) {
                LOG.warn(
                        "job {}: its stored scan memory is unreadable ({}); starting it afresh",
                        featured.window.getJobId(),
                        e.getMessage());
            }
        }
        ScanMemory after = before.recall(
                featureSet, features, featured.window.getWindowStart().toEpochMilli(), featured.failedTargets);
        if (after == before) {
            return false;
        }
        scanMemory.update(after.toBytes());
        return true;
    }

    /** A tool call of the job's agents: waits for its window (class doc). */
    private void call(AgentCallInput call, ReadOnlyContext ctx) throws Exception {
        Integer waiting = waitingCount.value();
        int count = waiting == null ? 0 : waiting;
        if (count >= MAX_WAITING_CALLS) {
            agentCallsDropped.inc();
            return;
        }
        waitingCalls.add(call);
        waitingCount.update(count + 1);
        if (cleanupAt.value() == null && stoppedAt.value() == null) {
            // a job whose calls come but whose windows never do must not keep them for ever
            scheduleCleanup(ctx, call.ts + idleTimeoutMs);
        }
    }

    /**
     * What the job's agents did in the window: {@link FeatureSet#AGENT}'s values of the waiting calls that ended before
     * its end (those of earlier windows that came late included), which leave the state; null when there are none.
     */
    private double[] agents(JobWindow window) throws Exception {
        if (waitingCount.value() == null) {
            return null;
        }
        long start = window.getWindowStart().toEpochMilli();
        long end = window.getWindowEnd().toEpochMilli();
        List<AgentBehaviour.Call> counted = new ArrayList<>();
        List<AgentCallInput> keep = new ArrayList<>();
        for (AgentCallInput c : waitingCalls.get()) {
            if (c.ts < end) {
                counted.add(c.call());
                if (c.ts < start) {
                    agentCallsLate.inc();
                }
            } else {
                keep.add(c);
            }
        }
        if (counted.isEmpty()) {
            return null;
        }
        agentCallsCounted.inc(counted.size());
        if (keep.isEmpty()) {
            waitingCalls.clear();
            waitingCount.clear();
        } else {
            waitingCalls.update(keep);
            waitingCount.update(keep.size());
        }
        return AgentBehaviour.ofCalls(counted).values();
    }

    /** The job's history so far; a history this version cannot read is started afresh rather than failing the job. */
    private JobHistory history(String jobId) throws Exception {
        byte[] stored = history.value();
        if (stored == null) {
            return JobHistory.empty();
        }
        try {
            return JobHistory.fromBytes(stored);
        } catch (IllegalArgumentException e) {
            LOG.warn(
                    "job {}: its stored history is unreadable ({}); learning its normal afresh",
                    Printable.escape(jobId),
                    Printable.escape(e.getMessage()));
            return JobHistory.empty();
        }
    }

    /**
     * A STOP brings the clean-up forward to a window after it (its last windows may still fire). A START
     * of the same job after it (a restart) cancels that: the job's history carries on. Event time decides,
     * not arrival: a job's START and STOP may come from different partitions in either order.
     */
    private void assignment(Assignment event, ReadOnlyContext ctx) throws Exception {
        long ts = event.getTs().toEpochMilli();
        if (event.getEvent() == AssignmentEvent.START && event.getLabels() != null) {
            labels.putAll(event.getLabels());
        }
        Long stopped = stoppedAt.value();
        if (event.getEvent() == AssignmentEvent.STOP) {
            if (stopped == null || ts > stopped) {
                stoppedAt.update(ts);
                scheduleCleanup(ctx, ts + retentionMs + windowMs);
            }
        } else if (stopped != null && ts >= stopped) {
            stoppedAt.clear();
            scheduleCleanup(ctx, ts + idleTimeoutMs);
        }
    }

    /** Keeps one clean-up timer per job. */
    private void scheduleCleanup(ReadOnlyContext ctx, long at) throws Exception {
        Long current = cleanupAt.value();
        if (current != null && current == at) {
            return;
        }
        if (current != null) {
            ctx.timerService().deleteEventTimeTimer(current);
        }
        ctx.timerService().registerEventTimeTimer(at);
        cleanupAt.update(at);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<JobWindow> out) {
        history.clear();
        waitingCalls.clear();
        waitingCount.clear();
        scanMemory.clear();
        cleanupAt.clear();
        stoppedAt.clear();
        labels.clear();
        jobStatesCleared.inc();
    }

    /**
     * A model release: accepted, it scores from the next window on and replaces the accepted release in
     * broadcast state; refused, nothing changes but the log and the counters. Every parallel instance gets
     * every release and decides alike.
     */
    @Override
    public void processBroadcastElement(ScoringBroadcast in, Context ctx, Collector<JobWindow> out) throws Exception {
        switch (in.kind) {
            case MODEL_RELEASE -> modelRelease(in.bytes, ctx);
            case RULE -> ruleChanged(in, ctx.getBroadcastState(SUPPRESSION_RULES));
            case RULE_REMOVED -> ruleRemoved(in.ruleId, ctx.getBroadcastState(SUPPRESSION_RULES));
        }
    }

    /**
     * A rule added or changed: in force from the next window on. The edge refused what is not a rule
     * ({@link SuppressionInput}); one that fails here all the same (written by a later version) is logged and left
     * out, never failing the job.
     */
    private void ruleChanged(ScoringBroadcast in, BroadcastState<String, byte[]> stored) throws Exception {
        String problem = problem(in.bytes);
        if (problem != null) {
            LOG.warn("suppression rule {} ignored: {}", Printable.escape(in.ruleId), Printable.escape(problem));
            return;
        }
        boolean replaced = stored.contains(in.ruleId);
        stored.put(in.ruleId, in.bytes);
        rules = null;
        ruleUpdates.inc();
        LOG.info(
                "suppression rule {} {}; in force from the next window on",
                Printable.escape(in.ruleId),
                replaced ? "changed" : "added");
    }

    private void ruleRemoved(String id, BroadcastState<String, byte[]> stored) throws Exception {
        if (stored.contains(id)) {
            stored.remove(id);
            rules = null;
            ruleUpdates.inc();
            LOG.info("suppression rule {} removed", Printable.escape(id));
        }
    }

    /** Why a rule's stored bytes are no rule to apply, or null when they are one. */
    private static String problem(byte[] bytes) {
        Decoded<SuppressionRule> decoded = ScoringBroadcast.rule(bytes);
        return decoded.isAccepted()
                ? Suppression.refusal(decoded.record())
                : decoded.rejection().toString();
    }

    /**
     * The rules in force: the file's, and the topic's over them (the same id: the topic's). Built again from the
     * broadcast state after open() and after each change, not on every window.
     */
    private Suppressions suppressions(ReadOnlyBroadcastState<String, byte[]> stored) throws Exception {
        if (rules == null) {
            Map<String, Suppression> all = new LinkedHashMap<>();
            for (Suppression rule : fileRules.rules()) {
                all.put(rule.id(), rule);
            }
            for (Map.Entry<String, byte[]> e : stored.immutableEntries()) {
                Decoded<SuppressionRule> decoded = ScoringBroadcast.rule(e.getValue());
                if (decoded.isAccepted() && Suppression.refusal(decoded.record()) == null) {
                    all.put(e.getKey(), Suppression.of(decoded.record()));
                }
            }
            rules = Suppressions.of(all.values());
        }
        return rules;
    }

    private Map<String, String> jobLabels() throws Exception {
        if (labels.isEmpty()) {
            return Map.of();
        }
        Map<String, String> copy = new HashMap<>();
        for (Map.Entry<String, String> e : labels.entries()) {
            copy.put(e.getKey(), e.getValue());
        }
        return copy;
    }

    /** Counts a silenced window, in all and per rule (bounded, see the class doc). */
    private void suppressed(List<String> ruleIds) {
        alertsSuppressed.inc();
        for (String id : ruleIds) {
            String label =
                    suppressedByRule.containsKey(id) || suppressedByRule.size() < MAX_RULE_METRICS ? id : "other";
            suppressedByRule
                    .computeIfAbsent(
                            label, l -> metrics.addGroup("suppression_rule", l).counter("alertsSuppressed"))
                    .inc();
        }
    }

    /** A model release (see {@link #processBroadcastElement}). */
    private void modelRelease(byte[] artifact, Context ctx) throws Exception {
        BroadcastState<String, byte[]> accepted = ctx.getBroadcastState(ACCEPTED_MODEL);
        WindowScorer current = model(accepted);
        String previousVersion = current.modelVersion();
        WindowScorer release;
        try {
            // load() turns every throwable into a refusal: a release must never fail the job, which would
            // restart and read it again
            release = ModelArtifact.load(artifact, featureSet, trust);
        } catch (ModelArtifact.RefusedException e) {
            refused(e.refusal(), e.getMessage(), artifact.length, previousVersion);
            return;
        }
        accepted.clear();
        accepted.put(release.modelVersion(), artifact);
        previous = current;
        model = release;
        modelsAccepted.inc();
        LOG.info(
                "model {} accepted ({} bytes); it scores from the next window on (was {})",
                Printable.escape(release.modelVersion()),
                artifact.length,
                Printable.escape(previousVersion));
    }

    /**
     * The gauge {@code model_version.<version>.modelInUse}: 1 for the version that scored the last window, 0 for
     * those before it (a Prometheus label, since a metric value cannot be a string).
     */
    private void inUse(String modelVersion) {
        if (!modelVersion.equals(versionInUse)) {
            versionInUse = modelVersion;
            versionGauges.computeIfAbsent(
                    modelVersion,
                    v -> metrics.addGroup("model_version", v)
                            .gauge("modelInUse", () -> v.equals(versionInUse) ? 1 : 0));
        }
    }

    private void refused(ModelArtifact.Refusal refusal, String message, int size, String stillScoring) {
        modelsRefused.inc();
        modelsRefusedBy.get(refusal).inc();
        LOG.warn(
                "model release refused ({}, {} bytes): {}; {} goes on scoring",
                refusal.code(),
                size,
                Printable.escape(message),
                Printable.escape(stillScoring));
    }

    /**
     * The model scoring now. After open() it is read once from the broadcast state: a restored job comes
     * back with the release it last accepted, deserialized here rather than on every window.
     */
    private WindowScorer model(ReadOnlyBroadcastState<String, byte[]> accepted) throws Exception {
        if (model == null) {
            model = initialModel;
            previous = null;
            for (Map.Entry<String, byte[]> release : accepted.immutableEntries()) {
                try {
                    // accepted once, so its signature was checked then: the state is the job's own
                    model = ModelArtifact.load(release.getValue(), featureSet, ModelTrust.BUILT_IN);
                    previous = initialModel;
                    LOG.info("model {} restored from state", Printable.escape(release.getKey()));
                } catch (ModelArtifact.RefusedException e) {
                    LOG.warn(
                            "model {} from state is refused now ({}); {} scores until a model is published",
                            Printable.escape(release.getKey()),
                            Printable.escape(e.getMessage()),
                            Printable.escape(initialModel.modelVersion()));
                }
            }
        }
        return model;
    }
}
