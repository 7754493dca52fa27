package io.vigil.models.features;

import io.vigil.records.IpAddresses;
import java.util.Arrays;
import java.util.Objects;

/**
 * What one job exchanged with one remote address in one window, and how popular that address is across
 * the fleet: the record from the per-destination window to the per-job window. A Flink POJO.
 *
 * <p>Ports are service ports ({@link JobFlow#servicePort()}): for connections the job opened, the
 * remote's port; for connections opened to the job, the job's own listening port.
 */
public class Contact {
    /**
     * The one place rarity is decided: an external address that at most this many jobs (this one
     * included) contacted over the lookback is rare. A popular destination (experiment tracker, object
     * store, code host, package mirror) is one many jobs use; an address only this job talks to is what
     * a tunnel endpoint, a mining pool or an exfiltration drop looks like from the fleet.
     */
    public static final int RARE_MAX_JOBS = 1;
    /**
     * {@link #jobsRecent} of a contact whose popularity is not known: the fleet view was not asked about it
     * ({@link #popularityMatters}, {@link JobContacts#MAX_ASKED}), or it has not watched the fleet long
     * enough yet (the warm-up). It counts as popular: never rare.
     */
    public static final int UNKNOWN_POPULARITY = RARE_MAX_JOBS + 1;

    public String jobId;
    /** Window start, inclusive, epoch ms. */
    public long windowStart;
    /** Window end, exclusive, epoch ms. */
    public long windowEnd;

    public String remoteIp;
    /** The remote address lies outside the cluster's internal ranges. */
    public boolean external;
    /** The remote address is a cloud instance metadata service. */
    public boolean metadataService;
    /** What the remote address stands for ({@link NetworkScope#kind}); null reads as a unicast host. */
    public IpAddresses.Kind remoteKind;
    /** Service port with most bytes (then flows, then the lowest number); 0 when none. */
    public int topPort;
    /** Distinct service ports, at most {@link ContactStats#MAX_PORTS} (that value means "that many or more"). */
    public int distinctPorts;
    /** Protocol of {@link #topPort}. */
    public String protocol;
    /** The job opened at least one of these connections. */
    public boolean outbound;
    /** The remote opened at least one of these connections. */
    public boolean inbound;
    /** Flow reports, both directions. */
    public long flows;
    /** Flow reports of connections the job opened. */
    public long outboundFlows;
    /**
     * Connection attempts the job made ({@link JobFlow#attempt}: TCP, ICMP echo requests) and UDP datagrams
     * judged by their answer ({@link ContactStats#udp}).
     */
    public long attempts;
    /** Attempts that failed ({@link ContactStats#judgedFailures}). */
    public long unanswered;
    /** Service ports with attempts, sorted (at most {@link ContactStats#MAX_PORTS}). */
    public int[] attemptPorts = new int[0];
    /** Service ports where attempts failed and none was answered, or UDP failed, sorted (at most {@link ContactStats#MAX_PORTS}). */
    public int[] failedPorts = new int[0];
    /**
     * Service ports the job sent UDP datagrams to that got neither an answer nor a refusal, too few to judge
     * on this host alone ({@link ContactStats#udp()}), sorted: a one-way protocol, or one target of a sweep.
     */
    public int[] silentPorts = new int[0];

    public long bytesOut;
    public long bytesIn;
    /** Of {@link #bytesIn}, the bytes of ICMP errors the remote sent: not payload of any service. */
    public long errorBytesIn;

    public long pktsOut;
    public long pktsIn;
    /** Flow reports of long-lived connections ({@link ConnStates#longLived}). */
    public long longLivedFlows;

    public long longestDurationMs;
    /** Distinct jobs that talked to this address in this window (a lower bound beyond {@link DestinationAccumulator#MAX_JOBS}). */
    public int jobsThisWindow;
    /** Distinct jobs that talked to this address over the lookback (e.g. 24 h), this window included; at least {@link #jobsThisWindow}. */
    public int jobsRecent;

    public Contact() {}

    /**
     * The remote address names one host ({@link IpAddresses.Kind#isHost}): only then is it a destination,
     * internal or external, or a scan target.
     */
    public boolean toHost() {
        return remoteKind == null || remoteKind.isHost();
    }

    /**
     * Whether anything reads this contact's popularity: an external host the job reached (it opened or took a
     * connection, and did not fail to reach it). Rarity is the mark of a tunnel endpoint, a pool or a drop,
     * which all answer; a host the job only tried is a scan target whatever its popularity. Only these
     * contacts cross into the fleet view ({@link JobContacts#split}).
     */
    public boolean popularityMatters() {
        return external && toHost() && (outbound || inbound) && !failedHost();
    }

    /** An external host, and no other job talked to it over the lookback ({@link #RARE_MAX_JOBS}). */
    public boolean rare() {
        return external && toHost() && jobsRecent <= RARE_MAX_JOBS;
    }

    public long bytes() {
        return Sums.add(bytesOut, bytesIn);
    }

    /**
     * A host the job tried and failed to reach: most of its attempts failed, and the host sent it no byte
     * of payload in the window (a host that served data on any port, or on a connection of its own, is
     * there and talking, not a dead or filtered target; the ICMP errors a host sends are no payload).
     */
    public boolean failedHost() {
        return toHost() && unanswered > 0 && 2 * unanswered >= attempts && bytesIn - errorBytesIn <= 0;
    }

    /** At least one long-lived connection. */
    public boolean longLived() {
        return longLivedFlows > 0;
    }

    /**
     * How much the traffic looks like an interactive session, in [0, 1]: small packets both ways.
     * A shell, a tunnel's keep-alives or a mining pool's job/share messages move payloads of tens to a
     * few hundred bytes per packet, with about as many packets each way. A bulk transfer fills packets
     * (~1,400 bytes of payload) one way and returns bare ACKs the other. The value is smallness (1 at a
     * mean payload of {@value #SMALL_PACKET_BYTES} B or less per packet, 0 at {@value #BULK_PACKET_BYTES}
     * B or more) times balance (fewer packets one way over more packets the other; 0 when one way is silent).
     */
    public double interactivity() {
        long pkts = pktsOut + pktsIn;
        if (pktsOut == 0 || pktsIn == 0) {
            return 0;
        }
        double meanPayload = (double) bytes() / pkts;
        double smallness =
                Math.max(0, Math.min(1, (BULK_PACKET_BYTES - meanPayload) / (BULK_PACKET_BYTES - SMALL_PACKET_BYTES)));
        double balance = (double) Math.min(pktsOut, pktsIn) / Math.max(pktsOut, pktsIn);
        return smallness * balance;
    }

    static final int SMALL_PACKET_BYTES = 200;
    static final int BULK_PACKET_BYTES = 1000;

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Contact c)) {
            return false;
        }
        return windowStart == c.windowStart
                && windowEnd == c.windowEnd
                && external == c.external
                && metadataService == c.metadataService
                && remoteKind == c.remoteKind
                && attempts == c.attempts
                && Arrays.equals(attemptPorts, c.attemptPorts)
                && Arrays.equals(failedPorts, c.failedPorts)
                && Arrays.equals(silentPorts, c.silentPorts)
                && errorBytesIn == c.errorBytesIn
                && topPort == c.topPort
                && distinctPorts == c.distinctPorts
                && outbound == c.outbound
                && inbound == c.inbound
                && flows == c.flows
                && outboundFlows == c.outboundFlows
                && unanswered == c.unanswered
                && bytesOut == c.bytesOut
                && bytesIn == c.bytesIn
                && pktsOut == c.pktsOut
                && pktsIn == c.pktsIn
                && longLivedFlows == c.longLivedFlows
                && longestDurationMs == c.longestDurationMs
                && jobsThisWindow == c.jobsThisWindow
                && jobsRecent == c.jobsRecent
                && Objects.equals(jobId, c.jobId)
                && Objects.equals(remoteIp, c.remoteIp)
                && Objects.equals(protocol, c.protocol);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, windowStart, remoteIp, flows, bytesOut, bytesIn);
    }

    @Override
    public String toString() {
        return "Contact{" + jobId + (outbound ? " -> " : " <- ") + remoteIp + ":" + topPort + "/" + protocol
                + (external ? " external" : " internal") + (toHost() ? "" : " " + remoteKind) + (rare() ? " rare" : "")
                + " flows=" + flows
                + " attempts=" + attempts + " failed=" + unanswered + " failedPorts=" + failedPorts.length + " out="
                + bytesOut + "B in=" + bytesIn + "B ports=" + distinctPorts
                + " longLived=" + longLivedFlows + " jobs=" + jobsThisWindow + "/" + jobsRecent
                + " window=[" + windowStart + "," + windowEnd + ")}";
    }
}
