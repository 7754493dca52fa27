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

/**
 * An ordered list of named features: the one place the order of a feature vector is defined. A model is
 * trained on, and refuses artifacts for anything other than, one feature set, named by {@link #id()}
 * (version and a hash of the names), which goes into {@code JobWindow.feature_set}.
 *
 * <p>Conventions of {@link #V1}: counts and byte totals are {@code log1p} of the count (so 0 means none
 * and each unit is a factor of e); ratios and fractions lie in [0, 1]; every value is finite. "Rare" is
 * {@link Contact#rare()}: external, and no other job talked to the address over the lookback. Every
 * feature is defined from the job's window as a whole, so none depends on a cap on kept contacts or GPUs
 * except the per-GPU ones, which see the first {@link WindowAccumulator#MAX_GPUS} GPUs.
 */
public final class FeatureSet implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One feature: its name in the vector and in {@code JobWindow.features}, and what it measures. */
    public record Feature(String name, String doc) implements Serializable {
        public Feature {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(doc, "doc");
            if (name.isBlank()) {
                throw new IllegalArgumentException("blank feature name");
            }
        }
    }

    // ---- names of V1, for code that reads features by name ----
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
    public static final String INTERNAL_UNANSWERED_HOSTS = "internal_unanswered_hosts";
    public static final String INTERNAL_UNANSWERED_RATIO = "internal_unanswered_ratio";
    public static final String INTERNAL_MAX_PORTS = "internal_max_ports";
    public static final String METADATA_SERVICE_FLOWS = "metadata_service_flows";
    public static final String GPU_COUNT = "gpu_count";
    public static final String GPU_TELEMETRY = "gpu_telemetry";
    public static final String GPU_UTIL = "gpu_util";
    public static final String SM_ACTIVE = "sm_active";
    public static final String TENSOR_ACTIVE = "tensor_active";
    public static final String DRAM_ACTIVE = "dram_active";
    public static final String TENSOR_PER_SM = "tensor_per_sm";
    public static final String HASHING_GPU_FRACTION = "hashing_gpu_fraction";
    public static final String HASHING_DIVERGENCE = "hashing_divergence";
    public static final String TENSOR_RATIO_SPREAD = "tensor_ratio_spread";
    public static final String PROCESS_NAMES = "process_names";
    public static final String ODD_PROCESS_GPU_FRACTION = "odd_process_gpu_fraction";
    public static final String MINER_PROCESS = "miner_process";

    /** The first feature set: the network side per job with the fleet's view of each address, and the GPU side. */
    public static final FeatureSet V1 = of("v1", List.of(
            // -- network, volume and reach
            new Feature(FLOWS, "log1p(flow reports the job took part in, both directions)"),
            new Feature(EXTERNAL_HOSTS, "log1p(distinct external addresses the job exchanged traffic with)"),
            new Feature(EXTERNAL_BYTES_OUT, "log1p(bytes the job sent to external addresses)"),
            new Feature(EXTERNAL_BYTES_IN, "log1p(bytes the job received from external addresses)"),
            new Feature(EXTERNAL_INBOUND_HOSTS, "log1p(distinct external addresses that opened connections to the job)"),
            // -- network, addresses no other job uses (tunnel endpoints, pools, drops)
            new Feature(RARE_EXTERNAL_HOSTS, "log1p(distinct rare external addresses: no other job talked to them over the lookback)"),
            new Feature(RARE_EXTERNAL_BYTES_OUT, "log1p(bytes the job sent to rare external addresses)"),
            new Feature(RARE_EXTERNAL_UPLOAD_RATIO, "bytes sent / bytes exchanged with rare external addresses, 0..1; 0 without bytes"),
            new Feature(RARE_LONG_LIVED_HOSTS, "log1p(rare external addresses with a long-lived connection: still open, or open 5 min or more)"),
            new Feature(RARE_LONGEST_MINUTES, "log1p(minutes the longest connection to a rare external address has been open)"),
            new Feature(RARE_INTERACTIVITY, "highest interactivity (small packets both ways, 0..1) of a long-lived connection to a rare external address"),
            new Feature(RARE_SSH_FLOWS, "log1p(flow reports with rare external addresses on service port 22)"),
            // -- network, inside the cluster (reconnaissance)
            new Feature(INTERNAL_HOSTS, "log1p(distinct internal addresses the job opened connections to)"),
            new Feature(INTERNAL_UNANSWERED_HOSTS, "log1p(internal addresses where most of the job's connection attempts got no answer)"),
            new Feature(INTERNAL_UNANSWERED_RATIO, "unanswered / all connection attempts the job made to internal addresses, 0..1"),
            new Feature(INTERNAL_MAX_PORTS, "log1p(most distinct service ports the job used on one internal address; capped at 64)"),
            new Feature(METADATA_SERVICE_FLOWS, "log1p(flow reports with a cloud instance metadata service)"),
            // -- GPUs, job-wide
            new Feature(GPU_COUNT, "log1p(distinct GPUs, by node and index, sampled in the window)"),
            new Feature(GPU_TELEMETRY, "fraction of GPU samples with profiling fields (sm_active and tensor_active); 0 without samples"),
            new Feature(GPU_UTIL, "mean GPU utilisation, 0..1"),
            new Feature(SM_ACTIVE, "mean SM activity over profiled samples, 0..1"),
            new Feature(TENSOR_ACTIVE, "mean tensor-pipe activity over profiled samples, 0..1"),
            new Feature(DRAM_ACTIVE, "mean device-memory activity over samples that report it, 0..1"),
            new Feature(TENSOR_PER_SM, "sum of tensor activity / sum of SM activity over profiled samples, 0..1: low for FP32 and for hashing"),
            // -- GPUs, per GPU: does one GPU do something the others do not?
            new Feature(HASHING_GPU_FRACTION, "fraction of profiled GPUs in the hashing pattern over the window: SM active >= 0.5, tensor < 0.1 x SM"),
            new Feature(HASHING_DIVERGENCE, "among busy GPUs (mean SM >= 0.2): highest minus lowest share of samples in the hashing pattern"),
            new Feature(TENSOR_RATIO_SPREAD, "among busy GPUs: (max - min) / max of per-GPU tensor/SM; 0 when max < 0.1 or fewer than 2 busy GPUs"),
            new Feature(PROCESS_NAMES, "log1p(distinct compute process names on the job's GPUs)"),
            new Feature(ODD_PROCESS_GPU_FRACTION, "fraction of GPUs with processes that run a name found on fewer than half of them"),
            new Feature(MINER_PROCESS, "1 when a GPU process name contains a known miner's name (MinerNames), else 0")));

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
     * First 8 hex digits of SHA-256 over the version and the names in order: changes when any name or the
     * order does. It cannot see how a feature is computed: change that and the version must change too.
     */
    public String hash() {
        return hash;
    }

    /** version-hash, e.g. {@code v1-3fa2c1d0}: what {@code JobWindow.feature_set} and model artifacts carry. */
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
            throw new IllegalArgumentException("feature set " + id() + " has " + names.size()
                    + " features, the vector " + values.length);
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
        return o instanceof FeatureSet f && version.equals(f.version) && names.equals(f.names);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, names);
    }

    @Override
    public String toString() {
        return "FeatureSet " + id() + " " + names;
    }
}
