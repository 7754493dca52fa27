package io.vigil.tools.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Alertmanager client against a stand-in on loopback: what it posts, and that open incidents are re-sent. */
class AlertmanagerTest {
    HttpServer server;
    final List<JsonNode> posts = Collections.synchronizedList(new ArrayList<>());
    volatile int status = 200;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v2/alerts", exchange -> {
            posts.add(new ObjectMapper()
                    .readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    static Transition t(String incident, String state, Long closedAt) {
        return new Transition(
                incident + "-" + state,
                incident,
                "job-" + incident,
                state,
                "HIGH",
                List.of("REVERSE_TUNNEL"),
                0.81234,
                1_000,
                61_000,
                closedAt,
                "{}",
                List.of());
    }

    @Test
    void openIncidentsAreSentAgainUntilTheyClose() throws Exception {
        Alertmanager am = new Alertmanager(url(), Duration.ZERO); // always due

        am.send(t("a", "OPEN", null));
        am.send(t("b", "OPEN", null));
        am.resendIfDue();
        assertThat(posts.get(2)).hasSize(2);
        assertThat(am.firing()).containsExactly("a", "b");

        am.send(t("a", "CLOSE", 120_000L));
        am.resendIfDue();
        assertThat(posts.get(3).get(0).get("endsAt").asText()).isEqualTo("1970-01-01T00:02:00Z");
        assertThat(posts.get(4)).hasSize(1);
        assertThat(posts.get(4).get(0).get("labels").get("incident_id").asText())
                .isEqualTo("b");

        am.send(t("b", "CLOSE", 180_000L));
        int before = posts.size();
        am.resendIfDue();
        assertThat(posts).as("nothing firing, nothing re-sent").hasSize(before);
    }

    @Test
    void labelsNameTheIncidentOnlyAndTheRestIsAnnotated() {
        JsonNode a = Alertmanager.payload(List.of(t("a", "UPDATE", null))).get(0);

        assertThat(a.get("labels").size()).isEqualTo(3);
        assertThat(a.get("labels").get("alertname").asText()).isEqualTo("VigilIncident");
        assertThat(a.get("annotations").get("severity").asText()).isEqualTo("high");
        assertThat(a.get("annotations").get("score").asText()).isEqualTo("0.8123");
        assertThat(a.get("startsAt").asText()).isEqualTo("1970-01-01T00:00:01Z");
        assertThat(a.has("endsAt")).isFalse();
    }

    @Test
    void aRefusedPostIsAnErrorAndABadUrlIsRefused() {
        status = 400;
        Alertmanager am = new Alertmanager(url(), Duration.ofMinutes(1));
        assertThatThrownBy(() -> am.send(t("a", "OPEN", null))).hasMessageContaining("400");
        assertThatThrownBy(() -> new Alertmanager("ftp://x", Duration.ofMinutes(1)))
                .hasMessageContaining("http");
    }
}
