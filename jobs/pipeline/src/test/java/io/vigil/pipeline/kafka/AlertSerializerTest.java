package io.vigil.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.records.Alert;
import io.vigil.records.Fixtures;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import io.vigil.records.wire.Framings;
import io.vigil.settings.VigilConfig;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class AlertSerializerTest {
    static final String TOPIC = "vigil.alerts";

    static ProducerRecord<byte[], byte[]> write(String format, Alert alert) throws Exception {
        AlertSerializer serializer = new AlertSerializer(format, TOPIC, null);
        serializer.open(null, null);
        return serializer.serialize(alert, null, 7L);
    }

    @Test
    void avroIsVigilsFramedRecordKeyedByJob() throws Exception {
        Alert alert = Fixtures.alert();
        ProducerRecord<byte[], byte[]> record = write(VigilConfig.ALERT_FORMAT_AVRO, alert);

        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(alert.getJobId());
        assertThat(Framings.forTopic(RecordType.ALERT, TOPIC, null)
                        .decode(record.value())
                        .record())
                .isEqualTo(alert);
    }

    @Test
    void jsonIsTheSameRecordAsOneJsonObject() throws Exception {
        Alert alert = Fixtures.alert();
        ProducerRecord<byte[], byte[]> record = write(VigilConfig.ALERT_FORMAT_JSON, alert);

        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(alert.getJobId());
        assertThat(record.timestamp()).isEqualTo(7L);
        assertThat(JsonRecordCodec.of(RecordType.ALERT)
                        .decode(new String(record.value(), StandardCharsets.UTF_8))
                        .record())
                .isEqualTo(alert);
    }

    @Test
    void ocsfIsADetectionFindingOfTheIncident() throws Exception {
        Alert alert = Fixtures.alert();
        ProducerRecord<byte[], byte[]> record = write(VigilConfig.ALERT_FORMAT_OCSF, alert);

        JsonNode finding = new ObjectMapper().readTree(record.value());
        assertThat(finding.get("class_uid").asInt()).isEqualTo(2004);
        assertThat(finding.get("finding_info").get("uid").asText()).isEqualTo(alert.getIncidentId());
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(alert.getJobId());
    }

    @Test
    void anUnknownFormatIsRefused() {
        assertThatThrownBy(() -> new AlertSerializer("cef", TOPIC, null)).hasMessageContaining("cef");
    }
}
