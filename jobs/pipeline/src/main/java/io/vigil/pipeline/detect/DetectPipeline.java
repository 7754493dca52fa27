package io.vigil.pipeline.detect;

import io.vigil.models.features.Contact;
import io.vigil.models.features.DestinationAccumulator;
import io.vigil.models.features.JobContacts;
import io.vigil.models.features.JobFlow;
import io.vigil.models.features.NetworkScope;
import io.vigil.models.features.WindowAccumulator;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.pipeline.attribution.FlowAttribution;
import io.vigil.pipeline.attribution.FlowLookup;
import io.vigil.pipeline.attribution.SampleAttribution;
import io.vigil.pipeline.ingest.ConnectionIntervals;
import io.vigil.pipeline.ingest.CountDeadLetters;
import io.vigil.pipeline.ingest.DeadLetters;
import io.vigil.pipeline.ingest.InputStats;
import io.vigil.pipeline.ingest.Received;
import io.vigil.pipeline.ingest.SplitReceived;
import io.vigil.pipeline.serde.RecordTypes;
import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.DeadLetter;
import io.vigil.records.EpisodeFlag;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.JobWindow;
import io.vigil.records.RejectReason;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The detection pipeline, once, with its ends as parameters: {@code detect} gives it Kafka topics, replay
 * gives it files, tests give it whatever they need. It reads like the data flow of docs/ARCHITECTURE.md:
 *
 * <pre>
 * sources (decoded at the edge) ─┬─ flows ── attribute by source, then destination ── JobFlow
 *                                ├─ samples ─ attribute by (node, GPU) ─────────────── GpuSample + job
 *                                └─ assignments (the scheduler's view; also ends per-job state)
 * JobFlow ── key by job ── window: its contacts per remote address (bounded) ── the rest ───┐
 *    └─ those whose popularity matters ── key by remote address ── window: how many jobs ──┤ Contact
 * contacts ∪ GpuSample ── key by job ── window: features + evidence ── score ── windows
 * model releases (model topic) ── broadcast ─────────────────────────────┘ (swapped without a restart)
 * flagged windows ∪ assignments ── key by job ── incident lifecycle ── transitions
 * context sources (agents' tool calls; quiet is idle) ─┐
 * transitions ∪ tool calls ∪ first sightings ── key by job ── agent context ── alerts (open, update, close)
 *                                                                          └── episode flags (once per incident, episode)
 * every stage's rejects ── dead letters
 * </pre>
 */
public final class DetectPipeline {
    static final OutputTag<JobFlows> LATE_FLOWS = new OutputTag<>("late-flows") {};
    static final OutputTag<DestinationAccumulator> LATE_ASKED = new OutputTag<>("late-asked") {};
    static final OutputTag<JobSignal> LATE_SIGNALS = new OutputTag<>("late-signals") {};

    /**
     * The inputs: any number of sources, each yielding any mix of flows, GPU samples and assignments
     * (one Kafka source over the three topics, one file source per file), each with its own watermarks;
     * the context sources, yielding the agents' tool calls (the agent-events topic, a dataset's agent_events
     * file), which only the alerts' agent context reads, with watermarks that never hold detection back
     * ({@link ContextWatermarks}); and the model releases (artifact bytes, the model topic), or null where there
     * are none (replay). The model source must not end while the job runs ({@link ModelReleases}).
     */
    public record Inputs(
            List<Source<Received, ?, ?>> sources, List<Source<Received, ?, ?>> context, Source<byte[], ?, ?> models) {

        /** Inputs without model releases. */
        public Inputs(List<Source<Received, ?, ?>> sources, List<Source<Received, ?, ?>> context) {
            this(sources, context, null);
        }

        /** Inputs without context or model releases. */
        public Inputs(List<Source<Received, ?, ?>> sources) {
            this(sources, List.of(), null);
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
        // what a function keeps in state arrived over the network (a fresh object) or was built by it.
        env.getConfig().enableObjectReuse();
        // Zeek's reports of long connections count from the connection's start: turned into intervals first.
        SingleOutputStreamOperator<Flow> flows = ConnectionIntervals.apply(read(env, inputs.sources(), settings))
                .process(new SplitReceived())
                .returns(RecordTypes.FLOW)
                .uid("split-received")
                .name("Split flows, samples, assignments, dead letters");
        // The context (agents' tool calls) is split apart from the inputs: its watermarks reach the agent context
        // stage and nothing before it.
        SingleOutputStreamOperator<Flow> context = readContext(env, inputs.context(), settings, flows);
        DataStream<GpuSample> samples = flows.getSideOutput(SplitReceived.SAMPLES);
        DataStream<Assignment> assignments = flows.getSideOutput(SplitReceived.ASSIGNMENTS);

        // 2. Attribution: whose pod sent or received each flow, whose GPU each sample is. Flows (in their
        // lookups) and samples cross the keyed shuffles here and wait in attribution state: hand-written
        // serializers (RecordTypes), not Flink's Avro serializer (a quarter of the profile's samples).
        KeyedStream<Assignment, String> assignmentsByIp = assignments.keyBy(Assignment::getIp);
        SingleOutputStreamOperator<JobFlow> flowsBySource = flows.map(f -> new FlowLookup(f, false))
                .returns(FlowLookup.TYPE)
                .name("Look up flows")
                .keyBy(l -> FlowAttribution.key(l, FlowAttribution.End.SOURCE))
                .connect(assignmentsByIp)
                .process(new FlowAttribution(
                        FlowAttribution.End.SOURCE,
                        scope,
                        retention,
                        settings.maxWaitingPerAddress(),
                        settings.addressStateTtl()))
                .returns(JobFlow.class)
                .uid("attribute-flows-by-source")
                .name("Attribute flows by source address");
        SingleOutputStreamOperator<JobFlow> flowsByDestination = flowsBySource
                .getSideOutput(FlowAttribution.BY_DESTINATION)
                .keyBy(l -> FlowAttribution.key(l, FlowAttribution.End.DESTINATION))
                .connect(assignmentsByIp)
                .process(new FlowAttribution(
                        FlowAttribution.End.DESTINATION,
                        scope,
                        retention,
                        settings.maxWaitingPerAddress(),
                        settings.addressStateTtl()))
                .returns(JobFlow.class)
                .uid("attribute-flows-by-destination")
                .name("Attribute flows by destination address");
        // Flows folded per job and window right where they are attributed: the shuffle to the per-job
        // contacts window carries partial sums, not every flow.
        DataStream<JobFlows> jobFlows = flowsBySource
                .transform(
                        "Pre-combine flows by source",
                        TypeInformation.of(JobFlows.class),
                        new PreCombiners.Flows(windowMs))
                .uid("precombine-flows-by-source")
                .union(flowsByDestination
                        .transform(
                                "Pre-combine flows by destination",
                                TypeInformation.of(JobFlows.class),
                                new PreCombiners.Flows(windowMs))
                        .uid("precombine-flows-by-destination"));

        KeyedStream<Assignment, String> assignmentsByGpu = assignments
                .flatMap(DetectPipeline::perGpu)
                .returns(Assignment.class)
                .name("One assignment per GPU")
                .keyBy(a -> SampleAttribution.key(a.getNode(), a.getGpus().get(0)));
        SingleOutputStreamOperator<GpuSample> attributedSamples = samples.keyBy(
                        s -> SampleAttribution.key(s.getNode(), s.getGpu()))
                .connect(assignmentsByGpu)
                .process(new SampleAttribution(retention, settings.maxWaitingPerAddress(), settings.addressStateTtl()))
                .returns(RecordTypes.GPU_SAMPLE)
                .uid("attribute-samples")
                .name("Attribute GPU samples by node and GPU");
        DataStream<JobSignal> jobSamples = attributedSamples
                .transform(
                        "Pre-combine samples", TypeInformation.of(JobSignal.class), new PreCombiners.Samples(windowMs))
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
                        TypeInformation.of(JobContacts.class),
                        TypeInformation.of(JobContacts.class),
                        TypeInformation.of(JobSignal.class))
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
                        TypeInformation.of(DestinationAccumulator.class),
                        TypeInformation.of(DestinationAccumulator.class),
                        TypeInformation.of(Contact.class))
                .uid("destination-windows")
                .name("Contacts per remote address and window");

        // 4. Per job and window: features and evidence from its contacts and GPU samples.
        // A window's contacts all fire at one watermark: folded per job there, they reach the job's window
        // as one partial per subtask, like the samples.
        DataStream<JobSignal> signals = contacts.transform(
                        "Pre-combine contacts",
                        TypeInformation.of(JobSignal.class),
                        new PreCombiners.Contacts(windowMs))
                .uid("precombine-contacts")
                .union(jobContacts, jobSamples);
        SingleOutputStreamOperator<FeaturedWindow> featured = signals.keyBy(JobSignal::jobId)
                .window(windows)
                .sideOutputLateData(LATE_SIGNALS)
                .aggregate(
                        new JobWindowAggregate(),
                        new JobWindowFeatures(scorer.featureSet(), settings.topDestinations()),
                        TypeInformation.of(WindowAccumulator.class),
                        TypeInformation.of(WindowAccumulator.class),
                        TypeInformation.of(FeaturedWindow.class))
                .uid("job-windows")
                .name("Features per job and window");

        // 5. Score every window. Assignments by job end per-job state after STOP. Model
        //    releases, broadcast to every instance, replace the model without a restart.
        DataStream<ScoringInput> jobInputs = featured.map(ScoringInput::of)
                .returns(ScoringInput.class)
                .name("Windows to score")
                .union(assignments
                        .map(ScoringInput::of)
                        .returns(ScoringInput.class)
                        .name("Assignments by job"));
        SingleOutputStreamOperator<JobWindow> scored = jobInputs
                .keyBy(ScoringInput::jobId)
                .connect(modelReleases(env, inputs, jobInputs).broadcast(ScoreWindows.ACCEPTED_MODEL))
                .process(new ScoreWindows(scorer, settings))
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
        DataStream<AgentContextInput> sightings = flowsBySource
                .union(flowsByDestination)
                .filter(AgentContextInput::mayAnchor)
                .name("Flows that may anchor an alert")
                .map(AgentContextInput::of)
                .returns(AgentContextInput.class)
                .name("Endpoints seen")
                .union(attributedSamples
                        .flatMap((GpuSample sample, Collector<AgentContextInput> out) ->
                                AgentContextInput.of(sample).forEach(out::collect))
                        .returns(AgentContextInput.class)
                        .name("GPU processes seen"))
                .filter(new FirstSightings())
                .name("First sightings per minute");
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
        DataStream<DeadLetter> deadLetters = flows.getSideOutput(DeadLetters.TAG)
                .union(
                        context.getSideOutput(DeadLetters.TAG),
                        flowsBySource.getSideOutput(DeadLetters.TAG),
                        flowsByDestination.getSideOutput(DeadLetters.TAG),
                        late)
                .map(new CountDeadLetters())
                .uid("count-deadletters")
                .name("Count dead letters by reason");
        return new Results(
                incidents,
                transitions.getSideOutput(IncidentLifecycle.FLAGGED_WINDOWS),
                scored,
                deadLetters,
                flows.getSideOutput(SplitReceived.INPUT_STATS).union(context.getSideOutput(SplitReceived.INPUT_STATS)),
                incidents.getSideOutput(AgentContext.EPISODE_FLAGS));
    }

    /** All sources, each with its own watermarks (per Kafka partition, per file), as one stream. */
    private static DataStream<Received> read(
            StreamExecutionEnvironment env, List<Source<Received, ?, ?>> sources, DetectSettings settings) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no input source");
        }
        DataStream<Received> all = null;
        for (int i = 0; i < sources.size(); i++) {
            DataStream<Received> one = env.fromSource(sources.get(i), InputWatermarks.strategy(settings), "input " + i)
                    .uid("source-" + i);
            all = all == null ? one : all.union(one);
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
            DataStream<Flow> inputs) {
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
            all = inputs.flatMap((Flow f, Collector<Received> none) -> {})
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
     * derived from the scoring step's own input, so that it has exactly that input's event time (an empty
     * source would end at once and send the end of time, which an idle job input would let through).
     */
    private static DataStream<byte[]> modelReleases(
            StreamExecutionEnvironment env, Inputs inputs, DataStream<ScoringInput> jobInputs) {
        if (inputs.models() != null) {
            return env.fromSource(inputs.models(), ModelReleases.watermarks(), "model releases")
                    .setParallelism(1)
                    .uid("source-models");
        }
        return jobInputs
                .flatMap((ScoringInput in, Collector<byte[]> none) -> {})
                .returns(PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                .name("No model releases");
    }

    private static void perGpu(Assignment a, Collector<Assignment> out) {
        for (Integer gpu : a.getGpus()) {
            out.collect(Assignment.newBuilder(a).setGpus(List.of(gpu)).build());
        }
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
