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
}
