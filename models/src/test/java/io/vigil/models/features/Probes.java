package io.vigil.models.features;

import static io.vigil.models.features.WindowScene.of;
import static io.vigil.models.features.WindowScene.outbound;
import static io.vigil.records.Fixtures.BEGINNING;
import static io.vigil.records.Fixtures.JOB;
import static io.vigil.records.Fixtures.POD_IP;

import io.vigil.records.Fixtures;
import io.vigil.records.Flow;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-made minutes of traffic that real captures show and the simulator may not: LAN chatter a model must
 * not take for a scan, and scans of outside hosts it must not miss. Each is a list of the job's flows, as
 * Zeek logs them (ICMP type in the originator's port, code in the responder's).
 */
public final class Probes {
    private Probes() {}

    /** A connection a host opened to the job's pod. */
    static Flow.Builder inbound(String srcIp, int srcPort, int dstPort, String protocol) {
        return Fixtures.flowBuilder()
                .setJobId(JOB)
                .setSrcIp(srcIp)
                .setSrcPort(srcPort)
                .setDstIp(POD_IP)
                .setDstPort(dstPort)
                .setProtocol(protocol)
                .setStartTs(BEGINNING.plusSeconds(5))
                .setTs(BEGINNING.plusSeconds(5));
    }

    static JobFlow in(Flow.Builder f) {
        return JobFlow.of(f.build(), JOB, false);
    }

    private static Flow.Builder udp(Flow.Builder f, long origBytes) {
        return f.setProtocol("UDP")
                .setConnState("S0")
                .setOrigBytes(origBytes)
                .setRespBytes(0)
                .setOrigPkts(1)
                .setRespPkts(0);
    }

    /**
     * A Chromecast on the LAN, and the job's pod taking part in SSDP: M-SEARCH to 239.255.255.250 and ff02::c,
     * unicast replies from 30 LAN devices (Zeek: S0, the pod never "answers" a reply), the pod answering 30
     * devices' searches from its port 1900 to their ephemeral ports (S0 again), mDNS to 224.0.0.251.
     */
    public static List<JobFlow> chromecastSsdp() {
        List<JobFlow> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            out.add(of(udp(outbound("239.255.255.250", 1900).setSrcPort(50_000 + i), 170)));
            out.add(of(udp(outbound("ff02::c", 1900).setSrcIp("fd00:10::17").setSrcPort(50_100 + i), 170)));
            out.add(of(udp(outbound("224.0.0.251", 5353).setSrcPort(5353), 60)));
        }
        for (int d = 1; d <= 30; d++) {
            out.add(in(udp(inbound("192.168.1." + d, 1900, 50_000 + d % 10, "UDP"), 320)));
            out.add(of(udp(outbound("192.168.1." + d, 40_000 + 7 * d).setSrcPort(1900), 320)));
        }
        return out;
    }

    /** NetBIOS name and datagram service to the subnet's broadcast addresses, and DHCP from 0.0.0.0. */
    public static List<JobFlow> broadcastNetbios() {
        List<JobFlow> out = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            out.add(of(udp(outbound("192.168.1.255", 137).setSrcPort(137), 68)));
            out.add(of(udp(outbound("10.0.3.255", 138).setSrcPort(138), 201)));
            out.add(of(udp(outbound("255.255.255.255", 67).setSrcIp("0.0.0.0").setSrcPort(68), 300)));
        }
        return out;
    }

    /**
     * ICMP errors both ways: 40 hosts (20 external, 20 internal, IPv4 and IPv6) send the pod port unreachable
     * for late UDP replies, and the pod sends port unreachable back to 40 more.
     */
    public static List<JobFlow> icmpPortUnreachable() {
        List<JobFlow> out = new ArrayList<>();
        for (int h = 1; h <= 20; h++) {
            out.add(in(inbound("203.0.113." + h, 3, 3, "ICMP")
                    .setConnState("OTH")
                    .setOrigBytes(56)
                    .setRespBytes(0)
                    .setOrigPkts(1)
                    .setRespPkts(0)));
            out.add(in(inbound("fd00:20::" + Integer.toHexString(h), 1, 4, "ICMPv6")
                    .setConnState("OTH")
                    .setOrigBytes(96)
                    .setRespBytes(0)
                    .setOrigPkts(1)
                    .setRespPkts(0)));
            out.add(of(outbound("192.168.7." + h, 3)
                    .setSrcPort(3)
                    .setProtocol("ICMP")
                    .setConnState("OTH")
                    .setOrigBytes(56)
                    .setRespBytes(0)
                    .setOrigPkts(1)
                    .setRespPkts(0)));
            // Zeek's own "icmp" between IPv6 addresses, before the adapter names it ICMPv6: type 1 is unreachable there
            out.add(of(outbound("2001:db8::" + Integer.toHexString(h), 4)
                    .setSrcPort(1)
                    .setProtocol("ICMP")
                    .setConnState("OTH")
                    .setOrigBytes(96)
                    .setRespBytes(0)
                    .setOrigPkts(1)
                    .setRespPkts(0)));
        }
        return out;
    }

    /** A vertical scan: 300 ports of one external host in 10 s, closed ports refused, a few filtered, 3 open. */
    public static List<JobFlow> verticalScanOfExternalHost(String ip) {
        List<JobFlow> out = new ArrayList<>();
        for (int port = 1; port <= 300; port++) {
            boolean open = port == 22 || port == 80 || port == 443;
            String state = open ? "RSTO" : port % 7 == 0 ? "S0" : "REJ";
            out.add(of(outbound(ip, port)
                    .setConnState(state)
                    .setOrigBytes(0)
                    .setRespBytes(0)
                    .setOrigPkts(open ? 3 : 1)
                    .setRespPkts(state.equals("S0") ? 0 : open ? 1 : 1)
                    .setStartTs(BEGINNING.plusMillis(30L * port))
                    .setTs(BEGINNING.plusMillis(30L * port + 5))));
        }
        return out;
    }

    /** A horizontal sweep: port 22 of 50 external hosts, most filtered, a few refusing. */
    public static List<JobFlow> sshSweepOfExternalHosts(int hosts) {
        List<JobFlow> out = new ArrayList<>();
        for (int h = 1; h <= hosts; h++) {
            String state = h % 5 == 0 ? "REJ" : "S0";
            out.add(of(outbound("198.18." + (h / 250) + "." + (1 + h % 250), 22)
                    .setConnState(state)
                    .setOrigBytes(0)
                    .setRespBytes(0)
                    .setOrigPkts(2)
                    .setRespPkts(state.equals("REJ") ? 1 : 0)));
        }
        return out;
    }

    /** A slow scan's minute: two probes of internal hosts that are not there. */
    public static List<JobFlow> slowScanMinute(int minute) {
        List<JobFlow> out = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            out.add(of(outbound("10.9." + minute + "." + (10 + p), 6379)
                    .setConnState("S0")
                    .setOrigBytes(0)
                    .setRespBytes(0)
                    .setOrigPkts(2)
                    .setRespPkts(0)));
        }
        return out;
    }

    /**
     * A crawler-like RL agent: pages over 443 from 200 web servers that answer, 6 that do not (dead links),
     * and DNS for them all.
     */
    public static List<JobFlow> crawler() {
        List<JobFlow> out = new ArrayList<>();
        for (int h = 1; h <= 206; h++) {
            boolean dead = h > 200;
            String ip = "198.51." + (100 + h / 250) + "." + (h % 250);
            out.add(of(outbound(ip, 443)
                    .setConnState(dead ? "S0" : "SF")
                    .setOrigBytes(dead ? 0 : 900)
                    .setRespBytes(dead ? 0 : 60_000)
                    .setOrigPkts(dead ? 2 : 12)
                    .setRespPkts(dead ? 0 : 48)));
        }
        for (int q = 0; q < 206; q++) {
            out.add(of(outbound("10.0.0.10", 53)
                    .setSrcPort(30_000 + q)
                    .setProtocol("UDP")
                    .setConnState("SF")
                    .setOrigBytes(40)
                    .setRespBytes(120)
                    .setOrigPkts(1)
                    .setRespPkts(1)));
        }
        return out;
    }
    // ------------------------------------------------------------------ scans of every shape and pace

    /** An ICMP message a host sent the job's pod, as Zeek logs it: type in the originator's port, code in the responder's. */
    static JobFlow icmpFrom(String host, int type, int code, int packets) {
        return in(inbound(host, type, code, host.indexOf(':') >= 0 ? "ICMPv6" : "ICMP")
                .setConnState("OTH")
                .setOrigBytes(56L * packets)
                .setRespBytes(0)
                .setOrigPkts(packets)
                .setRespPkts(0));
    }

    /** A datagram from the pod's port {@code srcPort} to a host's {@code port}, answered with {@code replyBytes} or not (0). */
    static JobFlow datagram(String host, int srcPort, int port, long bytes, long replyBytes) {
        return of(outbound(host, port)
                .setSrcPort(srcPort)
                .setProtocol("UDP")
                .setConnState(replyBytes > 0 ? "SF" : "S0")
                .setOrigBytes(bytes)
                .setRespBytes(replyBytes)
                .setOrigPkts(1)
                .setRespPkts(replyBytes > 0 ? 1 : 0));
    }

    /**
     * The WRCCDC 2018 sweep's shape: 46 probes (S0, one REJ) in 60 ms over 19 internal hosts and 20 ports, at most
     * three ports of one host and four hosts of one port here: neither a vertical nor a horizontal scan alone.
     */
    public static List<JobFlow> scatteredScan() {
        int[] ports = {
            389, 543, 544, 1028, 2000, 2049, 2717, 4899, 5000, 5357, 5432, 6000, 8008, 8443, 9100, 10000, 32768, 49153,
            631, 443
        };
        List<JobFlow> out = new ArrayList<>();
        for (int i = 0; i < 46; i++) {
            int host = i % 19;
            int port = ports[(i * 7 + host) % ports.length];
            boolean refused = i == 45;
            out.add(of(outbound("10.47.6." + (10 + host), port)
                    .setSrcPort(51_000 + i)
                    .setConnState(refused ? "REJ" : "S0")
                    .setOrigBytes(0)
                    .setRespBytes(0)
                    .setOrigPkts(2)
                    .setRespPkts(refused ? 2 : 0)
                    .setStartTs(BEGINNING.plusMillis(20 + i))
                    .setTs(BEGINNING.plusMillis(21 + i))));
        }
        return out;
    }

    /**
     * nmap -sU of one host's first 200 UDP ports from one source port: DNS (53) and NTP (123) answer, every other
     * port is closed and the host says so with ICMP port unreachable, {@code unreachables} of them (Linux sends
     * about one a second per destination, so a fast scan gets few), which Zeek logs as one ICMP connection from the
     * host, 3/3 in its ports.
     */
    public static List<JobFlow> udpPortScan(String host, int unreachables) {
        List<JobFlow> out = new ArrayList<>();
        for (int port = 1; port <= 200; port++) {
            boolean open = port == 53 || port == 123;
            out.add(datagram(host, 61_234, port, 40, open ? 60 : 0));
        }
        out.add(icmpFrom(host, host.indexOf(':') >= 0 ? 1 : 3, host.indexOf(':') >= 0 ? 4 : 3, unreachables));
        return out;
    }

    /** A host's closed UDP ports, a few, each refused (the host's unreachables name as many ports as were probed). */
    public static List<JobFlow> udpProbesRefused(String host, int... ports) {
        List<JobFlow> out = new ArrayList<>();
        for (int port : ports) {
            out.add(datagram(host, 61_234, port, 40, 0));
        }
        out.add(icmpFrom(host, 3, 3, ports.length));
        return out;
    }

    /** An SNMP sweep: one datagram to port 161 of each of {@code hosts} internal addresses, none answering at all. */
    public static List<JobFlow> snmpSweep(int hosts) {
        List<JobFlow> out = new ArrayList<>();
        for (int h = 1; h <= hosts; h++) {
            out.add(datagram("10.0.9." + h, 50_161, 161, 43, 0));
        }
        return out;
    }

    /**
     * A minute of a vertical scan one port every ten seconds: six ports of one internal host a minute, refused
     * (REJ), the next six each minute.
     */
    public static List<JobFlow> slowVerticalScanMinute(int minute) {
        List<JobFlow> out = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int port = 1 + minute * 6 + i;
            out.add(of(outbound("10.0.12.7", port)
                    .setSrcPort(45_000 + port)
                    .setConnState("REJ")
                    .setOrigBytes(0)
                    .setRespBytes(0)
                    .setOrigPkts(1)
                    .setRespPkts(1)));
        }
        return out;
    }

    /** A minute of a horizontal sweep at one host a minute: port 22 of the next internal address, nobody there (S0). */
    public static List<JobFlow> slowSweepMinute(int minute) {
        return List.of(of(outbound("10.0.13." + (1 + minute), 22)
                .setConnState("S0")
                .setOrigBytes(0)
                .setRespBytes(0)
                .setOrigPkts(2)
                .setRespPkts(0)));
    }

    // ------------------------------------------------------------------ busy, benign clients

    /**
     * A crawler-like agent's minute: 200 web servers over 443, new ones each minute, of which 5 do not answer (a
     * dead link is a dead server), each looked up through the cluster resolver first.
     */
    public static List<JobFlow> crawlerMinute(int minute) {
        List<JobFlow> out = new ArrayList<>();
        for (int h = 0; h < 200; h++) {
            int n = minute * 200 + h;
            boolean dead = h % 40 == 7;
            String ip = "198.51." + (100 + n / 250 % 100) + "." + (n % 250 + 1);
            out.add(of(outbound(ip, 443)
                    .setSrcPort(40_000 + h)
                    .setConnState(dead ? "S0" : "SF")
                    .setOrigBytes(dead ? 0 : 1_100)
                    .setRespBytes(dead ? 0 : 45_000)
                    .setOrigPkts(dead ? 3 : 14)
                    .setRespPkts(dead ? 0 : 40)));
            out.add(datagram("10.0.0.10", 30_000 + h, 53, 40, 120));
        }
        return out;
    }

    /**
     * DNS to a few resolvers: the cluster's, answering everything; three public ones that some tools ask; and one
     * address in a stale resolv.conf where nothing listens, which refuses its one lookup with port unreachable.
     */
    public static List<JobFlow> dnsToResolvers() {
        List<JobFlow> out = new ArrayList<>();
        for (int q = 0; q < 60; q++) {
            out.add(datagram("10.0.0.10", 33_000 + q, 53, 38, 140));
        }
        String[] outside = {"8.8.8.8", "1.1.1.1", "9.9.9.9"};
        for (int q = 0; q < 11; q++) {
            out.add(datagram(outside[q % 3], 34_000 + q, 53, 38, 110));
        }
        out.add(datagram("192.0.2.53", 34_011, 53, 38, 0));
        out.add(icmpFrom("192.0.2.53", 3, 3, 1));
        return out;
    }

    /**
     * A job's own chores: one-way metrics (statsd) and logs (syslog) to the node's agent, traces to its collector,
     * NTP with the pool (123 to 123, answered), and the checks and scrapes others make of the pod: kubelet's
     * health checks (one refused while the server restarts) and Prometheus scraping its metrics port.
     */
    public static List<JobFlow> choresAndChecks() {
        List<JobFlow> out = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            out.add(datagram("10.0.3.1", 41_000 + i, 8125, 180, 0));
            out.add(datagram("10.0.3.1", 41_100 + i, 514, 240, 0));
            out.add(datagram("10.0.3.1", 41_200 + i, 6831, 900, 0));
        }
        for (String pool : List.of("203.0.113.123", "198.51.100.123", "192.0.2.123")) {
            out.add(datagram(pool, 123, 123, 48, 48));
        }
        for (int i = 0; i < 6; i++) {
            out.add(in(inbound("10.0.3.1", 52_000 + i, 8080, "TCP")
                    .setConnState(i == 3 ? "REJ" : "SF")
                    .setOrigBytes(i == 3 ? 0 : 110)
                    .setRespBytes(i == 3 ? 0 : 160)
                    .setOrigPkts(i == 3 ? 1 : 5)
                    .setRespPkts(i == 3 ? 1 : 4)));
            out.add(in(inbound("10.0.5.9", 53_000 + i, 9100, "TCP")
                    .setConnState("SF")
                    .setOrigBytes(220)
                    .setRespBytes(14_000)
                    .setOrigPkts(6)
                    .setRespPkts(12)));
        }
        return out;
    }
}
