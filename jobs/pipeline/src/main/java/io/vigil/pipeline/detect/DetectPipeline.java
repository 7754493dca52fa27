package io.vigil.pipeline.detect;

import io.vigil.models.features.Contact;
import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.JobFlow;
import io.vigil.models.features.NetworkScope;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.models.suppression.Suppressions;
import io.vigil.pipeline.attribution.AttributeWhereRead;
import io.vigil.pipeline.attribution.AttributionOperator;
import io.vigil.pipeline.attribution.FlowAttribution;
import io.vigil.pipeline.attribution.FlowLookup;
import io.vigil.pipeline.attribution.ReadAndAttribute;
import io.vigil.pipeline.attribution.SampleAttribution;
import io.vigil.pipeline.ingest.ConnectionIntervals;
import io.vigil.pipeline.ingest.CountDeadLetters;
import io.vigil.pipeline.ingest.DeadLetters;
import io.vigil.pipeline.ingest.InputStats;
import io.vigil.pipeline.ingest.Received;
import io.vigil.pipeline.ingest.SplitReceived;
import io.vigil.pipeline.serde.DestinationAccumulatorSerializer;
import io.vigil.pipeline.serde.JobContactsSerializer;
import io.vigil.pipeline.serde.RecordTypes;
import io.vigil.pipeline.serde.WindowAccumulatorSerializer;
import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.DeadLetter;
import io.vigil.records.EpisodeFlag;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.JobWindow;
import io.vigil.records.RejectReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.MultipleConnectedStreams;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.MultipleInputTransformation;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The detection pipeline, once, with its ends as parameters: {@code detect} gives it Kafka topics, replay
 * gives it files, tests give it whatever they need. It reads like the data flow of docs/ARCHITECTURE.md:
 *
 * <pre>
 * sources (decoded at the edge), attributed where they are read:
 *      ├─ flows ── attribute by source, then destination ── JobFlow
 *      └─ samples ─ attribute by (node, GPU) ─────────────── GpuSample + job
 * assignments (the scheduler's view: in every reader, for attribution; read once more for the per-job stages)
 * JobFlow ── key by job ── window: its contacts per remote address (bounded) ── the rest ───┐
 *    └─ those whose popularity matters ── key by remote address ── window: how many jobs ──┤ Contact
 * contacts ∪ GpuSample ── key by job ── window: features + evidence ── score (∪ tool calls, read) ── windows
 * model releases (model topic) ∪ suppression rules ── broadcast ─────────┘ (swapped without a restart)
 * flagged windows no rule silences ∪ assignments ── key by job ── incident lifecycle ── transitions
 * context sources (agents' tool calls; quiet is idle) ─┐
 * transitions ∪ tool calls ∪ first sightings ── key by job ── agent context ── alerts (open, update, close)
 *                                                                          └── episode flags (once per incident, episode)
 * every stage's rejects ── dead letters
 * </pre>
 */
public final class DetectPipeline {
    static final OutputTag<JobFlows> LATE_FLOWS = new OutputTag<>("late-flows") {};
    static final OutputTag<DestinationAccumulator> LATE_ASKED =
            new OutputTag<>("late-asked", DestinationAccumulatorSerializer.TYPE);
    static final OutputTag<JobSignal> LATE_SIGNALS = new OutputTag<>("late-signals") {};

    /**
     * The inputs: any number of sources of flows and GPU samples, in any mix (one Kafka source over the two topics,
     * one file source per file), each with its own watermarks; the sources of assignments (the assignments topic,
     * a dataset's assignments file), read apart because every reader's attribution needs all of them; the
     * assignments again as a source every reader of flows and samples reads whole ({@code EveryReaderSource}), which
     * puts attribution in the readers' own task, or null, and then they are broadcast to the readers; the context
     * sources, yielding the agents' tool calls (the agent-events topic, a dataset's agent_events
     * file), which the scoring step counts into their job's windows and the alerts' agent context names, with
     * watermarks that never hold detection back
     * ({@link ContextWatermarks}); the model releases (artifact bytes, the model topic), or null where there are
     * none (replay); the suppression topic's messages, decoded ({@link SuppressionInput}), or null; and
     * suppression rules in force from the start (a file's, for replay and evaluate). The model and suppression
     * sources must not end while the job runs ({@link ModelReleases}).
     */
    public record Inputs(
            List<Source<Received, ?, ?>> sources,
            List<Source<Received, ?, ?>> assignments,
            boolean everyReaderReadsEveryAssignment,
            List<Source<Received, ?, ?>> context,
            Source<byte[], ?, ?> models,
            Source<SuppressionInput, ?, ?> suppressions,
            Suppressions rules) {

        /** Inputs without model releases or suppressions. */
        public Inputs(
                List<Source<Received, ?, ?>> sources,
                List<Source<Received, ?, ?>> assignments,
                boolean everyReaderReadsEveryAssignment,
                List<Source<Received, ?, ?>> context) {
            this(sources, assignments, everyReaderReadsEveryAssignment, context, null, null, Suppressions.none());
        }

        /** The same inputs with these rules in force from the start. */
        public Inputs withRules(Suppressions fileRules) {
            return new Inputs(
                    sources, assignments, everyReaderReadsEveryAssignment, context, models, suppressions, fileRules);
        }
    }

    /** Where the results go; {@code episodeFlags} null: nowhere. */
    public record Outputs(
            Sink<Alert> alerts, Sink<JobWindow> windows, Sink<DeadLetter> deadLetters, Sink<EpisodeFlag> episodeFlags) {

        /** Outputs for a caller that has no use for episode flags. */
        public Outputs(Sink<Alert> alerts, Sink<JobWindow> windows, Sink<DeadLetter> deadLetters) {
            this(alerts, windows, deadLetters, null);
        }
    }

    /**
     * The pipeline's three results, for a caller that collects them itself (a local replay): the alerts (each a
     * transition of an incident), every scored window and the dead letters; and beside them every flagged window
     * as an alert of its own with the incident it joined (for a replay's backtest and report; no sink) and what
     * each input file's reader counted (files only; nothing on Kafka); and the episode flags, one per (incident,
     * episode) it names.
     */
    public record Results(
            DataStream<Alert> alerts,
            DataStream<Alert> flaggedWindows,
            DataStream<JobWindow> windows,
            DataStream<DeadLetter> deadLetters,
            DataStream<InputStats> inputStats,
            DataStream<EpisodeFlag> episodeFlags) {

        /** Sends each result to its sink. */
        public void sinkTo(Outputs outputs) {
            windows.sinkTo(outputs.windows()).uid("windows-sink").name("Scored windows");
            alerts.sinkTo(outputs.alerts()).uid("alerts-sink").name("Alerts");
            deadLetters.sinkTo(outputs.deadLetters()).uid("deadletters-sink").name("Dead letters");
            if (outputs.episodeFlags() != null) {
                episodeFlags
                        .sinkTo(outputs.episodeFlags())
                        .uid("episode-flags-sink")
                        .name("Episode flags");
            }
        }
    }

    private DetectPipeline() {}

    /** Builds the pipeline and sends its results to the sinks. */
    public static void build(
            StreamExecutionEnvironment env,
            DetectSettings settings,
            WindowScorer scorer,
            Inputs inputs,
            Outputs outputs) {
        build(env, settings, scorer, inputs).sinkTo(outputs);
    }

    /** Builds the pipeline and returns its results as streams. */
    public static Results build(
            StreamExecutionEnvironment env, DetectSettings settings, WindowScorer scorer, Inputs inputs) {
        NetworkScope scope = settings.internalCidrs().isEmpty()
                ? NetworkScope.defaults()
                : NetworkScope.of(settings.internalCidrs());
        long retention = settings.retentionMs();
        TumblingEventTimeWindows windows = TumblingEventTimeWindows.of(settings.windowSize());
        long windowMs = settings.windowSize().toMillis();

        // 1. Sources, decoded at the edge; bad records become dead letters.
        // Chained operators hand records on without a defensive copy (an Avro deep copy per record and per
        // hop was a tenth of the CPU). Safe here: no function keeps or changes a record it has passed on, and
        // what a function keeps in state arrived over the network (a fresh object) or was built by it (a source
        // decodes each record into objects of its own).
        env.getConfig().enableObjectReuse();
        boolean batch = env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE) == RuntimeExecutionMode.BATCH;
        // The assignments, read once (a few events per job): for the per-job stages, which they tell when a job
        // stopped, and broadcast to every attribution that has no copy of its own.
        SingleOutputStreamOperator<Flow> assignmentsRead = union(
                        read(env, inputs.assignments(), settings, "assignments ", "assignments-source-", 1, false))
                .process(new SplitReceived())
                .returns(RecordTypes.FLOW)
                .setParallelism(1)
                .uid("split-assignments")
                .name("Split assignments, dead letters");
        DataStream<Assignment> assignments = assignmentsRead.getSideOutput(SplitReceived.ASSIGNMENTS);
        DataStream<Assignment> everyAssignment = assignments.broadcast();

        // 2. Attribution where the records are read: every reader keeps every address's timeline and attributes
        // the flows and samples it reads (no shuffle, no keyed state per record), split by kind right there. Flows
        // are folded per job and window right after: the shuffle by job carries partial sums, not every flow.
        // Streaming from Kafka, every reader of the source reads every assignment too (EveryReaderSource), so
        // attribution is chained to the source and no record crosses an exchange before it is folded. (Flink 2.2.1
        // can neither checkpoint a task of chained sources with a network input nor restore sources chained into a
        // multiple-input operator: BENCHMARKS.md.)
        boolean chained = !batch && inputs.everyReaderReadsEveryAssignment();
        FlowAttribution flowAttribution = new FlowAttribution(scope);
        SampleAttribution sampleAttribution = new SampleAttribution();
        SingleOutputStreamOperator<JobFlow> attributedFlows;
        List<DataStream<Received>> read = read(env, inputs.sources(), settings, "input ", "source-", -1, true);
        if (chained) {
            if (read.size() != 1) {
                throw new IllegalArgumentException(
                        "one source whose every reader reads every assignment, not " + read.size());
            }
            attributedFlows = read.get(0)
                    .transform(
                            "Read, split and attribute flows (by source and destination address) and GPU samples"
                                    + " (by node, GPU)",
                            TypeInformation.of(JobFlow.class),
                            new AttributeWhereRead(
                                    flowAttribution, sampleAttribution, retention, settings.maxWaitingPerAddress()))
                    .uid("read-and-attribute");
        } else {
            MultipleInputTransformation<JobFlow> readers = new MultipleInputTransformation<>(
                    "Read, split and attribute flows (by source and destination address) and GPU samples (by node, GPU)",
                    ReadAndAttribute.factory(
                            flowAttribution,
                            sampleAttribution,
                            retention,
                            settings.maxWaitingPerAddress(),
                            read.size(),
                            batch),
                    TypeInformation.of(JobFlow.class),
                    env.getParallelism(),
                    false);
            for (DataStream<Received> source : read) {
                readers.addInput(source.getTransformation());
            }
            readers.addInput(everyAssignment.getTransformation());
            readers.setUid("read-and-attribute");
            attributedFlows = new MultipleConnectedStreams(env).transform(readers);
        }
        // The context (agents' tool calls) is split apart from the inputs: its watermarks reach the agent context
        // stage and nothing before it.
        SingleOutputStreamOperator<Flow> context = readContext(env, inputs.context(), settings, attributedFlows);

        SingleOutputStreamOperator<JobFlow> attributedIntervals = ConnectionIntervals.apply(
                        attributedFlows.getSideOutput(SplitReceived.CUMULATIVE_FLOWS))
                .map(f -> new FlowLookup(f, false))
                .returns(FlowLookup.TYPE)
                .name("Look up intervals")
                .connect(everyAssignment)
                .transform(
                        "Attribute flow intervals by source and destination address",
                        TypeInformation.of(JobFlow.class),
                        AttributionOperator.of(
                                new FlowAttribution(scope),
                                FlowLookup.TYPE,
                                retention,
                                settings.maxWaitingPerAddress(),
                                batch))
                .uid("attribute-flow-intervals");
        DataStream<JobFlows> jobFlows = attributedFlows
                .transform("Pre-combine flows", JobFlows.TYPE, new PreCombiners.Flows(windowMs))
                .uid("precombine-flows")
                .union(attributedIntervals
                        .transform("Pre-combine flow intervals", JobFlows.TYPE, new PreCombiners.Flows(windowMs))
                        .uid("precombine-flow-intervals"));

        DataStream<GpuSample> attributedSamples = attributedFlows.getSideOutput(ReadAndAttribute.SAMPLES);
        DataStream<JobSignal> jobSamples = attributedSamples
                .transform("Pre-combine samples", JobSignal.TYPE, new PreCombiners.Samples(windowMs))
                .uid("precombine-samples");

        // 3. Per job and window: its contacts per remote address (bounded: a sweep's long tail as sketches);
        //    then per remote address and window, for the contacts whose popularity matters (at most a few
        //    hundred a job and window): how many jobs talk to it.
        SingleOutputStreamOperator<JobSignal> jobContacts = jobFlows.keyBy(JobFlows::jobId)
                .window(windows)
                .sideOutputLateData(LATE_FLOWS)
                .aggregate(
                        new JobContactsAggregate(),
                        new SplitContacts(),
                        JobContactsSerializer.TYPE,
                        JobContactsSerializer.TYPE,
                        JobSignal.TYPE)
                .uid("job-contacts")
                .name("Contacts per job and window");
        SingleOutputStreamOperator<Contact> contacts = jobContacts
                .getSideOutput(SplitContacts.ASK_FLEET)
                .keyBy(d -> d.remoteIp)
                .window(windows)
                .sideOutputLateData(LATE_ASKED)
                .aggregate(
                        new DestinationAggregate(),
                        new DestinationContacts(settings.destinationLookback(), settings.fleetWarmup()),
                        DestinationAccumulatorSerializer.TYPE,
                        DestinationAccumulatorSerializer.TYPE,
                        TypeInformation.of(Contact.class))
                .uid("destination-windows")
                .name("Contacts per remote address and window");

        // 4. Per job and window: features and evidence from its contacts and GPU samples.
        // A window's contacts all fire at one watermark: folded per job there, they reach the job's window
        // as one partial per subtask, like the samples.
        DataStream<JobSignal> signals = contacts.transform(
                        "Pre-combine contacts", JobSignal.TYPE, new PreCombiners.Contacts(windowMs))
                .uid("precombine-contacts")
                .union(jobContacts, jobSamples);
        SingleOutputStreamOperator<FeaturedWindow> featured = signals.keyBy(JobSignal::jobId)
                .window(windows)
                .sideOutputLateData(LATE_SIGNALS)
                .aggregate(
                        new JobWindowAggregate(),
                        new JobWindowFeatures(scorer.featureSet(), settings.topDestinations()),
                        WindowAccumulatorSerializer.TYPE,
                        WindowAccumulatorSerializer.TYPE,
                        TypeInformation.of(FeaturedWindow.class))
                .uid("job-windows")
                .name("Features per job and window");

        // 5. Score every window. Assignments by job end per-job state after STOP. Model releases and
        //    suppression rules, broadcast to every instance, take effect without a restart; a flagged window
        //    a rule silences is written, marked, but is no alert.
        //    The agents' tool calls, read at the edge into what their commands do, wait for their job's window there;
        //    their input is idle in event time, so a topic of calls never holds the windows' watermark back.
        List<DataStream<ScoringInput>> scoringInputs = List.of(
                featured.map(ScoringInput::of).returns(ScoringInput.class).name("Windows to score"),
                assignments.map(ScoringInput::of).returns(ScoringInput.class).name("Assignments by job"),
                context.getSideOutput(SplitReceived.AGENT_EVENTS)
                        .map(call -> ScoringInput.of(AgentCallInput.of(call, scope)))
                        .returns(ScoringInput.class)
                        .name("Agent tool calls, read")
                        .assignTimestampsAndWatermarks(ModelReleases.idle())
                        .name("Agent tool calls, idle in event time"));
        DataStream<ScoringInput> jobInputs = union(scoringInputs);
        SingleOutputStreamOperator<ScoringBroadcast> suppressions = suppressions(env, inputs);
        DataStream<ScoringBroadcast> broadcast = modelReleases(env, inputs, scoringInputs);
        if (suppressions != null) {
            broadcast = broadcast.union(suppressions);
        }
        SingleOutputStreamOperator<JobWindow> scored = jobInputs
                .keyBy(ScoringInput::jobId)
                .connect(broadcast.broadcast(ScoreWindows.ACCEPTED_MODEL, ScoreWindows.SUPPRESSION_RULES))
                .process(new ScoreWindows(scorer, settings, inputs.rules()))
                .returns(JobWindow.class)
                .uid("score-windows")
                .name("Score windows");

        // 6. Incidents: each job's flagged windows open, update and close incidents, in event time (its assignments
        //    tell a STOP from a restart); each transition is an alert.
        SingleOutputStreamOperator<Alert> transitions = scored.getSideOutput(ScoreWindows.FLAGGED)
                .map(IncidentInput::of)
                .returns(IncidentInput.class)
                .name("Flagged windows")
                .union(assignments
                        .map(IncidentInput::of)
                        .returns(IncidentInput.class)
                        .name("Assignments by job, for incidents"))
                .keyBy(IncidentInput::jobId)
                .process(new IncidentLifecycle(Incidents.Rules.of(settings)))
                .returns(Alert.class)
                .uid("incident-lifecycle")
                .name("Incident lifecycle");

        // 7. Agent context: each transition names the episodes and tool calls of the job's agents nearest in time
        //    to the first packet to its suspicious destinations or the first sample of a new GPU process.
        //    First sightings are filtered on each branch, chained where the records are attributed: after a union
        //    the filter would be a task of its own, and every flow and sample would cross to it.
        DataStream<AgentContextInput> sightings = flowSightings(attributedFlows)
                .union(
                        flowSightings(attributedIntervals),
                        attributedSamples
                                .flatMap(new FirstSightings.OfProcesses())
                                .returns(AgentContextInput.class)
                                .name("First sightings of GPU processes per minute"));
        SingleOutputStreamOperator<Alert> incidents = transitions
                .map(AgentContextInput::of)
                .returns(AgentContextInput.class)
                .name("Transitions")
                .union(
                        context.getSideOutput(SplitReceived.AGENT_EVENTS)
                                .map(AgentContextInput::of)
                                .returns(AgentContextInput.class)
                                .name("Agent tool calls"),
                        sightings)
                .keyBy(AgentContextInput::jobId)
                .process(new AgentContext())
                .returns(Alert.class)
                .uid("agent-context")
                .name("Agent episodes behind each alert");

        DataStream<DeadLetter> late = jobContacts
                .getSideOutput(LATE_FLOWS)
                .map(DetectPipeline::lateFlow)
                .returns(DeadLetter.class)
                .name("Late flows")
                .union(
                        contacts.getSideOutput(LATE_ASKED)
                                .map(DetectPipeline::lateAsked)
                                .returns(DeadLetter.class)
                                .name("Late contacts asked about"),
                        featured.getSideOutput(LATE_SIGNALS)
                                .map(DetectPipeline::lateSignal)
                                .returns(DeadLetter.class)
                                .name("Late samples"));
        DataStream<DeadLetter> deadLetters = attributedFlows
                .getSideOutput(DeadLetters.TAG)
                .union(
                        assignmentsRead.getSideOutput(DeadLetters.TAG),
                        attributedIntervals.getSideOutput(DeadLetters.TAG),
                        context.getSideOutput(DeadLetters.TAG),
                        late);
        if (suppressions != null) {
            deadLetters = deadLetters.union(suppressions.getSideOutput(DeadLetters.TAG));
        }
        deadLetters =
                deadLetters.map(new CountDeadLetters()).uid("count-deadletters").name("Count dead letters by reason");
        return new Results(
                incidents,
                transitions.getSideOutput(IncidentLifecycle.FLAGGED_WINDOWS),
                scored,
                deadLetters,
                attributedFlows
                        .getSideOutput(SplitReceived.INPUT_STATS)
                        .union(
                                assignmentsRead.getSideOutput(SplitReceived.INPUT_STATS),
                                context.getSideOutput(SplitReceived.INPUT_STATS)),
                incidents.getSideOutput(AgentContext.EPISODE_FLAGS));
    }

    /**
     * First sightings of each (job, endpoint) per minute among the flows that may anchor an alert, filtered on the
     * branch itself (chained where the flows are attributed): after a union the filter would be a task of its own,
     * and every flow would cross to it.
     */
    private static DataStream<AgentContextInput> flowSightings(DataStream<JobFlow> attributed) {
        return attributed
                .filter(AgentContextInput::mayAnchor)
                .name("Flows that may anchor an alert")
                .flatMap(new FirstSightings.OfEndpoints())
                .returns(AgentContextInput.class)
                .name("First sightings of endpoints per minute");
    }

    /**
     * Sources, each with its own watermarks (per Kafka partition, per file), named {@code name + i} with uids {@code
     * uid + i}; {@code parallelism} -1: the job's. {@code aligned}: the watermarks of those whose splits can be paused
     * are aligned (the input sources, whose backlog would otherwise wait in state). The assignments read once for the
     * per-job stages are not: a few events, and in the readers' alignment group they held the readers' flows back
     * waiting for attribution (a 50 000-flow backlog's largest checkpoint 4.9 MB against 0.8, BENCHMARKS.md).
     */
    private static List<DataStream<Received>> read(
            StreamExecutionEnvironment env,
            List<Source<Received, ?, ?>> sources,
            DetectSettings settings,
            String name,
            String uid,
            int parallelism,
            boolean aligned) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no " + name.strip() + " source");
        }
        List<DataStream<Received>> read = new ArrayList<>(sources.size());
        for (int i = 0; i < sources.size(); i++) {
            Source<Received, ?, ?> source = sources.get(i);
            boolean pausable = source instanceof KafkaSource || source instanceof PausableSplits;
            WatermarkStrategy<Received> watermarks = aligned && pausable
                    ? InputWatermarks.alignedStrategy(settings)
                    : InputWatermarks.strategy(settings);
            SingleOutputStreamOperator<Received> one =
                    env.fromSource(source, watermarks, name + i).uid(uid + i);
            if (parallelism > 0) {
                one.setParallelism(parallelism);
            }
            read.add(one);
        }
        return read;
    }

    private static <T> DataStream<T> union(List<DataStream<T>> streams) {
        DataStream<T> all = streams.get(0);
        for (DataStream<T> next : streams.subList(1, streams.size())) {
            all = all.union(next);
        }
        return all;
    }

    /**
     * The context sources, each with parallelism 1 (a reader without a split never declares itself idle, and tool
     * calls are few) and {@link ContextWatermarks}, split like the inputs: tool calls, dead letters and a file's
     * counts as side outputs.
     */
    private static SingleOutputStreamOperator<Flow> readContext(
            StreamExecutionEnvironment env,
            List<Source<Received, ?, ?>> sources,
            DetectSettings settings,
            DataStream<JobFlow> inputs) {
        DataStream<Received> all = null;
        for (int i = 0; i < sources.size(); i++) {
            DataStream<Received> one = env.fromSource(
                            sources.get(i), ContextWatermarks.strategy(settings), "context " + i)
                    .setParallelism(1)
                    .uid("context-source-" + i);
            all = all == null ? one : all.union(one);
        }
        if (all == null) {
            // no context input: a stream with no records derived from the inputs, so with exactly their event time
            // (an empty source would end at once and send the end of time, which idle inputs would let through)
            all = inputs.flatMap((JobFlow f, Collector<Received> none) -> {})
                    .returns(Received.class)
                    .name("No context");
        }
        return all.process(new SplitReceived())
                .returns(RecordTypes.FLOW)
                .uid("split-context")
                .name("Split tool calls, dead letters");
    }

    /**
     * The model topic, idle in event time ({@link ModelReleases}); without one, a stream with no records
     * derived from the scoring step's own inputs, so that it has exactly their event time (an empty
     * source would end at once and send the end of time, which an idle job input would let through).
     * Derived from each input where it is made (chained there), not from their union: that would be a task of
     * its own, and every window would cross to it only to be dropped.
     */
    private static DataStream<ScoringBroadcast> modelReleases(
            StreamExecutionEnvironment env, Inputs inputs, List<DataStream<ScoringInput>> scoringInputs) {
        if (inputs.models() != null) {
            return env.fromSource(inputs.models(), ModelReleases.watermarks(), "model releases")
                    .setParallelism(1)
                    .uid("source-models")
                    .map(ScoringBroadcast::modelRelease)
                    .returns(ScoringBroadcast.class)
                    .setParallelism(1)
                    .name("Model releases");
        }
        List<DataStream<ScoringBroadcast>> none = new ArrayList<>(scoringInputs.size());
        for (DataStream<ScoringInput> in : scoringInputs) {
            none.add(in.flatMap((ScoringInput record, Collector<ScoringBroadcast> nothing) -> {})
                    .returns(ScoringBroadcast.class)
                    .name("No model releases"));
        }
        return union(none);
    }

    /**
     * The suppression topic, decoded at the edge (bad rules to the dead letters), idle in event time like the
     * model topic; null without one.
     */
    private static SingleOutputStreamOperator<ScoringBroadcast> suppressions(
            StreamExecutionEnvironment env, Inputs inputs) {
        if (inputs.suppressions() == null) {
            return null;
        }
        return env.fromSource(inputs.suppressions(), ModelReleases.idle(), "suppression rules")
                .setParallelism(1)
                .uid("source-suppressions")
                .process(new SuppressionInput.Split())
                .returns(ScoringBroadcast.class)
                .setParallelism(1)
                .uid("split-suppressions")
                .name("Suppression rules, dead letters");
    }

    private static DeadLetter lateFlow(JobFlows flows) {
        JobFlow f = flows.flow;
        if (f == null) {
            // PreCombine sends a partial before the watermark that closes its window: not expected here
            return late("flow", null, flows.partial.flows() + " flows of " + flows.partial.jobId);
        }
        return late(
                "flow",
                Instant.ofEpochMilli(f.ts),
                f.jobId + " " + (f.outbound ? f.localIp + " -> " + f.remoteIp : f.remoteIp + " -> " + f.localIp) + ":"
                        + f.remotePort + " " + f.protocol);
    }

    /** A job's contact the per-destination window was asked about after its window had fired: not expected. */
    private static DeadLetter lateAsked(DestinationAccumulator asked) {
        return late("contact", null, asked.jobIds() + " " + asked.remoteIp);
    }

    private static DeadLetter lateSignal(JobSignal s) {
        if (s.sample != null) {
            return late("gpu", s.sample.getTs(), s.sample.toString());
        }
        if (s.partial != null) {
            // PreCombine sends a partial before the watermark that closes its window: not expected here
            return late(s.partial.samples > 0 ? "gpu" : "contact", null, s.partial.toString());
        }
        return late(
                "contact", Instant.ofEpochMilli(s.contact.windowEnd - 1), s.contact.jobId + " " + s.contact.remoteIp);
    }

    /** @param eventTs the record's time; null for a partial sum (many records) */
    private static DeadLetter late(String type, Instant eventTs, String what) {
        return DeadLetter.newBuilder()
                .setRecordType(type)
                .setReason(RejectReason.LATE.code())
                .setField(null)
                .setDetail("arrived after the watermark passed its window: " + what)
                .setSource("window")
                .setEventTs(eventTs)
                .setOriginalText(null)
                .setOriginalBytes(null)
                .build();
    }
}
