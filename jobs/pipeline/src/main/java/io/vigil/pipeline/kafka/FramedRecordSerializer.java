package io.vigil.pipeline.kafka;

import io.vigil.records.RecordType;
import io.vigil.records.wire.Framings;
import io.vigil.records.wire.RecordFraming;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes Vigil's records to a topic in the configured framing, keyed by a field (job id, record type). */
public final class FramedRecordSerializer<T extends SpecificRecord> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final String typeName;
    private final String topic;
    private final String registryUrl;
    private final int keyField;
    private transient RecordFraming<T> framing;

    /** @param keyFieldName the record field whose text value is the message key */
    public FramedRecordSerializer(RecordType<T> type, String topic, String registryUrl, String keyFieldName) {
        this.typeName = type.name();
        this.topic = topic;
        this.registryUrl = registryUrl;
        this.keyField = type.schema().getField(keyFieldName).pos();
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        framing = Framings.forTopic((RecordType<T>) RecordType.byName(typeName), topic, registryUrl);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T record, KafkaSinkContext context, Long timestamp) {
        if (framing == null) {
            open(null, context);
        }
        Object key = record.get(keyField);
        return new ProducerRecord<>(
                topic,
                null,
                timestamp,
                key == null ? null : key.toString().getBytes(StandardCharsets.UTF_8),
                framing.encode(record));
    }
}
