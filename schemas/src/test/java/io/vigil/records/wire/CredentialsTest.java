package io.vigil.records.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class CredentialsTest {
    @Test
    void hidesTheUserInfoOfEveryUrlInAText() {
        assertThat(Credentials.redact("GET https://alice:pa55@registry:8081/subjects failed; retry http://bob@h/x"))
                .isEqualTo("GET https://[hidden]@registry:8081/subjects failed; retry http://[hidden]@h/x");
        assertThat(Credentials.redact("no url here, an e-mail@example.com"))
                .isEqualTo("no url here, an e-mail@example.com");
        assertThat(Credentials.redact(null)).isNull();
        assertThat(Credentials.redact("SASL_SSL://vigil:hunter2@kafka-0:9093,SASL_SSL://kafka-1:9093"))
                .isEqualTo("SASL_SSL://[hidden]@kafka-0:9093,SASL_SSL://kafka-1:9093");
    }

    @Test
    void takesTheCredentialsOutOfTheUrlIntoAnAuthorizationHeader() {
        URI uri = Credentials.parse("http://admin:pa%40ss@10.0.0.1:9400/metrics", "--dcgm-url");
        assertThat(Credentials.withoutUserInfo(uri)).hasToString("http://10.0.0.1:9400/metrics");
        assertThat(Credentials.basicAuthorization(uri)).isEqualTo("Basic YWRtaW46cGFAc3M="); // admin:pa@ss
        assertThat(Credentials.basicAuthorization(URI.create("http://h/metrics")))
                .isNull();
    }

    @Test
    void aUrlThatDoesNotParseIsRefusedWithoutRepeatingItsSecret() {
        assertThatThrownBy(() -> Credentials.parse("https://alice:se cret@registry:8081", "the schema registry URL"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasNoCause()
                .hasMessageContaining("the schema registry URL is not a valid URL")
                .hasMessageNotContaining("se cret");
        assertThatThrownBy(() -> new SchemaRegistryClient("https://alice:se cret@registry:8081"))
                .hasMessageNotContaining("se cret");
    }

    @Test
    void aSecretThisProcessWasGivenIsHiddenWhereverAMessageRepeatsIt() {
        Credentials.hide("Hid3-me-s3cret");
        Credentials.hide("ab"); // too short to look for: every "ab" would go
        assertThat(Credentials.redact("login failed: password Hid3-me-s3cret, at https://u:Hid3-me-s3cret@h/"))
                .isEqualTo("login failed: password [hidden], at https://[hidden]@h/");
        assertThat(Credentials.redact("about abc")).isEqualTo("about abc");
    }
}
