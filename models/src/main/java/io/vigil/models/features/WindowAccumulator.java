package io.vigil.models.features;

import io.vigil.records.Destination;
import io.vigil.records.Evidence;
import io.vigil.records.GpuSample;
import io.vigil.records.ProcessEvidence;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One job's window: its {@link Contact}s (one per remote address) and its GPU samples, folded into running
 * sums as they arrive; at the end, the {@link #features feature vector} and the {@link #evidence}. The
 * accumulator of the per-job window, a Flink POJO.
 *
 * <p><b>Exact features, bounded state.</b> Every network feature and every job-wide GPU feature is
 * computed from running totals, so the caps below never change them. What is capped:
 * <ul>
 *   <li>contacts kept for evidence: at most {@link #MAX_CONTACTS}, the {@value #KEEP_PER_ORDER} with most
 *       bytes, the {@value #KEEP_PER_ORDER} with most unanswered attempts and the {@value #KEEP_LONG_LIVED}
 *       longest-lived external ones, rare first (a tunnel is small and answered; a scan is many small,
 *       unanswered contacts; an upload is one big one);</li>
 *   <li>GPUs: the first {@link #MAX_GPUS} by key (node, then index, as text) get per-GPU sums, which feed
 *       the per-GPU features (hashing fraction, divergence, spread, odd processes) and the process
 *       evidence; samples of further GPUs still count in the job-wide features. Which GPUs those are does
 *       not depend on the order samples arrive in, nor on how they were grouped into partials;</li>
 *   <li>process names: {@link GpuStats#MAX_PROCESS_NAMES} per GPU; whether any name is a miner's is kept
 *       exactly, job-wide.</li>
 *   <li>scan ports: per-port reach (hosts tried, targets failed, targets silent) for the
 *       {@link #MAX_SCAN_PORTS} lowest port numbers with attempts; distinct hosts are counted by
 *       {@link DistinctCounter}s, exact up to 64 and a 512-byte HyperLogLog beyond, so a sweep of a million
 *       addresses holds as much as one of a hundred. The lowest ports are the ones kept whatever the order or
 *       grouping, and each kept port has every host that was tried on it; scans go for well-known (low) ports
 *       first. The failed targets of the other ports are kept in one more counter (a window that tries more
 *       ports than that is scanning); their silent UDP targets are not kept.</li>
 * </ul>
 * The job's long tail, its traffic with addresses past {@link JobContacts#MAX_REMOTES} in the window (a
 * sweep, a crawl), comes in as parts ({@link #addTail}) and counts in the same totals, its hosts as distinct
 * items (exact up to 64, then a 512-byte sketch per kind: external, external inbound, internal).
 * Contacts to addresses that are not hosts ({@link Contact#toHost}: broadcast, multicast, link-local,
 * loopback, unspecified) count in {@code flows} only. Byte sums saturate ({@link Sums}).
 * Measured through Flink's POJO serializer: about 39 KB for a heavy window (a 250-host scan, 32 GPUs each
 * with 16 process names of ~45 characters); a typical 8-GPU job is a few KB.
 *
 * <p><b>Order.</b> {@link #add(Contact)}, {@link #add(GpuSample)} and {@link #merge} may come in any order
 * and grouping; the result is the same (sums are integers, and each cap keeps the same contacts and GPUs
 * whatever the order: the first by a total order).
 * {@link #features} and {@link #evidence} are pure: call them as often as you like.
 *
 * <p><b>One contact per remote address.</b> The per-job contacts window ({@link JobContacts}) makes exactly one
 * Contact per (job, address, window) it kept counters for, and the per-destination window hands on the ones it
 * was asked about; a second one for the same address (a late re-firing) would count the address twice in the
 * distinct-host features. (Parts of the tail, {@link #addTail}, are counted as distinct items.)
 *
 * <p><b>Missing telemetry</b> is 0, never NaN: a window without GPU samples has every GPU feature 0, and
 * {@code gpu_telemetry} (the share of samples with profiling fields) tells a model whether the
 * profiling-based features mean "idle" or "unknown". Values outside their documented range (util above
 * 100, activity above 1) are clamped; non-finite ones are treated as absent.
 */
public class WindowAccumulator {
    /** Contacts kept by each of the orders bytes and unanswered attempts. */
    public static final int KEEP_PER_ORDER = 32;
    /**
     * External long-lived contacts kept by {@link #LONG_LIVED_FIRST}: as many as the evidence's long-lived quarter
     * lists. A tunnel is a few kilobytes and answered, so neither other order keeps it in a busy window.
     */
    public static final int KEEP_LONG_LIVED = (KEEP_PER_ORDER + 3) / 4;
    /** Contacts kept for evidence: the {@link #compactContacts} of the three orders. */
    public static final int MAX_CONTACTS = 2 * KEEP_PER_ORDER + KEEP_LONG_LIVED;
    /** GPUs with per-GPU sums, per job and window. */
    public static final int MAX_GPUS = 32;
    /** Service ports with per-port reach (hosts tried and failed), per job and window: the lowest numbers. */
    public static final int MAX_SCAN_PORTS = 16;
    /** Most destinations {@link #evidence} lists: exact whatever the order of adds and merges. */
    public static final int MAX_EVIDENCE_DESTINATIONS = KEEP_PER_ORDER;
    /** Most process names {@link #evidence} lists. */
    public static final int MAX_EVIDENCE_PROCESSES = 32;

    /** The hashing pattern of one sample or GPU: SMs at least half busy, tensor pipes under a tenth of that. */
    public static final double HASHING_MIN_SM = 0.5;

    public static final double HASHING_MAX_TENSOR_PER_SM = 0.1;
    /** A GPU counts as busy for the divergence features from this mean SM activity on. */
    public static final double BUSY_MIN_SM = 0.2;
    /** Below this highest per-GPU tensor/SM ratio no GPU of the job uses tensor pipes, and the spread means nothing. */
    public static final double SPREAD_MIN_TENSOR_PER_SM = 0.1;

    static final Comparator<Contact> BY_BYTES = Comparator.comparingLong(Contact::bytes)
            .reversed()
            .thenComparing(Comparator.comparingLong((Contact c) -> c.unanswered).reversed())
            .thenComparing(c -> c.remoteIp, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(c -> c.jobId, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingLong(c -> c.windowStart);
    static final Comparator<Contact> BY_LONGEST = Comparator.comparingLong((Contact c) -> c.longestDurationMs)
            .reversed()
            .thenComparing(BY_BYTES);
    /** Rare hosts ({@link Contact#rare}, as the rare features count them) before popular ones. */
    static final Comparator<Contact> RARE_FIRST =
            Comparator.comparing((Contact c) -> !(c.popularityMatters() && c.rare()));

    /** The order of the evidence's long-lived quarter, among external long-lived contacts. */
    static final Comparator<Contact> LONG_LIVED_FIRST = RARE_FIRST.thenComparing(BY_LONGEST);

    static final Comparator<Contact> BY_UNANSWERED =
            Comparator.comparingLong((Contact c) -> c.unanswered).reversed().thenComparing(BY_BYTES);

    /** The job; taken from the first contact or sample that names one. */
    public String jobId;

    // ---- network, running totals (exact whatever the caps)
    public long flows;
    public long contactCount;
    public long externalHosts;
    public long externalBytesOut;
    public long externalBytesIn;
    public long externalInboundHosts;
    public long rareHosts;
    public long rareBytesOut;
    public long rareBytesIn;
    public long rareLongLivedHosts;
    public long rareLongestMs;
    public double rareInteractivity;
    public long rareSshFlows;
    public long internalHosts;
    /**
     * Hosts of the job's long tail ({@link #addTail}: the addresses {@link JobContacts} kept no exact counters for),
     * as distinct items: a host whose flows came in several parts counts once. Empty unless the job reached more
     * than {@link JobContacts#MAX_REMOTES} addresses in the window.
     */
    public DistinctCounter tailExternalHosts = new DistinctCounter();

    public DistinctCounter tailExternalInboundHosts = new DistinctCounter();
    public DistinctCounter tailInternalHosts = new DistinctCounter();
    /** Attempts ({@link Contact#attempts}) to hosts, any scope. */
    public long attempts;
    /** Of those, the failed ones. */
    public long failedAttempts;
    /** Hosts the job tried and failed to reach ({@link Contact#failedHost}). */
    public DistinctCounter failedHosts = new DistinctCounter();
    /** Most ports of one host where the job's attempts failed and none was answered ({@link PortStats#failedService}). */
    public int failedPortsOneHost;
    /** Per service port, the hosts tried and failed on it: the {@link #MAX_SCAN_PORTS} lowest ports tried. */
    public Map<Integer, PortReach> scanPorts = new HashMap<>();
    /** Failed targets ({@link #target}) on ports that are not among {@link #scanPorts}. */
    public DistinctCounter overflowFailedTargets = new DistinctCounter();

    public long metadataFlows;
    /** Contacts kept for evidence: at most {@link #MAX_CONTACTS}. */
    public List<Contact> contacts = new ArrayList<>();

    // ---- GPUs, job-wide running totals
    public long samples;
    /** Sums in millionths ({@link #micros}): exact, so the result does not depend on arrival order. */
    public long utilSum;

    public long profiledSamples;
    public long smSum;
    public long tensorSum;
    public long dramSamples;
    public long dramSum;
    /** Sums of SM and tensor activity over profiled samples with SM at least {@link #BUSY_MIN_SM}. */
    public long busySmSum;

    public long busyTensorSum;
    public boolean minerProcess;
    /** Per GPU ({@link GpuStats#key}); at most {@link #MAX_GPUS}. */
    public Map<String, GpuStats> gpus = new HashMap<>();
    /** Samples of GPUs beyond {@link #MAX_GPUS}: in the job-wide totals only. */
    public long gpuOverflowSamples;

    public WindowAccumulator() {}

    // ------------------------------------------------------------------ adding

    /** @throws IllegalArgumentException if the contact is another job's */
    public void add(Contact c) {
        fold(c, false);
    }

    /**
     * Adds a part of the job's long tail: its traffic with an address {@link JobContacts} kept no exact counters
     * for (past {@link JobContacts#MAX_REMOTES} addresses in the window), as a contact of one or more of its flows.
     * It counts in every running total as a contact does, with three differences: its host counts once however
     * many parts it came in ({@link #tailExternalHosts}), whether it failed is judged on the part, and it is never
     * rare (the fleet view was not asked about it) nor kept for evidence (its counters are a part's).
     *
     * @throws IllegalArgumentException if the contact is another job's
     */
    public void addTail(Contact c) {
        fold(c, true);
    }

    private void fold(Contact c, boolean tail) {
        adoptJob(c.jobId);
        flows = Sums.add(flows, c.flows);
        contactCount++;
        if (!c.toHost() || !(c.outbound || c.inbound)) {
            return; // LAN chatter, or ICMP errors only: no destination, no target (see the class doc)
        }
        if (c.external) {
            if (tail) {
                tailExternalHosts.add(c.remoteIp);
            } else {
                externalHosts++;
            }
            externalBytesOut = Sums.add(externalBytesOut, c.bytesOut);
            externalBytesIn = Sums.add(externalBytesIn, c.bytesIn);
            if (c.inbound) {
                if (tail) {
                    tailExternalInboundHosts.add(c.remoteIp);
                } else {
                    externalInboundHosts++;
                }
            }
            if (!tail && c.popularityMatters() && c.rare()) { // a host that never answered is no tunnel, pool or drop
                rareHosts++;
                rareBytesOut = Sums.add(rareBytesOut, c.bytesOut);
                rareBytesIn = Sums.add(rareBytesIn, c.bytesIn);
                rareLongestMs = Math.max(rareLongestMs, c.longestDurationMs);
                if (c.longLived()) {
                    rareLongLivedHosts++;
                    rareInteractivity = Math.max(rareInteractivity, c.interactivity());
                }
                if (c.topPort == 22) {
                    rareSshFlows = Sums.add(rareSshFlows, c.flows);
                }
            }
        } else if (c.outbound) {
            if (tail) {
                tailInternalHosts.add(c.remoteIp);
            } else {
                internalHosts++;
            }
        }
        attempts = Sums.add(attempts, c.attempts);
        failedAttempts = Sums.add(failedAttempts, c.unanswered);
        if (c.failedHost()) {
            failedHosts.add(c.remoteIp);
        }
        failedPortsOneHost = Math.max(failedPortsOneHost, c.failedPorts.length);
        for (int port : c.attemptPorts) {
            PortReach reach = scanPort(port);
            if (reach != null) {
                reach.tried.add(c.remoteIp);
            }
        }
        for (int port : c.failedPorts) {
            failedTarget(c.remoteIp, port);
        }
        for (int port : c.silentPorts) { // a silent UDP port of a host: judged here, in numbers across hosts
            PortReach reach = scanPort(port);
            if (reach != null) {
                reach.tried.add(c.remoteIp);
                reach.silent.add(target(c.remoteIp, port));
            }
        }
        if (c.metadataService) {
            metadataFlows = Sums.add(metadataFlows, c.flows);
        }
        if (tail) {
            return;
        }
        contacts.add(c);
        if (contacts.size() > MAX_CONTACTS) {
            compactContacts();
        }
    }

    private void failedTarget(String host, int port) {
        PortReach reach = scanPort(port);
        if (reach != null) {
            reach.failed.add(target(host, port));
        } else {
            overflowFailedTargets.add(target(host, port));
        }
    }

    /** One service of one host, as the distinct counters of failed targets name it. */
    static String target(String host, int port) {
        return host + " " + port;
    }

    /** The reach of a port, made if it is among the lowest {@link #MAX_SCAN_PORTS}; null if it is not. */
    private PortReach scanPort(int port) {
        PortReach reach = scanPorts.get(port);
        if (reach != null) {
            return reach;
        }
        if (scanPorts.size() >= MAX_SCAN_PORTS) {
            int highest = scanPorts.keySet().stream()
                    .mapToInt(Integer::intValue)
                    .max()
                    .getAsInt();
            if (port > highest) {
                return null;
            }
            // a lower port takes its place: the kept ports are the lowest ever tried
            overflowFailedTargets.merge(scanPorts.remove(highest).failed);
        }
        reach = new PortReach();
        scanPorts.put(port, reach);
        return reach;
    }

    /** @throws IllegalArgumentException if the sample is another job's */
    public void add(GpuSample s) {
        adoptJob(s.getJobId());
        Double sm = fraction(s.getSmActive());
        Double tensor = fraction(s.getTensorActive());
        Double dram = fraction(s.getDramActive());
        samples++;
        utilSum += micros(clampPercent(s.getUtil()));
        if (sm != null && tensor != null) {
            profiledSamples++;
            smSum += micros(sm);
            tensorSum += micros(tensor);
            if (sm >= BUSY_MIN_SM) {
                busySmSum += micros(sm);
                busyTensorSum += micros(tensor);
            }
        }
        if (dram != null) {
            dramSamples++;
            dramSum += micros(dram);
        }
        for (var p : s.getProcesses()) {
            minerProcess |= MinerNames.matches(p.getName());
        }
        String key = GpuStats.key(s.getNode(), s.getGpu());
        GpuStats gpu = gpus.get(key);
        if (gpu == null) {
            if (gpus.size() >= MAX_GPUS) {
                String last = lastGpuKey();
                if (key.compareTo(last) > 0) {
                    gpuOverflowSamples++;
                    return;
                }
                // a GPU before the last one kept: it takes that one's place (see keepFirstGpus)
                gpuOverflowSamples += gpus.remove(last).samples;
            }
            gpu = new GpuStats(s.getNode(), s.getGpu());
            gpus.put(key, gpu);
        }
        gpu.add(s, sm, tensor, dram);
    }

    private String lastGpuKey() {
        String last = null;
        for (String k : gpus.keySet()) {
            if (last == null || k.compareTo(last) > 0) {
                last = k;
            }
        }
        return last;
    }

    /**
     * Keeps per-GPU sums for the first {@link #MAX_GPUS} GPUs by key (node, then index) and moves the others'
     * samples to the overflow. The first keys of all GPUs seen do not depend on the order or grouping the
     * samples came in, and a GPU once moved out never comes back (every key kept then is before it), so the
     * GPUs kept have all their samples: pre-combined partials merge to the same window as the samples would.
     */
    private void keepFirstGpus() {
        if (gpus.size() <= MAX_GPUS) {
            return;
        }
        List<String> keys = new ArrayList<>(gpus.keySet());
        keys.sort(null);
        for (String k : keys.subList(MAX_GPUS, keys.size())) {
            gpuOverflowSamples += gpus.remove(k).samples;
        }
    }

    /** Adds the other's contacts and samples to these (the other is left unchanged). */
    public void merge(WindowAccumulator o) {
        adoptJob(o.jobId);
        flows = Sums.add(flows, o.flows);
        contactCount += o.contactCount;
        externalHosts += o.externalHosts;
        externalBytesOut = Sums.add(externalBytesOut, o.externalBytesOut);
        externalBytesIn = Sums.add(externalBytesIn, o.externalBytesIn);
        externalInboundHosts += o.externalInboundHosts;
        rareHosts += o.rareHosts;
        rareBytesOut = Sums.add(rareBytesOut, o.rareBytesOut);
        rareBytesIn = Sums.add(rareBytesIn, o.rareBytesIn);
        rareLongLivedHosts += o.rareLongLivedHosts;
        rareLongestMs = Math.max(rareLongestMs, o.rareLongestMs);
        rareInteractivity = Math.max(rareInteractivity, o.rareInteractivity);
        rareSshFlows = Sums.add(rareSshFlows, o.rareSshFlows);
        internalHosts += o.internalHosts;
        tailExternalHosts.merge(o.tailExternalHosts);
        tailExternalInboundHosts.merge(o.tailExternalInboundHosts);
        tailInternalHosts.merge(o.tailInternalHosts);
        attempts = Sums.add(attempts, o.attempts);
        failedAttempts = Sums.add(failedAttempts, o.failedAttempts);
        failedHosts.merge(o.failedHosts);
        failedPortsOneHost = Math.max(failedPortsOneHost, o.failedPortsOneHost);
        for (Map.Entry<Integer, PortReach> e : o.scanPorts.entrySet()) {
            PortReach mine = scanPorts.get(e.getKey());
            if (mine == null) {
                scanPorts.put(e.getKey(), e.getValue().copy());
            } else {
                mine.merge(e.getValue());
            }
        }
        if (scanPorts.size() > MAX_SCAN_PORTS) {
            List<Integer> ports = new ArrayList<>(scanPorts.keySet());
            ports.sort(null);
            for (Integer port : ports.subList(MAX_SCAN_PORTS, ports.size())) {
                overflowFailedTargets.merge(scanPorts.remove(port).failed);
            }
        }
        overflowFailedTargets.merge(o.overflowFailedTargets);
        metadataFlows = Sums.add(metadataFlows, o.metadataFlows);
        contacts.addAll(o.contacts);
        if (contacts.size() > MAX_CONTACTS) {
            compactContacts();
        }

        samples += o.samples;
        utilSum += o.utilSum;
        profiledSamples += o.profiledSamples;
        smSum += o.smSum;
        tensorSum += o.tensorSum;
        dramSamples += o.dramSamples;
        dramSum += o.dramSum;
        busySmSum += o.busySmSum;
        busyTensorSum += o.busyTensorSum;
        minerProcess |= o.minerProcess;
        gpuOverflowSamples += o.gpuOverflowSamples;
        for (Map.Entry<String, GpuStats> e : o.gpus.entrySet()) {
            GpuStats mine = gpus.get(e.getKey());
            if (mine == null) {
                gpus.put(e.getKey(), e.getValue().copy());
            } else {
                mine.merge(e.getValue());
            }
        }
        keepFirstGpus();
    }

    public long flowCount() {
        return flows;
    }

    public long sampleCount() {
        return samples;
    }

    // ------------------------------------------------------------------ features

    /**
     * The window's features in the set's order (see {@link FeatureSet#V3} for each one's meaning). Pure
     * and NaN-free.
     *
     * @throws IllegalArgumentException if the set has a feature this code does not compute
     */
    public double[] features(FeatureSet set) {
        return set.fromMap(featureMap());
    }

    /** Every feature this accumulator computes, by name, in {@link FeatureSet#V3}'s order. */
    public Map<String, Double> featureMap() {
        Map<String, Double> f = new LinkedHashMap<>();
        f.put(FeatureSet.FLOWS, log1p(flows));
        f.put(FeatureSet.EXTERNAL_HOSTS, log1p(externalHosts + tailExternalHosts.count()));
        f.put(FeatureSet.EXTERNAL_BYTES_OUT, log1p(externalBytesOut));
        f.put(FeatureSet.EXTERNAL_BYTES_IN, log1p(externalBytesIn));
        f.put(FeatureSet.EXTERNAL_INBOUND_HOSTS, log1p(externalInboundHosts + tailExternalInboundHosts.count()));
        f.put(FeatureSet.RARE_EXTERNAL_HOSTS, log1p(rareHosts));
        f.put(FeatureSet.RARE_EXTERNAL_BYTES_OUT, log1p(rareBytesOut));
        f.put(FeatureSet.RARE_EXTERNAL_UPLOAD_RATIO, ratio(rareBytesOut, rareBytesOut + rareBytesIn));
        f.put(FeatureSet.RARE_LONG_LIVED_HOSTS, log1p(rareLongLivedHosts));
        f.put(FeatureSet.RARE_LONGEST_MINUTES, Math.log1p(rareLongestMs / 60_000.0));
        f.put(FeatureSet.RARE_INTERACTIVITY, clamp01(rareInteractivity));
        f.put(FeatureSet.RARE_SSH_FLOWS, log1p(rareSshFlows));
        f.put(FeatureSet.INTERNAL_HOSTS, log1p(internalHosts + tailInternalHosts.count()));
        f.put(FeatureSet.FAILED_HOSTS, log1p(failedHosts.count()));
        // one answered attempt more than made: a share of a handful of attempts is mostly chance (one refused DNS
        // query is 1 of 1, as much as a scan's 200 of 200), so it is shrunk towards none; 1 of 1 is 0.5, 200 of 200
        // still 0.995
        f.put(FeatureSet.FAILED_ATTEMPT_RATIO, ratio(failedAttempts, attempts + 1.0));
        f.put(FeatureSet.FAILED_PORTS_ONE_HOST, log1p(failedPortsOneHost));
        f.put(FeatureSet.FAILED_HOSTS_ONE_PORT, log1p(failedHostsOnePort()));
        DistinctCounter targets = failedTargets();
        f.put(FeatureSet.FAILED_TARGETS, log1p(targets.count()));
        // the window alone; the scoring step, which keeps each job's memory, puts in the last half hour's
        f.put(
                FeatureSet.RECENT_FAILED_TARGETS,
                ScanMemory.empty().with(0, targets).feature(targets));
        f.put(FeatureSet.METADATA_SERVICE_FLOWS, log1p(metadataFlows));

        f.put(FeatureSet.GPU_COUNT, log1p(gpus.size() + (gpuOverflowSamples > 0 ? 1 : 0)));
        f.put(FeatureSet.GPU_TELEMETRY, ratio(profiledSamples, samples));
        f.put(FeatureSet.GPU_UTIL, samples == 0 ? 0.0 : clamp01(utilSum / 1e6 / samples / 100.0));
        f.put(FeatureSet.SM_ACTIVE, ratio(smSum / 1e6, profiledSamples));
        f.put(FeatureSet.TENSOR_ACTIVE, ratio(tensorSum / 1e6, profiledSamples));
        f.put(FeatureSet.DRAM_ACTIVE, ratio(dramSum / 1e6, dramSamples));
        f.put(FeatureSet.SM_WITHOUT_TENSOR, busySmSum <= 0 ? 0.0 : clamp01(1 - (double) busyTensorSum / busySmSum));

        List<GpuStats> profiled =
                gpus.values().stream().filter(g -> g.profiledSamples > 0).toList();
        List<GpuStats> busy =
                profiled.stream().filter(g -> g.smMean() >= BUSY_MIN_SM).toList();
        long hashingGpus = profiled.stream()
                .filter(g -> hashing(g.smMean(), g.tensorMean()))
                .count();
        f.put(FeatureSet.HASHING_GPU_FRACTION, ratio(hashingGpus, profiled.size()));
        f.put(
                FeatureSet.HASHING_DIVERGENCE,
                busy.size() < 2
                        ? 0.0
                        : clamp01(busy.stream()
                                        .mapToDouble(GpuStats::hashingFraction)
                                        .max()
                                        .orElse(0)
                                - busy.stream()
                                        .mapToDouble(GpuStats::hashingFraction)
                                        .min()
                                        .orElse(0)));
        double maxRatio = busy.stream().mapToDouble(GpuStats::tensorPerSm).max().orElse(0);
        double minRatio = busy.stream().mapToDouble(GpuStats::tensorPerSm).min().orElse(0);
        f.put(
                FeatureSet.TENSOR_RATIO_SPREAD,
                busy.size() < 2 || maxRatio < SPREAD_MIN_TENSOR_PER_SM
                        ? 0.0
                        : clamp01((maxRatio - minRatio) / maxRatio));
        f.put(FeatureSet.PROCESS_NAMES, log1p(processGpus().size()));
        f.put(FeatureSet.ODD_PROCESS_GPU_FRACTION, oddProcessGpuFraction());
        f.put(FeatureSet.BUSY_GPUS_WITHOUT_PROCESS, busyGpusWithoutProcess());
        f.put(FeatureSet.SHARED_GPU_PROCESSES, log1p(sharedGpuProcesses()));
        f.put(FeatureSet.MINER_PROCESS, minerProcess ? 1.0 : 0.0);
        return f;
    }

    /** Whether (SM, tensor) activity is the hashing pattern: busy SMs, tensor pipes nearly idle. */
    public static boolean hashing(double sm, double tensor) {
        return sm >= HASHING_MIN_SM && tensor < HASHING_MAX_TENSOR_PER_SM * sm;
    }

    /**
     * The services (host and port, {@link #target}) the job failed to reach, on ports where at least half the
     * hosts it tried failed, and on every port beyond the {@link #MAX_SCAN_PORTS} whose reach is kept (a window
     * that tries that many ports is scanning): what a scan leaves whatever its shape, many ports of one host,
     * one port of many hosts, or a few ports across a subnet. A busy client's port stays out: most of the
     * servers it tries there answer (a crawler on 443 meeting a few dead hosts). A copy, for the caller.
     */
    public DistinctCounter failedTargets() {
        DistinctCounter out = overflowFailedTargets.copy();
        for (PortReach reach : scanPorts.values()) {
            DistinctCounter failed = reach.failedOrSilent();
            if (failed.count() > 0 && 2 * failed.count() >= reach.tried.count()) {
                out.merge(failed);
            }
        }
        return out;
    }

    /**
     * The most hosts one port failed on, over the ports where at least half the hosts the job tried failed:
     * a port swept across hosts that do not answer. A busy client whose servers answer (a crawler on 443
     * meeting a few dead hosts) leaves its port below half, and out.
     */
    private long failedHostsOnePort() {
        long most = 0;
        for (PortReach reach : scanPorts.values()) {
            long failed = reach.failedOrSilent().count();
            if (2 * failed >= reach.tried.count()) {
                most = Math.max(most, failed);
            }
        }
        return most;
    }

    /**
     * Share of the busy GPUs (mean SM at least {@link #BUSY_MIN_SM}, or mean util at least 20% where
     * unprofiled) on which no sample listed a compute process: work on the job's GPUs while the job's own
     * processes are gone. 0 without busy GPUs. A collector that never reports processes keeps this at 1 on
     * every busy window: the job's normal, not a change.
     */
    private double busyGpusWithoutProcess() {
        long busy = 0;
        long withoutProcess = 0;
        for (GpuStats g : gpus.values()) {
            if (busy(g)) {
                busy++;
                if (g.processes.isEmpty() && g.processOverflow == 0) {
                    withoutProcess++;
                }
            }
        }
        return ratio(withoutProcess, busy);
    }

    /**
     * Compute processes beyond one per busy GPU, each GPU's mean over its samples, summed over the busy GPUs
     * (as {@link #busyGpusWithoutProcess}): how many more processes time-slice the job's busy GPUs than one
     * rank each.
     */
    private double sharedGpuProcesses() {
        double extra = 0;
        for (GpuStats g : gpus.values()) {
            if (busy(g)) {
                extra += g.extraProcesses();
            }
        }
        return extra;
    }

    private static boolean busy(GpuStats g) {
        return g.profiledSamples > 0 ? g.smMean() >= BUSY_MIN_SM : g.utilMean() >= 100 * BUSY_MIN_SM;
    }

    /** Process name to the GPUs (keys) it ran on, over the tracked GPUs. */
    private Map<String, Set<String>> processGpus() {
        Map<String, Set<String>> byName = new TreeMap<>();
        for (Map.Entry<String, GpuStats> e : gpus.entrySet()) {
            for (String name : e.getValue().processes.keySet()) {
                byName.computeIfAbsent(name, n -> new TreeSet<>()).add(e.getKey());
            }
        }
        return byName;
    }

    /**
     * Share of the GPUs that have processes on which some process name runs that runs on fewer than half
     * of them. A data-parallel job runs the same program on every GPU; a name on a minority of its GPUs is
     * a helper (monitoring, a profiler) or something that is not the job. 0 with fewer than two such GPUs.
     */
    private double oddProcessGpuFraction() {
        List<String> withProcesses = gpus.entrySet().stream()
                .filter(e -> !e.getValue().processes.isEmpty())
                .map(Map.Entry::getKey)
                .toList();
        if (withProcesses.size() < 2) {
            return 0.0;
        }
        Set<String> oddGpus = new TreeSet<>();
        for (Set<String> onGpus : processGpus().values()) {
            if (2 * onGpus.size() < withProcesses.size()) {
                oddGpus.addAll(onGpus);
            }
        }
        return ratio(oddGpus.size(), withProcesses.size());
    }

    // ------------------------------------------------------------------ evidence

    /**
     * What was seen: up to {@code topDestinations} destinations (at most {@link #MAX_EVIDENCE_DESTINATIONS}):
     * first, a quarter for the longest-lived connections to external hosts, rare ones first (a tunnel's or a mining
     * pool's session moves few bytes for hours: ranked by bytes it would hide behind any busy web client's downloads,
     * and behind the fleet's popular trackers by length); of the
     * rest, half by most bytes, half by most unanswered attempts (so a scan's many small, unanswered probes show
     * next to an upload's one big flow), filled up by bytes, listed by bytes, each with what the features counted it
     * as (rare, long-lived, its failed targets' ports), so a suppression can tell which category it took part in;
     * the failed targets the list leaves out; the GPU process names, miner names first, then by memory held; the
     * window's flow and sample counts.
     */
    public Evidence evidence(int topDestinations) {
        int n = Math.max(0, Math.min(topDestinations, MAX_EVIDENCE_DESTINATIONS));
        List<Contact> byBytes = contacts.stream().sorted(BY_BYTES).toList();
        Set<Contact> chosen = new LinkedHashSet<>();
        contacts.stream()
                .filter(WindowAccumulator::externalLongLived)
                .sorted(LONG_LIVED_FIRST)
                .limit((n + 3) / 4)
                .forEach(chosen::add);
        int byBytesShare = chosen.size() + (n - chosen.size() + 1) / 2;
        byBytes.stream()
                .filter(c -> !chosen.contains(c))
                .limit(byBytesShare - chosen.size())
                .forEach(chosen::add);
        contacts.stream()
                .filter(c -> c.unanswered > 0)
                .sorted(BY_UNANSWERED)
                .filter(c -> !chosen.contains(c))
                .limit(n - chosen.size())
                .forEach(chosen::add);
        for (Contact c : byBytes) {
            if (chosen.size() >= n) {
                break;
            }
            chosen.add(c);
        }
        List<Destination> destinations = chosen.stream()
                .sorted(BY_BYTES)
                .map(c -> Destination.newBuilder()
                        .setIp(c.remoteIp == null ? "" : c.remoteIp)
                        .setPort(c.topPort)
                        .setProtocol(c.protocol == null ? "" : c.protocol)
                        .setExternal(c.external)
                        .setBytes(c.bytes())
                        .setFlows(c.flows)
                        .setUnanswered(c.unanswered)
                        .setBytesOut(c.bytesOut)
                        .setRare(c.popularityMatters() && c.rare())
                        .setLongLived(c.longLived())
                        .setFailedPorts(failedOrSilentPorts(c))
                        .build())
                .toList();
        long listedTargets =
                destinations.stream().mapToLong(d -> d.getFailedPorts().size()).sum();

        Map<String, Set<Integer>> indices = new TreeMap<>();
        Map<String, Long> maxMib = new HashMap<>();
        for (GpuStats g : gpus.values()) {
            for (Map.Entry<String, Long> p : g.processes.entrySet()) {
                indices.computeIfAbsent(p.getKey(), k -> new TreeSet<>()).add(g.gpu);
                maxMib.merge(p.getKey(), p.getValue(), Math::max);
            }
        }
        List<ProcessEvidence> processes = maxMib.entrySet().stream()
                .sorted(GpuStats.NAME_PRIORITY)
                .limit(MAX_EVIDENCE_PROCESSES)
                .map(e -> ProcessEvidence.newBuilder()
                        .setName(e.getKey())
                        .setGpus(new ArrayList<>(indices.get(e.getKey())))
                        .setMaxUsedMib(e.getValue())
                        .build())
                .toList();
        return Evidence.newBuilder()
                .setDestinations(new ArrayList<>(destinations))
                .setProcesses(new ArrayList<>(processes))
                .setFlowCount(flows)
                .setSampleCount(samples)
                .setUnlistedFailedTargets(Math.max(0, allFailedTargets().count() - listedTargets))
                .build();
    }

    /**
     * A contact's ports among the window's failed targets, sorted: those where its attempts failed, and those where
     * its datagrams met silence on a port silent on enough hosts to count ({@link PortReach#failedOrSilent}).
     */
    private List<Integer> failedOrSilentPorts(Contact c) {
        Set<Integer> ports = new TreeSet<>();
        for (int p : c.failedPorts) {
            ports.add(p);
        }
        for (int p : c.silentPorts) {
            PortReach reach = scanPorts.get(p);
            if (reach != null && reach.silent.count() >= ContactStats.UDP_SILENT_JUDGED) {
                ports.add(p);
            }
        }
        return new ArrayList<>(ports);
    }

    /**
     * Every failed target of the window (host and port), whatever its port's reach, with the silent ones that count:
     * what the listed destinations' failed ports are a part of.
     */
    private DistinctCounter allFailedTargets() {
        DistinctCounter out = overflowFailedTargets.copy();
        for (PortReach reach : scanPorts.values()) {
            out.merge(reach.failedOrSilent());
        }
        return out;
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Keeps the {@link #KEEP_PER_ORDER} contacts with most bytes, the {@link #KEEP_PER_ORDER} with most unanswered
     * attempts and the {@link #KEEP_LONG_LIVED} first external long-lived ones: the top of every order {@link
     * #evidence} reads. The orders are total, and top-k of a union is the top-k of the parts' top-ks, so every kept
     * set holds the top of each order of everything added, however it was grouped or ordered; what else it holds
     * (added since the last compaction) is never read: the evidence does not depend on the order of adds and merges.
     */
    private void compactContacts() {
        Set<Contact> keep = new LinkedHashSet<>();
        contacts.stream().sorted(BY_BYTES).limit(KEEP_PER_ORDER).forEach(keep::add);
        contacts.stream().sorted(BY_UNANSWERED).limit(KEEP_PER_ORDER).forEach(keep::add);
        contacts.stream()
                .filter(WindowAccumulator::externalLongLived)
                .sorted(LONG_LIVED_FIRST)
                .limit(KEEP_LONG_LIVED)
                .forEach(keep::add);
        contacts = new ArrayList<>(keep);
    }

    private static boolean externalLongLived(Contact c) {
        return c.external && c.longLived();
    }

    private void adoptJob(String id) {
        if (id == null) {
            return;
        }
        if (jobId == null) {
            jobId = id;
        } else if (!jobId.equals(id)) {
            throw new IllegalArgumentException(
                    "job " + id + "'s signal in the window of job " + jobId + ": key the job window by job id");
        }
    }

    /**
     * Hosts tried and targets failed on one service port, within one job's window: the hosts the job tried on
     * it, the targets ({@link #target}: host and this port) that failed there, and the targets where its UDP
     * datagrams met silence, too few on their host to judge there ({@link Contact#silentPorts}). A Flink POJO.
     */
    public static class PortReach {
        public DistinctCounter tried = new DistinctCounter();
        public DistinctCounter failed = new DistinctCounter();
        public DistinctCounter silent = new DistinctCounter();

        public PortReach() {}

        void merge(PortReach o) {
            tried.merge(o.tried);
            failed.merge(o.failed);
            silent.merge(o.silent);
        }

        /**
         * The failed targets, and the silent ones when there are {@link ContactStats#UDP_SILENT_JUDGED} or more:
         * silence on one port of many hosts is a sweep, on one or two it is a one-way protocol's collectors.
         */
        DistinctCounter failedOrSilent() {
            if (silent.count() < ContactStats.UDP_SILENT_JUDGED) {
                return failed;
            }
            DistinctCounter both = failed.copy();
            both.merge(silent);
            return both;
        }

        PortReach copy() {
            PortReach c = new PortReach();
            c.merge(this);
            return c;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PortReach p
                    && tried.equals(p.tried)
                    && failed.equals(p.failed)
                    && silent.equals(p.silent);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * tried.hashCode() + failed.hashCode()) + silent.hashCode();
        }

        @Override
        public String toString() {
            return "tried=" + tried.count() + " failed=" + failed.count() + " silent=" + silent.count();
        }
    }

    static double log1p(double count) {
        return Math.log1p(Math.max(0, count));
    }

    /**
     * A measurement in millionths, for sums that must not depend on the order values arrive in (floating
     * point addition is not associative; the samples of one window arrive in no fixed order).
     */
    static long micros(double value) {
        return Math.round(value * 1_000_000);
    }

    static double ratio(double part, double whole) {
        return whole <= 0 ? 0.0 : clamp01(part / whole);
    }

    static double clamp01(double v) {
        return Double.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0.0;
    }

    static double clampPercent(double util) {
        return Double.isFinite(util) ? Math.max(0, Math.min(100, util)) : 0.0;
    }

    /** A profiling fraction clamped into [0, 1]; null when absent or not finite. */
    static Double fraction(Double v) {
        return v == null || !Double.isFinite(v) ? null : clamp01(v);
    }

    @Override
    public String toString() {
        return "WindowAccumulator{" + jobId + " flows=" + flows + " contacts=" + contactCount + " samples=" + samples
                + " gpus=" + gpus.size() + "}";
    }
}
