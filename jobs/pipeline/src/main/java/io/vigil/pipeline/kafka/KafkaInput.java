package io.vigil.pipeline.kafka;

import io.vigil.pipeline.ingest.Received;
import io.vigil.pipeline.ingest.ReceivedDecoder;
import java.util.HashMap;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Decodes Kafka messages inside the source; an undecodable message becomes a dead letter, never a failure. */
public final class KafkaInput implements KafkaRecordDeserializationSchema<Received> {
    private static final long serialVersionUID = 1L;

    private final HashMap<String, ReceivedDecoder<?>> decodersByTopic;

    /** @param decodersByTopic how to decode each topic's messages */
    public KafkaInput(HashMap<String, ReceivedDecoder<?>> decodersByTopic) {
        this.decodersByTopic = decodersByTopic;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {}

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> message, Collector<Received> out) {
        ReceivedDecoder<?> decoder = decodersByTopic.get(message.topic());
        if (decoder == null) {
            throw new IllegalStateException(
                    "no decoder for topic " + message.topic() + "; known: " + decodersByTopic.keySet());
        }
        decoder.decodeMessage(
                message.value(),
                () -> message.topic() + "/" + message.partition() + "@" + message.offset(),
                message.timestamp(),
                out::collect);
    }

    @Override
    public TypeInformation<Received> getProducedType() {
        return TypeInformation.of(Received.class);
    }
}
