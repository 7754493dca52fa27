package io.vigil.models.features;

import static io.vigil.records.Fixtures.BEGINNING;
import static io.vigil.records.Fixtures.JOB;
import static io.vigil.records.Fixtures.NODE;
import static io.vigil.records.Fixtures.ONE_MINUTE_LATER;
import static io.vigil.records.Fixtures.POD_IP;

import io.vigil.records.Fixtures;
import io.vigil.records.Flow;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One job's minute, built the way the pipeline builds it: the job's flows go through its {@link JobContacts},
 * which asks about the contacts whose popularity matters through a {@link DestinationAccumulator} per remote
 * address and that address's {@link DestinationHistory} (other jobs' earlier visits make it popular); out come
 * {@link Contact}s and the rest of the job's window, which a {@link WindowAccumulator} folds with the job's GPU
 * samples. The factories below are the behaviours the tests talk about.
 */
public final class WindowScene {
    public static final long WINDOW_START = BEGINNING.toEpochMilli();
    public static final long WINDOW_END = ONE_MINUTE_LATER.toEpochMilli();
    public static final long LOOKBACK_MS = Duration.ofHours(24).toMillis();
    /** When an hour-old connection began. */
    public static final Instant AN_HOUR_EARLIER = BEGINNING.minus(Duration.ofHours(1));
    /** When a ten-minute-old connection began. */
    public static final Instant TEN_MINUTES_EARLIER = BEGINNING.minus(Duration.ofMinutes(10));
    /** Mid-window, when short flows end. */
    public static final Instant HALF_A_MINUTE_LATER = BEGINNING.plusSeconds(30);

    // Remote addresses (documentation ranges): what they are is decided by the scene, never by the code.
    public static final String TRACKER_IP = "198.51.100.20";
    public static final String OBJECT_STORE_IP = "198.51.100.30";
    public static final String CODE_HOST_IP = "198.51.100.40";
    public static final String API_IP = "198.51.100.50";
    public static final String TUNNEL_IP = "203.0.113.66";
    public static final String POOL_IP = "203.0.113.77";
    public static final String DROP_IP = "203.0.113.88";
    public static final String PROXY_IP = "10.0.0.53";
    public static final String METADATA_IP = "169.254.169.254";

    private final String jobId;
    private final List<JobFlow> flows = new ArrayList<>();
    private final Map<String, Integer> otherJobsEarlier = new LinkedHashMap<>();
    private final Map<String, Integer> otherJobsNow = new LinkedHashMap<>();
    private final List<GpuSample> samples = new ArrayList<>();

    private WindowScene(String jobId) {
        this.jobId = jobId;
    }

    public static WindowScene scene() {
        return new WindowScene(JOB);
    }

    public WindowScene with(List<JobFlow> more) {
        flows.addAll(more);
        return this;
    }

    public WindowScene with(JobFlow flow) {
        flows.add(flow);
        return this;
    }

    public WindowScene gpus(List<GpuSample> more) {
        samples.addAll(more);
        return this;
    }

    /** {@code jobs} other jobs talked to the address in the past day, and {@code jobsNow} of them this minute too. */
    public WindowScene popular(String ip, int jobs, int jobsNow) {
        otherJobsEarlier.put(ip, jobs);
        otherJobsNow.put(ip, jobsNow);
        return this;
    }

    /** The per-destination step: one contact per address for this job. */
    public List<Contact> contacts() {
        Map<String, DestinationAccumulator> byRemote = new LinkedHashMap<>();
        for (JobFlow f : flows) {
            byRemote.computeIfAbsent(f.remoteIp, ip -> new DestinationAccumulator())
                    .add(f);
        }
        List<Contact> out = new ArrayList<>();
        for (Map.Entry<String, DestinationAccumulator> e : byRemote.entrySet()) {
            String ip = e.getKey();
            DestinationAccumulator acc = e.getValue();
            JobFlow template = acc.jobs.isEmpty()
                    ? null
                    : flows.stream()
                            .filter(f -> f.remoteIp.equals(ip))
                            .findFirst()
                            .orElseThrow();
            for (int i = 0; i < otherJobsNow.getOrDefault(ip, 0); i++) {
                JobFlow other = copy(template);
                other.jobId = "other-job-" + i;
                acc.add(other);
            }
            DestinationHistory history = new DestinationHistory();
            List<String> earlier = new ArrayList<>();
            for (int i = 0; i < otherJobsEarlier.getOrDefault(ip, 0); i++) {
                earlier.add("other-job-" + i);
            }
            history.record(earlier, WINDOW_START - Duration.ofHours(3).toMillis(), LOOKBACK_MS);
            int jobsRecent = history.record(acc.jobIds(), WINDOW_END, LOOKBACK_MS);
            acc.contacts(WINDOW_START, WINDOW_END, jobsRecent).stream()
                    .filter(c -> c.jobId.equals(jobId))
                    .forEach(out::add);
        }
        return out;
    }

    /**
     * The job's window as the pipeline builds it: its flows into {@link JobContacts}, the contacts whose
     * popularity matters through the per-destination step (with the other jobs of {@link #popular}), the rest
     * and the GPU samples folded directly.
     */
    public WindowAccumulator window() {
        JobContacts mine = new JobContacts();
        flows.forEach(mine::add);
        JobContacts.Split split = mine.split(WINDOW_START, WINDOW_END);
        WindowAccumulator w = new WindowAccumulator();
        if (split.rest() != null) {
            w.merge(split.rest());
        }
        for (DestinationAccumulator asked : split.ask()) {
            String ip = asked.remoteIp;
            JobFlow template = flows.stream()
                    .filter(f -> f.remoteIp.equals(ip))
                    .findFirst()
                    .orElseThrow();
            for (int i = 0; i < otherJobsNow.getOrDefault(ip, 0); i++) {
                JobFlow other = copy(template);
                other.jobId = "other-job-" + i;
                asked.add(other);
            }
            DestinationHistory history = new DestinationHistory();
            List<String> earlier = new ArrayList<>();
            for (int i = 0; i < otherJobsEarlier.getOrDefault(ip, 0); i++) {
                earlier.add("other-job-" + i);
            }
            history.record(earlier, WINDOW_START - Duration.ofHours(3).toMillis(), LOOKBACK_MS);
            int jobsRecent = history.record(asked.jobIds(), WINDOW_END, LOOKBACK_MS);
            asked.contacts(WINDOW_START, WINDOW_END, jobsRecent).stream()
                    .filter(c -> c.jobId.equals(jobId))
                    .forEach(w::add);
        }
        samples.forEach(w::add);
        return w;
    }

    /** The job's window as the per-destination step alone would make it: every contact asked about. */
    public WindowAccumulator windowOfEveryContact() {
        WindowAccumulator w = new WindowAccumulator();
        contacts().forEach(w::add);
        samples.forEach(w::add);
        return w;
    }

    public double[] features() {
        return window().features(FeatureSet.CURRENT);
    }

    public Map<String, Double> featureMap() {
        return FeatureSet.CURRENT.toMap(features());
    }

    // ------------------------------------------------------------------ flows

    /** A connection the job's pod opened. */
    public static Flow.Builder outbound(String dstIp, int dstPort) {
        return Fixtures.flowBuilder()
                .setJobId(JOB)
                .setSrcIp(POD_IP)
                .setSrcPort(40_000 + (dstPort % 20_000))
                .setDstIp(dstIp)
                .setDstPort(dstPort)
                .setProtocol("TCP")
                .setStartTs(BEGINNING.plusSeconds(5))
                .setTs(HALF_A_MINUTE_LATER);
    }

    public static JobFlow of(Flow.Builder f) {
        return JobFlow.of(f.build(), JOB, true);
    }

    /** NCCL between the job's ranks: a long-open, busy, answered connection to each peer. */
    public static List<JobFlow> ncclPeers(int peers) {
        List<JobFlow> out = new ArrayList<>();
        for (int i = 1; i <= peers; i++) {
            out.add(of(outbound("10.0.4." + i, 29_500)
                    .setConnState("S1")
                    .setStartTs(AN_HOUR_EARLIER)
                    .setTs(ONE_MINUTE_LATER)
                    .setOrigBytes(900_000_000L)
                    .setRespBytes(880_000_000L)
                    .setOrigPkts(640_000)
                    .setRespPkts(630_000)));
        }
        return out;
    }

    /**
     * A sweep of the internal network: one attempt on each of a few common ports per host, almost all
     * unanswered (S0), a few refused (REJ), one host answering on SSH.
     */
    public static List<JobFlow> internalScan(int hosts) {
        List<JobFlow> out = new ArrayList<>();
        int[] ports = {22, 80, 443};
        for (int h = 1; h <= hosts; h++) {
            for (int port : ports) {
                String state = h % 10 == 0 ? "REJ" : "S0";
                long respPkts = state.equals("REJ") ? 1 : 0;
                if (h == 1 && port == 22) {
                    state = "SF";
                    respPkts = 6;
                }
                out.add(of(outbound("10.0.9." + h, port)
                        .setConnState(state)
                        .setOrigBytes(0)
                        .setRespBytes(state.equals("SF") ? 40 : 0)
                        .setOrigPkts(2)
                        .setRespPkts(respPkts)
                        .setStartTs(BEGINNING.plusSeconds(10))
                        .setTs(BEGINNING.plusSeconds(12))));
            }
        }
        return out;
    }

    /** One call to the cloud's metadata service. */
    public static JobFlow metadataCall() {
        return of(outbound(METADATA_IP, 80)
                .setConnState("SF")
                .setOrigBytes(180)
                .setRespBytes(1_200)
                .setOrigPkts(5)
                .setRespPkts(4));
    }

    /** A reverse tunnel: held open for ten minutes, small packets both ways. */
    public static JobFlow tunnel(String ip, int port) {
        return of(outbound(ip, port)
                .setConnState("S1")
                .setStartTs(TEN_MINUTES_EARLIER)
                .setTs(ONE_MINUTE_LATER)
                .setOrigBytes(7_200)
                .setRespBytes(9_600)
                .setOrigPkts(90)
                .setRespPkts(96));
    }

    /** An experiment tracker's long-lived HTTPS connection: metric batches up, acknowledgements down. */
    public static JobFlow trackerConnection(String ip) {
        return of(outbound(ip, 443)
                .setConnState("S1")
                .setStartTs(AN_HOUR_EARLIER)
                .setTs(ONE_MINUTE_LATER)
                .setOrigBytes(240_000)
                .setRespBytes(30_000)
                .setOrigPkts(260)
                .setRespPkts(210));
    }

    /** A bulk upload over HTTPS: full packets up, bare ACKs down. */
    public static JobFlow upload(String ip, long bytes) {
        long pkts = bytes / 1_400;
        return of(outbound(ip, 443)
                .setConnState("S1")
                .setStartTs(BEGINNING.plusSeconds(2))
                .setTs(ONE_MINUTE_LATER)
                .setOrigBytes(bytes)
                .setRespBytes(bytes / 500)
                .setOrigPkts(pkts)
                .setRespPkts(pkts / 2));
    }

    /** git clone over SSH: a few seconds, small request, large answer. */
    public static JobFlow gitOverSsh(String ip) {
        return of(outbound(ip, 22)
                .setConnState("SF")
                .setStartTs(BEGINNING.plusSeconds(20))
                .setTs(BEGINNING.plusSeconds(28))
                .setOrigBytes(24_000)
                .setRespBytes(18_000_000)
                .setOrigPkts(900)
                .setRespPkts(13_000));
    }

    /** A short, answered API call on an unusual port. */
    public static JobFlow apiCall(String ip, int port) {
        return of(outbound(ip, port)
                .setConnState("SF")
                .setStartTs(BEGINNING.plusSeconds(40))
                .setTs(BEGINNING.plusSeconds(41))
                .setOrigBytes(2_800)
                .setRespBytes(41_000)
                .setOrigPkts(12)
                .setRespPkts(34));
    }

    /** A miner's pool connection: open for an hour, a few job and share messages a minute. */
    public static JobFlow poolConnection(String ip, int port) {
        return of(outbound(ip, port)
                .setConnState("S1")
                .setStartTs(AN_HOUR_EARLIER)
                .setTs(ONE_MINUTE_LATER)
                .setOrigBytes(3_100)
                .setRespBytes(4_400)
                .setOrigPkts(38)
                .setRespPkts(41));
    }

    // ------------------------------------------------------------------ GPUs

    /** Twelve samples (every five seconds) of each GPU, with one process. */
    public static List<GpuSample> gpu(List<Integer> gpus, double sm, double tensor, String process) {
        return gpuOn(NODE, gpus, sm, tensor, process);
    }

    public static List<GpuSample> gpuOn(String node, List<Integer> gpus, double sm, double tensor, String process) {
        List<GpuSample> out = new ArrayList<>();
        for (int gpu : gpus) {
            for (int i = 0; i < 12; i++) {
                out.add(sample(node, gpu, BEGINNING.plusSeconds(5L * i), sm, tensor, process));
            }
        }
        return out;
    }

    public static GpuSample sample(String node, int gpu, Instant ts, double sm, double tensor, String process) {
        List<GpuProcess> processes = process == null
                ? List.of()
                : List.of(Fixtures.gpuProcess(1_000 + gpu, process, process.contains("python") ? 70_000 : 4_096));
        return Fixtures.gpuSampleBuilder()
                .setNode(node)
                .setGpu(gpu)
                .setTs(ts)
                .setJobId(JOB)
                .setUtil(sm <= 0 ? 0 : Math.min(100, 100 * sm + 8))
                .setSmActive(sm)
                .setTensorActive(tensor)
                .setDramActive(0.35)
                .setProcesses(processes)
                .build();
    }

    /** Mixed-precision training: busy SMs, tensor pipes busy too. */
    public static List<GpuSample> training(List<Integer> gpus) {
        return gpu(gpus, 0.9, 0.55, "python");
    }

    /** FP32 training: busy SMs, tensor pipes idle on every GPU alike. */
    public static List<GpuSample> fp32Training(List<Integer> gpus) {
        return gpu(gpus, 0.86, 0.02, "python");
    }

    /** A hashing kernel: SMs flat out, tensor pipes untouched. */
    public static List<GpuSample> mining(List<Integer> gpus, String process) {
        return gpu(gpus, 0.97, 0.0, process);
    }

    public static List<Integer> range(int from, int toExclusive) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i < toExclusive; i++) {
            out.add(i);
        }
        return out;
    }

    static JobFlow copy(JobFlow f) {
        JobFlow c = new JobFlow();
        c.jobId = f.jobId;
        c.localIp = f.localIp;
        c.remoteIp = f.remoteIp;
        c.localPort = f.localPort;
        c.remotePort = f.remotePort;
        c.protocol = f.protocol;
        c.outbound = f.outbound;
        c.bytesOut = f.bytesOut;
        c.bytesIn = f.bytesIn;
        c.pktsOut = f.pktsOut;
        c.pktsIn = f.pktsIn;
        c.connState = f.connState;
        c.startTs = f.startTs;
        c.ts = f.ts;
        c.external = f.external;
        c.metadataService = f.metadataService;
        return c;
    }
}
