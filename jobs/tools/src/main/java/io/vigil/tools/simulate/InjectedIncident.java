package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One injected incident in one job: its activities (probing, a tunnel, a miner, an upload) and the
 * labelled phases they credit their records to. Built from the incident's own random stream, so the
 * benign background does not change when an incident is added.
 */
final class InjectedIncident {
    static final String NETWORK_SCAN = "NETWORK_SCAN";
    static final String REVERSE_TUNNEL = "REVERSE_TUNNEL";
    static final String CRYPTO_MINING = "CRYPTO_MINING";
    static final String EXFILTRATION = "EXFILTRATION";

    static final int[] STRATUM_PORTS = {3333, 4444, 14444, 5555, 7777, 14433};

    final String name;
    final IncidentKind kind;
    final Job job;
    final Pod pod;
    final long start;
    final List<Phase> phases = new ArrayList<>();
    private final List<Activity> activities = new ArrayList<>();
    private final List<String> details = new ArrayList<>();
    /** The agents' trace the incident's calls go to, or null: no agent typed them. */
    private final AgentTrace trace;
    /** Draws the calls' commands and timing, apart from the incident's traffic. */
    private final Rng agentRng;
    /** The rollout worker of {@link #pod} whose episodes make the calls. */
    private final int worker;
    /** A miner whose download call is written once its download is made (its time is drawn then). */
    private Miner downloadPending;

    private InjectedIncident(World world, String name, IncidentKind kind, Job job, Pod pod, long start) {
        this.name = name;
        this.kind = kind;
        this.job = job;
        this.pod = pod;
        this.start = start;
        this.trace = kind.byAgent && job instanceof RlJob rl ? rl.agent : null;
        this.agentRng = Rng.of(world.seed, "incident-agent:" + name);
        this.worker = agentRng.between(0, AgentTrace.workers(pod) - 1);
    }

    /**
     * Builds incident {@code name} of {@code kind} in {@code job}, beginning at {@code start}.
     *
     * @param rareHosts outside addresses already used by other incidents (extended with this one's)
     */
    static InjectedIncident create(
            World world, String name, IncidentKind kind, Job job, long start, List<String> rareHosts) {
        Pod pod = job.podAt(0, start);
        if (pod == null) {
            throw new IllegalStateException("job " + job.id + " has no rank-0 pod at " + start);
        }
        InjectedIncident in = new InjectedIncident(world, name, kind, job, pod, start);
        Rng a = in.agentRng;
        Rng rng = Rng.of(world.seed, "incident:" + name);
        switch (kind) {
            case ROME -> in.rome(world, rng, rareHosts);
            case STEALTH_MINER -> in.stealthMiner(world, rng, rareHosts);
            case TUNNEL_443 -> {
                String host = Addresses.rareExternal(rng, rareHosts);
                long close = start + rng.minutes(25, 50);
                Phase tunnel = in.phase(REVERSE_TUNNEL);
                in.activities.add(new Tunnel(world, pod, rng, tunnel, host, 443, start, close));
                in.details.add("tunnel to " + host + ":443");
                long call = start - AgentTrace.lead(a, 500);
                in.byAgent(tunnel, call, start + a.seconds(0.3, 3), ToolCalls.reverseTunnel(a, host, 443), 0);
            }
            case SLOW_SCAN -> {
                long span = Math.min(rng.minutes(28, 32), world.end - start - 60_000);
                int probes = rng.between(40, 60);
                Phase scan = in.phase(NETWORK_SCAN);
                Scan slow = new Scan(world, pod, rng, scan, start, span, probes, false, 0);
                in.activities.add(slow);
                in.details.add(probes + " probes over " + Math.round(span / 60_000.0) + " min");
                long call = slow.firstProbe() - AgentTrace.lead(a, 400);
                in.byAgent(scan, call, call + a.seconds(0.02, 0.2), ToolCalls.slowScan(a), 0); // backgrounded
            }
            case PROXIED_MINER -> {
                int[] gpus = someGpus(rng, pod, Math.max(1, pod.gpus.length / 2), Math.max(1, pod.gpus.length / 2));
                String process = rng.pick(List.of("xmrig", "python3", "kworker/0:2"));
                long end = start + rng.minutes(25, 45);
                in.activities.add(new Miner(
                        world,
                        pod,
                        rng,
                        in.phase(CRYPTO_MINING),
                        gpus,
                        process,
                        start,
                        end,
                        rng.uniform(0.8, 0.95),
                        null,
                        new Miner.Pool(Addresses.PROXY, Addresses.PROXY_PORT, true, true),
                        null));
                in.details.add("'" + process + "' on GPUs " + Arrays.toString(gpus) + ", pool via the proxy "
                        + Addresses.PROXY + ":" + Addresses.PROXY_PORT);
            }
            case EXTERNAL_PORT_SCAN -> {
                String host = Addresses.rareExternal(rng, rareHosts);
                int ports = rng.between(300, 1000);
                long duration = rng.seconds(4, 40);
                Phase scan = in.phase(NETWORK_SCAN);
                in.activities.add(OutsideScan.vertical(world, pod, rng, scan, host, start, duration, ports));
                in.details.add(ports + " ports of " + host + " in " + Math.round(duration / 1000.0) + " s");
                long call = start - AgentTrace.lead(a, 300);
                in.byAgent(scan, call, start + duration + a.seconds(0.5, 3), ToolCalls.portScan(a, host, ports), 0);
            }
            case EXTERNAL_SWEEP -> {
                String prefix = rng.pick(List.of("192.0.2.", "198.51.100.", "203.0.113."));
                int first = rng.between(1, 254);
                int hosts = rng.between(40, 250);
                int[] ports = new int[rng.between(1, 3)];
                for (int i = 0; i < ports.length; i++) {
                    int p;
                    do {
                        p = rng.pick(OutsideScan.SWEEP_PORTS);
                    } while (contains(ports, i, p));
                    ports[i] = p;
                }
                long duration = Math.min(rng.minutes(1, 6), world.end - start - 60_000);
                Phase scan = in.phase(NETWORK_SCAN);
                in.activities.add(
                        OutsideScan.horizontal(world, pod, rng, scan, prefix, first, hosts, ports, start, duration));
                long call = start - AgentTrace.lead(a, 400);
                in.byAgent(scan, call, call + a.seconds(0.02, 0.2), ToolCalls.sweep(a, prefix, ports), 0);
                in.details.add(hosts + " addresses of " + prefix + "0/24 on port(s) " + Arrays.toString(ports)
                        + " over " + Math.round(duration / 60_000.0) + " min");
            }
            case UDP_SCAN -> {
                Node target = world.nodes.get(rng.between(0, world.nodes.size() - 1));
                String host = rng.pick(List.of(Addresses.RESOLVER, Addresses.NTP.get(0), Addresses.GATEWAY, target.ip));
                int ports = rng.between(30, 200);
                long vertical = rng.seconds(20, 150);
                int sweepNode = rng.between(0, world.nodes.size() - 1);
                int sweepPort = rng.pick(UdpScan.SWEEP_PORTS);
                int sweepHosts = rng.between(30, 120);
                long gap = rng.minutes(1, 3);
                long sweep = rng.minutes(1, 4);
                Phase phase = in.phase(NETWORK_SCAN);
                UdpScan scan = new UdpScan(
                        world,
                        pod,
                        rng,
                        phase,
                        host,
                        ports,
                        start,
                        vertical,
                        Addresses.podSubnet(sweepNode),
                        sweepPort,
                        sweepHosts,
                        gap,
                        sweep);
                in.activities.add(scan);
                long call = start - AgentTrace.lead(a, 300);
                in.byAgent(phase, call, start + vertical + a.seconds(0.5, 2), ToolCalls.udpPorts(a, host, ports), 0);
                long sweepAt = start + vertical + gap;
                call = sweepAt - AgentTrace.lead(a, 300);
                in.byAgent(
                        phase,
                        call,
                        sweepAt + sweep + a.seconds(0.5, 2),
                        ToolCalls.udpSweep(a, Addresses.podSubnet(sweepNode), sweepPort),
                        0);
                in.details.add(
                        ports + " UDP ports of " + host + " in " + Math.round(vertical / 1000.0) + " s, then UDP "
                                + sweepPort + " of " + sweepHosts + " addresses of " + Addresses.podSubnet(sweepNode)
                                + "0/24 over "
                                + Math.round(sweep / 60_000.0) + " min");
            }
            case EXFILTRATION -> {
                String host = Addresses.rareExternal(rng, rareHosts);
                long duration = rng.minutes(6, 20);
                long bytes = Math.round(rng.uniform(0.4, 3.0) * (1L << 30));
                int streams = rng.between(1, 3);
                Phase upload = in.phase(EXFILTRATION);
                in.activities.add(new Upload(world, pod, rng, upload, host, start, duration, bytes, streams));
                long call = start - AgentTrace.lead(a, 1_000);
                in.byAgent(upload, call, start + duration + a.seconds(0.5, 5), ToolCalls.upload(a, host), 0);
                in.details.add(String.format(
                        Locale.ROOT,
                        "%.2f GiB to %s:443 over %d min in %d stream(s)",
                        bytes / (double) (1L << 30),
                        host,
                        Math.round(duration / 60_000.0),
                        streams));
            }
        }
        return in;
    }

    private void rome(World world, Rng rng, List<String> rareHosts) {
        long scan = rng.minutes(2, 4);
        long toTunnel = rng.minutes(1, 3);
        long toMiner = rng.minutes(3, 6);
        long lead = scan + toTunnel + toMiner;
        long room = world.end - 3 * 60_000 - start; // leave the miner a few minutes at least
        if (lead > room) { // a short span: the same sequence, faster
            double f = Math.max(0.1, (double) room / lead);
            scan = Math.round(scan * f);
            toTunnel = Math.round(toTunnel * f);
            toMiner = Math.round(toMiner * f);
        }
        int probes = rng.between(120, 300);
        Phase sweep = phase(NETWORK_SCAN);
        Scan burst = new Scan(world, pod, rng, sweep, start, scan, probes, true, rng.between(3, 7));
        activities.add(burst);
        Rng a = agentRng;
        byAgent(
                sweep,
                Math.min(start, burst.firstProbe()) - AgentTrace.lead(a, 400),
                start + scan + a.seconds(0.5, 3),
                ToolCalls.internalSweep(
                        a, Addresses.podSubnet(world.nodes.indexOf(pod.node)), new int[] {22, 6379, 10250}),
                0);
        long tunnelAt = start + scan + toTunnel;
        long minerAt = tunnelAt + toMiner;
        long minerEnd = minerAt + rng.minutes(25, 45);
        String tunnelHost = Addresses.rareExternal(rng, rareHosts);
        Phase tunnel = phase(REVERSE_TUNNEL);
        activities.add(new Tunnel(world, pod, rng, tunnel, tunnelHost, 22, tunnelAt, minerEnd + rng.minutes(0, 3)));
        byAgent(
                tunnel,
                tunnelAt - AgentTrace.lead(a, 500),
                tunnelAt + a.seconds(0.3, 3),
                ToolCalls.reverseTunnel(a, tunnelHost, 22),
                0);
        int[] gpus = someGpus(rng, pod, Math.max(1, pod.gpus.length / 2), pod.gpus.length);
        String poolHost = Addresses.rareExternal(rng, rareHosts);
        int poolPort = rng.pick(STRATUM_PORTS);
        Phase mining = phase(CRYPTO_MINING);
        Miner miner = new Miner(
                world,
                pod,
                rng,
                mining,
                gpus,
                "xmrig",
                minerAt,
                minerEnd,
                rng.uniform(0.75, 0.95),
                null,
                new Miner.Pool(poolHost, poolPort, false, false),
                rng.pick(Addresses.CODE_HOSTS));
        activities.add(miner);
        long launch = minerAt - AgentTrace.lead(a, 800);
        byAgent(
                mining,
                launch,
                launch + a.seconds(0.05, 0.3),
                ToolCalls.minerLaunch(a, poolHost, poolPort, "xmrig", false),
                0); // backgrounded
        if (trace != null) { // the download before it: written once the download's time is drawn
            trace.reserve(pod, worker, minerAt - 70_000, minerAt);
            downloadPending = miner;
        }
        details.add(probes + " internal probes and the metadata service, then ssh -R to " + tunnelHost
                + ":22, then xmrig on GPUs " + Arrays.toString(gpus) + " with pool " + poolHost + ":" + poolPort);
    }

    private void stealthMiner(World world, Rng rng, List<String> rareHosts) {
        int[] gpu = someGpus(rng, pod, 1, 1);
        String process = rng.pick(List.of(job.processName, "python3", "kworker/u16:2"));
        double dutyShare = rng.uniform(0.5, 0.7);
        long end = start + rng.minutes(30, 60);
        Segments duty =
                new Segments(rng, new Segments.Segment(start, start + rng.minutes(1, 4), 1), (prevEnd, prevKind, r) -> {
                    if (prevKind == 1) {
                        double on = r.uniform(1, 4);
                        return new Segments.Segment(
                                prevEnd,
                                prevEnd + Math.round(on * (1 - dutyShare) / dutyShare * 60_000 * r.jitter(0.3)),
                                0);
                    }
                    return new Segments.Segment(prevEnd, prevEnd + r.minutes(1, 4), 1);
                });
        String poolHost = Addresses.rareExternal(rng, rareHosts);
        activities.add(new Miner(
                world,
                pod,
                rng,
                phase(CRYPTO_MINING),
                gpu,
                process,
                start,
                end,
                rng.uniform(0.55, 0.8),
                duty,
                new Miner.Pool(poolHost, 443, true, false),
                null));
        details.add("'" + process + "' on GPU " + gpu[0] + ", hashing about " + Math.round(dutyShare * 100)
                + "% of the time, pool " + poolHost + ":443 (TLS)");
    }

    private static boolean contains(int[] values, int count, int value) {
        for (int i = 0; i < count; i++) {
            if (values[i] == value) {
                return true;
            }
        }
        return false;
    }

    /** Between {@code min} and {@code max} of the pod's GPUs, in index order. */
    private static int[] someGpus(Rng rng, Pod pod, int min, int max) {
        int n = rng.between(min, max);
        List<Integer> pool = new ArrayList<>();
        for (int g : pod.gpus) {
            pool.add(g);
        }
        List<Integer> chosen = new ArrayList<>();
        while (chosen.size() < n) {
            chosen.add(pool.remove(rng.between(0, pool.size() - 1)));
        }
        return chosen.stream().sorted().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The agent's call behind {@code phase}, from {@code callStart} to {@code callEnd}, on this incident's worker
     * (kept free of other calls meanwhile); the first one names the phase. Nothing when no agent typed it.
     */
    private void byAgent(Phase phase, long callStart, long callEnd, String command, Integer exitCode) {
        if (trace == null) {
            return;
        }
        trace.reserve(pod, worker, callStart - 5_000, callEnd + 5_000);
        AgentTrace.Call call = trace.callOn(pod, worker, callStart, callEnd, "bash", command, exitCode);
        if (phase.cause == null) {
            phase.cause = call;
        }
    }

    private Phase phase(String category) {
        Phase p = new Phase(name, job.id, category);
        phases.add(p);
        return p;
    }

    void network(long from, long to) {
        for (Activity a : activities) {
            a.network(from, to);
        }
        if (downloadPending != null && downloadPending.downloadAt >= 0) {
            Miner miner = downloadPending;
            downloadPending = null;
            long call = miner.downloadAt - AgentTrace.lead(agentRng, 400);
            Phase mining = phases.get(phases.size() - 1);
            AgentTrace.Call download = trace.callOn(
                    pod,
                    worker,
                    call,
                    miner.downloadAt + agentRng.seconds(1.5, 8),
                    "bash",
                    ToolCalls.minerDownload(agentRng, miner.downloadFrom()),
                    0);
            if (mining.cause == null) {
                mining.cause = download;
            }
        }
    }

    /** Lets each activity change GPU {@code gpu} of {@code node} at {@code t}; the phase credited, or null. */
    Phase overlay(Node node, int gpu, long t, Load load) {
        Phase credited = null;
        for (Activity a : activities) {
            Phase p = a.overlay(node, gpu, t, load);
            if (p != null) {
                credited = p;
            }
        }
        return credited;
    }

    /** Whether an agent's tool calls started it (they are in the trace and named in labels.json). */
    boolean byAgent() {
        return trace != null;
    }

    String describe() {
        return String.join("; ", details);
    }
}
