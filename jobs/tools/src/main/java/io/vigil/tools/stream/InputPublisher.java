package io.vigil.tools.stream;

import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Puts recorded input records on the input topics as the collectors and the scheduler feed do: each on its
 * type's topic ({@link #TOPICS}), framed as configured, keyed by its node (so a node's records stay in order on
 * one partition), with its event time as the message's timestamp; paced against the wall clock; and clock
 * ticks. What {@code vigil stream} and {@code vigil demo} share. Not thread-safe; one per thread.
 */
public final class InputPublisher implements Closeable {
    /** The input topic of each kind of record. */
    public static final Map<RecordType<?>, Topic> TOPICS = Map.of(
            RecordType.FLOW,
            Topic.FLOWS,
            RecordType.GPU,
            Topic.GPU,
            RecordType.ASSIGNMENT,
            Topic.ASSIGNMENTS,
            RecordType.AGENT_EVENT,
            Topic.AGENT_EVENTS);
    /** Event time between two clock ticks on every input partition, ms. */
    public static final long TICK_MS = 5_000;

    private static final String CLOCK_IP = "192.0.2.1"; // TEST-NET-1: no job's

    private final VigilConfig config;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<RecordType<?>, RecordFraming<SpecificRecord>> framings = new HashMap<>();
    private final Map<String, Integer> partitions = new HashMap<>();

    /**
     * A producer with the configured Kafka client properties: idempotent (a retry never writes a record twice,
     * nor out of order), every record acknowledged by all in-sync replicas, one request in flight per broker.
     */
    public InputPublisher(VigilConfig config) {
        this.config = config;
        Properties p = config.kafkaClient(
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.CLIENT_ID_CONFIG, "vigil-stream-inputs"));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // With more than one request in flight, a just-created partition (vigil topics, a test, the demo) can lose
        // its first batch: the request carrying sequence 0 reaches the broker before the broker leads the partition
        // (its metadata already names it leader) and is refused, retriably; the next request, later sequences, is
        // accepted as this producer's first on the partition (brokers before Kafka 4.5 take any first sequence);
        // every retry of the first is then out of sequence until delivery.timeout.ms expires it (KAFKA-15591).
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends one input record, keyed by its node, stamped with its event time; {@code acked} hears the outcome. */
    public void send(RecordType<?> type, SpecificRecord record, long ts, Callback acked) {
        producer.send(
                new ProducerRecord<>(
                        topic(type),
                        null,
                        ts,
                        node(record).getBytes(StandardCharsets.UTF_8),
                        framing(type).encode(record)),
                acked);
    }

    /**
     * One clock tick at {@code ts}: an idle GPU sample and a flow of nothing from {@code clockNode} (a node no
     * job runs on), and the STOP of a job of that name that never started, on every partition of their topics.
     * The pipeline dead-letters the first two (unattributed) and the STOP ends nothing; but every input
     * partition's watermark moves. Watermarks are per partition, and one that is quiet holds event time back
     * until it counts as idle (and then its next records may be late): the ticks keep them all moving, and after
     * the data they let the last windows and incidents close in event time, as time going on does in a live
     * cluster. The agents' tool calls get none: a quiet agent-events partition holds nothing back.
     */
    public void tick(long ts, String clockNode) {
        Instant at = Instant.ofEpochMilli(ts);
        Map<RecordType<?>, SpecificRecord> ticks = Map.of(
                RecordType.GPU,
                GpuSample.newBuilder()
                        .setTs(at)
                        .setNode(clockNode)
                        .setGpu(0)
                        .setUtil(0)
                        .setProcesses(List.of())
                        .build(),
                RecordType.FLOW,
                Flow.newBuilder()
                        .setTs(at)
                        .setStartTs(at)
                        .setNode(clockNode)
                        .setSrcIp(CLOCK_IP)
                        .setDstIp("192.0.2.2")
                        .setProtocol("udp")
                        .build(),
                RecordType.ASSIGNMENT,
                Assignment.newBuilder()
                        .setTs(at)
                        .setEvent(AssignmentEvent.STOP)
                        .setJobId(clockNode)
                        .setNode(clockNode)
                        .setPod(clockNode)
                        .setIp(CLOCK_IP)
                        .build());
        ticks.forEach((type, record) -> {
            String topic = topic(type);
            byte[] value = framing(type).encode(record);
            int count = partitions.computeIfAbsent(
                    topic, t -> producer.partitionsFor(t).size());
            for (int p = 0; p < count; p++) {
                producer.send(new ProducerRecord<>(topic, p, ts, null, value));
            }
        });
    }

    /**
     * Waits until event time {@code sinceFirst} after the first record is due at this speed
     * ({@code Double.POSITIVE_INFINITY}: at once), counting from {@code wallStartNanos}; sends what is
     * buffered before it sleeps.
     */
    public void pace(long wallStartNanos, long sinceFirst, double speed) throws InterruptedException {
        if (Double.isInfinite(speed)) {
            return;
        }
        long wait = dueNanos(wallStartNanos, sinceFirst, speed) - System.nanoTime();
        if (wait > 2_000_000) {
            producer.flush();
            Thread.sleep(wait / 1_000_000);
        }
    }

    /** When event time {@code sinceFirst} after the first record is due on the {@link System#nanoTime} clock. */
    public static long dueNanos(long wallStartNanos, long sinceFirst, double speed) {
        return Double.isInfinite(speed)
                ? wallStartNanos
                : wallStartNanos + (long) (Math.max(0, sinceFirst) / speed * 1e6);
    }

    /** Waits until every record sent so far is acknowledged (or has failed). */
    public void flush() {
        producer.flush();
    }

    /**
     * The latest message timestamp on the input topics (the records' event times), or {@code Long.MIN_VALUE}
     * when they hold none. A detect job that has read them keeps its clock (its watermark) there: a record older
     * than that is late to it, and dropped as late, whatever the records of a live fleet beside it.
     */
    public static long latestEventTime(VigilConfig config) throws InterruptedException {
        Properties p = config.kafkaClient(Map.of(
                AdminClientConfig.CLIENT_ID_CONFIG,
                "vigil-stream-inputs",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000));
        try (Admin admin = Admin.create(p)) {
            List<String> topics =
                    TOPICS.values().stream().map(config::topic).distinct().toList();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(topics)
                    .allTopicNames()
                    .get()
                    .forEach((name, d) -> d.partitions()
                            .forEach(tp ->
                                    latest.put(new TopicPartition(name, tp.partition()), OffsetSpec.maxTimestamp())));
            long max = Long.MIN_VALUE;
            for (ListOffsetsResult.ListOffsetsResultInfo info :
                    admin.listOffsets(latest).all().get().values()) {
                if (info.offset() >= 0) { // -1: an empty partition
                    max = Math.max(max, info.timestamp());
                }
            }
            return max;
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot read the input topics' latest times: "
                            + (e.getCause() == null ? e : e.getCause()).getMessage(),
                    e.getCause());
        }
    }

    /** The node a collector keys this record by. */
    static String node(SpecificRecord record) {
        return record.get(record.getSchema().getField("node").pos()).toString();
    }

    private String topic(RecordType<?> type) {
        return config.topic(TOPICS.get(type));
    }

    @SuppressWarnings("unchecked")
    private RecordFraming<SpecificRecord> framing(RecordType<?> type) {
        return framings.computeIfAbsent(type, t -> (RecordFraming<SpecificRecord>)
                (RecordFraming<?>) Framings.forTopic(t, topic(t), config.schemaRegistryUrl()));
    }

    /** Sends what is buffered (waiting for acknowledgements up to {@code timeout}) and closes. */
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    @Override
    public void close() {
        producer.close();
    }
}
