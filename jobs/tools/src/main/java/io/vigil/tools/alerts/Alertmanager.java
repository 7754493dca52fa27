package io.vigil.tools.alerts;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.tools.output.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Forwards incident transitions to a Prometheus Alertmanager ({@code POST /api/v2/alerts}), the way Prometheus
 * itself is a client of it: an incident is one Alertmanager alert, firing from its OPEN (and each UPDATE), resolved
 * at its CLOSE (endsAt = when it closed). Its labels name the incident only (alertname, incident_id, job_id), never
 * what changes while it goes on (severity, categories: annotations), so every transition of one incident is the
 * same Alertmanager alert. Alertmanager resolves a firing alert it has not heard of for its resolve_timeout (5 min
 * by default), so the open incidents are sent again every {@code resendInterval}, as Prometheus does; an incident
 * open before this process started is known from its next UPDATE on.
 */
public final class Alertmanager {
    public static final String ALERTNAME = "VigilIncident";

    private final URI endpoint;
    private final HttpClient http;
    private final Duration resendInterval;
    private final Map<String, Transition> firing = new LinkedHashMap<>();
    private long lastSentNanos = System.nanoTime();

    /** @param base Alertmanager's URL (http://host:9093), the API path added */
    public Alertmanager(String base, Duration resendInterval) {
        String trimmed = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.endpoint = URI.create(trimmed + "/api/v2/alerts");
        if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme())) {
            throw new IllegalArgumentException("--alertmanager: an http:// or https:// URL, not " + base);
        }
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.resendInterval = resendInterval;
    }

    /** Sends one transition: firing for OPEN, UPDATE (and a per-window alert), resolved for CLOSE. */
    public void send(Transition t) throws IOException, InterruptedException {
        if ("CLOSE".equals(t.state())) {
            firing.remove(t.incidentId());
        } else {
            firing.put(t.incidentId(), t);
        }
        post(payload(List.of(t)));
    }

    /** Sends the open incidents again when {@code resendInterval} has passed since the last post. */
    public void resendIfDue() throws IOException, InterruptedException {
        if (!firing.isEmpty() && System.nanoTime() - lastSentNanos >= resendInterval.toNanos()) {
            post(payload(firing.values()));
        }
    }

    /** The incidents firing now, by id. */
    public Collection<String> firing() {
        return firing.keySet();
    }

    /** The API's body: an array of postable alerts. */
    static ArrayNode payload(Collection<Transition> transitions) {
        ArrayNode alerts = Json.array();
        for (Transition t : transitions) {
            ObjectNode a = alerts.addObject();
            ObjectNode labels = a.putObject("labels");
            labels.put("alertname", ALERTNAME);
            labels.put("incident_id", t.incidentId());
            labels.put("job_id", t.jobId());
            ObjectNode annotations = a.putObject("annotations");
            annotations.put("summary", "Training job " + t.jobId() + ": " + String.join(", ", t.categories()));
            annotations.put("severity", t.severity().toLowerCase(Locale.ROOT));
            annotations.put("categories", String.join(",", t.categories()));
            annotations.put("state", t.state());
            annotations.put("score", String.valueOf(Json.round(t.score())));
            annotations.put("transition_id", t.transitionId());
            annotations.put("last_seen", Instant.ofEpochMilli(t.lastSeen()).toString());
            a.put("startsAt", Instant.ofEpochMilli(t.firstSeen()).toString());
            if (t.closedAt() != null) {
                a.put("endsAt", Instant.ofEpochMilli(t.closedAt()).toString());
            }
        }
        return alerts;
    }

    private void post(ArrayNode body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        lastSentNanos = System.nanoTime();
        if (response.statusCode() / 100 != 2) {
            throw new IOException("Alertmanager " + endpoint + " answered " + response.statusCode());
        }
    }
}
