package io.vigil.records.json;

import static io.vigil.records.Fixtures.BEGINNING;
import static io.vigil.records.Fixtures.FIVE_MINUTES_LATER;
import static io.vigil.records.Fixtures.ONE_MINUTE_LATER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.DeadLetter;
import io.vigil.records.Decoded;
import io.vigil.records.Fixtures;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.JobWindow;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import io.vigil.records.Rejection;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonRecordCodecTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final JsonRecordCodec<Flow> FLOWS = JsonRecordCodec.of(RecordType.FLOW);
    private static final JsonRecordCodec<GpuSample> GPU_SAMPLES = JsonRecordCodec.of(RecordType.GPU);
    private static final JsonRecordCodec<Assignment> ASSIGNMENTS = JsonRecordCodec.of(RecordType.ASSIGNMENT);
    private static final JsonRecordCodec<Alert> ALERTS = JsonRecordCodec.of(RecordType.ALERT);
    private static final JsonRecordCodec<JobWindow> WINDOWS = JsonRecordCodec.of(RecordType.WINDOW);
    private static final JsonRecordCodec<DeadLetter> DEAD_LETTERS = JsonRecordCodec.of(RecordType.DEAD_LETTER);

    static Stream<RecordType<?>> allTypes() {
        return RecordType.ALL.stream();
    }

    // ---- writing and reading back ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("allTypes")
    void readsBackWhatItWrote(RecordType<?> type) {
        assertRoundTrip(type);
    }

    private static <T extends SpecificRecord> void assertRoundTrip(RecordType<T> type) {
        JsonRecordCodec<T> codec = JsonRecordCodec.of(type);
        T original = Fixtures.sample(type);

        String line = codec.encode(original);
        Decoded<T> decoded = codec.decode(line);

        assertThat(line).doesNotContain("\n");
        assertThat(decoded.isAccepted()).as("%s from %s", decoded, line).isTrue();
        assertThat(decoded.record()).isEqualTo(original);
        assertThat(codec.encode(decoded.record())).isEqualTo(line);
    }

    @Test
    void writesTheSchemasSnakeCaseFieldNamesInSchemaOrder() {
        String line = FLOWS.encode(Fixtures.flow());

        assertThat(line)
                .contains(
                        "\"src_ip\"",
                        "\"dst_ip\"",
                        "\"start_ts\"",
                        "\"orig_bytes\"",
                        "\"resp_pkts\"",
                        "\"conn_state\"",
                        "\"job_id\"");
        assertThat(line).doesNotContain("srcIp", "origBytes", "startTs");
        assertThat(fieldNames(tree(line)))
                .containsExactlyElementsOf(Flow.getClassSchema().getFields().stream()
                        .map(Schema.Field::name)
                        .toList());
    }

    @Test
    void writesNestedRecordsWithSnakeCaseNamesToo() {
        JsonNode alert = tree(ALERTS.encode(Fixtures.alert()));

        assertThat(alert.get("reasons").get(0).has("job_baseline")).isTrue();
        assertThat(alert.get("evidence").has("flow_count")).isTrue();
        assertThat(alert.get("evidence").get("processes").get(0).has("max_used_mib"))
                .isTrue();
    }

    @Test
    void writesTimestampsAsEpochMillisNumbers() {
        JsonNode flow = tree(FLOWS.encode(Fixtures.flow()));
        JsonNode window = tree(WINDOWS.encode(Fixtures.jobWindow()));

        assertThat(flow.get("ts").isIntegralNumber()).isTrue();
        assertThat(flow.get("ts").longValue()).isEqualTo(ONE_MINUTE_LATER.toEpochMilli());
        assertThat(flow.get("start_ts").longValue()).isEqualTo(BEGINNING.toEpochMilli());
        assertThat(window.get("window_end").isIntegralNumber()).isTrue();
        assertThat(window.get("window_end").longValue()).isEqualTo(FIVE_MINUTES_LATER.toEpochMilli());
    }

    @Test
    void writesEnumsAsTheirSymbolsAndAbsentOptionalsAsNull() {
        JsonNode alert = tree(ALERTS.encode(Fixtures.alert()));
        JsonNode flow = tree(FLOWS.encode(
                Fixtures.flowBuilder().setJobId(null).setConnState(null).build()));

        assertThat(alert.get("severity").textValue()).isEqualTo("HIGH");
        assertThat(alert.get("categories").get(0).textValue()).isEqualTo("CRYPTO_MINING");
        assertThat(flow.get("job_id").isNull()).isTrue();
        assertThat(flow.get("conn_state").isNull()).isTrue();
    }

    @Test
    void refusesANumberJsonCannotCarryAndSaysWhereItIs() {
        Alert top = Fixtures.alertBuilder().setScore(Double.NaN).build();
        assertThat(catchThrowable(() -> ALERTS.encode(top)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot write NaN as JSON at .score");

        Alert nested = Fixtures.alert();
        nested.getReasons().get(0).setValue(Double.POSITIVE_INFINITY);
        assertThat(catchThrowable(() -> ALERTS.encode(nested)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot write Infinity as JSON at .reasons.value");
    }

    @Test
    void writesToAWriterWhatEncodeReturns() {
        StringWriter out = new StringWriter();
        out.write("already here\n");

        GPU_SAMPLES.write(Fixtures.gpuSample(), out);

        assertThat(out.toString()).isEqualTo("already here\n" + GPU_SAMPLES.encode(Fixtures.gpuSample()));
    }

    @Test
    void writesBytesAsBase64AndReadsThemBack() {
        DeadLetter letter = Fixtures.deadLetterBuilder().setEventTs(null).build();

        String line = DEAD_LETTERS.encode(letter);
        Decoded<DeadLetter> decoded = DEAD_LETTERS.decode(line);

        assertThat(tree(line).get("original_bytes").textValue())
                .isEqualTo(Base64.getEncoder().encodeToString(Fixtures.UNREADABLE_BYTES));
        assertThat(decoded.isAccepted()).as("%s", decoded).isTrue();
        assertThat(decoded.record()).isEqualTo(letter);
        assertThat(decoded.record().getOriginalBytes().array()).isEqualTo(Fixtures.UNREADABLE_BYTES);
    }

    @Test
    void writingBytesLeavesTheRecordsBufferUntouched() {
        DeadLetter letter = Fixtures.deadLetterBuilder().setEventTs(null).build();
        int before = letter.getOriginalBytes().remaining();

        DEAD_LETTERS.encode(letter);
        DEAD_LETTERS.encode(letter);

        assertThat(letter.getOriginalBytes().remaining()).isEqualTo(before);
        assertThat(tree(DEAD_LETTERS.encode(letter)).get("original_bytes").textValue())
                .isNotEmpty();
    }

    @Test
    void writesAnOptionalTimestampAsEpochMillis() {
        // DeadLetter.event_ts is ["null", timestamp-millis]: an Instant inside a union.
        DeadLetter letter = Fixtures.deadLetter();

        Throwable thrown = catchThrowable(() -> DEAD_LETTERS.encode(letter));

        assertNotThrown(thrown, "encoding a dead letter with an event time");
        JsonNode written = tree(DEAD_LETTERS.encode(letter));
        assertThat(written.get("event_ts").isIntegralNumber()).isTrue();
        assertThat(written.get("event_ts").longValue()).isEqualTo(BEGINNING.toEpochMilli());
        assertThat(DEAD_LETTERS.decode(written.toString()).record().getEventTs())
                .isEqualTo(BEGINNING);
    }

    @Test
    void readsAnOptionalTimestampFromEpochMillis() {
        String line = edited(
                DEAD_LETTERS.encode(
                        Fixtures.deadLetterBuilder().setEventTs(null).build()),
                n -> n.put("event_ts", BEGINNING.toEpochMilli()));

        Decoded<DeadLetter> decoded = DEAD_LETTERS.decode(line);

        assertThat(decoded.isAccepted()).as("%s", decoded).isTrue();
        assertThat(decoded.record().getEventTs()).isEqualTo(BEGINNING);
    }

    // ---- newer and older writers ----

    @Test
    void ignoresUnknownFields() {
        String line = flowJson(n -> {
            n.put("vlan", 42);
            n.putObject("exporter").put("name", "zeek").putArray("tags").add(1).add("two");
            n.putNull("community_id");
        });

        Decoded<Flow> decoded = FLOWS.decode(line);

        assertThat(decoded.isAccepted()).as("%s", decoded).isTrue();
        assertThat(decoded.record()).isEqualTo(Fixtures.flow());
    }

    @Test
    void ignoresUnknownFieldsInNestedRecords() {
        String line = gpuJson(n -> firstProcess(n).put("container", "trainer").put("type", "C"));

        Decoded<GpuSample> decoded = GPU_SAMPLES.decode(line);

        assertThat(decoded.isAccepted()).as("%s", decoded).isTrue();
        assertThat(decoded.record()).isEqualTo(Fixtures.gpuSample());
    }

    @Test
    void takesTheDefaultForAbsentFields() {
        String line = flowJson(n -> n.remove(List.of(
                "src_port", "dst_port", "conn_state", "job_id", "orig_bytes", "resp_bytes", "orig_pkts", "resp_pkts")));

        Decoded<Flow> decoded = FLOWS.decode(line);

        assertThat(decoded.isAccepted()).as("%s", decoded).isTrue();
        Flow flow = decoded.record();
        assertThat(flow.getSrcPort()).isZero();
        assertThat(flow.getDstPort()).isZero();
        assertThat(flow.getConnState()).isNull();
        assertThat(flow.getJobId()).isNull();
        assertThat(flow.getOrigBytes()).isZero();
        assertThat(flow.getRespPkts()).isZero();
        assertThat(flow.getSrcIp()).isEqualTo(Fixtures.POD_IP);
        assertThat(flow.getTs()).isEqualTo(ONE_MINUTE_LATER);
    }

    @Test
    void takesEmptyListsAndNullMapsForAbsentCollections() {
        Decoded<Assignment> assignment = ASSIGNMENTS.decode(assignmentJson(n -> n.remove(List.of("gpus", "labels"))));
        Decoded<GpuSample> sample = GPU_SAMPLES.decode(gpuJson(n -> n.remove("processes")));
        Decoded<JobWindow> window = WINDOWS.decode(edited(
                WINDOWS.encode(Fixtures.jobWindow()),
                n -> n.remove(List.of("categories", "flagged", "label", "score"))));

        assertThat(assignment.record().getGpus()).isEmpty();
        assertThat(assignment.record().getLabels()).isNull();
        assertThat(sample.record().getProcesses()).isEmpty();
        assertThat(window.record().getCategories()).isEmpty();
        assertThat(window.record().getFlagged()).isFalse();
        assertThat(window.record().getLabel()).isNull();
        assertThat(window.record().getScore()).isNull();
    }

    @Test
    void readsExplicitNullForOptionalFields() {
        Decoded<Flow> decoded =
                FLOWS.decode(flowJson(n -> n.putNull("conn_state").putNull("job_id")));

        assertThat(decoded.record().getConnState()).isNull();
        assertThat(decoded.record().getJobId()).isNull();
    }

    @Test
    void acceptsIpv6AddressesAndEpochZero() {
        Decoded<Flow> decoded = FLOWS.decode(flowJson(n ->
                n.put("ts", 0).put("start_ts", 0).put("src_ip", "2001:db8::17").put("dst_ip", "fe80::1%eth0")));

        assertThat(decoded.isAccepted()).as("%s", decoded).isTrue();
        assertThat(decoded.record().getSrcIp()).isEqualTo("2001:db8::17");
    }

    @Test
    void acceptsUtilAtBothEndsOfItsRange() {
        assertThat(GPU_SAMPLES.decode(gpuJson(n -> n.put("util", 0))).isAccepted())
                .isTrue();
        assertThat(GPU_SAMPLES.decode(gpuJson(n -> n.put("util", 100))).isAccepted())
                .isTrue();
        assertThat(GPU_SAMPLES.decode(gpuJson(n -> n.put("sm_active", 1.0))).isAccepted())
                .isTrue();
    }

    // ---- rejections: one reason code and one field path each ----

    @Nested
    class Malformed {
        @Test
        void rejectsTextThatIsNotJson() {
            assertRejected(FLOWS.decode("ts=1 node=gpu-node-07 src=10.0.3.17"), RejectReason.MALFORMED, null);
        }

        @Test
        void rejectsAJsonArray() {
            assertRejected(FLOWS.decode("[" + FLOWS.encode(Fixtures.flow()) + "]"), RejectReason.MALFORMED, null);
        }

        @ParameterizedTest
        @ValueSource(strings = {"null", "42", "\"flow\"", "true"})
        void rejectsAJsonScalar(String line) {
            assertRejected(FLOWS.decode(line), RejectReason.MALFORMED, null);
        }

        @Test
        void rejectsTrailingGarbage() {
            assertRejected(FLOWS.decode(FLOWS.encode(Fixtures.flow()) + " trailing"), RejectReason.MALFORMED, null);
        }

        @Test
        void rejectsTwoObjectsOnOneLine() {
            String line = FLOWS.encode(Fixtures.flow());
            assertRejected(FLOWS.decode(line + line), RejectReason.MALFORMED, null);
        }

        @Test
        void rejectsATruncatedObject() {
            String line = FLOWS.encode(Fixtures.flow());
            assertRejected(FLOWS.decode(line.substring(0, line.length() - 1)), RejectReason.MALFORMED, null);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", " ", "\t  "})
        void rejectsAnEmptyLine(String line) {
            assertRejected(FLOWS.decode(line), RejectReason.MALFORMED, null);
        }

        @Test
        void rejectsNoLineAtAll() {
            assertRejected(FLOWS.decode(null), RejectReason.MALFORMED, null);
        }
    }

    @Nested
    class MissingField {
        @Test
        void rejectsAFlowWithoutNode() {
            assertRejected(FLOWS.decode(flowJson(n -> n.remove("node"))), RejectReason.MISSING_FIELD, "node");
        }

        @Test
        void rejectsANullNode() {
            assertRejected(FLOWS.decode(flowJson(n -> n.putNull("node"))), RejectReason.MISSING_FIELD, "node");
        }

        @Test
        void rejectsABlankNode() {
            assertRejected(FLOWS.decode(flowJson(n -> n.put("node", "  "))), RejectReason.MISSING_FIELD, "node");
        }

        @Test
        void rejectsNullForAFieldThatHasADefaultButIsNotOptional() {
            assertRejected(FLOWS.decode(flowJson(n -> n.putNull("dst_port"))), RejectReason.MISSING_FIELD, "dst_port");
        }

        @Test
        void rejectsAGpuSampleWithoutUtil() {
            assertRejected(GPU_SAMPLES.decode(gpuJson(n -> n.remove("util"))), RejectReason.MISSING_FIELD, "util");
        }

        @Test
        void rejectsAGpuProcessWithoutPid() {
            assertRejected(
                    GPU_SAMPLES.decode(gpuJson(n -> firstProcess(n).remove("pid"))),
                    RejectReason.MISSING_FIELD,
                    "processes[0].pid");
        }

        @Test
        void rejectsAnAssignmentWithoutPod() {
            assertRejected(ASSIGNMENTS.decode(assignmentJson(n -> n.remove("pod"))), RejectReason.MISSING_FIELD, "pod");
        }
    }

    @Nested
    class WrongType {
        @Test
        void rejectsTextForANumber() {
            assertRejected(
                    FLOWS.decode(flowJson(n -> n.put("orig_bytes", "5"))), RejectReason.WRONG_TYPE, "orig_bytes");
        }

        @Test
        void rejectsAFractionForALong() {
            assertRejected(
                    FLOWS.decode(flowJson(n -> n.put("orig_bytes", 1.5))), RejectReason.WRONG_TYPE, "orig_bytes");
        }

        @Test
        void rejectsANumberForAString() {
            assertRejected(FLOWS.decode(flowJson(n -> n.put("node", 7))), RejectReason.WRONG_TYPE, "node");
        }

        @Test
        void rejectsANumberTooLargeForAnInt() {
            assertRejected(
                    FLOWS.decode(flowJson(n -> n.put("dst_port", 3_000_000_000L))),
                    RejectReason.WRONG_TYPE,
                    "dst_port");
        }

        @Test
        void rejectsANumberTooLargeForALong() {
            assertRejected(
                    FLOWS.decode(flowJson(n -> n.put("orig_bytes", new BigInteger("99999999999999999999")))),
                    RejectReason.WRONG_TYPE,
                    "orig_bytes");
        }

        @Test
        void rejectsTextForATimestamp() {
            assertRejected(
                    FLOWS.decode(flowJson(n -> n.put("ts", "2026-02-14T03:01:00Z"))), RejectReason.WRONG_TYPE, "ts");
        }

        @Test
        void rejectsTextForABoolean() {
            String line = edited(WINDOWS.encode(Fixtures.jobWindow()), n -> n.put("flagged", "yes"));
            assertRejected(WINDOWS.decode(line), RejectReason.WRONG_TYPE, "flagged");
        }

        @Test
        void rejectsAnObjectForAList() {
            assertRejected(
                    ASSIGNMENTS.decode(assignmentJson(n -> n.putObject("gpus"))), RejectReason.WRONG_TYPE, "gpus");
        }

        @Test
        void rejectsTheWrongTypeInsideAList() {
            String line = assignmentJson(n -> n.putArray("gpus").add(0).add("1"));
            assertRejected(ASSIGNMENTS.decode(line), RejectReason.WRONG_TYPE, "gpus[1]");
        }

        @Test
        void rejectsTheWrongTypeAsAMapValue() {
            String line = assignmentJson(n -> n.putObject("labels").put("team", 5));
            assertRejected(ASSIGNMENTS.decode(line), RejectReason.WRONG_TYPE, "labels.team");
        }

        @Test
        void rejectsTheWrongTypeInANestedRecord() {
            String line = gpuJson(n -> firstProcess(n).put("pid", "4242"));
            assertRejected(GPU_SAMPLES.decode(line), RejectReason.WRONG_TYPE, "processes[0].pid");
        }

        @Test
        void rejectsANumberForAnEnum() {
            assertRejected(
                    ASSIGNMENTS.decode(assignmentJson(n -> n.put("event", 0))), RejectReason.WRONG_TYPE, "event");
        }

        @Test
        void rejectsBytesThatAreNotBase64() {
            String line = edited(
                    DEAD_LETTERS.encode(
                            Fixtures.deadLetterBuilder().setEventTs(null).build()),
                    n -> n.put("original_bytes", "not base64!"));
            assertRejected(DEAD_LETTERS.decode(line), RejectReason.WRONG_TYPE, "original_bytes");
        }
    }

    @Nested
    class MissingTime {
        @Test
        void rejectsAFlowWithoutTs() {
            assertRejected(FLOWS.decode(flowJson(n -> n.remove("ts"))), RejectReason.MISSING_TIME, "ts");
        }

        @Test
        void rejectsANullTs() {
            assertRejected(FLOWS.decode(flowJson(n -> n.putNull("ts"))), RejectReason.MISSING_TIME, "ts");
        }

        @Test
        void rejectsAFlowWithoutStartTs() {
            assertRejected(FLOWS.decode(flowJson(n -> n.remove("start_ts"))), RejectReason.MISSING_TIME, "start_ts");
        }

        @Test
        void rejectsAGpuSampleWithoutTs() {
            assertRejected(GPU_SAMPLES.decode(gpuJson(n -> n.remove("ts"))), RejectReason.MISSING_TIME, "ts");
        }

        @Test
        void rejectsAnAlertWithoutWindowStart() {
            String line = edited(ALERTS.encode(Fixtures.alert()), n -> n.remove("window_start"));
            assertRejected(ALERTS.decode(line), RejectReason.MISSING_TIME, "window_start");
        }
    }

    @Nested
    class NegativeTime {
        @Test
        void rejectsTsBefore1970() {
            assertRejected(FLOWS.decode(flowJson(n -> n.put("ts", -1))), RejectReason.NEGATIVE_TIME, "ts");
        }

        @Test
        void rejectsStartTsBefore1970() {
            assertRejected(FLOWS.decode(flowJson(n -> n.put("start_ts", -1))), RejectReason.NEGATIVE_TIME, "start_ts");
        }

        @Test
        void rejectsAnAssignmentBefore1970() {
            assertRejected(
                    ASSIGNMENTS.decode(assignmentJson(n -> n.put("ts", Long.MIN_VALUE))),
                    RejectReason.NEGATIVE_TIME,
                    "ts");
        }
    }

    @Nested
    class BadIp {
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "10.0.0.256",
                    "10.0.0",
                    "host.example",
                    "01.2.3.4",
                    "localhost",
                    "",
                    "10.0.0.1/32",
                    "[::1]",
                    "10.0.3.17:51514"
                })
        void rejectsAFlowWhoseSourceIsNotAnAddress(String srcIp) {
            assertRejected(FLOWS.decode(flowJson(n -> n.put("src_ip", srcIp))), RejectReason.BAD_IP, "src_ip");
        }

        @Test
        void rejectsAFlowWhoseDestinationIsNotAnAddress() {
            assertRejected(FLOWS.decode(flowJson(n -> n.put("dst_ip", "203.0.113"))), RejectReason.BAD_IP, "dst_ip");
        }

        @Test
        void rejectsAnAssignmentWhosePodIpIsNotAnAddress() {
            assertRejected(
                    ASSIGNMENTS.decode(assignmentJson(n -> n.put("ip", "trainer-0.svc"))), RejectReason.BAD_IP, "ip");
        }
    }

    @Nested
    class NegativeCount {
        @Test
        void rejectsNegativeOrigBytes() {
            assertRejected(
                    FLOWS.decode(flowJson(n -> n.put("orig_bytes", -5))), RejectReason.NEGATIVE_COUNT, "orig_bytes");
        }

        @Test
        void rejectsNegativeRespPkts() {
            assertRejected(
                    FLOWS.decode(flowJson(n -> n.put("resp_pkts", -1))), RejectReason.NEGATIVE_COUNT, "resp_pkts");
        }

        @Test
        void rejectsAGpuProcessUsingNegativeMemory() {
            assertRejected(
                    GPU_SAMPLES.decode(gpuJson(n -> firstProcess(n).put("used_mib", -1))),
                    RejectReason.NEGATIVE_COUNT,
                    "processes[0].used_mib");
        }

        @Test
        void rejectsTheSecondGpuProcessByItsIndex() {
            assertRejected(
                    GPU_SAMPLES.decode(
                            gpuJson(n -> ((ObjectNode) n.get("processes").get(1)).put("used_mib", -7))),
                    RejectReason.NEGATIVE_COUNT,
                    "processes[1].used_mib");
        }

        @Test
        void rejectsNegativeFrameBufferUse() {
            assertRejected(
                    GPU_SAMPLES.decode(gpuJson(n -> n.put("fb_used_mib", -1))),
                    RejectReason.NEGATIVE_COUNT,
                    "fb_used_mib");
        }
    }

    @Nested
    class OutOfRange {
        @Test
        void rejectsUtilAbove100() {
            assertRejected(GPU_SAMPLES.decode(gpuJson(n -> n.put("util", 100.5))), RejectReason.OUT_OF_RANGE, "util");
        }

        @Test
        void rejectsNegativeUtil() {
            assertRejected(GPU_SAMPLES.decode(gpuJson(n -> n.put("util", -1))), RejectReason.OUT_OF_RANGE, "util");
        }

        @Test
        void rejectsSmActiveAboveOne() {
            assertRejected(
                    GPU_SAMPLES.decode(gpuJson(n -> n.put("sm_active", 1.2))), RejectReason.OUT_OF_RANGE, "sm_active");
        }

        @Test
        void rejectsNegativeTensorActive() {
            assertRejected(
                    GPU_SAMPLES.decode(gpuJson(n -> n.put("tensor_active", -0.1))),
                    RejectReason.OUT_OF_RANGE,
                    "tensor_active");
        }

        @Test
        void rejectsANegativeGpuIndex() {
            assertRejected(GPU_SAMPLES.decode(gpuJson(n -> n.put("gpu", -1))), RejectReason.OUT_OF_RANGE, "gpu");
        }

        @Test
        void rejectsAPortAbove65535() {
            assertRejected(
                    FLOWS.decode(flowJson(n -> n.put("dst_port", 70_000))), RejectReason.OUT_OF_RANGE, "dst_port");
        }

        @Test
        void rejectsANegativePort() {
            assertRejected(FLOWS.decode(flowJson(n -> n.put("src_port", -1))), RejectReason.OUT_OF_RANGE, "src_port");
        }

        @Test
        void rejectsAConnectionThatStartsAfterItsReport() {
            String line = flowJson(n -> n.put("start_ts", ONE_MINUTE_LATER.toEpochMilli() + 1));
            assertRejected(FLOWS.decode(line), RejectReason.OUT_OF_RANGE, "start_ts");
        }

        @Test
        void rejectsANegativeAssignedGpu() {
            assertRejected(
                    ASSIGNMENTS.decode(
                            assignmentJson(n -> n.putArray("gpus").add(0).add(-2))),
                    RejectReason.OUT_OF_RANGE,
                    "gpus[1]");
        }
    }

    @Nested
    class UnknownEnum {
        @Test
        void rejectsAnAssignmentEventThatIsNotStartOrStop() {
            assertRejected(
                    ASSIGNMENTS.decode(assignmentJson(n -> n.put("event", "PAUSE"))),
                    RejectReason.UNKNOWN_ENUM,
                    "event");
        }

        @Test
        void rejectsAnEventInTheWrongCase() {
            assertRejected(
                    ASSIGNMENTS.decode(assignmentJson(n -> n.put("event", "start"))),
                    RejectReason.UNKNOWN_ENUM,
                    "event");
        }

        @Test
        void rejectsAnUnknownCategoryByItsIndex() {
            String line = edited(
                    WINDOWS.encode(Fixtures.jobWindow()),
                    n -> n.putArray("categories").add("CRYPTO_MINING").add("TELEPATHY"));
            assertRejected(WINDOWS.decode(line), RejectReason.UNKNOWN_ENUM, "categories[1]");
        }
    }

    // ---- never throws ----

    static List<String> garbage() {
        List<String> lines = new ArrayList<>(List.of(
                "",
                " ",
                "\t\t",
                "null",
                "[]",
                "{}",
                "[{}]",
                "{\"ts\": {}}",
                "{\"ts\": []}",
                "{\"ts\": null}",
                "{\"ts\": true}",
                "{\"ts\": 1e400}",
                "{\"ts\": -1e400}",
                "{\"ts\": 123456789012345678901234567890}",
                "{\"ts\": -9223372036854775808}",
                "{\"ts\": 9223372036854775807}",
                "{\"ts\": NaN}",
                "NaN",
                "\"text\"",
                "42",
                "-",
                "}{",
                "{\"ts\":1",
                "{'ts': 1}",
                "{ts: 1}",
                "{\"ts\":1,}",
                "\u0000",
                "\uFEFF{}",
                "日本語のテキスト",
                "{\"node\": \"\uD800\"}",
                "{\"\uD83E\uDD80\": \"\uD83E\uDD80\"}",
                "{\"processes\": [null]}",
                "{\"processes\": {}}",
                "{\"labels\": []}",
                "{\"features\": {\"x\": \"y\"}}",
                "{\"original_bytes\": 12}",
                "{\"gpus\": [1, null]}",
                "{\"label\": {\"malicious\": \"no\"}}",
                "{\"evidence\": []}",
                "{\"reasons\": [{}]}"));
        lines.add("\uD83E\uDD80".repeat(10_000));
        lines.add("x".repeat(1_000_000));
        lines.add("{\"node\": \"" + "é".repeat(500_000) + "\"}");
        lines.add("[".repeat(100_000));
        lines.add("{\"a\":".repeat(10_000));
        lines.add("{\"ts\": 1" + "0".repeat(5_000) + "}");
        lines.add("{\"processes\": [" + "{}, ".repeat(10_000) + "{}]}");
        return lines;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allTypes")
    void neverThrowsForGarbage(RecordType<?> type) {
        JsonRecordCodec<?> codec = JsonRecordCodec.of(type);
        for (String line : garbage()) {
            String shown = line.length() <= 60 ? line : line.substring(0, 57) + "...";
            Decoded<?>[] decoded = new Decoded<?>[1];

            Throwable thrown = catchThrowable(() -> decoded[0] = codec.decode(line));

            assertNotThrown(thrown, "decoding " + shown + " as " + type);
            assertThat(decoded[0].isAccepted())
                    .as("decoding %s as %s", shown, type)
                    .isFalse();
            assertThat(decoded[0].rejection().detail()).isNotBlank();
        }
    }

    @Test
    void rejectsLinesOfAnotherInputType() {
        List<String> lines = List.of(
                FLOWS.encode(Fixtures.flow()),
                GPU_SAMPLES.encode(Fixtures.gpuSample()),
                ASSIGNMENTS.encode(Fixtures.assignment()));
        List<JsonRecordCodec<?>> codecs = List.of(FLOWS, GPU_SAMPLES, ASSIGNMENTS);
        for (int c = 0; c < codecs.size(); c++) {
            for (int l = 0; l < lines.size(); l++) {
                if (c != l) {
                    Decoded<?> decoded = codecs.get(c).decode(lines.get(l));
                    assertThat(decoded.isAccepted())
                            .as("%s read as %s", lines.get(l), codecs.get(c).type())
                            .isFalse();
                }
            }
        }
    }

    // ---- helpers ----

    static void assertRejected(Decoded<?> decoded, RejectReason reason, String field) {
        assertThat(decoded.isAccepted())
                .as("expected %s (%s) but got %s", reason, field, decoded)
                .isFalse();
        Rejection rejection = decoded.rejection();
        assertThat(rejection.reason()).as("%s", rejection).isEqualTo(reason);
        assertThat(rejection.field()).as("%s", rejection).isEqualTo(field);
        assertThat(rejection.detail()).isNotBlank();
    }

    /** Fails with what threw and where, in a few lines rather than a whole stack trace. */
    private static void assertNotThrown(Throwable thrown, String what) {
        if (thrown != null) {
            StringBuilder where = new StringBuilder();
            StackTraceElement[] frames = thrown.getStackTrace();
            for (int i = 0; i < Math.min(4, frames.length); i++) {
                where.append("\n\tat ").append(frames[i]);
            }
            fail(what + " threw " + thrown + where);
        }
    }

    private static String flowJson(Consumer<ObjectNode> edit) {
        return edited(FLOWS.encode(Fixtures.flow()), edit);
    }

    private static String gpuJson(Consumer<ObjectNode> edit) {
        return edited(GPU_SAMPLES.encode(Fixtures.gpuSample()), edit);
    }

    private static String assignmentJson(Consumer<ObjectNode> edit) {
        return edited(ASSIGNMENTS.encode(Fixtures.assignment()), edit);
    }

    private static ObjectNode firstProcess(ObjectNode gpuSample) {
        return (ObjectNode) ((ArrayNode) gpuSample.get("processes")).get(0);
    }

    static String edited(String line, Consumer<ObjectNode> edit) {
        ObjectNode node = (ObjectNode) tree(line);
        edit.accept(node);
        return node.toString();
    }

    static JsonNode tree(String line) {
        try {
            return MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
