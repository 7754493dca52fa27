package io.vigil.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.vigil.broker.EmbeddedKafka;
import io.vigil.pipeline.kafka.AlertSerializer;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Fixtures;
import io.vigil.records.IncidentState;
import io.vigil.records.RecordType;
import io.vigil.records.Severity;
import io.vigil.records.TransitionCause;
import io.vigil.records.json.JsonRecordCodec;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code vigil alerts} against the embedded broker, with an Alertmanager stand-in on loopback (the JDK's HTTP
 * server): it reads only committed transitions, in the format the job writes, skips what it cannot read, and
 * forwards an incident as one Alertmanager alert, firing then resolved. Each test writes its own alert topic.
 */
class AlertsCommandIT {
    static final ObjectMapper MAPPER = new ObjectMapper();

    static EmbeddedKafka kafka;
    static VigilConfig config;
    static HttpServer alertmanager;
    static final List<String> posted = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        config = VigilConfig.defaults().with(Map.of(VigilConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers()));
        alertmanager = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        alertmanager.createContext("/api/v2/alerts", exchange -> {
            posted.add(exchange.getRequestMethod() + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        alertmanager.start();
    }

    @AfterAll
    static void stop() {
        alertmanager.stop(0);
        kafka.close();
    }

    /** An incident of the fixture job: opened, joined by mining, closed when quiet. */
    static List<Alert> incident() {
        Instant first = Fixtures.alert().getWindowStart();
        Instant end = Fixtures.alert().getWindowEnd();
        Alert open = Fixtures.alertBuilder()
                .setAlertId("t-open")
                .setIncidentId("inc-1")
                .setCategories(List.of(Category.REVERSE_TUNNEL))
                .setIncidentState(IncidentState.OPEN)
                .setFirstWindowStart(first)
                .setLastWindowEnd(end)
                .setFlaggedWindows(1)
                .setPeakScore(0.8)
                .setPeakSeverity(Severity.HIGH)
                .setIncidentCategories(List.of(Category.REVERSE_TUNNEL))
                .setJoinedCategories(List.of(Category.REVERSE_TUNNEL))
                .build();
        Alert update = Alert.newBuilder(open)
                .setAlertId("t-update")
                .setIncidentState(IncidentState.UPDATE)
                .setTransitionCauses(List.of(TransitionCause.CATEGORY_JOINED, TransitionCause.SEVERITY_ROSE))
                .setLastWindowEnd(end.plusSeconds(300))
                .setFlaggedWindows(2)
                .setPeakScore(0.95)
                .setPeakSeverity(Severity.CRITICAL)
                .setIncidentCategories(List.of(Category.REVERSE_TUNNEL, Category.CRYPTO_MINING))
                .setJoinedCategories(List.of(Category.CRYPTO_MINING))
                .build();
        Alert close = Alert.newBuilder(update)
                .setAlertId("t-close")
                .setIncidentState(IncidentState.CLOSE)
                .setTransitionCauses(List.of(TransitionCause.QUIET))
                .setClosedAt(end.plusSeconds(600))
                .setJoinedCategories(List.of())
                .build();
        return List.of(open, update, close);
    }

    /**
     * Writes to a fresh alert topic, as the detect job would in {@code format}: an aborted transaction (a
     * transition read_committed never shows), a message no format reads, then the incident, committed.
     */
    static VigilConfig publish(String format, List<Alert> alerts) throws Exception {
        String topic = "alerts-" + format;
        VigilConfig c = config.with(Map.of(Topic.ALERTS.nameSetting(), topic, VigilConfig.ALERT_FORMAT, format));
        KafkaTopics.createAll(c);
        AlertSerializer serializer = new AlertSerializer(format, topic, null);
        serializer.open(null, null);
        Properties p = c.kafkaClient();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "alerts-it-" + UUID.randomUUID());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(serializer.serialize(
                    Alert.newBuilder(alerts.get(0)).setAlertId("t-aborted").build(), null, null));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            byte[] key = alerts.get(0).getJobId().getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(topic, key, "{not a finding".getBytes(StandardCharsets.UTF_8)));
            for (Alert a : alerts) {
                producer.send(serializer.serialize(a, null, null));
            }
            producer.commitTransaction();
        }
        return c;
    }

    record Run(int exit, String out, String err) {}

    static Run alerts(VigilConfig c, String... flags) {
        List<String> args = new ArrayList<>(List.of(
                "alerts",
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--topic-alerts",
                c.topic(Topic.ALERTS),
                "--alert-format",
                c.getString(VigilConfig.ALERT_FORMAT),
                "--from-beginning"));
        args.addAll(List.of(flags));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Vigil.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void ocsfTransitionsAreTailedAndForwardedFiringThenResolved() throws Exception {
        VigilConfig c = publish(VigilConfig.ALERT_FORMAT_OCSF, incident());
        posted.clear();

        Run run = alerts(
                c,
                "--max",
                "3",
                "--alertmanager",
                "http://127.0.0.1:" + alertmanager.getAddress().getPort());

        assertThat(run.exit()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).contains(" OPEN ", "job job-42", "HIGH", "REVERSE_TUNNEL", "incident inc-1");
        assertThat(lines.get(1)).contains(" UPDATE ", "CRITICAL", "REVERSE_TUNNEL,CRYPTO_MINING");
        assertThat(lines.get(2)).contains(" CLOSE ");
        assertThat(run.out()).doesNotContain("t-aborted");
        assertThat(run.err()).contains("skipped alerts-ocsf-").contains("not JSON");

        assertThat(posted).hasSize(3).allSatisfy(p -> assertThat(p).startsWith("POST "));
        List<JsonNode> sent = new ArrayList<>();
        for (String p : posted) {
            JsonNode body = MAPPER.readTree(p.substring("POST ".length()));
            assertThat(body.isArray()).isTrue();
            sent.add(body.get(0));
        }
        // one Alertmanager alert: the same labels at each transition
        assertThat(sent)
                .extracting(a -> a.get("labels").toString())
                .containsOnly(sent.get(0).get("labels").toString());
        assertThat(sent.get(0).get("labels").get("alertname").asText()).isEqualTo("VigilIncident");
        assertThat(sent.get(0).get("labels").get("incident_id").asText()).isEqualTo("inc-1");
        assertThat(sent.get(0).get("startsAt").asText())
                .isEqualTo(Fixtures.alert().getWindowStart().toString());
        assertThat(sent.get(0).has("endsAt")).as("firing").isFalse();
        assertThat(sent.get(1).has("endsAt")).as("firing").isFalse();
        assertThat(sent.get(1).get("annotations").get("severity").asText()).isEqualTo("critical");
        assertThat(sent.get(2).get("endsAt").asText())
                .as("resolved when it closed")
                .isEqualTo(incident().get(2).getClosedAt().toString());
    }

    @Test
    void avroTransitionsAreShownAsTheAlertRecordInJson() throws Exception {
        List<Alert> incident = incident();
        VigilConfig c = publish(VigilConfig.ALERT_FORMAT_AVRO, incident);

        Run run = alerts(c, "--max", "3", "--json");

        assertThat(run.exit()).isZero();
        JsonRecordCodec<Alert> codec = JsonRecordCodec.of(RecordType.ALERT);
        assertThat(run.out().lines().map(l -> codec.decode(l).record()).toList())
                .isEqualTo(incident);
        assertThat(run.err()).contains("skipped alerts-avro-");
    }
}
