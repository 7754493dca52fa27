package io.vigil.tools.windows;

import io.vigil.records.Printable;
import io.vigil.settings.KafkaClients;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.CommittedTopic;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Analysts' verdicts on the feedback topic ({@code vigil.feedback}): each message is one verdict in the JSON of a
 * feedback file line ({@link Feedback#json()}, read by {@link Feedback#parse}), keyed by {@link #key} (what was
 * judged and who judged it), so a compacted topic, and this reader, keep each analyst's latest verdict on each
 * alert. A message with no value (a tombstone) withdraws the verdict of its key.
 */
public final class FeedbackTopic {
    /** How many bad messages are named; the rest are counted. */
    public static final int BAD_SHOWN = 5;

    private FeedbackTopic() {}

    /**
     * What a read of the topic found.
     *
     * @param verdicts the latest verdict of each key (and every verdict without a key), oldest first by the time
     *     it was published, so a later verdict on a window replaces an earlier one as in a file
     * @param messages messages read, bad ones and tombstones included
     * @param replaced verdicts a later message with the same key replaced (or a tombstone withdrew)
     * @param bad messages that are not a verdict: skipped
     * @param firstBad the first {@link #BAD_SHOWN} of them: {@code topic-partition@offset: what is wrong}
     */
    public record Read(List<Feedback> verdicts, long messages, int replaced, long bad, List<String> firstBad) {}

    /** The key of one analyst's verdict on one alert or incident: the same verdict published again replaces it. */
    public static String key(String judged, String author) {
        return judged + "/" + author;
    }

    /** Every verdict on the topic up to its last stable offsets now (read_committed); bad messages skipped. */
    public static Read read(VigilConfig config) {
        String topic = config.topic(Topic.FEEDBACK);
        record Held(Feedback verdict, long timestamp, int partition, long offset) {}
        Map<String, Held> latest = new HashMap<>();
        long[] messages = {0};
        long[] bad = {0};
        int[] replaced = {0};
        List<String> firstBad = new ArrayList<>();
        CommittedTopic.read(config, topic, "vigil-windows-feedback", r -> {
            messages[0]++;
            String where = topic + "-" + r.partition() + "@" + r.offset();
            String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
            // a verdict without a key is its own: nothing replaces it
            String slot = key == null ? "\u0000" + where : key;
            if (r.value() == null) {
                if (latest.remove(slot) != null) {
                    replaced[0]++;
                }
                return;
            }
            Feedback verdict;
            try {
                verdict = Feedback.parse(text(r), where);
            } catch (Feedback.BadFeedback | CharacterCodingException e) {
                bad[0]++;
                if (firstBad.size() < BAD_SHOWN) {
                    firstBad.add(Printable.escape(
                            e instanceof Feedback.BadFeedback ? e.getMessage() : where + ": not UTF-8 text"));
                }
                return;
            }
            if (latest.put(slot, new Held(verdict, r.timestamp(), r.partition(), r.offset())) != null) {
                replaced[0]++;
            }
        });
        List<Feedback> verdicts = latest.values().stream()
                .sorted(Comparator.comparingLong(Held::timestamp)
                        .thenComparingInt(Held::partition)
                        .thenComparingLong(Held::offset))
                .map(Held::verdict)
                .toList();
        return new Read(verdicts, messages[0], replaced[0], bad[0], List.copyOf(firstBad));
    }

    private static String text(ConsumerRecord<byte[], byte[]> r) throws CharacterCodingException {
        return StandardCharsets.UTF_8
                .newDecoder()
                .decode(ByteBuffer.wrap(r.value()))
                .toString();
    }

    /**
     * Publishes one verdict under {@code key} and waits until the brokers have it (all in-sync replicas).
     *
     * @throws IllegalStateException if the brokers do not take it, with their reason
     */
    public static RecordMetadata publish(VigilConfig config, String key, Feedback verdict) {
        Objects.requireNonNull(key, "key");
        String topic = config.topic(Topic.FEEDBACK);
        Properties p = config.kafkaClient(Map.of(ProducerConfig.CLIENT_ID_CONFIG, "vigil-verdict"));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            return producer.send(new ProducerRecord<>(topic, key, verdict.json().getBytes(StandardCharsets.UTF_8)))
                    .get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "could not publish to " + topic + ": " + KafkaClients.failure(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not publish to " + topic + ": no answer within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + topic, e);
        }
    }
}
