package io.vigil.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker as a secured cluster: the listener clients reach is SASL_SSL only; the client's
 * properties are enough for a transactional write and a read_committed read; a wrong password is refused as
 * an authentication failure, at once.
 */
class EmbeddedKafkaSaslSslIT {
    static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.startSaslSsl("vigil", "right-password");
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void clientsWithTheGivenPropertiesWriteTransactionsAndReadThemCommitted() throws Exception {
        assertThat(kafka.clientProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsKey("ssl.truststore.location");
        try (Admin admin = Admin.create(kafka.client())) {
            admin.createTopics(List.of(new NewTopic("secured", 1, (short) 1)))
                    .all()
                    .get();
        }
        Map<String, Object> producer = new HashMap<>(kafka.client());
        producer.put("transactional.id", "secured-test");
        try (KafkaProducer<byte[], byte[]> p =
                new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer())) {
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("secured", "one".getBytes()));
            p.commitTransaction(); // transaction markers: the broker reaches itself over SASL_SSL too
        }
        assertThat(TopicContents.readCommitted(kafka.client(), "secured"))
                .extracting(String::new)
                .containsExactly("one");
    }

    @Test
    void aWrongPasswordIsAnAuthenticationFailure() {
        Map<String, Object> wrong = new HashMap<>(kafka.client());
        wrong.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"vigil\""
                        + " password=\"wrong-password\";");
        try (Admin admin = Admin.create(wrong)) {
            assertThatThrownBy(() -> admin.describeCluster().clusterId().get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void thePasswordMayStayInAFileThatTheClientReadsWithKafkasFileConfigProvider(@TempDir Path dir) throws Exception {
        // what README recommends for a cluster: the properties name the file, the file (a mounted secret) holds the
        // password; only the client that connects reads it
        String jaas = kafka.clientProperties().get("sasl.jaas.config");
        Path secret = dir.resolve("kafka-secret.properties");
        Files.writeString(secret, "password=right-password\n");
        Map<String, Object> client = new HashMap<>(kafka.client());
        client.put("config.providers", "file");
        client.put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
        client.put("sasl.jaas.config", jaas.replace("right-password", "${file:" + secret + ":password}"));
        try (Admin admin = Admin.create(client)) {
            assertThat(admin.describeCluster().clusterId().get()).isNotBlank();
        }
    }

    @Test
    void onlyTheSaslSslListenerIsAdvertisedAndTheControllerStaysInternal() {
        EmbeddedKafka.Secured secured =
                new EmbeddedKafka.Secured(Path.of("k.p12"), Path.of("t.p12"), "s", "u", "p", "b", "bp");
        Map<String, String> props = secured.brokerProperties(1111, 2222);
        assertThat(props.get("advertised.listeners")).isEqualTo("SASL_SSL://127.0.0.1:1111");
        assertThat(props.get("listener.security.protocol.map")).isEqualTo("SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
        assertThat(props.get("listeners")).doesNotContain("PLAINTEXT://");
        assertThat(props.get("inter.broker.listener.name")).isEqualTo("SASL_SSL");
    }
}
