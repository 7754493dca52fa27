package io.vigil.pipeline.kafka;

import io.vigil.models.suppression.Suppressions;
import io.vigil.pipeline.detect.DetectPipeline;
import io.vigil.pipeline.detect.SuppressionInput;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.pipeline.ingest.Received;
import io.vigil.pipeline.ingest.ReceivedDecoder;
import io.vigil.records.RecordType;
import io.vigil.records.SuppressionRule;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The pipeline's ends on Kafka. Inputs start from the group's committed offsets (earliest the first
 * time). Outputs are written as they are made (AT_LEAST_ONCE: after a failure, what came since the last
 * checkpoint is written again with the same ids), or with {@code output.delivery=exactly-once} in transactions
 * committed on each checkpoint, so a consumer reading with {@code isolation.level=read_committed} sees every
 * alert once across failures, a checkpoint later. Every source and sink
 * gets the user's Kafka client properties ({@link VigilConfig#kafkaClient}).
 */
public final class KafkaEnds {
    /** How often a source looks for partitions added to its topics (Kafka's source, and {@link EveryReaderSource}). */
    private static final String PARTITION_DISCOVERY_INTERVAL_MS =
            KafkaSourceOptions.PARTITION_DISCOVERY_INTERVAL_MS.key();

    private KafkaEnds() {}

    /**
     * @param bounded stop at the end offsets seen at start-up (a replay through Kafka), without model releases
     *                or suppression rules (those topics would end at once, see
     *                {@link io.vigil.pipeline.detect.ModelReleases}); else run forever and follow the model and
     *                suppression topics
     */
    public static DetectPipeline.Inputs inputs(VigilConfig config, boolean bounded) {
        return bounded
                ? new DetectPipeline.Inputs(
                        List.of(source(config, true)),
                        List.of(assignmentSource(config, true)),
                        true,
                        List.of(contextSource(config, true)))
                : new DetectPipeline.Inputs(
                        List.of(source(config, false)),
                        List.of(assignmentSource(config, false)),
                        true,
                        List.of(contextSource(config, false)),
                        modelSource(config),
                        suppressionSource(config),
                        Suppressions.none());
    }

    public static DetectPipeline.Outputs outputs(VigilConfig config) {
        String prefix = config.getString(VigilConfig.TRANSACTIONAL_ID_PREFIX);
        return new DetectPipeline.Outputs(
                sink(
                        config,
                        new AlertSerializer(
                                config.getString(VigilConfig.ALERT_FORMAT),
                                config.topic(Topic.ALERTS),
                                config.schemaRegistryUrl()),
                        prefix + "-alerts",
                        Map.of()),
                sink(config, Topic.WINDOWS, RecordType.WINDOW, "job_id", prefix + "-windows"),
                sink(config, Topic.DEADLETTER, RecordType.DEAD_LETTER, "record_type", prefix + "-deadletters"),
                sink(config, Topic.EPISODE_FLAGS, RecordType.EPISODE_FLAG, "job_id", prefix + "-episode-flags"));
    }

    /**
     * The producer settings of the writers that are not the alerts' (windows, dead letters, episode flags), which a
     * user's {@code kafka.} properties override. Reading a backlog, the job writes thousands of windows and dead
     * letters a second; at Kafka's defaults (5 ms, 16 KiB) each request carried a few of them, and the producers'
     * network thread took 8 % of the job's CPU, the broker twice that (BENCHMARKS.md). Live, a window waits 50 ms
     * more. The alerts' writer keeps Kafka's defaults: nothing holds an alert back.
     */
    static final Map<String, String> BATCHED_OUTPUT =
            Map.of(ProducerConfig.LINGER_MS_CONFIG, "50", ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));

    /**
     * One source over the flow and GPU topics, a reader getting partitions of both at once, whose every reader also
     * reads the whole assignments topic ({@link EveryReaderSource}): it attributes what it reads in its own task, and
     * its watermark is the minimum over all of them, so flows, samples and the assignments that attribute them
     * advance event time together.
     */
    static Source<Received, ?, ?> source(VigilConfig config, boolean bounded) {
        String registry = config.schemaRegistryUrl();
        InputFormats formats = InputFormats.from(config);
        Map<String, ReceivedDecoder<?>> decoders = Map.of(
                config.topic(Topic.FLOWS),
                        ReceivedDecoder.forFormat(
                                        RecordType.FLOW,
                                        formats.flows(),
                                        formats.node(),
                                        config.topic(Topic.FLOWS),
                                        registry)
                                .bounded(formats.bounds(), true),
                config.topic(Topic.GPU),
                        ReceivedDecoder.forFormat(
                                        RecordType.GPU,
                                        formats.gpu(),
                                        formats.node(),
                                        config.topic(Topic.GPU),
                                        registry)
                                .bounded(formats.bounds(), true),
                config.topic(Topic.ASSIGNMENTS), assignmentDecoders(config).get(config.topic(Topic.ASSIGNMENTS)));
        List<String> split = new ArrayList<>(decoders.keySet());
        split.remove(config.topic(Topic.ASSIGNMENTS));
        KafkaSource<Received> kafka = inputSource(config, split, decoders, bounded, null);
        Properties admin = config.kafkaClient(Map.of());
        admin.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        long relist = Long.parseLong(consumer(config).getProperty(PARTITION_DISCOVERY_INTERVAL_MS));
        return new EveryReaderSource<>(kafka, config.topic(Topic.ASSIGNMENTS), admin, relist);
    }

    /**
     * The assignments topic, a source of its own, read once: for the per-job stages (a STOP ends a job's state), at
     * its committed offsets like the inputs.
     */
    static Source<Received, ?, ?> assignmentSource(VigilConfig config, boolean bounded) {
        String group = config.getString(VigilConfig.GROUP_ID);
        return inputSource(config, assignmentDecoders(config), bounded, group + "-assignments");
    }

    private static Map<String, ReceivedDecoder<?>> assignmentDecoders(VigilConfig config) {
        String topic = config.topic(Topic.ASSIGNMENTS);
        return Map.of(
                topic,
                ReceivedDecoder.avro(RecordType.ASSIGNMENT, topic, config.schemaRegistryUrl())
                        .bounded(InputFormats.from(config).bounds(), true));
    }

    /**
     * The agent-events topic, a source of its own: tool calls are context for the alerts, and an empty partition
     * of theirs must hold back nothing, which within the inputs' source it would (its split's watermark is one of
     * the reader's; see {@code ContextWatermarks}).
     */
    static Source<Received, ?, ?> contextSource(VigilConfig config, boolean bounded) {
        String topic = config.topic(Topic.AGENT_EVENTS);
        InputFormats formats = InputFormats.from(config);
        Map<String, ReceivedDecoder<?>> decoders = Map.of(
                topic,
                ReceivedDecoder.avro(RecordType.AGENT_EVENT, topic, config.schemaRegistryUrl())
                        .bounded(formats.bounds(), true));
        return inputSource(config, decoders, bounded, config.getString(VigilConfig.GROUP_ID) + "-agent-events");
    }

    /** A source over the topics of these decoders ({@link #inputSource(VigilConfig, List, Map, boolean, String)}). */
    private static Source<Received, ?, ?> inputSource(
            VigilConfig config, Map<String, ReceivedDecoder<?>> decoders, boolean bounded, String clientIdPrefix) {
        return inputSource(config, List.copyOf(decoders.keySet()), decoders, bounded, clientIdPrefix);
    }

    /**
     * A source over topics of input records, decoded at the edge, from the group's committed offsets (earliest the
     * first time); {@code decoders} by topic, for these topics and any a wrapper adds; {@code clientIdPrefix} null:
     * the connector's own.
     */
    private static KafkaSource<Received> inputSource(
            VigilConfig config,
            List<String> topics,
            Map<String, ReceivedDecoder<?>> decoders,
            boolean bounded,
            String clientIdPrefix) {
        return inputSource(config, topics, new KafkaInput(new HashMap<>(decoders)), bounded, clientIdPrefix);
    }

    /**
     * A source over input topics as detect reads them (the user's client properties, the group's committed offsets,
     * read_committed, the poll size alignment bounds), each message made a record by {@code messages}; the bench's
     * floor reads the topics so without decoding them.
     */
    public static <T> KafkaSource<T> inputSource(
            VigilConfig config,
            List<String> topics,
            KafkaRecordDeserializationSchema<T> messages,
            boolean bounded,
            String clientIdPrefix) {
        var builder = KafkaSource.<T>builder()
                .setProperties(consumer(config))
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(topics)
                .setGroupId(config.getString(VigilConfig.GROUP_ID))
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(messages)
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                // what a reader hands on after alignment pauses a partition is a few polls: bound them
                .setProperty(
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(config.inputMaxPollRecords(bounded)));
        if (clientIdPrefix != null) {
            builder.setClientIdPrefix(clientIdPrefix);
        }
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * The model topic, always from its beginning: a job started afresh replays the releases and scores with
     * the last good one; a restored job resumes at its checkpointed offsets, with the release it had accepted
     * (broadcast state). Releases are artifact bytes; an empty message stands for a tombstone, and is refused.
     */
    static KafkaSource<byte[]> modelSource(VigilConfig config) {
        String group = config.getString(VigilConfig.GROUP_ID);
        return KafkaSource.<byte[]>builder()
                .setProperties(consumer(config))
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(config.topic(Topic.MODELS))
                .setGroupId(group)
                .setClientIdPrefix(group + "-models")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new ModelReleaseBytes())
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .build();
    }

    /**
     * The suppression topic, always from its beginning like the model topic: a job started afresh reads every
     * rule's latest version (the topic is compacted), a restored one resumes at its checkpointed offsets with the
     * rules of its broadcast state. Each message is decoded here, at the edge ({@link SuppressionInput}).
     */
    static KafkaSource<SuppressionInput> suppressionSource(VigilConfig config) {
        String group = config.getString(VigilConfig.GROUP_ID);
        String topic = config.topic(Topic.SUPPRESSIONS);
        return KafkaSource.<SuppressionInput>builder()
                .setProperties(consumer(config))
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(topic)
                .setGroupId(group)
                .setClientIdPrefix(group + "-suppressions")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new SuppressionMessages(topic, config.schemaRegistryUrl()))
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .build();
    }

    /** The suppression topic's messages, decoded; the framing is made on the task, where it is used. */
    static final class SuppressionMessages implements KafkaRecordDeserializationSchema<SuppressionInput> {
        private static final long serialVersionUID = 1L;

        private final String topic;
        private final String registryUrl;
        private transient RecordFraming<SuppressionRule> framing;

        SuppressionMessages(String topic, String registryUrl) {
            this.topic = topic;
            this.registryUrl = registryUrl;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SuppressionInput> out) {
            if (framing == null) {
                framing = Framings.forTopic(RecordType.SUPPRESSION, topic, registryUrl);
            }
            out.collect(SuppressionInput.decode(
                    record.key(),
                    record.value(),
                    framing,
                    record.topic() + "/" + record.partition() + "@" + record.offset()));
        }

        @Override
        public TypeInformation<SuppressionInput> getProducedType() {
            return TypeInformation.of(SuppressionInput.class);
        }
    }

    /**
     * The user's Kafka client properties (security, SASL, TLS...) for a source, over Vigil's partition discovery
     * interval; what Vigil keeps to itself (bootstrap servers, group, isolation level, where to start) is set
     * after them.
     */
    private static Properties consumer(VigilConfig config) {
        return config.kafkaClient(Map.of(PARTITION_DISCOVERY_INTERVAL_MS, "60000"));
    }

    /** A model release's value as it is; a null value (tombstone) as no bytes, which the scoring step refuses. */
    static final class ModelReleaseBytes implements KafkaRecordDeserializationSchema<byte[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<byte[]> out) {
            out.collect(record.value() == null ? new byte[0] : record.value());
        }

        @Override
        public TypeInformation<byte[]> getProducedType() {
            return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
        }
    }

    /** The sinks' guarantee, from {@code output.delivery}. */
    static DeliveryGuarantee delivery(VigilConfig config) {
        return config.getString(VigilConfig.OUTPUT_DELIVERY).equals(VigilConfig.DELIVERY_EXACTLY_ONCE)
                ? DeliveryGuarantee.EXACTLY_ONCE
                : DeliveryGuarantee.AT_LEAST_ONCE;
    }

    static <T extends SpecificRecord> KafkaSink<T> sink(
            VigilConfig config, Topic topic, RecordType<T> type, String keyField, String transactionalIdPrefix) {
        return sink(
                config,
                new FramedRecordSerializer<>(type, config.topic(topic), config.schemaRegistryUrl(), keyField),
                transactionalIdPrefix,
                BATCHED_OUTPUT);
    }

    /** {@code tunable}: producer settings of Vigil's that the user's {@code kafka.} properties override. */
    static <T> KafkaSink<T> sink(
            VigilConfig config,
            KafkaRecordSerializationSchema<T> serializer,
            String transactionalIdPrefix,
            Map<String, String> tunable) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(config.kafkaClient(tunable))
                .setBootstrapServers(config.bootstrapServers())
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(delivery(config))
                .setTransactionalIdPrefix(transactionalIdPrefix)
                // the builder's default (1 h) is above the broker's maximum (15 min): every writer would fail
                .setProperty(
                        "transaction.timeout.ms", String.valueOf(config.getInt(VigilConfig.TRANSACTION_TIMEOUT_MS)))
                .build();
    }
}
