package io.vigil.tools.simulate;

import java.util.List;

/**
 * The simulated cluster's address plan. Internal: nodes in 10.10.0.0/16, pods in 10.244.N.0/24 (one /24
 * per node, as flannel and Calico hand them out; past 256 nodes the next /16s, 10.245.0.0 on, up to 10.251 for
 * 2 048 nodes), Kubernetes services in 10.96.0.0/12, shared
 * infrastructure in 10.20.0.0/16, the bastion in 10.30.0.0/16, the RL sandbox pool in 10.40.0.0/16,
 * management devices (BMCs, PDUs, switches) in 10.10.250.0/24 on the nodes' LAN. The nodes are dual-stack:
 * a ULA address in fd00:10:10::/64 and a link-local one; the pod network is IPv4 only. External hosts use
 * only the documentation ranges (RFC 5737: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24; RFC 3849:
 * 2001:db8::/32), never real addresses: .1–.99 of each are the fleet's shared services, .100–.127 the web
 * servers agents browse, .128–.250 are where incidents find their tunnel hosts, pools, drops and targets.
 */
final class Addresses {
    private Addresses() {}

    // ---- internal services
    static final String KUBE_API = "10.96.0.1";
    static final String KUBE_DNS = "10.96.0.10";
    /** Package mirror (PyPI and apt), on 443 and 80. */
    static final String MIRROR = "10.20.0.15";
    /** Squid forward proxy on 3128: the sanctioned way out for ad-hoc web access. */
    static final String PROXY = "10.20.0.30";

    static final int PROXY_PORT = 3128;
    /** Ingress gateway: inference requests and JupyterLab sessions come from here. */
    static final String GATEWAY = "10.20.0.40";
    /** The RL jobs' reward-model service. */
    static final String REWARD_MODEL = "10.20.0.50";

    static final String PROMETHEUS = "10.20.0.60";
    /** In-cluster object store (MinIO) on 9000: datasets and checkpoints. */
    static final List<String> OBJECT_STORE = List.of("10.20.1.10", "10.20.1.11", "10.20.1.12", "10.20.1.13");

    static final int OBJECT_STORE_PORT = 9000;
    /** Shared file system (NFS) on 2049. */
    static final String NFS = "10.20.2.10";

    static final String BASTION = "10.30.0.5";
    /** Cloud instance metadata service. */
    static final String METADATA = "169.254.169.254";
    /** The infrastructure resolver the nodes use (kube-dns forwards to it too), over IPv4 and IPv6. */
    static final String RESOLVER = "10.20.0.53";

    static final String RESOLVER6 = "fd00:10:20::53";
    /** The site's NTP servers. */
    static final List<String> NTP = List.of("10.20.0.123", "10.20.0.124");
    /** The DHCP server of the nodes' LAN (a relay on the gateway forwards to it). */
    static final String DHCP = "10.20.0.67";
    /** The nodes' LAN: its broadcast address, and the management devices that answer SSDP and broadcast NetBIOS. */
    static final String LAN_BROADCAST = "10.10.255.255";

    static final List<String> LAN_DEVICES = List.of("10.10.250.11", "10.10.250.12", "10.10.250.21", "10.10.250.40");
    /** Multicast groups of LAN discovery protocols (mDNS, SSDP, LLMNR) and the limited broadcast. */
    static final String MDNS = "224.0.0.251";

    static final String MDNS6 = "ff02::fb";
    static final String SSDP = "239.255.255.250";
    static final String SSDP6 = "ff02::c";
    static final String LLMNR = "224.0.0.252";
    static final String LLMNR6 = "ff02::1:3";
    static final String DHCP6_SERVERS = "ff02::1:2";
    static final String BROADCAST = "255.255.255.255";
    static final String UNSPECIFIED = "0.0.0.0";

    // ---- external, used across the fleet
    /** Experiment tracker (long-lived HTTPS from every training job). */
    static final List<String> TRACKER = List.of("203.0.113.10", "203.0.113.11");
    /** The cloud object store that many jobs export checkpoints to, on 443. */
    static final List<String> CLOUD_STORAGE =
            List.of("198.51.100.20", "198.51.100.21", "198.51.100.22", "198.51.100.23");
    /** Code hosts: HTTPS and git over SSH. */
    static final List<String> CODE_HOSTS = List.of("192.0.2.10", "192.0.2.11");
    /** Model hub for weights. */
    static final String MODEL_HUB = "198.51.100.30";
    /** Public resolvers some images and tools use instead of the cluster's. */
    static final List<String> OUTSIDE_RESOLVERS = List.of("192.0.2.53", "198.51.100.53");

    static final String OUTSIDE_RESOLVER6 = "2001:db8::53";
    /** Public NTP pool servers, over IPv4 and IPv6. */
    static final List<String> NTP_POOL = List.of("203.0.113.123", "192.0.2.123");

    static final String NTP_POOL6 = "2001:db8:123::1";
    /** Package CDNs (PyPI files, distribution mirrors) reached directly when the internal mirror lacks a file. */
    static final List<String> PACKAGE_CDN = List.of("198.51.100.80", "198.51.100.81", "203.0.113.80");

    static final String PACKAGE_CDN6 = "2001:db8:cd::80";

    /** External APIs that listen on unusual ports (tool use, moderation, a weather feed ...). */
    record Api(String ip, int port) {}

    static final List<Api> ODD_PORT_APIS = List.of(
            new Api("192.0.2.40", 8443),
            new Api("203.0.113.50", 9443),
            new Api("198.51.100.60", 8080),
            new Api("192.0.2.41", 5000),
            new Api("203.0.113.51", 8888),
            new Api("198.51.100.61", 7443));

    static String nodeName(int index) {
        return String.format("gpu-node-%02d", index + 1);
    }

    static String nodeIp(int index) {
        return "10.10." + (index / 200) + "." + (11 + index % 200);
    }

    /** The node's ULA address (dual-stack nodes). */
    static String nodeIp6(int index) {
        return "fd00:10:10::" + Integer.toHexString(11 + index);
    }

    /** The node's link-local address, from its interface's MAC (EUI-64). */
    static String nodeLinkLocal(int index) {
        return "fe80::a236:9fff:fe4c:" + Integer.toHexString(0x1100 + index);
    }

    /** One of the web servers an agent browses: .100–.127 of the documentation ranges. */
    static String webServer(Rng rng) {
        String[] prefixes = {"192.0.2.", "198.51.100.", "203.0.113."};
        return prefixes[rng.between(0, 2)] + rng.between(100, 127);
    }

    static String podSubnet(int nodeIndex) {
        return "10." + (244 + nodeIndex / 256) + "." + nodeIndex % 256 + ".";
    }

    /** An external address in an incident's part of the documentation ranges, distinct for each {@code slot}. */
    static String rareExternal(Rng rng, List<String> taken) {
        String[] prefixes = {"192.0.2.", "198.51.100.", "203.0.113."};
        while (true) {
            String ip = prefixes[rng.between(0, 2)] + rng.between(128, 250);
            if (!taken.contains(ip)) {
                taken.add(ip);
                return ip;
            }
        }
    }
}
