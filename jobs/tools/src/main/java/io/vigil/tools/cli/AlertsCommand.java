package io.vigil.tools.cli;

import io.vigil.records.Decoded;
import io.vigil.records.Printable;
import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.Topic;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.alerts.Alertmanager;
import io.vigil.tools.alerts.Transition;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Tails the alert topic as a SIEM reads it, and can forward each incident transition to Alertmanager. */
@Command(
        name = "alerts",
        mixinStandardHelpOptions = true,
        description = {
            "Tail the alert topic (read_committed: only what the detect job committed, each transition once) as"
                    + " readable lines or JSON, in whatever --alert-format the job writes; optionally forward each"
                    + " incident transition to a Prometheus Alertmanager (firing on OPEN and UPDATE, resolved on"
                    + " CLOSE). A message it cannot read is reported on stderr with its partition and offset, and"
                    + " skipped.",
            ""
        })
final class AlertsCommand implements Callable<Integer>, UsesSettings {
    @Spec
    CommandSpec spec;

    @Option(names = "--from-beginning", description = "Start at the topic's beginning, not its end.")
    boolean fromBeginning;

    @Option(
            names = "--json",
            description = "One JSON object a line: the Alert record (alert format avro or json) or the OCSF finding"
                    + " as written.")
    boolean json;

    @Option(
            names = "--max",
            paramLabel = "N",
            description = "Stop after N transitions; 0 (default): run until stopped.")
    long max;

    @Option(
            names = "--alertmanager",
            paramLabel = "URL",
            description = "Alertmanager to forward to (http://host:9093); its /api/v2/alerts is posted to.")
    String alertmanager;

    @Option(
            names = "--alertmanager-resend-ms",
            paramLabel = "MS",
            defaultValue = "60000",
            description = "Open incidents are sent again this often, so Alertmanager (resolve_timeout) keeps them"
                    + " firing. Default: ${DEFAULT-VALUE}.")
    long resendMs;

    @Override
    public List<String> settingKeys() {
        return List.of(
                VigilConfig.BOOTSTRAP_SERVERS,
                VigilConfig.SCHEMA_REGISTRY_URL,
                VigilConfig.ALERT_FORMAT,
                Topic.ALERTS.nameSetting());
    }

    @Override
    public Integer call() throws InterruptedException {
        VigilConfig config = SettingOptions.read(spec, settingKeys());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String topic = config.topic(Topic.ALERTS);
        Transition.Reader reader = new Transition.Reader(
                config.getString(VigilConfig.ALERT_FORMAT),
                Framings.forTopic(RecordType.ALERT, topic, config.schemaRegistryUrl()));
        Alertmanager forward = alertmanager == null
                ? null
                : new Alertmanager(alertmanager, Duration.ofMillis(Math.max(1_000, resendMs)));
        long shown = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            while (max <= 0 || shown < max) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    Decoded<Transition> d = reader.read(r.value());
                    if (!d.isAccepted()) {
                        err.printf(
                                "skipped %s-%d offset %d: %s%n",
                                Printable.escape(topic), r.partition(), r.offset(), d.rejection());
                        err.flush();
                        continue;
                    }
                    Transition t = d.record();
                    out.println(json ? t.json() : line(t));
                    out.flush();
                    if (forward != null) {
                        forward(forward, t, err);
                    }
                    if (max > 0 && ++shown >= max) {
                        break;
                    }
                }
                if (forward != null) {
                    try {
                        forward.resendIfDue();
                    } catch (IOException e) {
                        err.printf("Alertmanager: %s%n", e.getMessage());
                    }
                }
            }
        }
        return 0;
    }

    /** Tries a few times, then says so and goes on: the alert topic keeps the transition in any case. */
    private static void forward(Alertmanager forward, Transition t, PrintWriter err) throws InterruptedException {
        long backoff = 500;
        for (int attempt = 1; ; attempt++) {
            try {
                forward.send(t);
                return;
            } catch (IOException e) {
                if (attempt == 5) {
                    err.printf("Alertmanager: not forwarded %s %s: %s%n", t.state(), t.transitionId(), e.getMessage());
                    err.flush();
                    return;
                }
                Thread.sleep(backoff); // a retry's pause, not a test's
                backoff *= 2;
            }
        }
    }

    /** One readable line: when, what happened, to which job, how bad, why. */
    static String line(Transition t) {
        long at = t.closedAt() != null ? t.closedAt() : t.lastSeen();
        return String.format(
                "%s %-6s job %s %s %s score %.2f incident %s since %s",
                Instant.ofEpochMilli(at),
                t.state(),
                Printable.escape(t.jobId()),
                t.severity(),
                String.join(",", t.categories()),
                t.score(),
                Printable.escape(t.incidentId()),
                Instant.ofEpochMilli(t.firstSeen()));
    }

    private static KafkaConsumer<byte[], byte[]> consumer(VigilConfig config) {
        Properties p = config.kafkaClient(Map.of(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-alerts"));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
