package io.vigil.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.vigil.broker.EmbeddedKafka;
import io.vigil.broker.TopicContents;
import io.vigil.pipeline.DetectJob;
import io.vigil.pipeline.detect.Scorers;
import io.vigil.pipeline.files.DatasetRecords;
import io.vigil.pipeline.kafka.SuppressionTopic;
import io.vigil.records.Category;
import io.vigil.records.Decoded;
import io.vigil.records.JobWindow;
import io.vigil.records.RecordType;
import io.vigil.records.SuppressionRule;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.Topic;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.LocalRun;
import io.vigil.tools.alerts.Transition;
import io.vigil.tools.stream.InputPublisher;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Issue 14's bar, end to end, as a SOC wires Vigil up: the embedded broker takes clients over SASL_SSL only
 * (SCRAM-SHA-512, its own self-signed certificate); `vigil topics` creates the topics; the detect job (the default
 * model, as `vigil detect` loads it; on the mini-cluster, parallelism 2, exactly once) reads the ROME dataset and
 * writes OCSF Detection Findings; a suppression of the tunnel's destination (its address and port, no job, no
 * category) published mid-run silences the tunnel's alerts from the next window until its expiry in event time (but
 * for the window of the agent's `ssh -R` call, which its command alone flags before any traffic says where it goes), while
 * the mining beside it, which stands on the GPUs, keeps alerting; past the expiry the tunnel is told again; `vigil alerts --alertmanager` forwards
 * the incident to an Alertmanager stand-in on loopback, firing then resolved. Every transition and every post is
 * written to target/SocWiringIT-transitions.txt, to quote.
 *
 * <p>What makes "mid-run" deterministic: the telemetry goes in two phases split at {@link #SPLIT} in event time.
 * No window that starts at or after the split can exist before the second phase is sent, and that is sent only
 * once every instance of the job holds the rule (its {@code suppressionRuleUpdates} counter), so every such window
 * is scored under the rule, whatever the machine's load. Windows before the split may be scored either side of
 * the rule's arrival, so nothing is asserted about their suppression. The expiry is judged against each window's
 * end in event time, so which windows past the split the rule covers is fixed by the data alone. No input
 * partition may go idle between the phases (a pause of any length on a loaded machine): idleness is off, and
 * clock ticks ({@link InputPublisher#tick}, as `vigil stream` sends them) keep every partition's watermark moving.
 */
class SocWiringIT {
    static final String KAFKA_PASSWORD = "Pl4nted-soc-s3cret";
    static final Path ROME = Path.of("../../replay-data/rome-2026-02");
    static final String ROGUE = "rl-tool-agent-8043";
    /**
     * The phases' split: after the scan opened the incident (09:21, labels.json), before the tunnel starts (09:27:36)
     * and the miner (09:32:38): windows 09:28 to 09:32 are the tunnel's alone, those after it the tunnel's and the
     * miner's.
     */
    static final Instant SPLIT = Instant.parse("2026-02-10T09:27:00Z");
    /**
     * The window the agent's `ssh -R` call ended in (09:27:39): the call's command can flag it REVERSE_TUNNEL before
     * the tunnel's traffic is first reported, in the next window. Nothing in it lists where the call goes (its target
     * is not kept), so no destination rule takes it off: the rule silences the tunnel from its traffic on.
     */
    static final Instant CALL_WINDOW = Instant.parse("2026-02-10T09:27:00Z");
    /** The rule's expiry: 33 windows after the split, before the tunnel and the miner end (10:16, 10:19). */
    static final Instant EXPIRY = Instant.parse("2026-02-10T10:00:00Z");
    /** The tunnel's far end, as the evidence lists it. */
    static final String TUNNEL = "203.0.113.145";
    /** The data's end: the incident's last labelled minute (10:19) and its 5 quiet windows are in. */
    static final Instant END = Instant.parse("2026-02-10T10:40:00Z");

    static final String RULE = "rome-bastion";
    static final int PARALLELISM = 2;
    static final Duration PATIENCE = Duration.ofMinutes(10);
    static final ObjectMapper MAPPER = new ObjectMapper();

    static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(PARALLELISM)
            .build());

    static EmbeddedKafka kafka;
    static HttpServer alertmanager;
    static final List<String> posted = Collections.synchronizedList(new ArrayList<>());
    static Path dir;
    static Path kafkaConfig;
    static String ns;
    static final List<String> transcript = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.startSaslSsl("vigil-soc", KAFKA_PASSWORD);
        dir = Files.createTempDirectory("vigil-soc-");
        Properties client = new Properties();
        client.putAll(kafka.clientProperties());
        kafkaConfig = dir.resolve("client.properties");
        try (var out = Files.newOutputStream(kafkaConfig)) {
            client.store(out, "the SOC's Kafka client");
        }
        ns = "soc" + System.nanoTime() + ".";
        alertmanager = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        alertmanager.createContext("/api/v2/alerts", exchange -> {
            posted.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        alertmanager.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (alertmanager != null) {
            alertmanager.stop(0);
        }
        if (kafka != null) {
            kafka.close();
        }
        LocalRun.deleteQuietly(dir);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "SocWiringIT-transitions.txt"), transcript);
    }

    @Test
    void romeOverSaslSslGivesOcsfIncidentsASuppressionSilencesUntilItsExpiryAndAlertmanagerIsPaged() throws Exception {
        SecuredKafkaIT.Run topics = vigil(concat(List.of("topics"), kafkaFlags(), topicFlags(true)));
        assertThat(topics.exitCode()).as(topics.err()).isZero();

        VigilConfig config = settingsOf(
                "detect",
                concat(
                        kafkaFlags(),
                        topicFlags(false),
                        List.of(
                                "--alert-format",
                                "ocsf",
                                "--output-delivery",
                                "exactly-once",
                                "--alerts-transactional-id-prefix",
                                ns + "vigil",
                                "--group-id",
                                ns + "detect",
                                "--checkpoint-interval-ms",
                                "500",
                                "--watermark-idleness-ms",
                                "0",
                                "--parallelism",
                                String.valueOf(PARALLELISM))));

        // phase 1: the fleet's telemetry up to the split; the job scores it with the model `vigil detect` loads
        Phases phases = new Phases(config);
        phases.sendUntil(SPLIT.toEpochMilli());
        JobClient job = DetectJob.start(environment(), config, Scorers.initial(config));
        JobID id = job.getJobID();
        try {
            List<Finding> findings = new ArrayList<>();
            await(
                    () -> {
                        findings.clear();
                        findings.addAll(findings(config));
                        return findings.stream().anyMatch(f -> f.joined().contains("NETWORK_SCAN"));
                    },
                    "the scan to open the incident");
            Set<String> scoredBefore = readWindows(config).stream()
                    .map(w -> w.getJobId() + "@" + w.getWindowStart())
                    .collect(Collectors.toSet());

            // an analyst approves the tunnel's destination (any job) until EXPIRY in event time; over SASL_SSL
            SuppressionTopic.publish(
                    config,
                    SuppressionRule.newBuilder()
                            .setId(RULE)
                            .setCidr(TUNNEL + "/32")
                            .setPort(22)
                            .setReason("the agent's bastion, approved (drill)")
                            .setAuthor("soc")
                            .setCreated(SPLIT)
                            .setExpires(EXPIRY)
                            .build());
            await(() -> counter(id, "suppressionRuleUpdates") == PARALLELISM, "every instance to take the rule");
            SecuredKafkaIT.Run list = vigil(concat(
                    List.of("suppress", "list", "--json"),
                    kafkaFlags(),
                    List.of("--topic-suppressions", config.topic(Topic.SUPPRESSIONS))));
            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.out()).contains(RULE);

            // phase 2: the rest, then clock ticks until the last incident has closed in event time
            phases.sendUntil(END.toEpochMilli());
            phases.tickFor(closeMs(config));
            await(
                    () -> {
                        findings.clear();
                        findings.addAll(findings(config));
                        return findings.stream()
                                .anyMatch(f -> f.job().equals(ROGUE)
                                        && f.activity() == 3
                                        && f.windowStart() >= EXPIRY.toEpochMilli());
                    },
                    "the incident after the expiry to close");
            List<JobWindow> windows = readWindows(config);
            for (Finding f : findings) {
                log("OCSF " + f.describe());
            }

            List<Finding> rogue =
                    findings.stream().filter(f -> f.job().equals(ROGUE)).toList();
            // the scan's incident: opened (Create), closed (Close) while the rule silences the tunnel's windows
            Finding opened = rogue.get(0);
            assertThat(opened.activity()).as(opened.describe()).isEqualTo(1);
            assertThat(opened.joined()).containsExactly("NETWORK_SCAN");
            List<Finding> first = rogue.stream()
                    .filter(f -> f.incident().equals(opened.incident()))
                    .toList();
            assertThat(first.get(first.size() - 1).activity()).as("closed").isEqualTo(3);
            assertThat(first)
                    .as("the scan's incident: the tunnel joins it only by the agent's call, before its traffic")
                    .filteredOn(f -> f.joined().contains("REVERSE_TUNNEL"))
                    .allSatisfy(f -> assertThat(f.windowStart()).isEqualTo(CALL_WINDOW.toEpochMilli()));

            // the rule silenced the tunnel's windows from the split to its expiry, left the miner's alerting, and
            // silenced nothing after it
            List<JobWindow> flagged = windows.stream()
                    .filter(w -> w.getJobId().equals(ROGUE) && w.getFlagged())
                    .toList();
            List<JobWindow> underRule = flagged.stream()
                    .filter(w -> !w.getWindowStart().isBefore(SPLIT)
                            && !w.getWindowStart().equals(CALL_WINDOW)
                            && !w.getWindowEnd().isAfter(EXPIRY))
                    .toList();
            // the call is read on its own input: counted in its window if it came before the window was scored, else
            // in the next, where the tunnel's traffic is listed and the rule holds; either way its own window stays
            assertThat(flagged)
                    .as("the window of the agent's call, flagged by its command alone if at all")
                    .filteredOn(w -> w.getWindowStart().equals(CALL_WINDOW))
                    .allSatisfy(w -> assertThat(w.getSuppressedBy()).isEmpty());
            List<JobWindow> tunnelOnly = underRule.stream()
                    .filter(w -> w.getCategories().equals(List.of(Category.REVERSE_TUNNEL)))
                    .toList();
            List<JobWindow> withMining = underRule.stream()
                    .filter(w -> w.getCategories().contains(Category.CRYPTO_MINING))
                    .toList();
            List<JobWindow> afterExpiry = flagged.stream()
                    .filter(w -> w.getWindowEnd().isAfter(EXPIRY))
                    .toList();
            assertThat(tunnelOnly)
                    .as("the tunnel's windows under the rule")
                    .isNotEmpty()
                    .allSatisfy(w -> assertThat(w.getSuppressedBy()).containsExactly(RULE));
            assertThat(withMining)
                    .as("the tunnel's and the miner's windows under the rule: the mining stands on the GPUs")
                    .isNotEmpty()
                    .allSatisfy(w -> assertThat(w.getSuppressedBy()).isEmpty());
            assertThat(afterExpiry)
                    .as("flagged windows after the expiry")
                    .allSatisfy(w -> assertThat(w.getSuppressedBy()).isEmpty())
                    .filteredOn(w -> w.getCategories().contains(Category.REVERSE_TUNNEL))
                    .as("the tunnel's after the expiry")
                    .isNotEmpty();
            assertThat(windows)
                    .filteredOn(w -> scoredBefore.contains(w.getJobId() + "@" + w.getWindowStart()))
                    .as("windows scored before the rule")
                    .allSatisfy(w -> assertThat(w.getSuppressedBy()).isEmpty());
            assertThat(windows)
                    .filteredOn(w -> !w.getJobId().equals(ROGUE))
                    .as("other jobs")
                    .allSatisfy(w -> assertThat(w.getSuppressedBy()).isEmpty());
            log("windows of " + ROGUE + " under " + RULE + " (" + TUNNEL + ":22, " + SPLIT + " to " + EXPIRY + "): "
                    + tunnelOnly.size() + " of the tunnel alone, silenced; " + withMining.size()
                    + " of the tunnel and the miner, alerting for the mining; " + afterExpiry.size()
                    + " flagged after the expiry, none silenced");
            // no transition tells a window of the tunnel alone under the rule; the miner opens an incident under it,
            // which the tunnel joins only past the expiry: its alerts are back
            assertThat(rogue)
                    .as("no transition of a window of the tunnel alone under the rule")
                    .noneSatisfy(f -> assertThat(tunnelOnly.stream()
                                    .anyMatch(w -> w.getWindowStart().toEpochMilli() == f.windowStart()))
                            .isTrue());
            assertThat(rogue)
                    .as("transitions under the rule")
                    .filteredOn(f -> f.windowStart() > CALL_WINDOW.toEpochMilli()
                            && f.windowStart() >= SPLIT.toEpochMilli()
                            && f.windowEnd() <= EXPIRY.toEpochMilli())
                    .isNotEmpty()
                    .allSatisfy(f -> assertThat(f.joined()).doesNotContain("REVERSE_TUNNEL"))
                    .anySatisfy(f -> assertThat(f.joined()).containsExactly("CRYPTO_MINING"));
            // Past the expiry the tunnel is told again. How depends on where the agent's `ssh -R` call was counted:
            // in its own window (the tunnel joined the scan's incident then, the silenced windows were too few to
            // close it, and the mining joined it: its updates name the tunnel again), or in the next, under the rule
            // (the scan's incident closed quiet, the mining opened one, and the tunnel joins that past the expiry).
            assertThat(rogue)
                    .as("the tunnel told again past the expiry")
                    .filteredOn(f -> f.windowStart() >= EXPIRY.toEpochMilli() && f.activity() == 2)
                    .anySatisfy(f -> assertThat(f.categories()).contains("REVERSE_TUNNEL"));

            // Alertmanager: every committed transition forwarded; the first incident firing, then resolved
            SecuredKafkaIT.Run alerts = vigil(concat(
                    List.of(
                            "alerts",
                            "--from-beginning",
                            "--alert-format",
                            "ocsf",
                            "--max",
                            String.valueOf(findings.size()),
                            "--alertmanager",
                            "http://127.0.0.1:" + alertmanager.getAddress().getPort(),
                            "--topic-alerts",
                            config.topic(Topic.ALERTS)),
                    kafkaFlags()));
            assertThat(alerts.exitCode()).as(alerts.err()).isZero();
            alerts.out().lines().forEach(l -> log("vigil alerts: " + l));
            List<JsonNode> sent = new ArrayList<>();
            for (String body : List.copyOf(posted)) {
                JsonNode alert = MAPPER.readTree(body).get(0);
                sent.add(alert);
                log("Alertmanager " + (alert.has("endsAt") ? "resolved" : "firing") + " incident "
                        + alert.get("labels").get("incident_id").asText() + " job "
                        + alert.get("labels").get("job_id").asText() + " startsAt "
                        + alert.get("startsAt").asText()
                        + (alert.has("endsAt")
                                ? " endsAt " + alert.get("endsAt").asText()
                                : "") + " "
                        + alert.get("annotations").get("state").asText() + " "
                        + alert.get("annotations").get("categories").asText());
            }
            List<JsonNode> incident = sent.stream()
                    .filter(a -> a.get("labels").get("incident_id").asText().equals(opened.incident()))
                    .toList();
            // firing at each transition (and again if open when a resend falls due), resolved last
            assertThat(incident).as("posts for the incident").hasSizeGreaterThanOrEqualTo(2);
            assertThat(incident.subList(0, incident.size() - 1))
                    .as("firing")
                    .allSatisfy(a -> assertThat(a.has("endsAt")).isFalse());
            assertThat(incident.get(incident.size() - 1).get("endsAt").asText())
                    .as("resolved when it closed")
                    .isEqualTo(Instant.ofEpochMilli(first.get(first.size() - 1).time())
                            .toString());
        } finally {
            job.cancel().get();
        }
    }

    // ---- the telemetry, in event-time order across flows, GPU samples and assignments, with clock ticks ----

    /** ROME's records sent in phases, on the input topics as `vigil stream` sends them, ticking every 5 s. */
    static final class Phases {
        final DatasetRecords records;
        final InputPublisher publisher;
        DatasetRecords.Timed pending;
        long nextTick = Long.MIN_VALUE;
        long lastTs = Long.MIN_VALUE;

        Phases(VigilConfig config) throws Exception {
            records = new DatasetRecords(ROME);
            publisher = new InputPublisher(config);
            pending = records.next();
        }

        /** Sends every record before {@code until}; acknowledged when it returns. */
        void sendUntil(long until) {
            for (; pending != null && pending.ts() < until; pending = records.next()) {
                if (nextTick == Long.MIN_VALUE) {
                    nextTick = pending.ts();
                }
                for (; nextTick <= pending.ts(); nextTick += InputPublisher.TICK_MS) {
                    publisher.tick(nextTick, "vigil-soc-clock");
                }
                publisher.send(pending.type(), pending.record(), pending.ts(), (m, e) -> {});
                lastTs = Math.max(lastTs, pending.ts());
            }
            publisher.flush();
        }

        /** Clock ticks for {@code ms} past the last record: time goes on, windows and incidents close. */
        void tickFor(long ms) throws Exception {
            for (; nextTick <= lastTs + ms; nextTick += InputPublisher.TICK_MS) {
                publisher.tick(nextTick, "vigil-soc-clock");
            }
            publisher.flush();
            publisher.close();
            records.close();
        }
    }

    static long closeMs(VigilConfig config) {
        return (config.getInt(VigilConfig.INCIDENT_CLOSE_QUIET_WINDOWS) + 1)
                        * config.getLong(VigilConfig.WINDOW_SIZE_MS)
                + config.getLong(VigilConfig.OUT_OF_ORDERNESS_MS);
    }

    // ---- what the job committed ----

    /** One OCSF Detection Finding of the alert topic: an activity of an incident. */
    record Finding(
            int activity,
            long time,
            String incident,
            String job,
            List<String> categories,
            List<String> joined,
            List<String> causes,
            long windowStart,
            long windowEnd) {
        String describe() {
            String name = switch (activity) {
                case 1 -> "Create";
                case 2 -> "Update";
                case 3 -> "Close";
                default -> "activity " + activity;
            };
            return name + " time " + Instant.ofEpochMilli(time) + " job " + job + " incident " + incident
                    + " types " + categories + " joined " + joined + " causes " + causes + " window "
                    + Instant.ofEpochMilli(windowStart);
        }
    }

    static List<Finding> findings(VigilConfig config) {
        Transition.Reader reader = new Transition.Reader(VigilConfig.ALERT_FORMAT_OCSF, null);
        List<Finding> out = new ArrayList<>();
        for (byte[] value : TopicContents.readCommitted(kafka.client(), config.topic(Topic.ALERTS))) {
            Decoded<Transition> d = reader.read(value);
            assertThat(d.isAccepted()).as(d.toString()).isTrue();
            JsonNode f;
            try {
                f = MAPPER.readTree(d.record().json());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            JsonNode unmapped = f.get("unmapped");
            out.add(new Finding(
                    f.get("activity_id").asInt(),
                    f.get("time").asLong(),
                    d.record().incidentId(),
                    d.record().jobId(),
                    d.record().categories(),
                    texts(unmapped.get("joined_categories")),
                    texts(unmapped.get("transition_causes")),
                    unmapped.get("window_start").asLong(),
                    unmapped.get("window_end").asLong()));
        }
        return out;
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static List<JobWindow> readWindows(VigilConfig config) {
        RecordFraming<JobWindow> framing =
                Framings.forTopic(RecordType.WINDOW, config.topic(Topic.WINDOWS), config.schemaRegistryUrl());
        List<JobWindow> out = new ArrayList<>();
        for (byte[] value : TopicContents.readCommitted(kafka.client(), config.topic(Topic.WINDOWS))) {
            Decoded<JobWindow> d = framing.decode(value);
            assertThat(d.isAccepted()).as(d.toString()).isTrue();
            out.add(d.record());
        }
        return out;
    }

    // ---- helpers ----

    static void log(String line) {
        System.out.println("SocWiringIT: " + line);
        transcript.add(line);
    }

    static SecuredKafkaIT.Run vigil(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Vigil.commandLine()
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args.toArray(String[]::new));
        return new SecuredKafkaIT.Run(rc, out.toString(), err.toString());
    }

    static VigilConfig settingsOf(String verb, List<String> args) {
        CommandSpec spec = Vigil.commandLine()
                .parseArgs(concat(List.of(verb), args).toArray(String[]::new))
                .subcommand()
                .commandSpec();
        return SettingOptions.read(spec, ((UsesSettings) spec.userObject()).settingKeys());
    }

    static List<String> kafkaFlags() {
        return List.of("--bootstrap-servers", kafka.bootstrapServers(), "--kafka-config", kafkaConfig.toString());
    }

    /** The class's own topic names; with their partition counts (2) for `vigil topics`. */
    static List<String> topicFlags(boolean partitions) {
        List<String> flags = new ArrayList<>();
        for (Topic t : Topic.values()) {
            if (!partitions && t == Topic.FEEDBACK) {
                continue; // detect does not read it
            }
            flags.addAll(List.of("--topic-" + t.key(), ns + t.defaultName()));
            if (partitions && t != Topic.MODELS) {
                flags.addAll(List.of("--topic-" + t.key() + "-partitions", "2"));
            }
        }
        return flags;
    }

    @SafeVarargs
    static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) {
            all.addAll(part);
        }
        return all;
    }

    static StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + PATIENCE.toMinutes() + " min for " + what);
            }
            Thread.sleep(500);
        }
    }

    /** A counter of the job, summed over its parallel instances. */
    static long counter(JobID job, String name) {
        return METRICS.findMetrics(job, "\\." + name + "$").values().stream()
                .mapToLong(m -> ((Counter) m).getCount())
                .sum();
    }
}
