package io.vigil.tools.demo;

import io.vigil.broker.EmbeddedKafka;
import io.vigil.models.agents.EpisodeAttribution;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.pipeline.DetectJob;
import io.vigil.pipeline.files.DatasetRecords;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.records.AgentCall;
import io.vigil.records.AgentEpisode;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Decoded;
import io.vigil.records.IncidentState;
import io.vigil.records.Printable;
import io.vigil.records.Reason;
import io.vigil.records.RecordType;
import io.vigil.records.TransitionCause;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.LocalRun;
import io.vigil.tools.replay.Replay;
import io.vigil.tools.stream.InputPublisher;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CheckpointFailureManager;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * The zero-setup showcase: a real Kafka broker and a Flink mini-cluster in this JVM, the detect job on
 * the real topics, a recorded dataset streamed in at an accelerated pace, and each alert (an incident
 * opening, changing, closing) printed as the job commits it. Nothing here is canned: the alerts are what the
 * pipeline finds.
 */
public final class Demo {
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    /** The node and job of the clock ticks: no job of the dataset's. */
    private static final String CLOCK_NODE = "vigil-demo-clock";

    /** How long the job may take to read the last of its input, and to stop. */
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(5);

    /**
     * @param speed simulated seconds per wall-clock second; 0 picks a pace that takes about a minute
     * @param saslSsl the broker takes clients over SASL_SSL only (SCRAM, its own certificate), as a secured
     *     production cluster does, and every client of the demo and the job connects so
     */
    public record Options(Replay.Dataset dataset, double speed, int parallelism, boolean saslSsl) {
        public Options(Replay.Dataset dataset, double speed, int parallelism) {
            this(dataset, speed, parallelism, false);
        }
    }

    private final Options options;
    private final WindowScorer scorer;
    private final PrintStream out;
    private final AtomicBoolean jobRunning = new AtomicBoolean(true);

    public Demo(Options options, WindowScorer scorer, PrintStream out) {
        this.options = options;
        this.scorer = scorer;
        this.out = out;
    }

    /** Runs the demo to the end of the dataset; returns the alerts the job committed. */
    public List<Alert> run() throws Exception {
        long[] span = DatasetRecords.telemetrySpan(
                options.dataset().path(), options.dataset().formats());
        double speed = options.speed() > 0 ? options.speed() : Math.max(1, (span[1] - span[0]) / 60_000.0);
        Path checkpoints = Files.createTempDirectory("vigil-demo-checkpoints-");
        try (EmbeddedKafka kafka =
                options.saslSsl() ? EmbeddedKafka.startSaslSsl("vigil-demo", password()) : EmbeddedKafka.start()) {
            // alerts become visible when a checkpoint commits them: keep that short. No partition is ever
            // idle (0: never): the clock ticks (see produce) keep them all busy, so event time moves with the
            // data alone, however loaded the machine.
            VigilConfig config =
                    LocalRun.config(kafka, "vigil-demo", 1000, checkpoints, Map.of(VigilConfig.IDLENESS_MS, "0"));
            KafkaTopics.createAll(config);
            out.printf(
                    "Vigil demo: %s, %s of telemetry, streamed at %.0fx through Kafka (%s%s) into the detect job"
                            + " on a Flink mini-cluster (parallelism %d).%n",
                    Printable.escape(options.dataset().path()),
                    hours(span[1] - span[0]),
                    speed,
                    kafka.bootstrapServers(),
                    options.saslSsl() ? ", SASL_SSL " + EmbeddedKafka.SASL_MECHANISM : "",
                    options.parallelism());

            StreamExecutionEnvironment env = LocalRun.environment(options.parallelism());
            DetectJob.prepare(env, config, scorer, false);
            JobClient job = env.executeAsync("vigil demo");

            List<Alert> alerts = new ArrayList<>();
            Map<String, Alert> incidents = new LinkedHashMap<>();
            Thread printer = new Thread(() -> follow(config, alerts, incidents), "demo-alerts");
            printer.setDaemon(true);
            printer.start();

            Streamed streamed = produce(config, span[0], speed);
            long produced = streamed.records();
            // The clock ticked past the end of the data (produce), so the last windows and incidents close in
            // event time; it ticks on while the job stops, so that no input is idle then: drain's end of event
            // time passes only through active inputs. The final savepoint commits what the job has read, then the
            // printer reads to the committed end. A periodic checkpoint the stop overtakes is declined ("task is
            // closing"): expected here, not worth a stack trace.
            AtomicBoolean ticking = new AtomicBoolean(true);
            Thread clock = new Thread(() -> tickOn(config, streamed, speed, ticking), "demo-clock");
            clock.setDaemon(true);
            clock.start();
            try {
                LocalRun.awaitRead(config, STOP_TIMEOUT);
                Configurator.setLevel(CheckpointFailureManager.class, Level.ERROR);
                job.stopWithSavepoint(
                                true, checkpoints.resolve("final").toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                ticking.set(false);
                clock.join();
            }
            jobRunning.set(false);
            printer.join();
            synchronized (alerts) {
                out.printf(
                        "%nStreamed %,d records. The job committed %d alert(s) for %d incident(s):%n",
                        produced, alerts.size(), incidents.size());
                for (Alert last : incidents.values()) {
                    out.printf(
                            "  %-22s %-36s %s-%s  %d window(s), peak %.2f %s, %s%n",
                            Printable.escape(last.getJobId()),
                            names(last.getIncidentCategories()),
                            CLOCK.format(last.getFirstWindowStart()),
                            CLOCK.format(last.getLastWindowEnd()),
                            last.getFlaggedWindows(),
                            last.getPeakScore(),
                            last.getPeakSeverity(),
                            last.getIncidentState() == IncidentState.CLOSE ? "closed" : "open");
                }
            }
            return alerts;
        } finally {
            LocalRun.deleteQuietly(checkpoints);
        }
    }

    /**
     * Streams the dataset into the input topics, paced against the wall clock, with a clock tick on every
     * input partition every {@link InputPublisher#TICK_MS} of event time ({@link InputPublisher#tick}: no
     * partition is ever idle here, so event time moves with the data alone, however loaded the machine; with
     * idleness instead, a partition's records may be late when they come again after a quiet spell: at 60x, the
     * 10 s out-of-orderness is 170 ms of wall time). After the data the clock ticks on, as time goes on in a live
     * cluster, until an incident the data left open has had its quiet windows (and one of a job stopped at the
     * end, the rest of its window): it closes in event time, as it would in {@code detect}.
     */
    private Streamed produce(VigilConfig config, long firstTs, double speed) throws IOException, InterruptedException {
        long count = 0;
        long wallStart = System.nanoTime();
        long nextTick = firstTs;
        long lastTs = firstTs;
        try (DatasetRecords records = new DatasetRecords(
                        options.dataset().path(), options.dataset().formats());
                InputPublisher publisher = new InputPublisher(config)) {
            for (DatasetRecords.Timed r = records.next(); r != null; r = records.next()) {
                // records from before the telemetry (STARTs of jobs already running) go at once
                publisher.pace(wallStart, r.ts() - firstTs, speed);
                lastTs = Math.max(lastTs, r.ts());
                for (; nextTick <= r.ts(); nextTick += InputPublisher.TICK_MS) {
                    publisher.tick(nextTick, CLOCK_NODE);
                }
                publisher.send(r.type(), r.record(), r.ts(), null);
                count++;
            }
            long windowMs = config.getLong(VigilConfig.WINDOW_SIZE_MS);
            long closed = lastTs
                    + (config.getInt(VigilConfig.INCIDENT_CLOSE_QUIET_WINDOWS) + 1) * windowMs
                    + config.getLong(VigilConfig.OUT_OF_ORDERNESS_MS);
            for (; nextTick <= closed; nextTick += InputPublisher.TICK_MS) {
                publisher.pace(wallStart, nextTick - firstTs, speed);
                publisher.tick(nextTick, CLOCK_NODE);
            }
            if (records.rejected() > 0) {
                out.printf("(%d dataset lines did not decode and were skipped)%n", records.rejected());
            }
        }
        return new Streamed(count, firstTs, wallStart, nextTick);
    }

    /** What {@link #produce} streamed, and where its clock stopped: the next tick, at the same pace. */
    private record Streamed(long records, long firstTs, long wallStart, long nextTick) {}

    /** The clock goes on ticking, at the pace, until told to stop. */
    private static void tickOn(VigilConfig config, Streamed from, double speed, AtomicBoolean ticking) {
        try (InputPublisher publisher = new InputPublisher(config)) {
            for (long t = from.nextTick(); ticking.get(); t += InputPublisher.TICK_MS) {
                publisher.pace(from.wallStart(), t - from.firstTs(), speed);
                publisher.tick(t, CLOCK_NODE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Prints each alert the job commits (read_committed) while it runs; once it has stopped, reads to the end
     * of the alert topic, which then holds every committed alert.
     */
    private void follow(VigilConfig config, List<Alert> alerts, Map<String, Alert> incidents) {
        String alertTopic = config.topic(Topic.ALERTS);
        RecordFraming<Alert> alertFraming = Framings.forTopic(RecordType.ALERT, alertTopic, config.schemaRegistryUrl());
        Properties p = config.kafkaClient();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(alertTopic).stream()
                    .map(i -> new TopicPartition(alertTopic, i.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // per incident, the episodes a line said were behind it: a later transition names only new ones
            Map<String, Set<String>> toldBehind = new HashMap<>();
            while (true) {
                // asked before polling: what the poll returns is then all there was when the job had stopped
                boolean stopped = !jobRunning.get();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Decoded<Alert> d = alertFraming.decode(r.value());
                    if (d.isAccepted()) {
                        synchronized (alerts) {
                            alerts.add(d.record());
                            incidents.put(d.record().getIncidentId(), d.record());
                        }
                        out.println(describe(d.record()));
                        Set<String> told = toldBehind.computeIfAbsent(d.record().getIncidentId(), i -> new HashSet<>());
                        for (String line : behind(d.record(), told)) {
                            out.println(line);
                        }
                    }
                }
                if (stopped) {
                    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions); // the last stable offsets
                    if (partitions.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp))) {
                        return;
                    }
                }
            }
        }
    }

    /**
     * One line per alert, as the alert topic tells an incident: it opens (in full: when, which job, what it looks
     * like, and why), a new behaviour joins it or its severity rises (said so, with the window that did it), it
     * goes on (a tally), it closes (why, and what it was).
     */
    static String describe(Alert a) {
        String window = CLOCK.format(a.getWindowStart()) + "-" + CLOCK.format(a.getWindowEnd());
        IncidentState state = a.getIncidentState();
        if (state == null) {
            return String.format(
                    "ALERT  %s  %-22s %-36s %s",
                    window, Printable.escape(a.getJobId()), names(a.getCategories()), verdict(a));
        }
        return switch (state) {
            case OPEN ->
                String.format(
                        "OPEN   %s  %-22s %-36s %s",
                        window, Printable.escape(a.getJobId()), names(a.getCategories()), verdict(a));
            case UPDATE -> {
                if (a.getTransitionCauses().contains(TransitionCause.CATEGORY_JOINED)) {
                    List<Category> before = new ArrayList<>(a.getIncidentCategories());
                    before.removeAll(a.getJoinedCategories());
                    yield String.format(
                            "JOINS  %s  %-22s %-36s %s",
                            window,
                            Printable.escape(a.getJobId()),
                            names(a.getJoinedCategories()) + " joins " + names(before),
                            verdict(a));
                }
                if (a.getTransitionCauses().contains(TransitionCause.SEVERITY_ROSE)) {
                    yield String.format(
                            "RISES  %s  %-22s %-36s %s",
                            window, Printable.escape(a.getJobId()), "severity now " + a.getPeakSeverity(), verdict(a));
                }
                yield String.format(
                        "       %s  %-22s still going: %d flagged windows since %s, peak %.2f",
                        window,
                        Printable.escape(a.getJobId()),
                        a.getFlaggedWindows(),
                        CLOCK.format(a.getFirstWindowStart()),
                        a.getPeakScore());
            }
            case CLOSE ->
                String.format(
                        "CLOSE  %s  %-22s %s: %s-%s, %d flagged window(s), peak %.2f %s, %s",
                        CLOCK.format(a.getClosedAt()),
                        Printable.escape(a.getJobId()),
                        a.getTransitionCauses().contains(TransitionCause.JOB_STOPPED) ? "the job stopped" : "quiet",
                        CLOCK.format(a.getFirstWindowStart()),
                        CLOCK.format(a.getLastWindowEnd()),
                        a.getFlaggedWindows(),
                        a.getPeakScore(),
                        a.getPeakSeverity(),
                        names(a.getIncidentCategories()));
        };
    }

    /**
     * The agent episodes and tool calls behind an incident, each on a line of its own: under the transition that
     * opened it or that a category joined it on, the episode named first, its first call, and why; under a later one
     * (its CLOSE too) an episode named for what its commands hold that no earlier line of the incident told: named
     * first by an update (a newer cause), or named late (a call reported when it ended, after the transition whose
     * first packet it preceded was told). An episode named only because a call started near the packet is said to be
     * that, not "behind it". Empty when there is none to tell.
     *
     * @param toldBefore the episodes earlier lines of this incident said were behind it; those these lines say are
     *     added
     */
    static List<String> behind(Alert a, Set<String> toldBefore) {
        IncidentState state = a.getIncidentState();
        boolean fresh = state == IncidentState.OPEN
                || state == null
                || a.getTransitionCauses().contains(TransitionCause.CATEGORY_JOINED);
        List<String> lines = new ArrayList<>();
        List<AgentEpisode> context = a.getAgentContext();
        for (int i = 0; i < context.size(); i++) {
            AgentEpisode episode = context.get(i);
            boolean byCommand = EpisodeAttribution.namedByCommand(episode);
            boolean late = EpisodeAttribution.namedLate(episode);
            boolean news = byCommand && !toldBefore.contains(episode.getEpisodeId());
            boolean tell = i == 0
                    ? (fresh && state != IncidentState.CLOSE) || (news && (state != IncidentState.CLOSE || late))
                    : news && late;
            if (tell && !episode.getCalls().isEmpty()) {
                lines.add(line(episode, byCommand));
                if (byCommand) {
                    toldBefore.add(episode.getEpisodeId());
                }
            }
        }
        return lines;
    }

    private static String line(AgentEpisode episode, boolean byCommand) {
        AgentCall call = episode.getCalls().get(0);
        String command = call.getCommand();
        if (command.length() > 80) {
            command = command.substring(0, 79) + "…";
        }
        return String.format(
                "       %s: episode %s%s, step %s: %s `%s` (%s)",
                byCommand ? "behind it" : "nearest call in time (its command says nothing of it)",
                Printable.escape(episode.getEpisodeId()),
                episode.getRolloutWorker() == null ? "" : " on " + Printable.escape(episode.getRolloutWorker()),
                call.getStep() == null ? "?" : call.getStep().toString(),
                Printable.escape(call.getTool()),
                Printable.escape(command),
                Printable.escape(call.getReason()));
    }

    /** The window's score, severity and strongest reasons. */
    private static String verdict(Alert a) {
        String reasons = a.getReasons().stream().limit(3).map(Demo::reason).collect(Collectors.joining("; "));
        return String.format("score %.2f %-8s %s", a.getScore(), a.getSeverity(), reasons);
    }

    private static String names(List<Category> categories) {
        return categories.stream().map(Enum::name).collect(Collectors.joining("+"));
    }

    private static String reason(Reason r) {
        String feature = Printable.escape(r.getFeature());
        return r.getFleetBaseline() == null
                ? String.format("%s=%.2f", feature, r.getValue())
                : String.format("%s=%.2f (fleet %.2f)", feature, r.getValue(), r.getFleetBaseline());
    }

    /** A fresh password for the demo's SCRAM user: used by this process only, never shown. */
    private static String password() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String hours(long ms) {
        Duration d = Duration.ofMillis(ms);
        return d.toHours() > 0
                ? String.format("%d h %02d min", d.toHours(), d.toMinutesPart())
                : d.toMinutes() + " min";
    }
}
