package io.vigil.records.ocsf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Destination;
import io.vigil.records.IncidentState;
import io.vigil.records.Placement;
import io.vigil.records.ProcessEvidence;
import io.vigil.records.Reason;
import io.vigil.records.Severity;
import io.vigil.records.json.JsonEscapes;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An incident transition as an OCSF 1.3.0 Detection Finding (class 2004, category Findings), the form SIEMs
 * (Security Lake, Splunk, Elastic, Sentinel, OpenSearch) ingest without a parser of Vigil's own. The incident is
 * the finding: {@code finding_info.uid} is the incident id, its transitions are the finding's activities (OPEN
 * Create, UPDATE Update, CLOSE Close), {@code metadata.uid} the transition's own id (deterministic, so a SIEM can
 * drop a duplicate). What OCSF has no attribute for (score, threshold, model, reasons) is in {@code unmapped}.
 *
 * <p>The attributes follow the schema's definitions at tag 1.3.0 of ocsf/ocsf-schema: base_event (metadata,
 * severity_id, classification, occurrence), finding (finding_info required; activity and status enums),
 * detection_finding (evidences, resources); objects finding_info (uid, title required), metadata (product,
 * version required), product (vendor_name required), attack (at least one of tactic, technique), evidences (at
 * least one of its artifacts), network_endpoint (at least one of ip, ...), process (at least one of pid, uid).
 */
public final class DetectionFinding {
    private DetectionFinding() {}

    public static final String OCSF_VERSION = "1.3.0";
    public static final int CATEGORY_UID = 2;
    public static final int CLASS_UID = 2004;
    public static final String PRODUCT = "Vigil";

    private static final ObjectMapper MAPPER =
            JsonMapper.builder(JsonEscapes.factory()).build();

    /** A MITRE ATT&CK technique and the tactic it serves. */
    record Technique(String uid, String name, String tacticUid, String tacticName) {}

    /**
     * The ATT&CK technique each category is (technique ids and names stable since ATT&CK v8); GPU diversion is
     * resource hijacking too (the GPUs serve someone else's work). UNKNOWN maps to none.
     */
    static Technique technique(Category category) {
        return switch (category) {
            case CRYPTO_MINING, GPU_DIVERSION -> new Technique("T1496", "Resource Hijacking", "TA0040", "Impact");
            case REVERSE_TUNNEL -> new Technique("T1572", "Protocol Tunneling", "TA0011", "Command and Control");
            case NETWORK_SCAN -> new Technique("T1046", "Network Service Discovery", "TA0007", "Discovery");
            case EXFILTRATION ->
                new Technique("T1048", "Exfiltration Over Alternative Protocol", "TA0010", "Exfiltration");
            case UNKNOWN -> null;
        };
    }

    /** OCSF severity_id: 2 Low, 3 Medium, 4 High, 5 Critical. */
    static int severityId(Severity severity) {
        return switch (severity) {
            case LOW -> 2;
            case MEDIUM -> 3;
            case HIGH -> 4;
            case CRITICAL -> 5;
        };
    }

    /** The finding's activity: 1 Create, 2 Update, 3 Close. A per-window alert (no state) creates a finding. */
    static int activityId(IncidentState state) {
        if (state == null) {
            return 1;
        }
        return switch (state) {
            case OPEN -> 1;
            case UPDATE -> 2;
            case CLOSE -> 3;
        };
    }

    private static final String[] ACTIVITY = {"Unknown", "Create", "Update", "Close"};
    private static final String[] SEVERITY = {"Unknown", "Informational", "Low", "Medium", "High", "Critical"};

    /** One line of JSON, without the newline. */
    public static String json(Alert alert, String productVersion) {
        try {
            return MAPPER.writeValueAsString(of(alert, productVersion));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @param productVersion Vigil's version, for metadata.product.version */
    public static ObjectNode of(Alert alert, String productVersion) {
        ObjectNode f = MAPPER.createObjectNode();
        int activity = activityId(alert.getIncidentState());
        Severity severity = alert.getPeakSeverity() != null ? alert.getPeakSeverity() : alert.getSeverity();
        int severityId = severityId(severity);
        long told = told(alert);
        long first = alert.getFirstWindowStart() != null
                ? alert.getFirstWindowStart().toEpochMilli()
                : alert.getWindowStart().toEpochMilli();
        long last = alert.getLastWindowEnd() != null
                ? alert.getLastWindowEnd().toEpochMilli()
                : alert.getWindowEnd().toEpochMilli();
        String incident = alert.getIncidentId().isEmpty() ? alert.getAlertId() : alert.getIncidentId();

        f.put("category_uid", CATEGORY_UID);
        f.put("category_name", "Findings");
        f.put("class_uid", CLASS_UID);
        f.put("class_name", "Detection Finding");
        f.put("activity_id", activity);
        f.put("activity_name", ACTIVITY[activity]);
        f.put("type_uid", CLASS_UID * 100L + activity);
        f.put("type_name", "Detection Finding: " + ACTIVITY[activity]);
        f.put("severity_id", severityId);
        f.put("severity", SEVERITY[severityId]);
        // finding (workflow) status: a closed incident ended on its own or with its job; no analyst resolved it
        f.put("status_id", activity == 3 ? 99 : 1);
        f.put("status", activity == 3 ? "Closed" : "New");
        f.put("time", told);
        f.put("start_time", first);
        f.put("end_time", last);
        f.put("message", title(alert));

        ObjectNode metadata = f.putObject("metadata");
        metadata.put("version", OCSF_VERSION);
        metadata.put("uid", alert.getAlertId());
        metadata.put("correlation_uid", incident);
        metadata.put("log_name", "alerts");
        ObjectNode product = metadata.putObject("product");
        product.put("name", PRODUCT);
        product.put("vendor_name", PRODUCT);
        if (productVersion != null && !productVersion.isEmpty()) {
            product.put("version", productVersion);
        }

        ObjectNode info = f.putObject("finding_info");
        info.put("uid", incident);
        info.put("title", title(alert));
        info.put("desc", description(alert));
        info.put("first_seen_time", first);
        info.put("last_seen_time", last);
        info.put("modified_time", told);
        ArrayNode types = info.putArray("types");
        for (Category c : categories(alert)) {
            types.add(c.name());
        }
        ObjectNode analytic = info.putObject("analytic");
        analytic.put("name", "vigil-model");
        analytic.put("type_id", 4); // Learning (ML/DL)
        analytic.put("type", "Learning (ML/DL)");
        analytic.put("version", alert.getModelVersion());
        ArrayNode attacks = info.putArray("attacks");
        Set<Technique> seen = new LinkedHashSet<>();
        for (Category c : categories(alert)) {
            Technique t = technique(c);
            if (t != null && seen.add(t)) {
                ObjectNode attack = attacks.addObject();
                ObjectNode technique = attack.putObject("technique");
                technique.put("uid", t.uid());
                technique.put("name", t.name());
                technique.put("src_url", "https://attack.mitre.org/techniques/" + t.uid() + "/");
                ObjectNode tactic = attack.putObject("tactic");
                tactic.put("uid", t.tacticUid());
                tactic.put("name", t.tacticName());
            }
        }

        ArrayNode resources = f.putArray("resources");
        ObjectNode job = resources.addObject();
        job.put("uid", alert.getJobId());
        job.put("name", alert.getJobId());
        job.put("type", "Training Job");
        Map<String, Placement> nodes = new LinkedHashMap<>();
        for (Placement p : alert.getPlacements()) {
            ObjectNode pod = resources.addObject();
            pod.put("uid", p.getPod());
            pod.put("name", p.getPod());
            pod.put("type", "Pod");
            pod.putArray("labels")
                    .add("job:" + alert.getJobId())
                    .add("node:" + p.getNode())
                    .add("ip:" + p.getIp());
            nodes.putIfAbsent(p.getNode(), p);
            for (int gpu : p.getGpus()) {
                ObjectNode g = resources.addObject();
                g.put("uid", p.getNode() + "/gpu" + gpu);
                g.put("name", "GPU " + gpu + " on " + p.getNode());
                g.put("type", "GPU");
                g.putArray("labels").add("pod:" + p.getPod()).add("node:" + p.getNode());
            }
        }
        for (String node : nodes.keySet()) {
            ObjectNode n = resources.addObject();
            n.put("uid", node);
            n.put("name", node);
            n.put("type", "Node");
        }

        ArrayNode evidences = f.putArray("evidences");
        for (Destination d : alert.getEvidence().getDestinations()) {
            ObjectNode e = evidences.addObject();
            ObjectNode dst = e.putObject("dst_endpoint");
            dst.put("ip", d.getIp());
            dst.put("port", d.getPort());
            ObjectNode connection = e.putObject("connection_info");
            connection.put("protocol_name", d.getProtocol().toLowerCase(Locale.ROOT));
            connection.put("direction_id", d.getExternal() ? 2 : 3);
            connection.put("direction", d.getExternal() ? "Outbound" : "Lateral");
            ObjectNode data = e.putObject("data");
            data.put("bytes", d.getBytes());
            data.put("flows", d.getFlows());
            data.put("unanswered", d.getUnanswered());
            data.put("external", d.getExternal());
        }
        for (ProcessEvidence p : alert.getEvidence().getProcesses()) {
            ObjectNode e = evidences.addObject();
            ObjectNode process = e.putObject("process");
            process.put("name", p.getName());
            // GPU samples name a process, not its pid: the job and the name identify it within the finding
            process.put("uid", alert.getJobId() + "/" + p.getName());
            ObjectNode data = e.putObject("data");
            ArrayNode gpus = data.putArray("gpus");
            p.getGpus().forEach(gpus::add);
            data.put("max_used_mib", p.getMaxUsedMib());
        }

        ObjectNode unmapped = f.putObject("unmapped");
        unmapped.put(
                "incident_state",
                alert.getIncidentState() == null
                        ? null
                        : alert.getIncidentState().name());
        ArrayNode causes = unmapped.putArray("transition_causes");
        alert.getTransitionCauses().forEach(c -> causes.add(c.name()));
        ArrayNode joined = unmapped.putArray("joined_categories");
        alert.getJoinedCategories().forEach(c -> joined.add(c.name()));
        unmapped.put("score", alert.getScore());
        unmapped.put("threshold", alert.getThreshold());
        if (alert.getPeakScore() != null) {
            unmapped.put("peak_score", alert.getPeakScore());
        }
        unmapped.put("window_severity", alert.getSeverity().name());
        unmapped.put("flagged_windows", alert.getFlaggedWindows());
        unmapped.put("window_start", alert.getWindowStart().toEpochMilli());
        unmapped.put("window_end", alert.getWindowEnd().toEpochMilli());
        unmapped.put("model_version", alert.getModelVersion());
        unmapped.put("flow_count", alert.getEvidence().getFlowCount());
        unmapped.put("sample_count", alert.getEvidence().getSampleCount());
        ArrayNode reasons = unmapped.putArray("reasons");
        for (Reason r : alert.getReasons()) {
            ObjectNode reason = reasons.addObject();
            reason.put("feature", r.getFeature());
            reason.put("value", r.getValue());
            reason.put("job_baseline", r.getJobBaseline());
            reason.put("fleet_baseline", r.getFleetBaseline());
            reason.put("weight", r.getWeight());
        }
        return f;
    }

    /** The incident's categories so far (a per-window alert: its own). */
    private static Iterable<Category> categories(Alert alert) {
        return alert.getIncidentCategories().isEmpty() ? alert.getCategories() : alert.getIncidentCategories();
    }

    /** When the transition happened, in event time: when it closed, or the end of the window that told it. */
    private static long told(Alert alert) {
        return alert.getClosedAt() != null
                ? alert.getClosedAt().toEpochMilli()
                : alert.getWindowEnd().toEpochMilli();
    }

    private static String title(Alert alert) {
        StringBuilder kinds = new StringBuilder();
        for (Category c : categories(alert)) {
            kinds.append(kinds.length() == 0 ? "" : ", ")
                    .append(c.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        return "Training job " + alert.getJobId() + ": " + kinds;
    }

    private static String description(Alert alert) {
        return "Vigil incident of job " + alert.getJobId() + " ("
                + (alert.getIncidentState() == null
                        ? "flagged window"
                        : alert.getIncidentState().name()) + ", "
                + alert.getFlaggedWindows() + " flagged windows, peak score "
                + (alert.getPeakScore() == null ? alert.getScore() : alert.getPeakScore()) + ", threshold "
                + alert.getThreshold() + ").";
    }
}
