package io.vigil.models.scoring;

import static io.vigil.models.features.FeatureSet.AGENT_MINER_CALLS;
import static io.vigil.models.features.FeatureSet.AGENT_PROBE_CALLS;
import static io.vigil.models.features.FeatureSet.AGENT_TUNNEL_CALLS;
import static io.vigil.models.features.FeatureSet.FAILED_ATTEMPT_RATIO;
import static io.vigil.models.features.FeatureSet.FAILED_HOSTS;
import static io.vigil.models.features.FeatureSet.FAILED_HOSTS_ONE_PORT;
import static io.vigil.models.features.FeatureSet.FAILED_PORTS_ONE_HOST;
import static io.vigil.models.features.FeatureSet.FAILED_TARGETS;
import static io.vigil.models.features.FeatureSet.HASHING_DIVERGENCE;
import static io.vigil.models.features.FeatureSet.HASHING_GPU_FRACTION;
import static io.vigil.models.features.FeatureSet.METADATA_SERVICE_FLOWS;
import static io.vigil.models.features.FeatureSet.MINER_PROCESS;
import static io.vigil.models.features.FeatureSet.ODD_PROCESS_GPU_FRACTION;
import static io.vigil.models.features.FeatureSet.RARE_EXTERNAL_BYTES_OUT;
import static io.vigil.models.features.FeatureSet.RARE_EXTERNAL_UPLOAD_RATIO;
import static io.vigil.models.features.FeatureSet.RARE_INTERACTIVITY;
import static io.vigil.models.features.FeatureSet.RARE_LONGEST_MINUTES;
import static io.vigil.models.features.FeatureSet.RARE_LONG_LIVED_HOSTS;
import static io.vigil.models.features.FeatureSet.RARE_SSH_FLOWS;
import static io.vigil.models.features.FeatureSet.RECENT_FAILED_TARGETS;
import static io.vigil.models.features.FeatureSet.TENSOR_RATIO_SPREAD;

import io.vigil.models.features.FeatureSet;
import io.vigil.records.Category;
import io.vigil.records.Reason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The simplest honest scorer: a handful of named, physically motivated indicators over the features,
 * combined transparently. Every indicator looks for something being there (failed attempts, hashing GPUs,
 * a private long-lived session), never for something missing: as the feature set's directions say, a
 * quieter window than usual is never misuse, and a window with every feature at 0 scores 0. It is a <b>stopgap</b> until the learned detectors of issue #5 (fleet Isolation
 * Forest, per-job online model, supervised classifier) replace it; it needs no training data and every
 * alert it raises can be read back to a rule.
 *
 * <p><b>How it decides.</b> Each {@link Indicator} reads a few features and returns a strength in [0, 1]
 * (a ramp between a "nothing unusual" and a "clearly this" value, chosen from what the behaviour
 * physically means, never fitted to a dataset). Its contribution is {@code weight x strength}; the score
 * is their noisy-OR, {@code 1 - prod(1 - contribution)}, so independent indicators corroborate each other
 * and the score stays in [0, 1]. A window is flagged at {@value #THRESHOLD}. Weights say how conclusive
 * an indicator is alone: at 0.5 or more it can flag a window by itself (a sweep of the internal network);
 * below, it only flags with another (a miner's process name, a metadata-service call, SSH to a new host).
 *
 * <p><b>Categories</b> are those whose indicators together (noisy-OR) contribute at least
 * {@value #CATEGORY_MIN}, strongest first; UNKNOWN if a flagged window has none. <b>Reasons</b> are the
 * features of the indicators that fired, each weighted by its indicator's share of the total contribution
 * (split evenly over the indicator's features), with the fleet baseline: what a benign training window
 * shows, which for every feature read here is 0 (no rare addresses, no failed attempts, no
 * hashing GPUs, no odd processes). Severity follows {@link Verdict#severity}.
 *
 * <p><b>Known blind spots</b>, left to the learned models: a miner on <em>all</em> of a job's GPUs with
 * a renamed binary and a pool reached through a popular proxy looks like FP32 training or a scientific
 * simulation (the per-job model sees the change, and the miner's own pid beside the job's on each GPU,
 * {@code shared_gpu_processes}; no rule reads that, since benign helpers such as DataLoader workers with a
 * CUDA context share a GPU too); a destination shared by two compromised jobs is no longer rare; right after start-up
 * the destination history is empty and every external address is rare until the fleet has been seen.
 */
public final class IndicatorScorer implements WindowScorer {
    private static final long serialVersionUID = 1L;

    public static final String MODEL_VERSION = "indicators-v3";
    public static final double THRESHOLD = 0.5;
    /** A category is named when its indicators together contribute at least this much. */
    public static final double CATEGORY_MIN = 0.2;

    private static final double MIB = 1024.0 * 1024.0;
    /** Failed targets (services: host and port) from which a scan starts to show, and where it is certain. */
    static final double TARGETS_LOW = 10;

    static final double TARGETS_HIGH = 30;

    /** One named condition on the features. */
    public enum Indicator {
        /**
         * One service port tried on many hosts, most of which never answered, inside the cluster or out: a
         * horizontal sweep (SSH, RDP, databases). A busy client's servers answer, so its ports stay out of
         * the feature (see {@code failed_hosts_one_port}). Ramp: 6 hosts to 20 in a window. Twenty hosts that
         * do not answer on one port within a minute is as conclusive as an indicator gets: 0.95.
         */
        PORT_SWEEP(Category.NETWORK_SCAN, 0.95, FAILED_HOSTS_ONE_PORT, FAILED_HOSTS) {
            @Override
            double strength(View v) {
                return ramp(v.count(FAILED_HOSTS_ONE_PORT), 6, 20);
            }
        },
        /**
         * A service listens on one or two ports; collectives use a couple per peer. Many ports of one host
         * failing in a window is a port scan, of an internal host or an external one. Ramp: 8 ports to 24;
         * two dozen closed ports of one host within a minute is no workload's doing: 0.95.
         */
        VERTICAL_PORT_SCAN(Category.NETWORK_SCAN, 0.95, FAILED_PORTS_ONE_HOST, FAILED_ATTEMPT_RATIO) {
            @Override
            double strength(View v) {
                return ramp(v.count(FAILED_PORTS_ONE_HOST), 8, 24);
            }
        },
        /**
         * A job talks to a fixed set of peers, stores and services, and they answer. Many distinct hosts in
         * one window that the job could not reach, on whatever ports, while a fair share of all its attempts
         * fail, is a sweep of a network. Ramps: 8 hosts (a small job whose peers went away) to 24, and 5% to
         * 25% of the job's attempts failed (a crawler meeting a few dead servers stays below).
         */
        HOST_SWEEP(Category.NETWORK_SCAN, 0.8, FAILED_HOSTS, FAILED_ATTEMPT_RATIO) {
            @Override
            double strength(View v) {
                return ramp(v.count(FAILED_HOSTS), 8, 24) * ramp(v.value(FAILED_ATTEMPT_RATIO), 0.05, 0.25);
            }
        },
        /**
         * Services (host and port) the job could not reach, on ports where most hosts it tried did not answer,
         * whatever the scan's shape: many ports of one host, one port of many hosts, or a few ports across a
         * subnet, which neither of the two rules above sees (19 hosts x 20 ports, 46 probes in 60 ms, has at
         * most 5 ports on a host and 6 hosts on a port). A workload's services answer, and a busy client's port
         * mostly does, so it stays out (see {@code failed_targets}). Ramp: 10 targets to 30 in a window; Zeek's
         * scan policy called 15 ports of one host, or 25 hosts of one port, in five minutes a scan: 0.95.
         */
        TARGET_SWEEP(Category.NETWORK_SCAN, 0.95, FAILED_TARGETS) {
            @Override
            double strength(View v) {
                return ramp(v.count(FAILED_TARGETS), TARGETS_LOW, TARGETS_HIGH);
            }
        },
        /**
         * The same over the job's last half hour ({@code recent_failed_targets}, reported only in a window that
         * adds failed targets of its own at the memory's pace): a scan slower than a window, one port every ten seconds or one host a
         * minute, adds up where no minute alone shows anything. A workload fails, if at all, on the same few
         * services, which count once. Same ramp, 10 to 30 targets: a sweep of one host a minute reaches full
         * strength in half an hour, a port every ten seconds in five minutes. Its strength is what the past adds
         * to {@link #TARGET_SWEEP}'s, so a scan within one window is that rule's alone. A little less conclusive
         * than the same count within one window: 0.9.
         */
        SLOW_SCAN(Category.NETWORK_SCAN, 0.9, RECENT_FAILED_TARGETS) {
            @Override
            double strength(View v) {
                return ramp(v.count(RECENT_FAILED_TARGETS), TARGETS_LOW, TARGETS_HIGH)
                        - ramp(v.count(FAILED_TARGETS), TARGETS_LOW, TARGETS_HIGH);
            }
        },
        /**
         * The cloud metadata service hands out the node's credentials. Pods get theirs from service
         * accounts, so asking it is unusual, but SDKs do probe it: weak alone, telling next to a sweep.
         */
        METADATA_PROBE(Category.NETWORK_SCAN, 0.3, METADATA_SERVICE_FLOWS) {
            @Override
            double strength(View v) {
                return v.value(METADATA_SERVICE_FLOWS) > 0 ? 1 : 0;
            }
        },
        /**
         * A connection the job holds open to an external address no other job uses, carrying small
         * packets both ways (keystrokes, echoes, keep-alives): a remote shell or a tunnel, whatever the
         * port. Popular long-lived connections (experiment trackers) are not rare; downloads and uploads
         * are not interactive. When the GPUs show hashing the same connection is more likely the mining
         * pool's, and counts for {@link #HASHING_WITH_RARE_PERSISTENT_CONNECTION} instead, unless it is SSH.
         * Ramp: interactivity 0.3 to 0.7.
         */
        REVERSE_TUNNEL(Category.REVERSE_TUNNEL, 0.75, RARE_LONG_LIVED_HOSTS, RARE_INTERACTIVITY, RARE_LONGEST_MINUTES) {
            @Override
            double strength(View v) {
                if (v.value(RARE_LONG_LIVED_HOSTS) <= 0) {
                    return 0;
                }
                double poolInstead = v.value(RARE_SSH_FLOWS) > 0 ? 0 : 0.8 * hashingEvidence(v);
                return ramp(v.value(RARE_INTERACTIVITY), 0.3, 0.7) * (1 - poolInstead);
            }
        },
        /**
         * SSH to an external address no other job uses. Git over SSH goes to popular code hosts; a
         * one-off host is a shell somewhere. Weak alone (a team's own git server), telling with a tunnel.
         */
        SSH_TO_RARE_HOST(Category.REVERSE_TUNNEL, 0.35, RARE_SSH_FLOWS) {
            @Override
            double strength(View v) {
                return v.value(RARE_SSH_FLOWS) > 0 ? 1 : 0;
            }
        },
        /**
         * Tens of MiB in one minute to an address no other job uses, with the job sending far more than
         * it receives: model weights or a dataset shard leaving, where API calls and logs are KiB to a few
         * MiB, and a download from a new mirror goes the other way. Checkpoint exports go to object stores
         * many jobs use, which are not rare, but a team's own bucket is rare too (one job writes to it): so this is
         * weaker evidence than a scan or a miner, 0.6, and it is calibrated with them in one tail, where a benign
         * upload at its weight must not make every stronger rule look ordinary. Ramps: 4 to 32 MiB (32 MiB a
         * minute is a sustained 4.5 Mbit/s), and 50% to 80% of the bytes sent.
         */
        LARGE_UPLOAD_TO_RARE_HOST(Category.EXFILTRATION, 0.6, RARE_EXTERNAL_BYTES_OUT, RARE_EXTERNAL_UPLOAD_RATIO) {
            @Override
            double strength(View v) {
                return ramp(v.count(RARE_EXTERNAL_BYTES_OUT), 4 * MIB, 32 * MIB)
                        * ramp(v.value(RARE_EXTERNAL_UPLOAD_RATIO), 0.5, 0.8);
            }
        },
        /**
         * Hashing kernels keep the SMs busy with integer work and never touch the tensor pipes. A job runs
         * the same kernels on all its GPUs, so some busy GPUs hashing while others run tensor work means
         * something else took those GPUs. FP32 training idles the tensor pipes on all GPUs alike, and
         * leaves this at 0. Ramp: divergence 0.3 to 0.7 (a part-time miner moves it part of the way).
         */
        HASHING_ON_SOME_GPUS(
                Category.CRYPTO_MINING, 0.7, HASHING_DIVERGENCE, HASHING_GPU_FRACTION, TENSOR_RATIO_SPREAD) {
            @Override
            double strength(View v) {
                return ramp(v.value(HASHING_DIVERGENCE), 0.3, 0.7);
            }
        },
        /** A known miner's process name on GPUs that show hashing: two independent signs of the same thing. */
        HASHING_WITH_MINER_PROCESS(Category.CRYPTO_MINING, 0.9, MINER_PROCESS, HASHING_GPU_FRACTION) {
            @Override
            double strength(View v) {
                return v.value(MINER_PROCESS) > 0 ? hashingEvidence(v) : 0;
            }
        },
        /** A known miner's process name alone: weak, a name is trivially changed or borrowed. */
        MINER_PROCESS_NAME(Category.CRYPTO_MINING, 0.35, MINER_PROCESS) {
            @Override
            double strength(View v) {
                return v.value(MINER_PROCESS) > 0 ? 1 : 0;
            }
        },
        /**
         * GPUs in the hashing pattern while the job holds a long-lived connection to an address no other
         * job uses, carrying small messages both ways: the shape of a miner and its pool (jobs down, shares
         * up, a few hundred bytes each, for hours). FP32 training talks to popular trackers and stores,
         * which are not rare, and a tracker's metric batches are not small messages. Ramp: interactivity
         * 0.3 to 0.7, as for the tunnel.
         */
        HASHING_WITH_RARE_PERSISTENT_CONNECTION(
                Category.CRYPTO_MINING, 0.8, HASHING_GPU_FRACTION, RARE_LONG_LIVED_HOSTS, RARE_INTERACTIVITY) {
            @Override
            double strength(View v) {
                if (v.value(RARE_LONG_LIVED_HOSTS) <= 0) {
                    return 0;
                }
                return hashingEvidence(v) * ramp(v.value(RARE_INTERACTIVITY), 0.3, 0.7);
            }
        },
        /**
         * A process that runs on only some of the job's GPUs, while those GPUs use their tensor pipes
         * differently from the rest: the GPUs serve a workload that is not the job's (another model
         * trained or served on the job's allocation). A helper process alone (a monitor on GPU 0) leaves
         * the compute uniform and this at 0. Hashing GPUs are mining's, and counted there instead.
         * Ramp: tensor/SM spread 0.2 to 0.5.
         */
        FOREIGN_PROCESS_ON_SOME_GPUS(Category.GPU_DIVERSION, 0.6, ODD_PROCESS_GPU_FRACTION, TENSOR_RATIO_SPREAD) {
            @Override
            double strength(View v) {
                if (v.value(ODD_PROCESS_GPU_FRACTION) <= 0) {
                    return 0;
                }
                return ramp(v.value(TENSOR_RATIO_SPREAD), 0.2, 0.5) * (1 - hashingEvidence(v));
            }
        },
        /**
         * An agent's tool call, ended in the window, that opened a tunnel, a relay or a remote shell to a host outside
         * the cluster ({@code ssh -R} to a VPS, a chisel client, ngrok, {@code nc -e}): the ROME agent's act, named by
         * the command itself before its traffic shows anything. No training task needs a way in from outside. One
         * call is the evidence: 0.9, as conclusive as a sweep.
         */
        AGENT_TUNNEL(Category.REVERSE_TUNNEL, 0.9, AGENT_TUNNEL_CALLS) {
            @Override
            double strength(View v) {
                return v.value(AGENT_TUNNEL_CALLS) > 0 ? 1 : 0;
            }
        },
        /** An agent's call that runs or fetches a miner, or names a stratum URL or a mining pool: 0.9. */
        AGENT_MINER(Category.CRYPTO_MINING, 0.9, AGENT_MINER_CALLS) {
            @Override
            double strength(View v) {
                return v.value(AGENT_MINER_CALLS) > 0 ? 1 : 0;
            }
        },
        /**
         * An agent's call that probes for services: a scanner run at a target, {@code nc -z} over a port range, a
         * connect loop over targets. Waiting on one service is none ({@code CallBehaviour.PROBE}). 0.9.
         */
        AGENT_PROBE(Category.NETWORK_SCAN, 0.9, AGENT_PROBE_CALLS) {
            @Override
            double strength(View v) {
                return v.value(AGENT_PROBE_CALLS) > 0 ? 1 : 0;
            }
        };

        private final Category category;
        private final double weight;
        private final List<String> features;

        Indicator(Category category, double weight, String... features) {
            this.category = category;
            this.weight = weight;
            this.features = List.of(features);
        }

        public Category category() {
            return category;
        }

        /** How conclusive the indicator is alone: its contribution at full strength. */
        public double weight() {
            return weight;
        }

        /** Whether it reads what the job's agents did ({@link FeatureSet#AGENT}) rather than the window's features. */
        public boolean readsAgents() {
            return FeatureSet.AGENT.contains(features.get(0));
        }

        /** The features it reads, the first the most telling: they become the alert's reasons. */
        public List<String> features() {
            return features;
        }

        abstract double strength(View v);

        /**
         * Whether some GPU shows the hashing pattern: a GPU in it over the whole window, or GPUs that
         * differ in how much of the window they spent in it. 0 to 1.
         */
        static double hashingEvidence(View v) {
            return Math.max(v.value(HASHING_GPU_FRACTION) > 0 ? 1 : 0, ramp(v.value(HASHING_DIVERGENCE), 0.1, 0.3));
        }
    }

    /** What the fleet's benign windows show for the features the indicators read (see the class doc). */
    static final Map<String, Double> FLEET_BASELINES;

    static {
        Map<String, Double> baselines = new LinkedHashMap<>();
        for (Indicator indicator : Indicator.values()) {
            for (String feature : indicator.features()) {
                baselines.put(feature, 0.0);
            }
        }
        FLEET_BASELINES = Map.copyOf(baselines);
    }

    private final FeatureSet featureSet;

    /** Over {@link FeatureSet#CURRENT}. */
    public IndicatorScorer() {
        this(FeatureSet.CURRENT);
    }

    /**
     * @throws IllegalArgumentException if the set lacks a feature an indicator reads (the agents' features are read
     *     from their own vector, {@link FeatureSet#AGENT})
     */
    public IndicatorScorer(FeatureSet featureSet) {
        for (Indicator indicator : Indicator.values()) {
            for (String feature : indicator.features()) {
                if (!FeatureSet.AGENT.contains(feature)) {
                    featureSet.index(feature);
                }
            }
        }
        featureSet.index(RARE_SSH_FLOWS);
        this.featureSet = featureSet;
    }

    @Override
    public Verdict score(double[] features, JobHistory history) {
        return score(features, null, history);
    }

    @Override
    public Verdict score(double[] features, double[] agents, JobHistory history) {
        featureSet.checkLength(features);
        View view = new View(featureSet, features, agents);
        Map<Indicator, Double> contributions = contributions(view);

        double keep = 1;
        for (double c : contributions.values()) {
            keep *= 1 - c;
        }
        double score = clamp01(1 - keep);
        boolean flagged = score >= THRESHOLD;
        return Verdict.of(
                score, THRESHOLD, flagged ? categories(contributions) : List.of(), reasons(view, contributions));
    }

    /**
     * The noisy-OR of the agent indicators' contributions ({@link Indicator#readsAgents}): what the job's agents' own
     * calls say, read from the commands' meaning. 0 without agent calls.
     */
    public static double agentScore(Map<Indicator, Double> contributions) {
        double keep = 1;
        for (Map.Entry<Indicator, Double> e : contributions.entrySet()) {
            if (e.getKey().readsAgents()) {
                keep *= 1 - e.getValue();
            }
        }
        return clamp01(1 - keep);
    }

    /** Each indicator's contribution ({@code weight x strength}) to a window's score, for explanations and tests. */
    public Map<Indicator, Double> contributions(double[] features) {
        return contributions(features, null);
    }

    /**
     * The same with what the job's agents did in the window ({@link FeatureSet#AGENT}'s values; null: nothing, and
     * the agent indicators contribute 0).
     */
    public Map<Indicator, Double> contributions(double[] features, double[] agents) {
        featureSet.checkLength(features);
        return contributions(new View(featureSet, features, agents));
    }

    /**
     * Each indicator's contribution to a window with these features, by name, as {@link FeatureSet#CURRENT} names
     * them; a feature not given reads 0 (no indicator fires on what is not there).
     */
    public static Map<Indicator, Double> contributions(Map<String, Double> features) {
        return contributions(View.of(features));
    }

    /**
     * Whether some GPU of a window with these features, by name, shows the hashing pattern: what makes a rare
     * persistent connection a pool's rather than a tunnel's (see {@link Indicator#REVERSE_TUNNEL}).
     */
    public static boolean hashing(Map<String, Double> features) {
        return Indicator.hashingEvidence(View.of(features)) > 0;
    }

    private static Map<Indicator, Double> contributions(View view) {
        Map<Indicator, Double> out = new EnumMap<>(Indicator.class);
        for (Indicator indicator : Indicator.values()) {
            out.put(indicator, indicator.weight() * clamp01(indicator.strength(view)));
        }
        return out;
    }

    private static List<Category> categories(Map<Indicator, Double> contributions) {
        Map<Category, Double> keep = new EnumMap<>(Category.class);
        contributions.forEach((indicator, c) -> keep.merge(indicator.category(), 1 - c, (a, b) -> a * b));
        List<Category> named = keep.entrySet().stream()
                .filter(e -> 1 - e.getValue() >= CATEGORY_MIN)
                .sorted(Comparator.comparingDouble((Map.Entry<Category, Double> e) -> e.getValue())
                        .thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey)
                .toList();
        return named.isEmpty() ? List.of(Category.UNKNOWN) : named;
    }

    private static List<Reason> reasons(View view, Map<Indicator, Double> contributions) {
        double total =
                contributions.values().stream().mapToDouble(Double::doubleValue).sum();
        if (total <= 0) {
            return List.of();
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        contributions.forEach((indicator, c) -> {
            if (c > 0) {
                double each = c / total / indicator.features().size();
                for (String feature : indicator.features()) {
                    weights.merge(feature, each, Double::sum);
                }
            }
        });
        List<Reason> out = new ArrayList<>();
        weights.entrySet().stream()
                .sorted(Comparator.comparingDouble((Map.Entry<String, Double> e) -> e.getValue())
                        .reversed()
                        .thenComparing(Map.Entry::getKey))
                .limit(Verdict.MAX_REASONS)
                .forEach(e -> out.add(Reason.newBuilder()
                        .setFeature(e.getKey())
                        .setValue(view.value(e.getKey()))
                        .setJobBaseline(null)
                        .setFleetBaseline(FLEET_BASELINES.get(e.getKey()))
                        .setWeight(clamp01(e.getValue()))
                        .build()));
        return out;
    }

    @Override
    public String modelVersion() {
        return MODEL_VERSION;
    }

    @Override
    public double threshold() {
        return THRESHOLD;
    }

    @Override
    public FeatureSet featureSet() {
        return featureSet;
    }

    /** 0 at or below {@code low}, 1 at or above {@code high}, linear between. */
    static double ramp(double x, double low, double high) {
        if (!(x > low)) {
            return 0;
        }
        return x >= high ? 1 : (x - low) / (high - low);
    }

    private static double clamp01(double v) {
        return Double.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0;
    }

    /** A feature vector read by name, and the agents' ({@link FeatureSet#AGENT}; null: all 0). */
    static final class View {
        private final FeatureSet set;
        private final double[] values;
        private final double[] agents;

        View(FeatureSet set, double[] values, double[] agents) {
            if (agents != null) {
                FeatureSet.AGENT.checkLength(agents);
            }
            this.set = set;
            this.values = values;
            this.agents = agents;
        }

        /** Features by name, as {@link FeatureSet#CURRENT} and {@link FeatureSet#AGENT} name them; one not given reads 0. */
        static View of(Map<String, Double> features) {
            FeatureSet set = FeatureSet.CURRENT;
            double[] values = new double[set.size()];
            for (int i = 0; i < values.length; i++) {
                Double v = features.get(set.names().get(i));
                values[i] = v == null ? 0 : v;
            }
            // a window with tool calls carries the agent features by name beside the others (none: null, as scored)
            double[] agents = null;
            List<String> agentNames = FeatureSet.AGENT.names();
            for (int i = 0; i < agentNames.size(); i++) {
                Double v = features.get(agentNames.get(i));
                if (v != null) {
                    if (agents == null) {
                        agents = new double[agentNames.size()];
                    }
                    agents[i] = v;
                }
            }
            return new View(set, values, agents);
        }

        /** The feature's value; 0 when not finite, so a bad input can never raise an alert. */
        double value(String name) {
            double v;
            if (FeatureSet.AGENT.contains(name)) {
                v = agents == null ? 0 : agents[FeatureSet.AGENT.index(name)];
            } else {
                v = values[set.index(name)];
            }
            return Double.isFinite(v) ? v : 0;
        }

        /** The count behind a {@code log1p} feature. */
        double count(String name) {
            return Math.expm1(Math.max(0, value(name)));
        }
    }
}
