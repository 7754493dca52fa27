package io.vigil.pipeline.kafka;

import io.vigil.records.Alert;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import io.vigil.records.ocsf.DetectionFinding;
import io.vigil.settings.VigilConfig;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes alerts to the alert topic in the format {@code alert.format} names, keyed by job id: avro (framed as
 * every record of Vigil's), json (the Alert record as one JSON object), or ocsf (an OCSF Detection Finding, for a
 * SIEM). One place decides, for the detect job and for {@code vigil alerts}, which reads back what this writes.
 */
public final class AlertSerializer implements KafkaRecordSerializationSchema<Alert> {
    private static final long serialVersionUID = 1L;

    private final String format;
    private final String topic;
    private final FramedRecordSerializer<Alert> avro;
    private transient JsonRecordCodec<Alert> json;

    public AlertSerializer(String format, String topic, String registryUrl) {
        this.format = format;
        this.topic = topic;
        this.avro = VigilConfig.ALERT_FORMAT_AVRO.equals(format)
                ? new FramedRecordSerializer<>(RecordType.ALERT, topic, registryUrl, "job_id")
                : null;
        if (!VigilConfig.ALERT_FORMAT_AVRO.equals(format)
                && !VigilConfig.ALERT_FORMAT_JSON.equals(format)
                && !VigilConfig.ALERT_FORMAT_OCSF.equals(format)) {
            throw new IllegalArgumentException("alert format " + format + ": avro, json or ocsf");
        }
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) throws Exception {
        if (avro != null) {
            avro.open(context, sinkContext);
        }
        json = JsonRecordCodec.of(RecordType.ALERT);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Alert alert, KafkaSinkContext context, Long timestamp) {
        if (avro != null) {
            return avro.serialize(alert, context, timestamp);
        }
        return new ProducerRecord<>(
                topic,
                null,
                timestamp,
                alert.getJobId().getBytes(StandardCharsets.UTF_8),
                encode(alert).getBytes(StandardCharsets.UTF_8));
    }

    /** A text format's message: the Alert as JSON, or the OCSF finding. */
    String encode(Alert alert) {
        if (VigilConfig.ALERT_FORMAT_OCSF.equals(format)) {
            return DetectionFinding.json(alert, productVersion());
        }
        if (json == null) {
            json = JsonRecordCodec.of(RecordType.ALERT);
        }
        return json.encode(alert);
    }

    /** Vigil's version from the jar's manifest; null when not run from a jar (OCSF's product.version is optional). */
    static String productVersion() {
        return AlertSerializer.class.getPackage().getImplementationVersion();
    }
}
