package io.vigil.tools.stream;

import io.vigil.models.eval.Label;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Decoded;
import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code vigil stream --verify}: reads the alert topic as a SIEM does (read_committed: only what the detect job
 * committed), from where it stood when the stream began, on its own thread, and matches each alert of an
 * expected job to the labelled incidents it stands for: the same job, one of its categories the label's, its
 * window overlapping the label's time (give or take the windows an incident takes to open and close).
 */
final class AlertWatch implements AutoCloseable {
    /** A labelled incident as the stream played it: its names and times as sent, and when its first record went. */
    static final class Expected {
        final Label label;
        volatile long firstRecordWallMs = -1;
        volatile Alert alert;
        volatile long alertWallMs = -1;

        Expected(Label label) {
            this.label = label;
        }
    }

    private final VigilConfig config;
    private final Set<String> jobs;
    private final long slackMs;
    private final List<Expected> expected = new ArrayList<>();
    private final List<Alert> seen = new ArrayList<>();
    private final Map<Alert, Long> seenAt = new HashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile Exception failure;

    /**
     * Starts reading at {@code offsets} (partition to offset), keeping only alerts of {@code jobs}.
     *
     * @param slackMs how far an alert's window may lie outside its label's time and still be its alert
     */
    AlertWatch(VigilConfig config, Map<Integer, Long> offsets, Set<String> jobs, long slackMs) {
        this.config = config;
        this.jobs = Set.copyOf(jobs);
        this.slackMs = slackMs;
        this.thread = new Thread(() -> follow(offsets), "vigil-stream-verify");
        thread.setDaemon(true);
        thread.start();
    }

    /** The alert topic's end (its last stable offsets) now: where a watch starts that sees only later alerts. */
    static Map<Integer, Long> ends(VigilConfig config) {
        String topic = config.topic(Topic.ALERTS);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(config)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            Map<Integer, Long> out = new HashMap<>();
            consumer.endOffsets(partitions).forEach((tp, o) -> out.put(tp.partition(), o));
            return out;
        }
    }

    /** Looks for this incident's alert among those seen and to come. */
    synchronized void expect(Expected e) {
        expected.add(e);
        for (Alert a : seen) {
            match(e, a, seenAt.get(a));
        }
    }

    /** Whether every expected incident has its alert. */
    synchronized boolean allArrived() {
        return expected.stream().allMatch(e -> e.alert != null);
    }

    Exception failure() {
        return failure;
    }

    private void follow(Map<Integer, Long> offsets) {
        String topic = config.topic(Topic.ALERTS);
        RecordFraming<Alert> framing = Framings.forTopic(RecordType.ALERT, topic, config.schemaRegistryUrl());
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(config)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long from = offsets.get(tp.partition());
                if (from == null) {
                    consumer.seekToBeginning(List.of(tp)); // a partition added since the stream began
                } else {
                    consumer.seek(tp, from);
                }
            }
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Decoded<Alert> d = framing.decode(r.value());
                    if (d.isAccepted() && jobs.contains(d.record().getJobId())) {
                        seen(d.record(), System.currentTimeMillis());
                    }
                }
            }
        } catch (Exception e) {
            failure = e;
        }
    }

    private synchronized void seen(Alert a, long wallMs) {
        seen.add(a);
        seenAt.put(a, wallMs);
        for (Expected e : expected) {
            match(e, a, wallMs);
        }
    }

    private void match(Expected e, Alert a, long wallMs) {
        if (e.alert != null || !a.getJobId().equals(e.label.jobId())) {
            return;
        }
        Set<Category> categories = new HashSet<>(a.getCategories());
        if (a.getIncidentCategories() != null) {
            categories.addAll(a.getIncidentCategories());
        }
        long start = a.getWindowStart().toEpochMilli();
        long end = a.getWindowEnd().toEpochMilli();
        if (categories.contains(e.label.category())
                && start < e.label.endTs() + slackMs
                && end > e.label.startTs() - slackMs) {
            e.alert = a;
            e.alertWallMs = wallMs;
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(VigilConfig config) {
        Properties p = config.kafkaClient(Map.of(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-stream-verify"));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        return consumer.partitionsFor(topic).stream()
                .map(i -> new TopicPartition(topic, i.partition()))
                .toList();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join();
    }
}
