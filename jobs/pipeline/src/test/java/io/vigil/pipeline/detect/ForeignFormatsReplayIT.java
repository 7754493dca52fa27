package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.broker.EmbeddedKafka;
import io.vigil.broker.TopicContents;
import io.vigil.pipeline.CollectingSink;
import io.vigil.pipeline.DetectJob;
import io.vigil.pipeline.files.DatasetFiles;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.pipeline.kafka.KafkaTopics;
import io.vigil.records.Alert;
import io.vigil.records.Assignment;
import io.vigil.records.DeadLetter;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.JobWindow;
import io.vigil.records.RecordType;
import io.vigil.records.formats.Formats;
import io.vigil.records.wire.Framings;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own Zeek conn.log next to their own DCGM scrapes, replayed in BATCH mode: the same windows and
 * alerts as the same records in canonical JSON lines, and each unusable line a dead letter naming its line.
 */
class ForeignFormatsReplayIT {
    static final String BAD_CONN_LINE =
            "1771038012.0\tCbad\t10.0.2.1\t50522\tnot-an-ip\t22\ttcp\t-\t1.0\t1\t1\tSF\tT\tF\t0\tS\t1\t1\t1\t1\t(empty)";

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static final Scenario STORY = new Scenario();

    record Results(List<Alert> alerts, List<JobWindow> windows, List<DeadLetter> deadLetters) {}

    static Results replay(Path dataset, InputFormats formats) throws Exception {
        StreamExecutionEnvironment env = DetectPipelineIT.environment(RuntimeExecutionMode.BATCH);
        CollectingSink<Alert> alerts = new CollectingSink<>("alerts-" + formats.flows());
        CollectingSink<JobWindow> windows = new CollectingSink<>("windows-" + formats.flows());
        CollectingSink<DeadLetter> dead = new CollectingSink<>("dead-" + formats.flows());
        DetectPipeline.build(
                env,
                DetectSettings.defaults(),
                DetectPipelineIT.SCORER,
                DatasetFiles.inputs(List.of(dataset), formats),
                new DetectPipeline.Outputs(alerts, windows, dead));
        env.execute("replay " + formats);
        return new Results(alerts.received(), windows.received(), dead.received());
    }

    @Test
    void zeekAndDcgmFilesGiveTheSameWindowsAsTheCanonicalRecords(@TempDir Path dir) throws Exception {
        // what Zeek and DCGM can say: no node in conn.log, no processes in a scrape
        List<Flow> flows = STORY.flows.stream()
                .map(f -> Flow.newBuilder(f).setNode("unknown").build())
                .toList();
        List<GpuSample> samples = STORY.samples.stream()
                .map(s -> GpuSample.newBuilder(s).setProcesses(List.of()).build())
                .toList();
        Scenario canonical = new Scenario();
        canonical.samples.clear();
        canonical.samples.addAll(samples);
        Results expected = replay(
                canonical.writeDataset(dir.resolve("canonical"), flows, List.of(), List.of()), InputFormats.CANONICAL);

        Path story = canonical.writeDataset(dir.resolve("story"), flows, List.of(), List.of());
        Files.delete(story.resolve("flows.jsonl.gz"));
        Files.delete(story.resolve("gpu.jsonl.gz"));
        writeConnLog(story.resolve("conn.log"), flows);
        writeScrapes(story.resolve("gpu.prom"), samples);
        Results results = replay(story, new InputFormats(Formats.ZEEK_TSV, Formats.DCGM_PROMETHEUS, null));

        assertThat(results.windows()).hasSize(2 * Scenario.MINUTES);
        assertThat(results.windows())
                .usingRecursiveFieldByFieldElementComparator()
                .containsExactlyInAnyOrderElementsOf(expected.windows());
        assertThat(results.alerts())
                .usingRecursiveFieldByFieldElementComparator()
                .containsExactlyInAnyOrderElementsOf(expected.alerts());
        assertThat(results.alerts())
                .extracting(Alert::getAlertId)
                .containsExactlyInAnyOrderElementsOf(DetectPipelineIT.expectedAlertIds());

        int headerLines = 8;
        assertThat(results.deadLetters())
                .extracting(DeadLetter::getReason, DeadLetter::getSource, DeadLetter::getOriginalText)
                .containsExactlyInAnyOrder(
                        Tuple.tuple("bad_ip", "story/conn.log:" + (headerLines + flows.size() / 2 + 2), BAD_CONN_LINE),
                        Tuple.tuple("malformed", "story/gpu.prom:2", "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\" 5"));
    }

    @Test
    void goflow2FlowsGiveTheSameWindowsAsTheCanonicalRecords(@TempDir Path dir) throws Exception {
        // what a one-direction flow exporter can say: the originator's side, no state; the node is the sampler
        List<Flow> flows = STORY.flows.stream()
                .map(f -> Flow.newBuilder(f)
                        .setNode("10.0.0.254")
                        .setRespBytes(0L)
                        .setRespPkts(0L)
                        .setConnState(null)
                        .build())
                .toList();
        List<String> lines = new ArrayList<>();
        for (Flow f : flows) {
            lines.add(String.format(
                    "{\"type\":\"IPFIX\",\"time_received_ns\":%d,\"sequence_num\":1,\"sampling_rate\":0,"
                            + "\"sampler_address\":\"10.0.0.254\",\"time_flow_start_ns\":%d,\"time_flow_end_ns\":%d,\"bytes\":%d,"
                            + "\"packets\":%d,\"src_addr\":\"%s\",\"dst_addr\":\"%s\",\"etype\":\"IPv4\",\"proto\":\"TCP\","
                            + "\"src_port\":%d,\"dst_port\":%d,\"in_if\":1,\"out_if\":2}",
                    (f.getTs().toEpochMilli() + 500) * 1_000_000L,
                    f.getStartTs().toEpochMilli() * 1_000_000L,
                    f.getTs().toEpochMilli() * 1_000_000L,
                    f.getOrigBytes(),
                    f.getOrigPkts(),
                    f.getSrcIp(),
                    f.getDstIp(),
                    f.getSrcPort(),
                    f.getDstPort()));
        }
        assertSameAsCanonical(
                dir,
                flows,
                STORY.samples,
                "flows.json",
                lines,
                null,
                null,
                new InputFormats(Formats.GOFLOW2, Formats.VIGIL, null));
    }

    @Test
    void vpcFlowsAndNvidiaSmiSamplesGiveTheSameWindowsAsTheCanonicalRecords(@TempDir Path dir) throws Exception {
        // VPC: one direction, whole seconds, REJECT kept; nvidia-smi: one node's file, no profiling ratios
        List<Flow> flows = STORY.flows.stream()
                .map(f -> Flow.newBuilder(f)
                        .setNode("node-1")
                        .setRespBytes(0L)
                        .setRespPkts(0L)
                        .setStartTs(Instant.ofEpochSecond(f.getStartTs().getEpochSecond()))
                        .setConnState("REJ".equals(f.getConnState()) ? "REJ" : null)
                        .build())
                .toList();
        List<String> vpc = new ArrayList<>();
        for (Flow f : flows) {
            vpc.add(String.join(
                    " ",
                    "2",
                    "123456789010",
                    "eni-1235b8ca123456789",
                    f.getSrcIp(),
                    f.getDstIp(),
                    String.valueOf(f.getSrcPort()),
                    String.valueOf(f.getDstPort()),
                    "6",
                    String.valueOf(f.getOrigPkts()),
                    String.valueOf(f.getOrigBytes()),
                    String.valueOf(f.getStartTs().getEpochSecond()),
                    String.valueOf(f.getTs().getEpochSecond()),
                    "REJ".equals(f.getConnState()) ? "REJECT" : "ACCEPT",
                    "OK"));
        }
        List<GpuSample> samples = STORY.samples.stream()
                .filter(s -> s.getNode().equals("node-1"))
                .map(s -> GpuSample.newBuilder(s)
                        .setSmActive(null)
                        .setTensorActive(null)
                        .setDramActive(null)
                        .setGpuUuid("GPU-0000000" + s.getGpu())
                        .build())
                .toList();
        DateTimeFormatter smiTime =
                DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
        List<String> csv = new ArrayList<>();
        Map<Instant, List<GpuSample>> byTime = new TreeMap<>();
        samples.forEach(
                s -> byTime.computeIfAbsent(s.getTs(), t -> new ArrayList<>()).add(s));
        byTime.forEach((ts, group) -> {
            csv.add(
                    "timestamp, index, uuid, utilization.gpu [%], memory.used [MiB], power.draw [W], temperature.gpu, clocks.sm [MHz]");
            for (GpuSample s : group) {
                csv.add(String.join(
                        ", ",
                        smiTime.format(ts),
                        String.valueOf(s.getGpu()),
                        s.getGpuUuid(),
                        s.getUtil() + " %",
                        s.getFbUsedMib() + " MiB",
                        s.getPowerW() + " W",
                        String.valueOf(s.getTempC()),
                        s.getSmClockMhz() + " MHz"));
            }
            csv.add("gpu_uuid, pid, process_name, used_memory [MiB]");
            for (GpuSample s : group) {
                s.getProcesses()
                        .forEach(p -> csv.add(String.join(
                                ", ",
                                s.getGpuUuid(),
                                String.valueOf(p.getPid()),
                                p.getName(),
                                p.getUsedMib() + " MiB")));
            }
        });
        assertSameAsCanonical(
                dir,
                flows,
                samples,
                "flows.log",
                vpc,
                "gpu.csv",
                csv,
                new InputFormats(Formats.VPC, Formats.NVIDIA_SMI_CSV, "node-1"));
    }

    @Test
    void detectOnKafkaReadsZeekLinesAndDcgmScrapesAsMessages(@TempDir Path dir) throws Exception {
        List<Flow> flows = STORY.flows.stream()
                .map(f -> Flow.newBuilder(f).setNode("zeek-1").build())
                .toList();
        List<GpuSample> samples = STORY.samples.stream()
                .map(s -> GpuSample.newBuilder(s).setProcesses(List.of()).build())
                .toList();
        Scenario canonical = new Scenario();
        canonical.samples.clear();
        canonical.samples.addAll(samples);
        Results expected = replay(
                canonical.writeDataset(dir.resolve("canonical"), flows, List.of(), List.of()), InputFormats.CANONICAL);

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String ns = "t" + System.nanoTime() + ".";
            Map<String, Object> settings = new HashMap<>();
            settings.put(VigilConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            for (Topic t : Topic.values()) {
                settings.put(t.nameSetting(), ns + t.defaultName());
                settings.put(t.partitionsSetting(), "1");
            }
            settings.put(VigilConfig.CHECKPOINT_INTERVAL_MS, "500");
            settings.put(VigilConfig.TRANSACTIONAL_ID_PREFIX, ns + "vigil");
            settings.put(VigilConfig.FLOW_FORMAT, Formats.ZEEK_TSV);
            settings.put(VigilConfig.GPU_FORMAT, Formats.DCGM_PROMETHEUS);
            VigilConfig config = VigilConfig.defaults().with(settings);
            KafkaTopics.createAll(config);

            Path conn = dir.resolve("conn.log");
            writeConnLog(conn, flows);
            Path prom = dir.resolve("gpu.prom");
            writeScrapes(prom, samples);
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            try (var producer =
                    new KafkaProducer<byte[], byte[]>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                // one conn.log row per message (no header: Zeek's default columns); the bad row is dead-lettered
                for (String line : Files.readAllLines(conn)) {
                    if (!line.startsWith("#")) {
                        producer.send(
                                new ProducerRecord<>(config.topic(Topic.FLOWS), line.getBytes(StandardCharsets.UTF_8)));
                    }
                }
                var assignments = Framings.forTopic(RecordType.ASSIGNMENT, config.topic(Topic.ASSIGNMENTS), null);
                for (Assignment a : STORY.assignments) {
                    producer.send(new ProducerRecord<>(config.topic(Topic.ASSIGNMENTS), assignments.encode(a)));
                }
                // one whole scrape per message, timed by the message
                String[] scrapes = Files.readString(prom).split("(?m)^# scrape ");
                for (String scrape : scrapes) {
                    if (scrape.isBlank()) {
                        continue;
                    }
                    int nl = scrape.indexOf('\n');
                    long ts = Long.parseLong(scrape.substring(0, nl).trim());
                    producer.send(new ProducerRecord<>(
                            config.topic(Topic.GPU),
                            null,
                            ts,
                            null,
                            scrape.substring(nl + 1).getBytes(StandardCharsets.UTF_8)));
                }
            }
            StreamExecutionEnvironment env = DetectPipelineIT.environment(RuntimeExecutionMode.STREAMING);
            env.setParallelism(1);
            DetectJob.prepare(env, config, DetectPipelineIT.SCORER, true);
            env.execute("detect on kafka, zeek + dcgm");

            List<JobWindow> windows =
                    readCommitted(kafka.bootstrapServers(), config.topic(Topic.WINDOWS), RecordType.WINDOW);
            assertThat(windows)
                    .usingRecursiveFieldByFieldElementComparator()
                    .containsExactlyInAnyOrderElementsOf(expected.windows());
            List<DeadLetter> dead =
                    readCommitted(kafka.bootstrapServers(), config.topic(Topic.DEADLETTER), RecordType.DEAD_LETTER);
            assertThat(dead).extracting(DeadLetter::getReason).containsExactlyInAnyOrder("bad_ip", "malformed");
        }
    }

    static <T extends SpecificRecord> List<T> readCommitted(String bootstrap, String topic, RecordType<T> type) {
        var framing = Framings.forTopic(type, topic, null);
        return TopicContents.readCommitted(bootstrap, topic).stream()
                .map(v -> framing.decode(v).record())
                .toList();
    }

    /** Replays the records in canonical JSON lines and the same records written in foreign formats: the same windows. */
    static void assertSameAsCanonical(
            Path dir,
            List<Flow> flows,
            List<GpuSample> samples,
            String flowFile,
            List<String> flowLines,
            String gpuFile,
            List<String> gpuLines,
            InputFormats formats)
            throws Exception {
        Scenario canonical = new Scenario();
        canonical.samples.clear();
        canonical.samples.addAll(samples);
        Results expected = replay(
                canonical.writeDataset(dir.resolve("canonical"), flows, List.of(), List.of()), InputFormats.CANONICAL);
        Path story = canonical.writeDataset(dir.resolve("story"), flows, List.of(), List.of());
        Files.delete(story.resolve("flows.jsonl.gz"));
        Files.write(story.resolve(flowFile), flowLines);
        if (gpuFile != null) {
            Files.delete(story.resolve("gpu.jsonl.gz"));
            Files.write(story.resolve(gpuFile), gpuLines);
        }
        Results results = replay(story, formats);
        assertThat(expected.windows()).isNotEmpty();
        assertThat(results.deadLetters()).isEmpty();
        assertThat(results.windows())
                .usingRecursiveFieldByFieldElementComparator()
                .containsExactlyInAnyOrderElementsOf(expected.windows());
        assertThat(results.alerts())
                .usingRecursiveFieldByFieldElementComparator()
                .containsExactlyInAnyOrderElementsOf(expected.alerts());
    }

    /** The flows as Zeek writes conn.log: ts the start, duration to the end; a bad line in the middle. */
    static void writeConnLog(Path file, List<Flow> flows) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "#separator \\x09",
                "#set_separator\t,",
                "#empty_field\t(empty)",
                "#unset_field\t-",
                "#path\tconn",
                "#open\t2026-02-14-03-00-00",
                "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes"
                        + "\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents",
                "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring"
                        + "\tcount\tcount\tcount\tcount\tset[string]"));
        for (int i = 0; i < flows.size(); i++) {
            Flow f = flows.get(i);
            long start = f.getStartTs().toEpochMilli();
            long duration = f.getTs().toEpochMilli() - start;
            lines.add(String.join(
                    "\t",
                    seconds(start),
                    "C" + i,
                    f.getSrcIp(),
                    String.valueOf(f.getSrcPort()),
                    f.getDstIp(),
                    String.valueOf(f.getDstPort()),
                    f.getProtocol().toLowerCase(),
                    "-",
                    seconds(duration),
                    String.valueOf(f.getOrigBytes()),
                    String.valueOf(f.getRespBytes()),
                    f.getConnState() == null ? "-" : f.getConnState(),
                    "T",
                    "F",
                    "0",
                    "-",
                    String.valueOf(f.getOrigPkts()),
                    "0",
                    String.valueOf(f.getRespPkts()),
                    "0",
                    "(empty)"));
            if (i == flows.size() / 2) {
                lines.add(BAD_CONN_LINE);
            }
        }
        lines.add("#close\t2026-02-14-04-00-00");
        Files.write(file, lines);
    }

    /** The samples as DCGM scrapes, one per instant, each after a "# scrape <ms>" line; one bad line first. */
    static void writeScrapes(Path file, List<GpuSample> samples) throws IOException {
        Map<Instant, List<GpuSample>> byTime = new TreeMap<>();
        samples.forEach(
                s -> byTime.computeIfAbsent(s.getTs(), t -> new ArrayList<>()).add(s));
        List<String> lines = new ArrayList<>();
        byTime.forEach((ts, group) -> {
            lines.add("# scrape " + ts.toEpochMilli());
            if (lines.size() == 1) {
                lines.add("DCGM_FI_DEV_GPU_UTIL{gpu=\"0\" 5");
            }
            for (GpuSample s : group) {
                String labels = "{gpu=\"" + s.getGpu() + "\",device=\"nvidia" + s.getGpu()
                        + "\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"" + s.getNode()
                        + "\",container=\"\",namespace=\"\",pod=\"\"}";
                lines.add("DCGM_FI_DEV_GPU_UTIL" + labels + " " + s.getUtil());
                lines.add("DCGM_FI_PROF_SM_ACTIVE" + labels + " " + s.getSmActive());
                lines.add("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE" + labels + " " + s.getTensorActive());
                lines.add("DCGM_FI_PROF_DRAM_ACTIVE" + labels + " " + s.getDramActive());
                lines.add("DCGM_FI_DEV_FB_USED" + labels + " " + s.getFbUsedMib());
                lines.add("DCGM_FI_DEV_POWER_USAGE" + labels + " " + s.getPowerW());
                lines.add("DCGM_FI_DEV_GPU_TEMP" + labels + " " + s.getTempC());
                lines.add("DCGM_FI_DEV_SM_CLOCK" + labels + " " + s.getSmClockMhz());
            }
        });
        Files.write(file, lines);
    }

    static String seconds(long ms) {
        return String.format("%d.%03d", ms / 1000, ms % 1000);
    }
}
