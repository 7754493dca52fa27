package io.vigil.tools.simulate;

import java.util.List;
import java.util.Locale;

/**
 * The incidents {@code simulate} can inject, by their command-line names
 * (what each does: {@link InjectedIncident}).
 */
public enum IncidentKind {
    /** Internal probing and the metadata service, then a reverse SSH tunnel on 22, then xmrig with a stratum pool. */
    ROME("rome", 8, List.of(Job.Kind.RL)),
    /** A miner under a borrowed process name on one GPU, part-time, its pool over 443 (TLS). */
    STEALTH_MINER("stealth-miner", 5, List.of(Job.Kind.TRAINING, Job.Kind.RL, Job.Kind.INFERENCE)),
    /** A reverse tunnel to an outside host over 443. */
    TUNNEL_443("tunnel-443", 4, List.of(Job.Kind.NOTEBOOK, Job.Kind.RL)),
    /** 40–60 probes of internal hosts and service ports over about half an hour. */
    SLOW_SCAN("slow-scan", 5, List.of(Job.Kind.RL, Job.Kind.NOTEBOOK)),
    /** A miner on half the job's GPUs whose pool traffic goes through the internal proxy. */
    PROXIED_MINER("proxied-miner", 5, List.of(Job.Kind.RL, Job.Kind.TRAINING)),
    /** A sustained upload of hundreds of MiB to a few GiB to an outside host nobody else uses. */
    EXFILTRATION("exfiltration", 4, List.of(Job.Kind.TRAINING, Job.Kind.NOTEBOOK)),
    /** A vertical scan of one outside host: hundreds of its ports within seconds. */
    EXTERNAL_PORT_SCAN("external-port-scan", 2, List.of(Job.Kind.NOTEBOOK, Job.Kind.RL)),
    /** A horizontal sweep of outside hosts: one to three ports across dozens to hundreds of addresses of a range, within minutes. */
    EXTERNAL_SWEEP("external-sweep", 7, List.of(Job.Kind.RL, Job.Kind.NOTEBOOK)),
    /**
     * UDP probing of the cluster: the top UDP ports of one internal host (closed ones refused with ICMP port
     * unreachable, rate-limited), then one UDP port across a run of pod addresses, mostly silent.
     */
    UDP_SCAN("udp-scan", 8, List.of(Job.Kind.RL, Job.Kind.NOTEBOOK));

    /** The name on the command line and in labels.json. */
    public final String cliName;
    /** The least time, in minutes, the incident needs before the end of the span. */
    public final int minimumMinutes;
    /** Kinds of job the incident happens in, first choice first. */
    final List<Job.Kind> hosts;

    IncidentKind(String cliName, int minimumMinutes, List<Job.Kind> hosts) {
        this.cliName = cliName;
        this.minimumMinutes = minimumMinutes;
        this.hosts = hosts;
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
