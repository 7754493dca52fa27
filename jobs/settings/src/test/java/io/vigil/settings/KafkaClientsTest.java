package io.vigil.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.records.wire.Credentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientsTest {

    @Test
    void kafkasPasswordsAndAnythingNamedLikeASecretAreSecret() {
        for (String secret : new String[] {
            "sasl.jaas.config",
            "ssl.truststore.password",
            "ssl.keystore.password",
            "ssl.key.password",
            "ssl.keystore.key",
            "ssl.keystore.certificate.chain", // Kafka types it PASSWORD
            "ssl.truststore.certificates",
            "basic.auth.user.info",
            "sasl.oauthbearer.client.credentials.client.secret",
            "my.api.token",
            "SASL.JAAS.CONFIG"
        }) {
            assertThat(KafkaClients.isSecret(secret)).as(secret).isTrue();
        }
        for (String plain : new String[] {
            "security.protocol",
            "sasl.mechanism",
            "ssl.truststore.location",
            "ssl.keystore.type",
            "client.id",
            "linger.ms",
            "ssl.endpoint.identification.algorithm"
        }) {
            assertThat(KafkaClients.isSecret(plain)).as(plain).isFalse();
        }
    }

    @Test
    void aSecretValueIsShownHiddenAndAUrlWithoutItsUserInfo() {
        assertThat(KafkaClients.shown(Map.of(
                        "sasl.jaas.config", "x required password=\"p\";",
                        "security.protocol", "SASL_SSL",
                        "sasl.oauthbearer.token.endpoint.url", "https://u:p@idp/token",
                        "metrics.url", "https://u:p@metrics/")))
                .containsEntry("sasl.jaas.config", "[hidden]")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.oauthbearer.token.endpoint.url", "[hidden]")
                .containsEntry("metrics.url", "https://[hidden]@metrics/");
    }

    @Test
    void vigilsOwnPropertiesAreRefusedByNameWithWhy() {
        assertThatThrownBy(() -> KafkaClients.refuseVigilsOwn(
                        Map.of("isolation.level", "read_uncommitted", "acks", "1", "security.protocol", "SSL")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("isolation.level is Vigil's own: Vigil reads with read_committed")
                .hasMessageContaining("acks is Vigil's own")
                .hasMessageNotContaining("read_uncommitted")
                .hasMessageNotContaining("security.protocol");
        KafkaClients.refuseVigilsOwn(Map.of("security.protocol", "SASL_SSL", "client.id", "me"));
    }

    @Test
    void secretsReadFromAFileAreHiddenInEveryMessageFromThenOn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(
                file,
                "security.protocol=SASL_SSL\n"
                        + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n"
                        + "    username=\"alice\" password=\"Fi1e-s3cret\";\n"
                        + "ssl.truststore.password=Tru5t-s3cret\n");
        Map<String, String> read = KafkaClients.read(file);
        assertThat(read).containsEntry("security.protocol", "SASL_SSL").containsKey("sasl.jaas.config");
        assertThat(Credentials.redact("login as alice with Fi1e-s3cret failed; store Tru5t-s3cret"))
                .isEqualTo("login as alice with [hidden] failed; store [hidden]");
    }

    @Test
    void aKafkaPropertyWithoutKeyOrEqualsIsRefusedWithoutRepeatingIt() {
        assertThatThrownBy(() -> KafkaClients.parse("Fl4g-s3cret"))
                .hasMessageContaining("KEY=VALUE")
                .hasMessageNotContaining("Fl4g-s3cret");
        assertThatThrownBy(() -> KafkaClients.parse("=Fl4g-s3cret")).hasMessageNotContaining("Fl4g-s3cret");
        assertThat(KafkaClients.parse("ssl.key.password=a=b-s3cret"))
                .isEqualTo(Map.entry("ssl.key.password", "a=b-s3cret"));
        assertThat(Credentials.redact("a=b-s3cret")).isEqualTo("[hidden]");
    }

    @Test
    void aClientFailureSaysWhenTheBrokersRefusedTheCredentialsOrTheRights() {
        Exception auth = new ExecutionException(new KafkaException(new SaslAuthenticationException(
                "Authentication failed during authentication due to invalid credentials with SASL mechanism"
                        + " SCRAM-SHA-512")));
        assertThat(KafkaClients.isRefusal(auth)).isTrue();
        assertThat(KafkaClients.failure(auth)).startsWith("authentication failed: Authentication failed");
        Exception acl = new ExecutionException(new TopicAuthorizationException("Not authorized to access topics"));
        assertThat(KafkaClients.failure(acl)).startsWith("not authorized: ");
        Exception other = new ExecutionException(new KafkaException("outer", new IllegalStateException("inner")));
        assertThat(KafkaClients.isRefusal(other)).isFalse();
        assertThat(KafkaClients.failure(other)).isEqualTo("inner");
    }
}
