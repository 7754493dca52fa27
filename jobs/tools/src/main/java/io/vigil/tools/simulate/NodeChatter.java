package io.vigil.tools.simulate;

/**
 * What a node says on its LAN and what it hears there, whatever its jobs do, seen by its own exporter:
 * chrony's NTP polls, DHCP lease renewals (and other hosts' broadcast DISCOVERs), the resolver's lookups
 * (a few over IPv6, a few to an outside fallback resolver), avahi's mDNS, SSDP searches and the unicast
 * replies of the LAN's devices (which Zeek logs as S0: nothing answers a reply), systemd-resolved's LLMNR,
 * NetBIOS broadcasts, ICMP port unreachable sent back for datagrams to closed ports (and received from an
 * outside resolver that does not listen), Prometheus scraping node-exporter and dcgm-exporter (one short
 * TCP connection per scrape, inbound from the monitoring host), kubelet's health checks of the pods (short
 * TCP from the node's address into each probed pod), and an apt run now and then.
 *
 * <p>The node's own addresses are no job's, except when a host-network pod holds them: then all of this
 * is that job's traffic too, as it is on a real cluster. Link-local IPv6 is never anyone's. Each node
 * draws from its own stream, so chatter never changes with the jobs or incidents.
 */
final class NodeChatter {
    private static final int NODE_EXPORTER = 9100;
    private static final int DCGM_EXPORTER = 9400;
    private static final String PROMETHEUS6 = "fd00:10:20::60";

    private final World world;
    private final Node node;
    private final Rng rng;
    private final double ntpPollsPerMinute;
    private final boolean ntpOutside;
    private final long dhcpPhaseMs;
    private final long dhcpRenewMs;
    private final boolean avahi;
    private final boolean ssdp;
    private final boolean netbios;
    private final boolean scrapedOverIpv6;
    private final long scrapeMs;
    private final long scrapePhaseMs;
    private final long probeMs;

    NodeChatter(World world, Node node) {
        this.world = world;
        this.node = node;
        this.rng = Rng.of(world.seed, "chatter:" + node.name);
        // chrony polls each of two sources every 64..512 s once settled
        this.ntpPollsPerMinute = 2 * 60.0 / (64 << rng.between(0, 3));
        this.ntpOutside = rng.chance(0.4);
        this.dhcpRenewMs = 30 * 60_000L; // T1: half of a one-hour lease
        this.dhcpPhaseMs = rng.betweenLong(0, dhcpRenewMs - 1);
        this.avahi = rng.chance(0.6);
        this.ssdp = rng.chance(0.5);
        this.netbios = rng.chance(0.3);
        this.scrapedOverIpv6 =
                node.index % 2 == 1 || rng.chance(0.2); // the monitoring host reaches half the nodes over IPv6
        this.scrapeMs = rng.pick(15, 30) * 1000L;
        this.scrapePhaseMs = rng.betweenLong(0, scrapeMs - 1);
        this.probeMs = 10_000;
    }

    /** Opens the chatter that starts in [from, to). */
    void network(long from, long to) {
        ntp(from, to);
        dhcp(from, to);
        dns(from, to);
        discovery(from, to);
        unreachable(from, to);
        scrapes(from, to);
        probes(from, to);
        if (rng.chance(0.006)) { // unattended-upgrades: apt from the mirror, sometimes straight from a CDN
            long t = from + rng.betweenLong(0, to - from - 1);
            boolean cdn = rng.chance(0.3);
            String src = cdn && rng.chance(0.5) ? node.ip6 : node.ip;
            String dst = !cdn
                    ? Addresses.MIRROR
                    : src.equals(node.ip6) ? Addresses.PACKAGE_CDN6 : rng.pick(Addresses.PACKAGE_CDN);
            for (int i = rng.between(1, 6); i > 0; i--) {
                long down = Math.round(rng.uniform(2_000, 2_000_000) * rng.jitter(0.8));
                tcp(src, dst, cdn ? 443 : 80, t + rng.seconds(0, 20), rng.between(250, 700), down, 80);
            }
        }
    }

    private void ntp(long from, long to) {
        for (long t : Job.arrivals(rng, ntpPollsPerMinute, from, to)) {
            String src = node.ip;
            String server = rng.pick(Addresses.NTP);
            if (ntpOutside && rng.chance(0.5)) {
                boolean v6 = rng.chance(0.5);
                src = v6 ? node.ip6 : node.ip;
                server = v6 ? Addresses.NTP_POOL6 : rng.pick(Addresses.NTP_POOL);
            }
            world.datagram(node.name, src, rng.ephemeralPort(), server, 123, t, 48, 1, 48, true, rng);
        }
    }

    private void dhcp(long from, long to) {
        long k = Math.floorDiv(from - world.t0 - dhcpPhaseMs + dhcpRenewMs - 1, dhcpRenewMs);
        for (long t = world.t0 + dhcpPhaseMs + k * dhcpRenewMs; t < to; t += dhcpRenewMs) {
            if (t >= from) { // a REQUEST to renew, unicast to the server, and its ACK
                world.datagram(
                        node.name,
                        node.ip,
                        68,
                        Addresses.DHCP,
                        67,
                        t,
                        rng.between(300, 348),
                        1,
                        rng.between(300, 342),
                        true,
                        rng);
                // DHCPv6 RENEW to the All_DHCP_Relay_Agents_and_Servers group
                world.datagram(
                        node.name,
                        node.linkLocal,
                        546,
                        Addresses.DHCP6_SERVERS,
                        547,
                        t + rng.seconds(0.5, 5),
                        rng.between(90, 130),
                        1,
                        0,
                        false,
                        rng);
            }
        }
        if (rng.chance(0.01)) { // a device on the LAN boots, or lost its lease: DISCOVER, broadcast from 0.0.0.0
            world.datagram(
                    node.name,
                    Addresses.UNSPECIFIED,
                    68,
                    Addresses.BROADCAST,
                    67,
                    from + rng.betweenLong(0, to - from - 1),
                    rng.between(300, 548),
                    rng.between(1, 3),
                    0,
                    false,
                    rng);
        }
    }

    private void dns(long from, long to) {
        for (long t : Job.arrivals(rng, 0.5, from, to)) {
            double r = rng.next();
            long q = rng.between(30, 80);
            long a = q + rng.between(16, 200);
            if (r < 0.75) {
                world.datagram(node.name, node.ip, rng.ephemeralPort(), Addresses.RESOLVER, 53, t, q, 1, a, true, rng);
            } else if (r < 0.93) {
                world.datagram(
                        node.name, node.ip6, rng.ephemeralPort(), Addresses.RESOLVER6, 53, t, q, 1, a, true, rng);
            } else { // the fallback resolver outside
                boolean v6 = rng.chance(0.3);
                world.datagram(
                        node.name,
                        v6 ? node.ip6 : node.ip,
                        rng.ephemeralPort(),
                        v6 ? Addresses.OUTSIDE_RESOLVER6 : rng.pick(Addresses.OUTSIDE_RESOLVERS),
                        53,
                        t,
                        q,
                        1,
                        a,
                        true,
                        rng);
            }
        }
    }

    /** mDNS, SSDP, LLMNR and NetBIOS: multicast and broadcast nobody answers as a connection. */
    private void discovery(long from, long to) {
        if (avahi) {
            for (long t : Job.arrivals(rng, 0.25, from, to)) {
                int pkts = rng.chance(0.3) ? rng.between(2, 3) : 1; // an announcement is sent two or three times
                long bytes = pkts * (long) rng.between(40, 380);
                if (rng.chance(0.6)) {
                    world.datagram(node.name, node.ip, 5353, Addresses.MDNS, 5353, t, bytes, pkts, 0, false, rng);
                } else {
                    world.datagram(
                            node.name, node.linkLocal, 5353, Addresses.MDNS6, 5353, t, bytes, pkts, 0, false, rng);
                }
            }
        }
        for (long t : Job.arrivals(rng, 0.2, from, to)) { // the LAN's devices announce themselves; the node hears it
            String device = rng.pick(Addresses.LAN_DEVICES);
            if (rng.chance(0.5)) {
                world.datagram(
                        node.name, device, 1900, Addresses.SSDP, 1900, t, rng.between(280, 420) * 2L, 2, 0, false, rng);
            } else {
                world.datagram(
                        node.name, device, 5353, Addresses.MDNS, 5353, t, rng.between(60, 400), 1, 0, false, rng);
            }
        }
        if (ssdp) {
            for (long t : Job.arrivals(rng, 1 / 12.0, from, to)) { // M-SEARCH, then each device answers unicast
                int port = rng.ephemeralPort();
                boolean v6 = rng.chance(0.25);
                world.datagram(
                        node.name,
                        v6 ? node.linkLocal : node.ip,
                        port,
                        v6 ? Addresses.SSDP6 : Addresses.SSDP,
                        1900,
                        t,
                        rng.between(120, 170) * 3L,
                        3,
                        0,
                        false,
                        rng);
                if (!v6) {
                    for (String device : Addresses.LAN_DEVICES) {
                        if (rng.chance(0.6)) {
                            world.datagram(
                                    node.name,
                                    device,
                                    1900,
                                    node.ip,
                                    port,
                                    t + rng.between(20, 2_500),
                                    rng.between(250, 420),
                                    1,
                                    0,
                                    false,
                                    rng);
                        }
                    }
                }
            }
        }
        for (long t : Job.arrivals(rng, 0.08, from, to)) { // systemd-resolved asks the link for a single-label name
            int port = rng.ephemeralPort();
            long q = rng.between(28, 60);
            world.datagram(node.name, node.ip, port, Addresses.LLMNR, 5355, t, q, 1, 0, false, rng);
            world.datagram(
                    node.name,
                    node.linkLocal,
                    port,
                    Addresses.LLMNR6,
                    5355,
                    t + rng.between(0, 5),
                    q,
                    1,
                    0,
                    false,
                    rng);
        }
        if (netbios) {
            for (long t :
                    Job.arrivals(rng, 1 / 6.0, from, to)) { // nmbd: name queries on 137, browse announcements on 138
                boolean browse = rng.chance(0.4);
                int port = browse ? 138 : 137;
                world.datagram(
                        node.name,
                        node.ip,
                        port,
                        Addresses.LAN_BROADCAST,
                        port,
                        t,
                        browse ? rng.between(180, 240) : 50,
                        browse ? 1 : 3,
                        0,
                        false,
                        rng);
            }
        }
        for (long t : Job.arrivals(rng, 0.03, from, to)) { // a management station's NetBIOS name query, heard
            world.datagram(
                    node.name,
                    Addresses.LAN_DEVICES.get(3),
                    137,
                    Addresses.LAN_BROADCAST,
                    137,
                    t,
                    50,
                    rng.between(1, 3),
                    0,
                    false,
                    rng);
        }
    }

    /** Datagrams to closed ports, and the ICMP port unreachable that answers them. */
    private void unreachable(long from, long to) {
        for (long t : Job.arrivals(rng, 0.1, from, to)) {
            double r = rng.next();
            if (r < 0.4) { // the monitoring host polls SNMP on a node that runs no agent
                long q = rng.between(40, 90);
                world.datagram(
                        node.name, Addresses.PROMETHEUS, rng.ephemeralPort(), node.ip, 161, t, q, 1, 0, false, rng);
                world.icmpUnreachable(node.name, node.ip, Addresses.PROMETHEUS, t + rng.between(0, 2), q, null);
            } else if (r < 0.75) { // a resolver's answer after the client gave up and closed its port
                long a = rng.between(60, 300);
                boolean v6 = rng.chance(0.3);
                String resolver = v6 ? Addresses.RESOLVER6 : Addresses.RESOLVER;
                String self = v6 ? node.ip6 : node.ip;
                world.datagram(node.name, resolver, 53, self, rng.ephemeralPort(), t, a, 1, 0, false, rng);
                world.icmpUnreachable(node.name, self, resolver, t + rng.between(0, 2), a, null);
            } else { // an outside resolver that does not listen answers a lookup with port unreachable
                boolean v6 = rng.chance(0.4);
                String self = v6 ? node.ip6 : node.ip;
                String resolver = v6 ? Addresses.OUTSIDE_RESOLVER6 : rng.pick(Addresses.OUTSIDE_RESOLVERS);
                long q = rng.between(30, 70);
                world.datagram(node.name, self, rng.ephemeralPort(), resolver, 53, t, q, 1, 0, false, rng);
                world.icmpUnreachable(node.name, resolver, self, t + rng.between(5, 60), q, null);
            }
        }
    }

    /** Prometheus scrapes node-exporter and dcgm-exporter: a short connection per scrape, gzip-compressed. */
    private void scrapes(long from, long to) {
        long origin = world.t0 + scrapePhaseMs;
        long k = Math.max(0, Math.floorDiv(from - origin + scrapeMs - 1, scrapeMs));
        String src = scrapedOverIpv6 ? PROMETHEUS6 : Addresses.PROMETHEUS;
        String dst = scrapedOverIpv6 ? node.ip6 : node.ip;
        for (long t = origin + k * scrapeMs; t < to; t += scrapeMs) {
            tcp(
                    src,
                    dst,
                    NODE_EXPORTER,
                    t + rng.between(0, 50),
                    rng.between(180, 260),
                    rng.between(9_000, 16_000),
                    200);
            tcp(
                    src,
                    dst,
                    DCGM_EXPORTER,
                    t + rng.between(0, 400),
                    rng.between(180, 260),
                    rng.between(3_000, 7_000),
                    200);
        }
    }

    /** kubelet's liveness and readiness checks of the pods on this node that declare them. */
    private void probes(long from, long to) {
        for (Pod pod : node.pods) {
            Integer port = pod.job.probePort();
            if (port == null || pod.job.hostNetwork || !pod.aliveDuring(from, to)) {
                continue;
            }
            long phase = Math.floorMod(Rng.mix(pod.ip.hashCode()), probeMs);
            long origin = pod.start + phase;
            long k = Math.max(0, Math.floorDiv(from - origin + probeMs - 1, probeMs));
            for (long t = origin + k * probeMs; t < to && t < pod.end; t += probeMs) {
                if (t < from) {
                    continue;
                }
                if (!pod.job.listening(pod, t)) { // nothing listens: the kernel resets the SYN
                    world.open(
                            null,
                            node.name,
                            node.ip,
                            rng.ephemeralPort(),
                            pod.ip,
                            port,
                            "TCP",
                            t,
                            t + rng.between(0, 2),
                            "REJ",
                            Traffic.fixed(new Counters(0, 0, 1, 1)),
                            null);
                } else {
                    world.open(
                            null,
                            node.name,
                            node.ip,
                            rng.ephemeralPort(),
                            pod.ip,
                            port,
                            "TCP",
                            t,
                            t + rng.between(1, 12),
                            "SF",
                            Traffic.fixed(Counters.tcpSession(
                                    rng.between(100, 140), rng.between(110, 190), Counters.JUMBO_MSS)),
                            null);
                }
            }
        }
    }

    private void tcp(String src, String dst, int port, long t, long up, long down, double mbPerSecond) {
        double seconds = 0.002 + rng.uniform(0.001, 0.02) + (up + down) / (mbPerSecond * 1e6);
        world.open(
                null,
                node.name,
                src,
                rng.ephemeralPort(),
                dst,
                port,
                "TCP",
                t,
                t + Math.max(1, Math.round(seconds * 1000)),
                "SF",
                Traffic.fixed(Counters.tcpSession(up, down, Counters.JUMBO_MSS)),
                null);
    }
}
