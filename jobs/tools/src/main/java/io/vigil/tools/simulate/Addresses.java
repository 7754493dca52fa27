package io.vigil.tools.simulate;

import java.util.List;

/**
 * The simulated cluster's address plan. Internal: nodes in 10.10.0.0/16, pods in 10.244.N.0/24 (one /24
 * per node, as flannel and Calico hand them out), Kubernetes services in 10.96.0.0/12, shared
 * infrastructure in 10.20.0.0/16, the bastion in 10.30.0.0/16, the RL sandbox pool in 10.40.0.0/16.
 * External hosts use only the documentation ranges (RFC 5737: 192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24), never real addresses: .1–.99 of each are the fleet's shared services, .128–.250 are
 * where incidents find their tunnel hosts, pools and drops.
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

    // ---- external, used across the fleet
    /** Experiment tracker (long-lived HTTPS from every training job). */
    static final List<String> TRACKER = List.of("203.0.113.10", "203.0.113.11");
    /** The cloud object store that many jobs export checkpoints to, on 443. */
    static final List<String> CLOUD_STORAGE = List.of("198.51.100.20", "198.51.100.21", "198.51.100.22", "198.51.100.23");
    /** Code hosts: HTTPS and git over SSH. */
    static final List<String> CODE_HOSTS = List.of("192.0.2.10", "192.0.2.11");
    /** Model hub for weights. */
    static final String MODEL_HUB = "198.51.100.30";

    /** External APIs that listen on unusual ports (tool use, moderation, a weather feed ...). */
    record Api(String ip, int port) {}

    static final List<Api> ODD_PORT_APIS = List.of(
            new Api("192.0.2.40", 8443), new Api("203.0.113.50", 9443), new Api("198.51.100.60", 8080),
            new Api("192.0.2.41", 5000), new Api("203.0.113.51", 8888), new Api("198.51.100.61", 7443));

    static String nodeName(int index) {
        return String.format("gpu-node-%02d", index + 1);
    }

    static String nodeIp(int index) {
        return "10.10." + (index / 200) + "." + (11 + index % 200);
    }

    static String podSubnet(int nodeIndex) {
        return "10.244." + nodeIndex + ".";
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
