package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Probing of outside hosts from a pod, with connect() scans (a pod has no raw sockets): a vertical scan
 * tries hundreds of ports of one host within seconds; a horizontal sweep tries one to three ports across
 * a run of addresses of one range within minutes. A closed port answers with a reset (REJ) unless a
 * firewall drops the SYN (S0, retransmitted); an address with no host never answers (S0); an open port
 * completes the handshake, and the scanner either reads the banner and closes (SF) or resets (RSTO).
 */
final class OutsideScan implements Activity {
    /** Ports a sweep tries: remote shells, web, SMB, RDP, databases, container APIs. */
    static final int[] SWEEP_PORTS = {22, 23, 80, 443, 445, 3389, 6379, 8080, 2375, 5900, 27017, 9200};

    private record Probe(long t, String ip, int port, Outcome outcome) {}

    private enum Outcome {
        DROPPED,
        REFUSED,
        OPEN
    }

    private final World world;
    private final Pod pod;
    private final Rng rng;
    private final Phase phase;
    private final List<Probe> probes = new ArrayList<>();
    private int next;

    private OutsideScan(World world, Pod pod, Rng rng, Phase phase) {
        this.world = world;
        this.pod = pod;
        this.rng = rng;
        this.phase = phase;
    }

    /** {@code ports} ports of {@code host} (the well-known ones first, in a shuffled order) within {@code durationMs}. */
    static OutsideScan vertical(
            World world, Pod pod, Rng rng, Phase phase, String host, long start, long durationMs, int ports) {
        OutsideScan s = new OutsideScan(world, pod, rng, phase);
        boolean firewalled = rng.chance(0.5);
        List<Integer> order = new ArrayList<>();
        for (int p = 1; p <= 1024 && order.size() < ports; p++) {
            order.add(p);
        }
        for (int p = 1025; order.size() < ports; p += rng.between(1, 40)) {
            order.add(p);
        }
        for (int i = order.size() - 1; i > 0; i--) { // nmap randomises the port order
            int j = rng.between(0, i);
            Integer x = order.get(i);
            order.set(i, order.get(j));
            order.set(j, x);
        }
        double gap = (double) durationMs / order.size();
        for (int i = 0; i < order.size(); i++) {
            int port = order.get(i);
            boolean open = port == 22 || port == 80 || port == 443;
            Outcome o = open ? Outcome.OPEN : firewalled ? Outcome.DROPPED : Outcome.REFUSED;
            s.probes.add(new Probe(start + Math.round((i + rng.next()) * gap), host, port, o));
        }
        s.probes.sort(Comparator.comparingLong(Probe::t));
        return s;
    }

    /** {@code hosts} consecutive addresses of {@code prefix} (a /24, from {@code first}) on {@code ports}, within {@code durationMs}. */
    static OutsideScan horizontal(
            World world,
            Pod pod,
            Rng rng,
            Phase phase,
            String prefix,
            int first,
            int hosts,
            int[] ports,
            long start,
            long durationMs) {
        OutsideScan s = new OutsideScan(world, pod, rng, phase);
        double gap = (double) durationMs / (hosts * ports.length);
        int i = 0;
        for (int h = 0; h < hosts; h++) {
            String ip = prefix + (1 + (first - 1 + h) % 254);
            double r = rng.next();
            for (int port : ports) {
                Outcome o;
                if (knownService(ip, port)) {
                    o = Outcome.OPEN;
                } else if (r < 0.85) { // no host at the address, or it drops everything
                    o = Outcome.DROPPED;
                } else if (r < 0.95) {
                    o = rng.chance(0.15) ? Outcome.OPEN : Outcome.REFUSED;
                } else {
                    o = Outcome.OPEN;
                }
                s.probes.add(new Probe(start + Math.round((i + rng.next()) * gap), ip, port, o));
                i++;
            }
        }
        s.probes.sort(Comparator.comparingLong(Probe::t));
        return s;
    }

    /** The fleet's shared outside services answer on their ports. */
    private static boolean knownService(String ip, int port) {
        if (port == 443) {
            return Addresses.TRACKER.contains(ip)
                    || Addresses.CLOUD_STORAGE.contains(ip)
                    || Addresses.CODE_HOSTS.contains(ip)
                    || ip.equals(Addresses.MODEL_HUB)
                    || Addresses.PACKAGE_CDN.contains(ip)
                    || webServer(ip);
        }
        return port == 22 && Addresses.CODE_HOSTS.contains(ip);
    }

    private static boolean webServer(String ip) {
        int host = Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1));
        return host >= 100 && host <= 127;
    }

    int probeCount() {
        return probes.size();
    }

    @Override
    public void network(long from, long to) {
        while (next < probes.size() && probes.get(next).t < to) {
            Probe p = probes.get(next++);
            if (p.t < from) {
                continue;
            }
            switch (p.outcome) {
                case DROPPED -> world.unanswered(pod, rng, p.ip, p.port, p.t, false, phase);
                case REFUSED -> world.unanswered(pod, rng, p.ip, p.port, p.t, true, phase);
                case OPEN -> {
                    if (rng.chance(0.4)) { // read the banner, close
                        world.exchange(
                                pod,
                                rng,
                                p.ip,
                                p.port,
                                p.t,
                                rng.between(0, 120),
                                rng.between(20, 400),
                                5,
                                Counters.MSS,
                                phase);
                    } else { // connected: the port is open; reset
                        world.outbound(
                                pod,
                                rng,
                                p.ip,
                                p.port,
                                "TCP",
                                p.t,
                                rng.between(20, 200),
                                "RSTO",
                                Traffic.fixed(new Counters(0, 0, 3, 1)),
                                phase);
                    }
                }
            }
        }
    }
}
