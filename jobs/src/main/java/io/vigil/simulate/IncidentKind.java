package io.vigil.simulate;

import java.util.List;
import java.util.Locale;

/** The incidents {@code simulate} can inject, by their command-line names. */
public enum IncidentKind {
    ROME("rome", 8, List.of(Job.Kind.RL),
            "the ROME sequence in an RL job: a burst of internal probing (many hosts and service ports, mostly"
                    + " unanswered, and the cloud metadata service), then a reverse SSH tunnel to an outside host"
                    + " on 22, then xmrig on some of the job's GPUs with a stratum pool connection"),
    STEALTH_MINER("stealth-miner", 5, List.of(Job.Kind.TRAINING, Job.Kind.RL, Job.Kind.INFERENCE),
            "a miner under a borrowed process name on one GPU, part-time (about 50-70% of samples),"
                    + " reaching its pool over 443"),
    TUNNEL_443("tunnel-443", 4, List.of(Job.Kind.NOTEBOOK, Job.Kind.RL),
            "a reverse tunnel to an outside host over 443: long-lived, small packets both ways"),
    SLOW_SCAN("slow-scan", 5, List.of(Job.Kind.RL, Job.Kind.NOTEBOOK),
            "40-60 probes of internal hosts and service ports spread over about half an hour"),
    PROXIED_MINER("proxied-miner", 5, List.of(Job.Kind.RL, Job.Kind.TRAINING),
            "a miner on half the job's GPUs whose pool traffic goes through the internal proxy (3128)"),
    EXFILTRATION("exfiltration", 4, List.of(Job.Kind.TRAINING, Job.Kind.NOTEBOOK),
            "a sustained upload of hundreds of MiB to a few GiB to an outside host nobody else uses");

    /** The name on the command line and in labels.json. */
    public final String cliName;
    /** The least time, in minutes, the incident needs before the end of the span. */
    public final int minimumMinutes;
    /** Kinds of job the incident happens in, first choice first. */
    final List<Job.Kind> hosts;
    public final String summary;

    IncidentKind(String cliName, int minimumMinutes, List<Job.Kind> hosts, String summary) {
        this.cliName = cliName;
        this.minimumMinutes = minimumMinutes;
        this.hosts = hosts;
        this.summary = summary;
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
