package io.vigil.models.features;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * An ordered list of named features: the one place the order of a feature vector is defined, and the one
 * place each feature says which way of changing can be misuse ({@link Direction}). A model is trained on,
 * and refuses artifacts for anything other than, one feature set, named by {@link #id()} (version and a
 * hash of the names), which goes into {@code JobWindow.feature_set}.
 *
 * <p>Conventions of {@link #V3}: counts and byte totals are {@code log1p} of the count (so 0 means none
 * and each unit is a factor of e); ratios and fractions lie in [0, 1]; every value is finite; a quiet
 * window (no traffic, idle GPUs, no processes) has every feature at 0, so "less than usual" is always the
 * benign side. "Rare" is {@link Contact#rare()}: an external host, and no other job talked to it over the
 * lookback, that did not fail every attempt ({@link Contact#failedHost()}: a scan target is no endpoint). Hosts are addresses that name one host ({@link Contact#toHost()}): broadcast, multicast,
 * link-local, loopback and unspecified addresses are never destinations or scan targets. An attempt is a
 * TCP connection the job opened, an ICMP echo request it sent ({@link JobFlow#attempt}), or a UDP datagram to
 * a host's service that the host answered or refused ({@link ContactStats#udp}); a failed one is a failed
 * handshake, an unanswered echo, or a datagram the host refused with a destination unreachable (or left
 * without an answer on several of its ports) ({@link ConnStates}, {@link Icmp}). Every feature is defined from
 * the job's window as a whole, so none depends on a cap on kept contacts or GPUs except the per-GPU ones,
 * which see the first {@link WindowAccumulator#MAX_GPUS} GPUs, and the per-port ones, which see the
 * {@link WindowAccumulator#MAX_SCAN_PORTS} lowest port numbers; one reaches back before the window
 * ({@link #RECENT_FAILED_TARGETS}, the job's {@link ScanMemory}, kept by the scoring step).
 *
 * <p>The earlier sets are gone: v1 (no directions, internal scans only, every address a destination) and v2
 * (scans seen only as many ports of one host or one port of many hosts, within one window; UDP never judged; no
 * {@link #SHARED_GPU_PROCESSES}). A model trained on one is refused ({@link #refusal}).
 */
public final class FeatureSet implements Serializable {
    private static final long serialVersionUID = 2L;

    /** Which way of changing, from the job's normal or the fleet's typical value, can be misuse. */
    public enum Direction {
        /** More can be misuse, less is a quieter job. */
        UP,
        /** Less can be misuse, more is not (none of {@link #V3} is: each is written so that quiet is 0). */
        DOWN,
        /** Either way can be misuse. */
        BOTH,
        /** Neither: it tells the models how to read the others (how much telemetry there is). */
        CONTEXT;

        /** Whether a move of {@code delta} (value minus baseline) is towards misuse. */
        public boolean suspicious(double delta) {
            return switch (this) {
                case UP -> delta > 0;
                case DOWN -> delta < 0;
                case BOTH -> delta != 0;
                case CONTEXT -> false;
            };
        }
    }

    /**
     * One feature: its name in the vector and in {@code JobWindow.features}, what it measures, which way of
     * changing can be misuse, and why that way (the physics or the protocol).
     *
     * @param gpuWork the feature describes how the job's GPUs work while they are busy (how busy, with which
     *     pipes, which of them hash), so a window whose GPUs idle says nothing about it: a job's normal in it is
     *     only known once the job has been seen at work ({@link #gpusAtWork})
     * @param tally the feature is {@code log1p} of a count of events whose <em>number</em> is the evidence (scan
     *     targets, hosts reached, flows), not their presence: a count has counting noise (a job that fails a
     *     connection once an hour shows 1 in some window and 0 in most), so one event more than the job's usual
     *     none is within that noise, and many are not ({@link #countingNoise}). A feature whose first occurrence
     *     is the evidence (an outsider connecting in, a rare long-lived host, a miner's name) is no tally
     */
    public record Feature(String name, String doc, Direction direction, String why, boolean gpuWork, boolean tally)
            implements Serializable {
        public Feature {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(doc, "doc");
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(why, "why");
            if (name.isBlank()) {
                throw new IllegalArgumentException("blank feature name");
            }
        }

        /** A feature that is no tally. */
        public Feature(String name, String doc, Direction direction, String why, boolean gpuWork) {
            this(name, doc, direction, why, gpuWork, false);
        }

        /** A feature that does not depend on the GPUs being at work and is no tally. */
        public Feature(String name, String doc, Direction direction, String why) {
            this(name, doc, direction, why, false, false);
        }

        /** A tally ({@link #tally}): the log1p of a count of events whose number is the evidence. */
        public static Feature tally(String name, String doc, Direction direction, String why) {
            return new Feature(name, doc, direction, why, false, true);
        }
    }

    /**
     * The counting noise of a tally's value {@code v = log1p(k)}, in the feature's units: a count of {@code k}
     * events has a Poisson standard deviation of {@code sqrt(k)}, which {@code log1p} scales by its slope {@code
     * 1 / (1 + k)} (the delta method). 0.5 for one event, 0.47 for two, 0.24 for 15, 0.1 for 99: a single event is
     * within the noise of none, a scan's dozens of targets are far beyond it. 0 for 0 (or less).
     */
    public static double countingNoise(double value) {
        if (!(value > 0)) {
            return 0;
        }
        double k = Math.expm1(value);
        return Math.sqrt(k) / (1 + k);
    }

    /**
     * A window's GPUs are at work from this mean utilisation on (a kernel ran a fifth of the time): the same
     * line as a busy GPU's ({@link WindowAccumulator#BUSY_MIN_SM}).
     */
    public static final double GPUS_AT_WORK_MIN_UTIL = WindowAccumulator.BUSY_MIN_SM;

    // ---- names of V3, for code that reads features by name ----
    public static final String FLOWS = "flows";
    public static final String EXTERNAL_HOSTS = "external_hosts";
    public static final String EXTERNAL_BYTES_OUT = "external_bytes_out";
    public static final String EXTERNAL_BYTES_IN = "external_bytes_in";
    public static final String EXTERNAL_INBOUND_HOSTS = "external_inbound_hosts";
    public static final String RARE_EXTERNAL_HOSTS = "rare_external_hosts";
    public static final String RARE_EXTERNAL_BYTES_OUT = "rare_external_bytes_out";
    public static final String RARE_EXTERNAL_UPLOAD_RATIO = "rare_external_upload_ratio";
    public static final String RARE_LONG_LIVED_HOSTS = "rare_long_lived_hosts";
    public static final String RARE_LONGEST_MINUTES = "rare_longest_minutes";
    public static final String RARE_INTERACTIVITY = "rare_interactivity";
    public static final String RARE_SSH_FLOWS = "rare_ssh_flows";
    public static final String INTERNAL_HOSTS = "internal_hosts";
    public static final String FAILED_HOSTS = "failed_hosts";
    public static final String FAILED_ATTEMPT_RATIO = "failed_attempt_ratio";
    public static final String FAILED_PORTS_ONE_HOST = "failed_ports_one_host";
    public static final String FAILED_HOSTS_ONE_PORT = "failed_hosts_one_port";
    public static final String FAILED_TARGETS = "failed_targets";
    public static final String RECENT_FAILED_TARGETS = "recent_failed_targets";
    public static final String METADATA_SERVICE_FLOWS = "metadata_service_flows";
    public static final String GPU_COUNT = "gpu_count";
    public static final String GPU_TELEMETRY = "gpu_telemetry";
    public static final String GPU_UTIL = "gpu_util";
    public static final String SM_ACTIVE = "sm_active";
    public static final String TENSOR_ACTIVE = "tensor_active";
    public static final String DRAM_ACTIVE = "dram_active";
    public static final String SM_WITHOUT_TENSOR = "sm_without_tensor";
    public static final String HASHING_GPU_FRACTION = "hashing_gpu_fraction";
    public static final String HASHING_DIVERGENCE = "hashing_divergence";
    public static final String TENSOR_RATIO_SPREAD = "tensor_ratio_spread";
    public static final String PROCESS_NAMES = "process_names";
    public static final String ODD_PROCESS_GPU_FRACTION = "odd_process_gpu_fraction";
    public static final String BUSY_GPUS_WITHOUT_PROCESS = "busy_gpus_without_process";
    public static final String MINER_PROCESS = "miner_process";
    public static final String SHARED_GPU_PROCESSES = "shared_gpu_processes";

    private static final Direction UP = Direction.UP;
    private static final Direction CONTEXT = Direction.CONTEXT;
    /** Marks a feature of how the GPUs work ({@link Feature#gpuWork}). */
    private static final boolean GPU_WORK = true;

    /**
     * The third feature set: scans of any target from failed attempts (TCP, ICMP echo, UDP judged per host),
     * of any shape and any pace ({@link #FAILED_TARGETS}, {@link #RECENT_FAILED_TARGETS}), hosts only; how many
     * more compute processes time-slice the job's busy GPUs than one each ({@link #SHARED_GPU_PROCESSES}: a
     * data-parallel job runs one rank per GPU, so a second process on a busy GPU is a second workload whatever
     * its name, the one sign of a miner beside an FP32 job); and a direction for each feature. Each feature's
     * {@code why} says why its direction is what it is.
     */
    public static final FeatureSet V3 = of(
            "v3",
            List.of(
                    // -- network, volume and reach
                    Feature.tally(
                            FLOWS,
                            "log1p(flow reports the job took part in, both directions)",
                            UP,
                            "scans, floods and pools add connections; fewer is a quieter job"),
                    Feature.tally(
                            EXTERNAL_HOSTS,
                            "log1p(distinct external hosts the job exchanged traffic with)",
                            UP,
                            "reaching more of the internet is how probing and spreading look; fewer is less traffic"),
                    new Feature(
                            EXTERNAL_BYTES_OUT,
                            "log1p(bytes the job sent to external hosts)",
                            UP,
                            "data leaves a cluster as bytes out; sending less harms no one"),
                    new Feature(
                            EXTERNAL_BYTES_IN,
                            "log1p(bytes the job received from external hosts)",
                            UP,
                            "tools, payloads and stolen work come in as bytes; receiving less is a quieter job"),
                    new Feature(
                            EXTERNAL_INBOUND_HOSTS,
                            "log1p(distinct external hosts that opened connections to the job)",
                            UP,
                            "an outsider connecting in means a listener the job exposed; none is the normal"),
                    // -- network, hosts no other job uses (tunnel endpoints, pools, drops)
                    new Feature(
                            RARE_EXTERNAL_HOSTS,
                            "log1p(distinct rare external hosts: no other job talked to them over the lookback)",
                            UP,
                            "a new private endpoint is what a tunnel, pool or drop needs; fewer is only less traffic"),
                    new Feature(
                            RARE_EXTERNAL_BYTES_OUT,
                            "log1p(bytes the job sent to rare external hosts)",
                            UP,
                            "exfiltration is bytes out to a host only this job uses"),
                    new Feature(
                            RARE_EXTERNAL_UPLOAD_RATIO,
                            "bytes sent / bytes exchanged with rare external hosts, 0..1; 0 without bytes",
                            UP,
                            "an upload sends more than it receives; a download from a new mirror goes the other way"),
                    new Feature(
                            RARE_LONG_LIVED_HOSTS,
                            "log1p(rare external hosts with a long-lived connection: still open, or open 5 min or more)",
                            UP,
                            "tunnels and pool sessions stay open for hours; short fetches close"),
                    new Feature(
                            RARE_LONGEST_MINUTES,
                            "log1p(minutes the longest connection to a rare external host has been open)",
                            UP,
                            "the longer a private connection lasts, the more it looks like a session someone holds"),
                    new Feature(
                            RARE_INTERACTIVITY,
                            "highest interactivity (small packets both ways, 0..1) of a long-lived connection to a rare external host",
                            UP,
                            "keystrokes, keep-alives and shares are small packets both ways; bulk transfers are not"),
                    new Feature(
                            RARE_SSH_FLOWS,
                            "log1p(flow reports with rare external hosts on service port 22)",
                            UP,
                            "a shell on a host no other job uses; git over SSH goes to popular hosts"),
                    // -- network, reach inside the cluster
                    Feature.tally(
                            INTERNAL_HOSTS,
                            "log1p(distinct internal hosts the job opened connections to)",
                            UP,
                            "lateral movement reaches new internal hosts; a job talks to a fixed set of peers and stores"),
                    // -- network, failed attempts to any host, internal or external (reconnaissance)
                    Feature.tally(
                            FAILED_HOSTS,
                            "log1p(distinct hosts, any scope, that most of the job's attempts failed on and that sent it no payload)",
                            UP,
                            "a sweep meets hosts that are not there or filter it; a workload talks to services that answer"),
                    new Feature(
                            FAILED_ATTEMPT_RATIO,
                            "failed / (all attempts the job made (TCP connections, ICMP echo requests) + 1), 0..1: one"
                                    + " answered attempt more, so that a share of a handful of attempts, mostly chance,"
                                    + " is shrunk towards none (1 failed of 1 is 0.5, 200 of 200 is 0.995)",
                            UP,
                            "scanning is mostly failure, over many attempts; a healthy client mostly succeeds, and one"
                                    + " refused attempt is a fault (a resolver down), not a share"),
                    Feature.tally(
                            FAILED_PORTS_ONE_HOST,
                            "log1p(most distinct service ports on one host where the job's attempts failed and none was answered; capped"
                                    + " at 64)",
                            UP,
                            "a vertical scan tries many closed ports of one host; a service listens on one or two"),
                    Feature.tally(
                            FAILED_HOSTS_ONE_PORT,
                            "log1p(most distinct hosts one service port failed on, among ports where most hosts tried failed)",
                            UP,
                            "a horizontal sweep tries one port on many hosts that do not answer; a busy client's servers answer"),
                    Feature.tally(
                            FAILED_TARGETS,
                            "log1p(distinct services, host and port, the job failed to reach, on ports where most hosts tried failed)",
                            UP,
                            "a scan of any shape (many ports, many hosts, a few ports across a subnet) is services that do"
                                    + " not answer; a workload's services answer, and a busy client's port mostly does"),
                    Feature.tally(
                            RECENT_FAILED_TARGETS,
                            "log1p(the same, distinct over the job's last 30 to 40 minutes (ScanMemory)), in a window that keeps"
                                    + " the memory's pace; else the window's own (0 in a window without)",
                            UP,
                            "a slow scan leaves a target or two a minute, which add up; a workload fails on the same few"
                                    + " services, if any, and a scan that stopped raises nothing"),
                    new Feature(
                            METADATA_SERVICE_FLOWS,
                            "log1p(flow reports with a cloud instance metadata service)",
                            UP,
                            "it hands out the node's credentials; pods have their own, so asking it more is the risk"),
                    // -- GPUs, job-wide
                    new Feature(
                            GPU_COUNT,
                            "log1p(distinct GPUs, by node and index, sampled in the window)",
                            CONTEXT,
                            "the scheduler decides it; how many GPUs report says how to read the GPU features, not misuse"),
                    new Feature(
                            GPU_TELEMETRY,
                            "fraction of GPU samples with profiling fields (sm_active and tensor_active); 0 without samples",
                            CONTEXT,
                            "says whether profiling features mean idle or unknown; collectors differ, neither way is misuse"),
                    new Feature(
                            GPU_UTIL,
                            "mean GPU utilisation, 0..1",
                            UP,
                            "diverted work keeps GPUs busier than the job's own; idle GPUs are a restart or a stall",
                            GPU_WORK),
                    new Feature(
                            SM_ACTIVE,
                            "mean SM activity over profiled samples, 0..1",
                            UP,
                            "hashing and foreign work occupy the SMs; idle SMs are a quiet job",
                            GPU_WORK),
                    new Feature(
                            TENSOR_ACTIVE,
                            "mean tensor-pipe activity over profiled samples, 0..1",
                            UP,
                            "someone else's model training on the job's GPUs adds tensor work; less is a quieter job",
                            GPU_WORK),
                    new Feature(
                            DRAM_ACTIVE,
                            "mean device-memory activity over samples that report it, 0..1",
                            UP,
                            "memory-hard hashing (ethash, kawpow) saturates DRAM; idle memory is a quiet job",
                            GPU_WORK),
                    new Feature(
                            SM_WITHOUT_TENSOR,
                            "1 - tensor / SM activity over busy samples (SM >= 0.2), 0..1; 0 without busy samples",
                            UP,
                            "SMs busy with work the tensor pipes take no part in: hashing, or a job that is not deep learning",
                            GPU_WORK),
                    // -- GPUs, per GPU: does one GPU do something the others do not?
                    new Feature(
                            HASHING_GPU_FRACTION,
                            "fraction of profiled GPUs in the hashing pattern over the window: SM active >= 0.5, tensor < 0.1 x SM",
                            UP,
                            "hashing kernels keep SMs busy and tensor pipes idle; more such GPUs is more mining",
                            GPU_WORK),
                    new Feature(
                            HASHING_DIVERGENCE,
                            "among busy GPUs (mean SM >= 0.2): highest minus lowest share of samples in the hashing pattern",
                            UP,
                            "a job runs the same kernels on all its GPUs; some hashing while others do not is a second workload",
                            GPU_WORK),
                    new Feature(
                            TENSOR_RATIO_SPREAD,
                            "among busy GPUs: (max - min) / max of per-GPU tensor/SM; 0 when max < 0.1 or fewer than 2 busy GPUs",
                            UP,
                            "data-parallel GPUs use tensor pipes alike; a spread is GPUs serving another workload",
                            GPU_WORK),
                    new Feature(
                            PROCESS_NAMES,
                            "log1p(distinct compute process names on the job's GPUs)",
                            UP,
                            "a foreign process adds a name; fewer names is processes ending (a restart, the tail of a job)"),
                    new Feature(
                            ODD_PROCESS_GPU_FRACTION,
                            "fraction of GPUs with processes that run a name found on fewer than half of them",
                            UP,
                            "a data-parallel job runs one program on every GPU; a name on a few is something else"),
                    new Feature(
                            BUSY_GPUS_WITHOUT_PROCESS,
                            "fraction of busy GPUs (mean SM >= 0.2, or util >= 20% unprofiled) on which no sample listed a process",
                            UP,
                            "work on the job's GPUs with the job's processes gone is someone else's; idle GPUs without processes are a restart",
                            GPU_WORK),
                    new Feature(
                            SHARED_GPU_PROCESSES,
                            "log1p(compute processes, by pid, beyond one per busy GPU: each busy GPU's mean over its samples, summed)",
                            UP,
                            "a job's ranks own a GPU each; another process time-slicing a busy GPU is a second workload (a miner"
                                    + " named like the job's own); fewer is processes ending",
                            GPU_WORK),
                    new Feature(
                            MINER_PROCESS,
                            "1 when a GPU process name contains a known miner's name (MinerNames), else 0",
                            UP,
                            "a miner's name appearing is the suspicious way; its absence proves nothing")));

    // ---- names of the agent-behaviour features ({@link #AGENT}) ----
    public static final String AGENT_CALLS = "agent_calls";
    public static final String AGENT_NETWORK_CALLS = "agent_network_calls";
    public static final String AGENT_MINER_CALLS = "agent_miner_calls";
    public static final String AGENT_FAILED_RUN = "agent_failed_run";
    public static final String AGENT_TUNNEL_CALLS = "agent_tunnel_calls";
    public static final String AGENT_PROBE_CALLS = "agent_probe_calls";

    /**
     * What a job's agents did in a window, from their tool calls ({@code io.vigil.models.agents.AgentBehaviour}):
     * read only by the per-job model of agent behaviour ({@code io.vigil.models.agents.AgentShift}), never by the
     * fleet's. Most jobs run no agents, so the fleet's typical value of each is 0 and any RL window would be far
     * from it; what an agent's calls mean is only known against the same job's own episodes (one RL task installs
     * packages and clones over HTTPS every episode, another never touches the network).
     */
    public static final FeatureSet AGENT = of(
            "a1",
            List.of(
                    new Feature(
                            AGENT_CALLS,
                            "log1p(tool calls the job's agents ended in the window)",
                            CONTEXT,
                            "how busy the agents are is the trainer's schedule; it says how to read the others, not misuse"),
                    Feature.tally(
                            AGENT_NETWORK_CALLS,
                            "log1p(calls that touch the network the way tunnels, probes and payloads do: remote shells,"
                                    + " raw sockets, scanners, tunnel clients, package installs, downloads from a raw address)",
                            UP,
                            "reaching out is how a tunnel, a probe or a download starts; the job's own episodes say how"
                                    + " much of it (installs, fetches) its task needs"),
                    new Feature(
                            AGENT_MINER_CALLS,
                            "log1p(calls whose command names a miner, a stratum URL or a mining pool)",
                            UP,
                            "no task of a training run needs a miner; its first mention is the evidence"),
                    Feature.tally(
                            AGENT_FAILED_RUN,
                            "log1p(the longest run of failing calls in one episode)",
                            UP,
                            "an agent hammering at what refuses it (probing, guessing, a blocked path) fails again and"
                                    + " again; a task's ordinary failures are a test or two"),
                    new Feature(
                            AGENT_TUNNEL_CALLS,
                            "log1p(calls that open a tunnel, relay or remote shell to an outside host: ssh -R/-L/-D,"
                                    + " autossh, chisel, ngrok, socat or nc -e to an outside address (CallBehaviour.TUNNEL))",
                            UP,
                            "a way into the cluster from outside, or out of it around the egress rules, is no training"
                                    + " task's; its first occurrence is the evidence"),
                    new Feature(
                            AGENT_PROBE_CALLS,
                            "log1p(calls that probe for services: a scanner at a target, nc -z over a port range, a"
                                    + " connect loop over targets (CallBehaviour.PROBE))",
                            UP,
                            "looking for what listens is reconnaissance; a task waits on its own service, it does not"
                                    + " sweep for others")));

    /**
     * {@link #V3} and then the agent-behaviour features ({@link #AGENT}), each defined as there: what windows carry
     * once the pipeline computes agent behaviour. The learned models read only the {@link #V3} part, by name
     * ({@link #project}), so a model trained on V3 scores a V4 window exactly as the V3 window it holds; the agent
     * part is read per job only. Not {@link #CURRENT} until the pipeline computes it.
     */
    public static final FeatureSet V4 = of(
            "v4",
            Stream.concat(V3.features().stream(), AGENT.features().stream()).toList());

    /** The feature set this build computes. */
    public static final FeatureSet CURRENT = V3;

    private final String version;
    private final List<Feature> features;
    private final List<String> names;
    private final Map<String, Integer> index;
    private final String hash;

    private FeatureSet(String version, List<Feature> features) {
        this.version = version;
        this.features = List.copyOf(features);
        this.names = this.features.stream().map(Feature::name).toList();
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            if (byName.put(names.get(i), i) != null) {
                throw new IllegalArgumentException("feature '" + names.get(i) + "' appears twice in " + version);
            }
        }
        this.index = Map.copyOf(byName);
        this.hash = sha256Prefix(version, names);
    }

    /** A feature set; names must be unique. */
    public static FeatureSet of(String version, List<Feature> features) {
        Objects.requireNonNull(version, "version");
        if (version.isBlank() || version.contains("-")) {
            throw new IllegalArgumentException("feature-set version must be non-blank without '-': '" + version + "'");
        }
        if (features.isEmpty()) {
            throw new IllegalArgumentException("feature set " + version + " has no features");
        }
        return new FeatureSet(version, features);
    }

    public String version() {
        return version;
    }

    public List<Feature> features() {
        return features;
    }

    public List<String> names() {
        return names;
    }

    /** Each feature's direction, in the set's order (a copy). */
    public Direction[] directions() {
        return features.stream().map(Feature::direction).toArray(Direction[]::new);
    }

    /** Which features are tallies ({@link Feature#tally}), in the set's order. */
    public boolean[] tallies() {
        boolean[] out = new boolean[features.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = features.get(i).tally();
        }
        return out;
    }

    /** Which features describe how the GPUs work ({@link Feature#gpuWork}), in the set's order. */
    public boolean[] gpuWork() {
        boolean[] out = new boolean[features.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = features.get(i).gpuWork();
        }
        return out;
    }

    /**
     * Whether the window's GPUs were at work: mean utilisation at least {@link #GPUS_AT_WORK_MIN_UTIL}. Every
     * collector reports utilisation (profiling fields are optional), and SM activity never exceeds it. False
     * for a set without {@link #GPU_UTIL}.
     */
    public boolean gpusAtWork(double[] values) {
        checkLength(values);
        Integer util = index.get(GPU_UTIL);
        return util != null && values[util] >= GPUS_AT_WORK_MIN_UTIL;
    }

    /**
     * The window moved to {@code baseline} in every feature where it lies on the benign side of it (below
     * the baseline for {@link Direction#UP}, above for {@link Direction#DOWN}) and in every context feature;
     * unchanged where it lies on the suspicious side, and for {@link Direction#BOTH}. What the fleet and
     * supervised detectors read: with it, a window that is only quieter than the fleet's typical one looks
     * exactly typical, so only the suspicious direction can set it apart.
     */
    public double[] towardsBaseline(double[] values, double[] baseline) {
        checkLength(values);
        checkLength(baseline);
        double[] out = values.clone();
        for (int i = 0; i < out.length; i++) {
            Direction d = features.get(i).direction();
            if (d == Direction.CONTEXT || (d != Direction.BOTH && !d.suspicious(values[i] - baseline[i]))) {
                out[i] = baseline[i];
            }
        }
        return out;
    }

    public int size() {
        return names.size();
    }

    /** @throws IllegalArgumentException if the set has no such feature */
    public int index(String name) {
        Integer i = index.get(name);
        if (i == null) {
            throw new IllegalArgumentException("no feature '" + name + "' in feature set " + id());
        }
        return i;
    }

    public boolean contains(String name) {
        return index.containsKey(name);
    }

    /**
     * Why a model of another feature set cannot score with this one, and what to do: names both sets and
     * how to retrain on this one.
     *
     * @param modelFeatureSetId the {@link #id()} the model was trained on
     */
    public String refusal(String modelFeatureSetId) {
        return "the model was trained on feature set " + modelFeatureSetId + ", this build computes " + id()
                + " (features and their meaning changed; a model only scores the features it was trained on)."
                + " Retrain it on windows this build writes: vigil windows DATASET_DIRS --out windows.jsonl.gz,"
                + " then vigil train --windows windows.jsonl.gz --out MODEL (scripts/train-default-model.sh does"
                + " both for the default model)";
    }

    /**
     * First 8 hex digits of SHA-256 over the version and the names in order: changes when any name or the
     * order does. It cannot see how a feature is computed: change that and the version must change too.
     */
    public String hash() {
        return hash;
    }

    /** version-hash, e.g. {@code v3-3fa2c1d0}: what {@code JobWindow.feature_set} and model artifacts carry. */
    public String id() {
        return version + "-" + hash;
    }

    /** Name to value, in this set's order. */
    public LinkedHashMap<String, Double> toMap(double[] values) {
        checkLength(values);
        LinkedHashMap<String, Double> map = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            map.put(names.get(i), values[i]);
        }
        return map;
    }

    /**
     * The values of {@code target}'s features, taken by name from {@code values} (a vector of this set): how a model
     * trained on one set scores the windows of a later set that keeps its features. {@code values} itself when the
     * sets are the same.
     *
     * @throws IllegalArgumentException naming the first feature of {@code target} this set lacks or defines otherwise
     *     (the same name measuring something else must not be read as the old feature)
     */
    public double[] project(double[] values, FeatureSet target) {
        checkLength(values);
        if (target.equals(this)) {
            return values;
        }
        double[] out = new double[target.size()];
        for (int i = 0; i < out.length; i++) {
            Feature wanted = target.features.get(i);
            int from = index(wanted.name());
            if (!features.get(from).equals(wanted)) {
                throw new IllegalArgumentException(
                        "feature '" + wanted.name() + "' of " + target.id() + " is defined otherwise in " + id());
            }
            out[i] = values[from];
        }
        return out;
    }

    /**
     * The vector of a name-to-value map (as {@code JobWindow.features} holds it). Names the set does not
     * have are ignored, so windows written with more features still read.
     *
     * @throws IllegalArgumentException naming the first feature of this set the map lacks (or holds null for)
     */
    public double[] fromMap(Map<String, Double> values) {
        double[] out = new double[names.size()];
        for (int i = 0; i < out.length; i++) {
            Double v = values.get(names.get(i));
            if (v == null) {
                throw new IllegalArgumentException("feature '" + names.get(i) + "' of " + id() + " is missing");
            }
            out[i] = v;
        }
        return out;
    }

    /** @throws IllegalArgumentException unless the vector has one value per feature */
    public void checkLength(double[] values) {
        if (values.length != names.size()) {
            throw new IllegalArgumentException(
                    "feature set " + id() + " has " + names.size() + " features, the vector " + values.length);
        }
    }

    private static String sha256Prefix(String version, List<String> names) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(version.getBytes(StandardCharsets.UTF_8));
            for (String name : names) {
                sha.update((byte) '\n');
                sha.update(name.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureSet f && version.equals(f.version) && features.equals(f.features);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, features);
    }

    @Override
    public String toString() {
        return "FeatureSet " + id() + " " + names;
    }
}
