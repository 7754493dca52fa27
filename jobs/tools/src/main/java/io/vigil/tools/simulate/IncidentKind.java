package io.vigil.tools.simulate;

import java.util.List;
import java.util.Locale;

/**
 * The incidents {@code simulate} can inject, by their command-line names
 * (what each does: {@link InjectedIncident}).
 */
public enum IncidentKind {
    /** Internal probing and the metadata service, then a reverse SSH tunnel on 22, then xmrig with a stratum pool. */
    ROME("rome", 8, List.of(Job.Kind.RL), true),
    /** A miner under a borrowed process name on one GPU, part-time, its pool over 443 (TLS): a dependency's payload. */
    STEALTH_MINER("stealth-miner", 5, List.of(Job.Kind.TRAINING, Job.Kind.RL, Job.Kind.INFERENCE), false),
    /** A reverse tunnel to an outside host over 443. */
    TUNNEL_443("tunnel-443", 4, List.of(Job.Kind.NOTEBOOK, Job.Kind.RL), true),
    /** 40–60 probes of internal hosts and service ports over about half an hour. */
    SLOW_SCAN("slow-scan", 5, List.of(Job.Kind.RL, Job.Kind.NOTEBOOK), true),
    /** A miner on half the job's GPUs whose pool traffic goes through the internal proxy: a dependency's payload. */
    PROXIED_MINER("proxied-miner", 5, List.of(Job.Kind.RL, Job.Kind.TRAINING), false),
    /** A sustained upload of hundreds of MiB to a few GiB to an outside host nobody else uses. */
    EXFILTRATION("exfiltration", 4, List.of(Job.Kind.TRAINING, Job.Kind.NOTEBOOK), true),
    /** A vertical scan of one outside host: hundreds of its ports within seconds. */
    EXTERNAL_PORT_SCAN("external-port-scan", 2, List.of(Job.Kind.NOTEBOOK, Job.Kind.RL), true),
    /** A horizontal sweep of outside hosts: one to three ports across dozens to hundreds of addresses of a range, within minutes. */
    EXTERNAL_SWEEP("external-sweep", 7, List.of(Job.Kind.RL, Job.Kind.NOTEBOOK), true),
    /**
     * UDP probing of the cluster: the top UDP ports of one internal host (closed ones refused with ICMP port
     * unreachable, rate-limited), then one UDP port across a run of pod addresses, mostly silent.
     */
    UDP_SCAN("udp-scan", 8, List.of(Job.Kind.RL, Job.Kind.NOTEBOOK), true);

    /** The name on the command line and in labels.json. */
    public final String cliName;
    /** The least time, in minutes, the incident needs before the end of the span. */
    public final int minimumMinutes;
    /** Kinds of job the incident happens in, first choice first. */
    final List<Job.Kind> hosts;
    /**
     * Whether an agent's tool call starts it, in an RL job (a command in the agent's trace); otherwise it acts on its
     * own: a compromised dependency's payload that hides (a borrowed process name, the proxy), never typed by the agent.
     */
    final boolean byAgent;

    IncidentKind(String cliName, int minimumMinutes, List<Job.Kind> hosts, boolean byAgent) {
        this.cliName = cliName;
        this.minimumMinutes = minimumMinutes;
        this.hosts = hosts;
        this.byAgent = byAgent;
    }

    /** @throws IllegalArgumentException naming the kinds there are */
    public static IncidentKind byName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (IncidentKind k : values()) {
            if (k.cliName.equals(n)) {
                return k;
            }
        }
        throw new IllegalArgumentException("no incident kind '" + name + "'; the kinds are " + names());
    }

    public static String names() {
        StringBuilder b = new StringBuilder();
        for (IncidentKind k : values()) {
            b.append(b.length() == 0 ? "" : ", ").append(k.cliName);
        }
        return b.toString();
    }
}
