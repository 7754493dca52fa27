package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reconnaissance of the cluster from a pod: TCP connection attempts to internal hosts on service ports.
 * Most get nothing back (S0: no such host, or a network policy drops the SYN) or a reset (REJ: the host
 * is there, the port is closed); the few open services answer (SF) or are reset by the scanner after
 * the handshake (RSTO). A burst sweeps dozens of hosts on a handful of ports within minutes; a slow scan
 * spreads a few dozen random probes over half an hour. A burst may also ask the cloud metadata service
 * for the node's identity and credentials.
 */
final class Scan implements Activity {
    static final int[] PORTS = {
        22, 80, 443, 2379, 3306, 5432, 6379, 6443, 8080, 8443, 9000, 9090, 10250, 27017, 3000, 5000, 8000, 8888, 11211,
        2049, 111, 53, 21, 25, 5900, 9200
    };

    private record Probe(long t, String ip, int port) {}

    private final World world;
    private final Pod pod;
    private final Rng rng;
    private final Phase phase;
    private final List<Probe> probes = new ArrayList<>();
    private final List<Long> metadataRequests = new ArrayList<>();
    private int next;
    private int nextMetadata;

    /**
     * @param burst a sweep (hosts × ports, tens of milliseconds apart) rather than scattered probes
     * @param metadataRequests requests to the metadata service within the span (0 for none)
     */
    Scan(
            World world,
            Pod pod,
            Rng rng,
            Phase phase,
            long start,
            long duration,
            int count,
            boolean burst,
            int metadataRequests) {
        this.world = world;
        this.pod = pod;
        this.rng = rng;
        this.phase = phase;
        if (burst) {
            int portCount = rng.between(3, 8);
            List<Integer> ports = new ArrayList<>();
            while (ports.size() < portCount) {
                int p = rng.pick(PORTS);
                if (!ports.contains(p)) {
                    ports.add(p);
                }
            }
            int hosts = (count + portCount - 1) / portCount;
            List<String> targets = targets(hosts);
            double gap = (double) duration / (hosts * portCount);
            int i = 0;
            for (String ip : targets) { // host by host, port by port
                for (int p : ports) {
                    probes.add(new Probe(start + Math.round((i + rng.next()) * gap), ip, p));
                    i++;
                }
            }
        } else {
            for (String ip : targets(count)) {
                probes.add(new Probe(start + (long) (rng.next() * duration), ip, rng.pick(PORTS)));
            }
        }
        probes.sort(Comparator.comparingLong(Probe::t));
        for (int i = 0; i < metadataRequests; i++) {
            this.metadataRequests.add(start + (long) (rng.uniform(0.1, 0.95) * duration));
        }
        this.metadataRequests.sort(null);
    }

    /** Internal addresses a prober would try: pod subnets, nodes, services, infrastructure. */
    private List<String> targets(int n) {
        List<String> out = new ArrayList<>();
        while (out.size() < n) {
            double r = rng.next();
            String ip;
            if (r < 0.40) {
                ip = Addresses.podSubnet(rng.between(0, world.nodes.size() - 1)) + rng.between(2, 254);
            } else if (r < 0.55) {
                ip = world.nodes.get(rng.between(0, world.nodes.size() - 1)).ip;
            } else if (r < 0.70) {
                ip = "10.96.0." + rng.pick(1, 10, rng.between(2, 250));
            } else if (r < 0.90) {
                ip = rng.chance(0.5)
                        ? rng.pick(List.of(
                                Addresses.MIRROR,
                                Addresses.PROXY,
                                Addresses.GATEWAY,
                                Addresses.REWARD_MODEL,
                                Addresses.PROMETHEUS,
                                Addresses.NFS,
                                rng.pick(Addresses.OBJECT_STORE)))
                        : "10.20." + rng.between(0, 2) + "." + rng.between(2, 250);
            } else {
                ip = rng.chance(0.5) ? "10.30.0." + rng.between(2, 40) : "10.40.0." + rng.between(2, 120);
            }
            if (!ip.equals(pod.ip) && !out.contains(ip)) {
                out.add(ip);
            }
        }
        return out;
    }

    /** When the first probe leaves. */
    long firstProbe() {
        return probes.isEmpty() ? Long.MAX_VALUE : probes.get(0).t;
    }

    @Override
    public void network(long from, long to) {
        while (next < probes.size() && probes.get(next).t < to) {
            Probe p = probes.get(next++);
            if (p.t >= from) {
                probe(p);
            }
        }
        while (nextMetadata < metadataRequests.size() && metadataRequests.get(nextMetadata) < to) {
            long t = metadataRequests.get(nextMetadata++);
            if (t >= from) {
                world.exchange(
                        pod,
                        rng,
                        Addresses.METADATA,
                        80,
                        t,
                        rng.between(120, 260),
                        rng.between(40, 1_400),
                        5,
                        Counters.MSS,
                        phase);
            }
        }
    }

    private void probe(Probe p) {
        if (listens(p.ip, p.port, p.t)) {
            if (rng.chance(0.5)) { // connect, read the banner or a 401, close
                world.exchange(
                        pod,
                        rng,
                        p.ip,
                        p.port,
                        p.t,
                        rng.between(0, 220),
                        rng.between(20, 600),
                        50,
                        Counters.JUMBO_MSS,
                        phase);
            } else { // connect and reset
                world.outbound(
                        pod,
                        rng,
                        p.ip,
                        p.port,
                        "TCP",
                        p.t,
                        rng.between(1, 5),
                        "RSTO",
                        Traffic.fixed(new Counters(0, 0, 3, 1)),
                        phase);
            }
        } else {
            world.unanswered(pod, rng, p.ip, p.port, p.t, exists(p.ip, p.t) && rng.chance(0.8), phase);
        }
    }

    private boolean exists(String ip, long t) {
        return world.podAt(ip, t) != null
                || infraPorts(ip).length > 0
                || world.nodeByIp(ip) != null
                || ip.startsWith("10.40.0.") && sandbox(ip);
    }

    private boolean listens(String ip, int port, long t) {
        if (world.nodeByIp(ip) != null) {
            return port == 22 || port == 10250 || port == 9100;
        }
        for (int open : infraPorts(ip)) {
            if (open == port) {
                return true;
            }
        }
        if (ip.startsWith("10.40.0.") && sandbox(ip)) {
            return port == 8080;
        }
        Pod target = world.podAt(ip, t);
        if (target == null) {
            return false;
        }
        return switch (target.job.kind) {
            case INFERENCE -> port == 8000;
            case NOTEBOOK -> port == 22 || port == 8888;
            default -> port == 29500 && target.rank == 0;
        };
    }

    private static boolean sandbox(String ip) {
        int host = Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1));
        return host >= 10 && host <= 60;
    }

    private static int[] infraPorts(String ip) {
        if (ip.equals(Addresses.KUBE_API)) {
            return new int[] {443};
        }
        if (ip.equals(Addresses.KUBE_DNS)) {
            return new int[] {53};
        }
        if (ip.equals(Addresses.MIRROR)) {
            return new int[] {80, 443};
        }
        if (ip.equals(Addresses.PROXY)) {
            return new int[] {Addresses.PROXY_PORT};
        }
        if (ip.equals(Addresses.GATEWAY)) {
            return new int[] {80, 443};
        }
        if (ip.equals(Addresses.REWARD_MODEL)) {
            return new int[] {8000};
        }
        if (ip.equals(Addresses.PROMETHEUS)) {
            return new int[] {9090};
        }
        if (ip.equals(Addresses.NFS)) {
            return new int[] {111, 2049};
        }
        if (Addresses.OBJECT_STORE.contains(ip)) {
            return new int[] {Addresses.OBJECT_STORE_PORT};
        }
        if (ip.equals(Addresses.BASTION)) {
            return new int[] {22};
        }
        return new int[0];
    }
}
