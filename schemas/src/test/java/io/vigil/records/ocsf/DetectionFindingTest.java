package io.vigil.records.ocsf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Fixtures;
import io.vigil.records.IncidentState;
import io.vigil.records.Placement;
import io.vigil.records.ProcessEvidence;
import io.vigil.records.Severity;
import io.vigil.records.TransitionCause;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The OCSF output checked against the Detection Finding class as OCSF 1.3.0 defines it (ocsf/ocsf-schema at tag
 * 1.3.0: events/base_event.json with includes/classification.json and includes/occurrence.json,
 * events/findings/finding.json, events/findings/detection_finding.json, and the objects it uses): every required
 * attribute is there, every attribute the finding carries is one the class or object defines, every "at least one
 * of" constraint holds, and the enumerations take their defined values.
 */
class DetectionFindingTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Required attributes of the class (base_event, classification, occurrence, finding). */
    static final List<String> CLASS_REQUIRED = List.of(
            "activity_id", "category_uid", "class_uid", "type_uid", "time", "severity_id", "metadata", "finding_info");

    /** Every attribute of detection_finding in 1.3.0, with its inherited ones and those of its profiles. */
    static final Set<String> CLASS_ATTRIBUTES = Set.of(
            "action",
            "action_id",
            "activity_id",
            "activity_name",
            "actor",
            "api",
            "attacks",
            "authorizations",
            "category_name",
            "category_uid",
            "class_name",
            "class_uid",
            "cloud",
            "comment",
            "confidence",
            "confidence_id",
            "confidence_score",
            "count",
            "device",
            "disposition",
            "disposition_id",
            "duration",
            "end_time",
            "enrichments",
            "evidences",
            "finding_info",
            "firewall_rule",
            "impact",
            "impact_id",
            "impact_score",
            "malware",
            "message",
            "metadata",
            "observables",
            "osint",
            "raw_data",
            "remediation",
            "resources",
            "risk_details",
            "risk_level",
            "risk_level_id",
            "risk_score",
            "severity",
            "severity_id",
            "start_time",
            "status",
            "status_code",
            "status_detail",
            "status_id",
            "time",
            "timezone_offset",
            "type_name",
            "type_uid",
            "unmapped",
            "vulnerabilities");

    /** Object: its attributes, required ones, and its "at least one of" constraint (empty: none). */
    record ObjectDef(Set<String> attributes, Set<String> required, Set<String> atLeastOne) {}

    static final Map<String, ObjectDef> OBJECTS = Map.ofEntries(
            Map.entry(
                    "finding_info",
                    new ObjectDef(
                            Set.of(
                                    "analytic",
                                    "attacks",
                                    "created_time",
                                    "data_sources",
                                    "desc",
                                    "first_seen_time",
                                    "kill_chain",
                                    "last_seen_time",
                                    "modified_time",
                                    "product_uid",
                                    "related_analytics",
                                    "related_events",
                                    "src_url",
                                    "title",
                                    "types",
                                    "uid"),
                            Set.of("title", "uid"),
                            Set.of())),
            Map.entry(
                    "metadata",
                    new ObjectDef(
                            Set.of(
                                    "correlation_uid",
                                    "data_classification",
                                    "event_code",
                                    "extension",
                                    "extensions",
                                    "labels",
                                    "log_level",
                                    "log_name",
                                    "log_provider",
                                    "log_version",
                                    "logged_time",
                                    "loggers",
                                    "modified_time",
                                    "original_time",
                                    "processed_time",
                                    "product",
                                    "profiles",
                                    "sequence",
                                    "tenant_uid",
                                    "uid",
                                    "version"),
                            Set.of("product", "version"),
                            Set.of())),
            Map.entry(
                    "product",
                    new ObjectDef(
                            Set.of(
                                    "cpe_name",
                                    "data_classification",
                                    "feature",
                                    "lang",
                                    "name",
                                    "path",
                                    "uid",
                                    "url_string",
                                    "vendor_name",
                                    "version"),
                            Set.of("vendor_name"),
                            Set.of("name", "uid"))),
            Map.entry(
                    "analytic",
                    new ObjectDef(
                            Set.of(
                                    "category",
                                    "desc",
                                    "name",
                                    "related_analytics",
                                    "type",
                                    "type_id",
                                    "uid",
                                    "version"),
                            Set.of("type_id"),
                            Set.of("name", "uid"))),
            Map.entry(
                    "attack",
                    new ObjectDef(
                            Set.of("sub_technique", "tactic", "tactics", "technique", "version"),
                            Set.of(),
                            Set.of("tactic", "technique", "sub_technique"))),
            Map.entry(
                    "technique_or_tactic",
                    new ObjectDef(Set.of("name", "src_url", "uid"), Set.of(), Set.of("name", "uid"))),
            Map.entry(
                    "resource_details",
                    new ObjectDef(
                            Set.of(
                                    "agent_list",
                                    "cloud_partition",
                                    "criticality",
                                    "data",
                                    "data_classification",
                                    "group",
                                    "labels",
                                    "name",
                                    "namespace",
                                    "owner",
                                    "region",
                                    "type",
                                    "uid",
                                    "version"),
                            Set.of(),
                            Set.of("name", "uid"))),
            Map.entry(
                    "evidences",
                    new ObjectDef(
                            Set.of(
                                    "actor",
                                    "api",
                                    "connection_info",
                                    "container",
                                    "data",
                                    "database",
                                    "databucket",
                                    "device",
                                    "dst_endpoint",
                                    "email",
                                    "file",
                                    "job",
                                    "process",
                                    "query",
                                    "src_endpoint",
                                    "url",
                                    "user"),
                            Set.of(),
                            Set.of(
                                    "actor",
                                    "api",
                                    "connection_info",
                                    "data",
                                    "database",
                                    "databucket",
                                    "device",
                                    "dst_endpoint",
                                    "email",
                                    "file",
                                    "process",
                                    "query",
                                    "src_endpoint",
                                    "url",
                                    "user",
                                    "job"))),
            Map.entry(
                    "network_endpoint",
                    new ObjectDef(
                            Set.of(
                                    "agent_list",
                                    "autonomous_system",
                                    "container",
                                    "domain",
                                    "hostname",
                                    "hw_info",
                                    "instance_uid",
                                    "interface_name",
                                    "interface_uid",
                                    "intermediate_ips",
                                    "ip",
                                    "location",
                                    "mac",
                                    "name",
                                    "namespace_pid",
                                    "os",
                                    "owner",
                                    "port",
                                    "proxy_endpoint",
                                    "subnet_uid",
                                    "svc_name",
                                    "type",
                                    "type_id",
                                    "uid",
                                    "vlan_uid",
                                    "vpc_uid",
                                    "zone"),
                            Set.of(),
                            Set.of(
                                    "ip",
                                    "uid",
                                    "name",
                                    "hostname",
                                    "svc_name",
                                    "instance_uid",
                                    "interface_uid",
                                    "interface_name"))),
            Map.entry(
                    "network_connection_info",
                    new ObjectDef(
                            Set.of(
                                    "boundary",
                                    "boundary_id",
                                    "direction",
                                    "direction_id",
                                    "protocol_name",
                                    "protocol_num",
                                    "protocol_ver",
                                    "protocol_ver_id",
                                    "session",
                                    "tcp_flags",
                                    "uid"),
                            Set.of("direction_id"),
                            Set.of())),
            Map.entry(
                    "process",
                    new ObjectDef(
                            Set.of(
                                    "cmd_line",
                                    "container",
                                    "created_time",
                                    "file",
                                    "integrity",
                                    "integrity_id",
                                    "lineage",
                                    "loaded_modules",
                                    "name",
                                    "namespace_pid",
                                    "parent_process",
                                    "pid",
                                    "sandbox",
                                    "session",
                                    "terminated_time",
                                    "tid",
                                    "uid",
                                    "user",
                                    "xattributes"),
                            Set.of(),
                            Set.of("pid", "uid"))));

    static Alert transition(IncidentState state, Category... categories) {
        List<Category> cats = List.of(categories);
        return Fixtures.alertBuilder()
                .setCategories(cats)
                .setIncidentState(state)
                .setTransitionCauses(state == IncidentState.CLOSE ? List.of(TransitionCause.QUIET) : List.of())
                .setFirstWindowStart(Fixtures.alert().getWindowStart())
                .setLastWindowEnd(Fixtures.alert().getWindowEnd())
                .setClosedAt(
                        state == IncidentState.CLOSE
                                ? Fixtures.alert().getWindowEnd().plusSeconds(300)
                                : null)
                .setFlaggedWindows(3)
                .setPeakScore(0.95)
                .setPeakSeverity(Severity.CRITICAL)
                .setIncidentCategories(cats)
                .setJoinedCategories(state == IncidentState.OPEN ? cats : List.of())
                .setPlacements(List.of(
                        Placement.newBuilder()
                                .setPod("team-a/trainer-0")
                                .setNode("gpu-node-7")
                                .setIp("10.0.3.14")
                                .setGpus(List.of(0, 1))
                                .build(),
                        Placement.newBuilder()
                                .setPod("team-a/trainer-1")
                                .setNode("gpu-node-8")
                                .setIp("10.0.3.15")
                                .setGpus(List.of(2))
                                .build()))
                .build();
    }

    static JsonNode finding(Alert alert) throws Exception {
        return MAPPER.readTree(DetectionFinding.json(alert, "0.1.0"));
    }

    @ParameterizedTest
    @EnumSource(IncidentState.class)
    void everyTransitionIsAValidDetectionFinding(IncidentState state) throws Exception {
        JsonNode f = finding(transition(state, Category.CRYPTO_MINING, Category.REVERSE_TUNNEL));

        assertThat(problems(f)).isEmpty();
        int activity = f.get("activity_id").asInt();
        assertThat(activity).isEqualTo(state.ordinal() + 1); // OPEN Create, UPDATE Update, CLOSE Close
        assertThat(f.get("activity_name").asText())
                .isEqualTo(List.of("Create", "Update", "Close").get(activity - 1));
        assertThat(f.get("class_uid").asInt()).isEqualTo(2004);
        assertThat(f.get("category_uid").asInt()).isEqualTo(2);
        assertThat(f.get("type_uid").asLong()).isEqualTo(200400L + activity);
        assertThat(f.get("metadata").get("version").asText()).isEqualTo("1.3.0");
    }

    @Test
    void aPerWindowAlertWithoutLifecycleIsAValidFindingToo() throws Exception {
        Alert window = Fixtures.alertBuilder().setIncidentId("").build();

        JsonNode f = finding(window);

        assertThat(problems(f)).isEmpty();
        assertThat(f.get("activity_id").asInt()).isEqualTo(1);
        assertThat(f.get("finding_info").get("uid").asText()).isEqualTo(window.getAlertId());
    }

    @Test
    void theIncidentIsTheFindingAndEachTransitionItsOwnEvent() throws Exception {
        JsonNode open = finding(transition(IncidentState.OPEN, Category.REVERSE_TUNNEL));
        JsonNode close = finding(transition(IncidentState.CLOSE, Category.REVERSE_TUNNEL));

        JsonNode info = open.get("finding_info");
        assertThat(info.get("uid").asText()).isEqualTo("incident-job-42-crypto-1");
        assertThat(close.get("finding_info").get("uid").asText())
                .isEqualTo(info.get("uid").asText());
        assertThat(open.get("metadata").get("uid").asText()).isEqualTo("alert-job-42-20260214T0300-iforest-v3");
        Alert a = Fixtures.alert();
        assertThat(info.get("first_seen_time").asLong())
                .isEqualTo(a.getWindowStart().toEpochMilli());
        assertThat(info.get("last_seen_time").asLong())
                .isEqualTo(a.getWindowEnd().toEpochMilli());
        assertThat(open.get("time").asLong()).isEqualTo(a.getWindowEnd().toEpochMilli());
        assertThat(close.get("time").asLong()).isEqualTo(a.getWindowEnd().toEpochMilli() + 300_000);
        assertThat(close.get("status").asText()).isEqualTo("Closed");
        assertThat(open.get("status_id").asInt()).isEqualTo(1);
    }

    @Test
    void severityIsTheIncidentsPeak() throws Exception {
        assertThat(finding(transition(IncidentState.UPDATE, Category.EXFILTRATION))
                        .get("severity_id")
                        .asInt())
                .isEqualTo(5);
        for (Severity s : Severity.values()) {
            JsonNode f = finding(
                    Fixtures.alertBuilder().setSeverity(s).setPeakSeverity(s).build());
            assertThat(f.get("severity_id").asInt()).isEqualTo(s.ordinal() + 2);
            assertThat(f.get("severity").asText()).isEqualToIgnoringCase(s.name());
        }
    }

    @Test
    void eachCategoryNamesItsAttackTechnique() throws Exception {
        JsonNode f = finding(transition(
                IncidentState.UPDATE,
                Category.CRYPTO_MINING,
                Category.GPU_DIVERSION,
                Category.REVERSE_TUNNEL,
                Category.NETWORK_SCAN,
                Category.EXFILTRATION,
                Category.UNKNOWN));

        List<String> techniques = new ArrayList<>();
        List<String> tactics = new ArrayList<>();
        for (JsonNode attack : f.get("finding_info").get("attacks")) {
            techniques.add(attack.get("technique").get("uid").asText());
            tactics.add(attack.get("tactic").get("uid").asText());
        }
        // mining and diversion are one technique, named once; UNKNOWN names none
        assertThat(techniques).containsExactly("T1496", "T1572", "T1046", "T1048");
        assertThat(tactics).containsExactly("TA0040", "TA0011", "TA0007", "TA0010");
        assertThat(f.get("finding_info")
                        .get("attacks")
                        .get(1)
                        .get("technique")
                        .get("name")
                        .asText())
                .isEqualTo("Protocol Tunneling");
    }

    @Test
    void resourcesNameTheJobItsPodsNodesAndGpus() throws Exception {
        JsonNode f = finding(transition(IncidentState.OPEN, Category.CRYPTO_MINING));

        List<String> resources = new ArrayList<>();
        for (JsonNode r : f.get("resources")) {
            resources.add(r.get("type").asText() + " " + r.get("uid").asText());
        }
        assertThat(resources)
                .containsExactly(
                        "Training Job " + Fixtures.alert().getJobId(),
                        "Pod team-a/trainer-0",
                        "GPU gpu-node-7/gpu0",
                        "GPU gpu-node-7/gpu1",
                        "Pod team-a/trainer-1",
                        "GPU gpu-node-8/gpu2",
                        "Node gpu-node-7",
                        "Node gpu-node-8");
    }

    @Test
    void evidencesAreTheFlowsEndpointsAndTheGpuProcesses() throws Exception {
        Alert alert = transition(IncidentState.OPEN, Category.CRYPTO_MINING);
        JsonNode f = finding(alert);

        JsonNode flow = f.get("evidences").get(0);
        assertThat(flow.get("dst_endpoint").get("ip").asText()).isEqualTo("198.51.100.23");
        assertThat(flow.get("dst_endpoint").get("port").asInt()).isEqualTo(3333);
        assertThat(flow.get("connection_info").get("protocol_name").asText()).isEqualTo("tcp");
        assertThat(flow.get("connection_info").get("direction_id").asInt()).isEqualTo(2); // outbound: external
        ProcessEvidence p = alert.getEvidence().getProcesses().get(0);
        JsonNode process =
                f.get("evidences").get(alert.getEvidence().getDestinations().size());
        assertThat(process.get("process").get("name").asText()).isEqualTo(p.getName());
        assertThat(process.get("data").get("gpus").size()).isEqualTo(p.getGpus().size());
    }

    @Test
    void theModelsReasonsAreUnmapped() throws Exception {
        JsonNode unmapped =
                finding(transition(IncidentState.OPEN, Category.CRYPTO_MINING)).get("unmapped");

        assertThat(unmapped.get("reasons").get(0).get("feature").asText()).isEqualTo("gpu_util_without_tensor");
        assertThat(unmapped.get("reasons").get(1).get("job_baseline").isNull()).isTrue();
        assertThat(unmapped.get("score").asDouble()).isEqualTo(0.93);
        assertThat(unmapped.get("model_version").asText()).isEqualTo("iforest-v3");
        assertThat(unmapped.get("incident_state").asText()).isEqualTo("OPEN");
    }

    @Test
    void theCheckFindsWhatIsMissing() throws Exception {
        // the checker itself can fail: a finding without a required attribute or with a foreign one
        ObjectNode f = (ObjectNode) finding(transition(IncidentState.OPEN, Category.CRYPTO_MINING));
        f.remove("severity_id");
        ((ObjectNode) f.get("finding_info")).remove("title");
        f.put("score", 1.0);
        assertThat(problems(f))
                .containsExactlyInAnyOrder(
                        "missing severity_id", "finding_info: missing title", "score: not an attribute of the class");
    }

    // ---- the check ----

    static List<String> problems(JsonNode f) {
        List<String> problems = new ArrayList<>();
        for (String required : CLASS_REQUIRED) {
            if (!f.hasNonNull(required)) {
                problems.add("missing " + required);
            }
        }
        for (Iterator<String> names = f.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!CLASS_ATTRIBUTES.contains(name)) {
                problems.add(name + ": not an attribute of the class");
            }
        }
        enumeration(problems, f, "activity_id", Set.of(0, 1, 2, 3, 99));
        enumeration(problems, f, "severity_id", Set.of(0, 1, 2, 3, 4, 5, 6, 99));
        enumeration(problems, f, "status_id", Set.of(0, 1, 2, 3, 4, 99));
        if (f.has("class_uid") && f.get("class_uid").asInt() != 2004) {
            problems.add("class_uid " + f.get("class_uid"));
        }
        if (f.has("type_uid") && f.has("activity_id")) {
            if (f.get("type_uid").asLong() != 2004L * 100 + f.get("activity_id").asInt()) {
                problems.add("type_uid is not class_uid * 100 + activity_id");
            }
        }
        object(problems, "metadata", f.get("metadata"));
        if (f.has("metadata")) {
            object(problems, "metadata.product", "product", f.get("metadata").get("product"));
        }
        JsonNode info = f.get("finding_info");
        object(problems, "finding_info", info);
        if (info != null) {
            if (info.has("analytic")) {
                object(problems, "finding_info.analytic", "analytic", info.get("analytic"));
                enumeration(
                        problems, info.get("analytic"), "type_id", Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 99));
            }
            for (JsonNode attack : array(info, "attacks")) {
                object(problems, "attack", "attack", attack);
                object(problems, "attack.technique", "technique_or_tactic", attack.get("technique"));
                object(problems, "attack.tactic", "technique_or_tactic", attack.get("tactic"));
            }
        }
        for (JsonNode r : array(f, "resources")) {
            object(problems, "resources[]", "resource_details", r);
        }
        for (JsonNode e : array(f, "evidences")) {
            object(problems, "evidences[]", "evidences", e);
            if (e.has("dst_endpoint")) {
                object(problems, "dst_endpoint", "network_endpoint", e.get("dst_endpoint"));
            }
            if (e.has("connection_info")) {
                object(problems, "connection_info", "network_connection_info", e.get("connection_info"));
                enumeration(problems, e.get("connection_info"), "direction_id", Set.of(0, 1, 2, 3, 99));
            }
            if (e.has("process")) {
                object(problems, "process", "process", e.get("process"));
            }
        }
        if (f.has("unmapped") && !f.get("unmapped").isObject()) {
            problems.add("unmapped: not an object");
        }
        return problems;
    }

    private static Iterable<JsonNode> array(JsonNode parent, String name) {
        return parent.has(name) ? parent.get(name) : List.of();
    }

    private static void object(List<String> problems, String name, JsonNode node) {
        object(problems, name, name, node);
    }

    private static void object(List<String> problems, String path, String type, JsonNode node) {
        if (node == null) {
            return;
        }
        ObjectDef def = OBJECTS.get(type);
        for (String required : def.required()) {
            if (!node.hasNonNull(required)) {
                problems.add(path + ": missing " + required);
            }
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!def.attributes().contains(name)) {
                problems.add(path + "." + name + ": not an attribute of " + type);
            }
        }
        if (!def.atLeastOne().isEmpty() && def.atLeastOne().stream().noneMatch(node::hasNonNull)) {
            problems.add(path + ": none of " + def.atLeastOne());
        }
    }

    private static void enumeration(List<String> problems, JsonNode node, String name, Set<Integer> values) {
        if (node.has(name) && !values.contains(node.get(name).asInt())) {
            problems.add(name + " " + node.get(name) + ": not in its enumeration");
        }
    }
}
