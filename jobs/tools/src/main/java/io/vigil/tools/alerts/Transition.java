package io.vigil.tools.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Decoded;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import io.vigil.records.json.JsonRecordCodec;
import io.vigil.records.ocsf.DetectionFinding;
import io.vigil.records.wire.RecordFraming;
import io.vigil.settings.VigilConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One message of the alert topic as {@code vigil alerts} shows and forwards it, whatever {@code alert.format}
 * wrote it: an incident transition (OPEN, UPDATE, CLOSE; WINDOW for a per-window alert of an older job), with
 * what a reader needs to act on it, and the message as JSON (the Alert record, or the OCSF finding as written).
 *
 * @param closedAt when a CLOSE closed, epoch ms; null otherwise
 * @param destinations the evidence's top destinations of the window that made this transition, by bytes
 */
public record Transition(
        String transitionId,
        String incidentId,
        String jobId,
        String state,
        String severity,
        List<String> categories,
        double score,
        long firstSeen,
        long lastSeen,
        Long closedAt,
        String json,
        List<Endpoint> destinations) {

    /** One remote endpoint of the evidence; {@code external}: outside the cluster's private ranges. */
    public record Endpoint(String ip, int port, boolean external) {}

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Reads what the alert topic holds in {@code format}; a message it cannot read is refused, never thrown. */
    public static final class Reader {
        private final String format;
        private final RecordFraming<Alert> avro;
        private final JsonRecordCodec<Alert> json = JsonRecordCodec.of(RecordType.ALERT);

        public Reader(String format, RecordFraming<Alert> avro) {
            this.format = format;
            this.avro = avro;
        }

        public Decoded<Transition> read(byte[] message) {
            if (message == null) {
                return Decoded.rejected(RejectReason.MALFORMED, null, "no value");
            }
            return switch (format) {
                case VigilConfig.ALERT_FORMAT_AVRO -> of(avro.decode(message));
                case VigilConfig.ALERT_FORMAT_JSON -> of(json.decode(new String(message, StandardCharsets.UTF_8)));
                default -> ocsf(new String(message, StandardCharsets.UTF_8));
            };
        }

        private Decoded<Transition> of(Decoded<Alert> alert) {
            return alert.isAccepted()
                    ? Decoded.accepted(Transition.of(alert.record(), json.encode(alert.record())))
                    : Decoded.rejected(alert.rejection());
        }
    }

    static Transition of(Alert a, String json) {
        List<Category> cats = a.getIncidentCategories().isEmpty() ? a.getCategories() : a.getIncidentCategories();
        return new Transition(
                a.getAlertId(),
                a.getIncidentId().isEmpty() ? a.getAlertId() : a.getIncidentId(),
                a.getJobId(),
                a.getIncidentState() == null ? "WINDOW" : a.getIncidentState().name(),
                (a.getPeakSeverity() != null ? a.getPeakSeverity() : a.getSeverity()).name(),
                cats.stream().map(Category::name).toList(),
                a.getPeakScore() != null ? a.getPeakScore() : a.getScore(),
                (a.getFirstWindowStart() != null ? a.getFirstWindowStart() : a.getWindowStart()).toEpochMilli(),
                (a.getLastWindowEnd() != null ? a.getLastWindowEnd() : a.getWindowEnd()).toEpochMilli(),
                a.getClosedAt() == null ? null : a.getClosedAt().toEpochMilli(),
                json,
                a.getEvidence().getDestinations().stream()
                        .map(d -> new Endpoint(d.getIp(), d.getPort(), d.getExternal()))
                        .toList());
    }

    /** An OCSF Detection Finding as {@link DetectionFinding} writes it. */
    static Decoded<Transition> ocsf(String text) {
        JsonNode f;
        try {
            f = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return Decoded.rejected(RejectReason.MALFORMED, null, "not JSON");
        }
        if (f == null
                || !f.isObject()
                || f.path("class_uid").asInt() != DetectionFinding.CLASS_UID
                || !f.path("finding_info").hasNonNull("uid")
                || !f.path("metadata").hasNonNull("uid")) {
            return Decoded.rejected(RejectReason.MALFORMED, null, "not a Detection Finding");
        }
        JsonNode info = f.get("finding_info");
        JsonNode unmapped = f.path("unmapped");
        String job = "";
        for (JsonNode r : f.path("resources")) {
            if ("Training Job".equals(r.path("type").asText())) {
                job = r.path("uid").asText();
            }
        }
        String state = unmapped.hasNonNull("incident_state")
                ? unmapped.get("incident_state").asText()
                : switch (f.path("activity_id").asInt()) {
                    case 2 -> "UPDATE";
                    case 3 -> "CLOSE";
                    default -> "WINDOW";
                };
        List<String> categories = new ArrayList<>();
        info.path("types").forEach(t -> categories.add(t.asText()));
        List<Endpoint> destinations = new ArrayList<>();
        for (JsonNode e : f.path("evidences")) {
            JsonNode dst = e.path("dst_endpoint");
            if (dst.hasNonNull("ip")) {
                destinations.add(new Endpoint(
                        dst.get("ip").asText(),
                        dst.path("port").asInt(),
                        e.path("data").path("external").asBoolean()));
            }
        }
        return Decoded.accepted(new Transition(
                f.get("metadata").get("uid").asText(),
                info.get("uid").asText(),
                job,
                state,
                f.path("severity").asText("Unknown").toUpperCase(Locale.ROOT),
                categories,
                unmapped.hasNonNull("peak_score")
                        ? unmapped.get("peak_score").asDouble()
                        : unmapped.path("score").asDouble(),
                info.path("first_seen_time").asLong(),
                info.path("last_seen_time").asLong(),
                f.path("activity_id").asInt() == 3 ? f.path("time").asLong() : null,
                text.strip(),
                List.copyOf(destinations)));
    }
}
