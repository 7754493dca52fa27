package io.vigil.models.features;

import java.util.Objects;

/** One service port of one job's contact with one remote address in a window. A Flink POJO. */
public class PortStats {
    public long flows;
    /** Bytes both ways (saturating, {@link Sums}). */
    public long bytes;
    /** Upper-case protocol; if one port carries two protocols (53 over UDP and TCP), the first alphabetically. */
    public String protocol;
    /** Connection attempts the job made on this port ({@link JobFlow#attempt}). */
    public long attempts;
    /** Of those, the ones that failed ({@link JobFlow#failedAttempt}). */
    public long failed;
    /** Of the failed ones, those judged without a connection state (see {@link ContactStats}). */
    public long statelessFailed;
    /** UDP datagrams the job sent to this service ({@link JobFlow#udpProbe}), as flow reports. */
    public long udpProbes;
    /** Of those, the ones the service answered on the same flow (packets back). */
    public long udpAnswered;
    /** Of the unanswered ones, those without a connection state: an exporter that may report the answer apart. */
    public long udpStatelessSilent;

    public PortStats() {}

    PortStats(long flows, long bytes, String protocol) {
        this.flows = flows;
        this.bytes = bytes;
        this.protocol = protocol;
    }

    void add(long flows, long bytes, String protocol) {
        this.flows = Sums.add(this.flows, flows);
        this.bytes = Sums.add(this.bytes, bytes);
        if (this.protocol == null || (protocol != null && protocol.compareTo(this.protocol) < 0)) {
            this.protocol = protocol;
        }
    }

    void addAttempts(long attempts, long failed, long statelessFailed) {
        this.attempts += attempts;
        this.failed += failed;
        this.statelessFailed += statelessFailed;
    }

    void addUdp(long probes, long answered, long statelessSilent) {
        this.udpProbes += probes;
        this.udpAnswered += answered;
        this.udpStatelessSilent += statelessSilent;
    }

    /**
     * The job's UDP datagrams to this service went unanswered: no reply on their flows, and, where the
     * exporter has no state and may report a reply as a flow of its own, none from the remote at all.
     */
    boolean udpUnanswered(boolean remoteSilent) {
        return udpProbes > 0 && udpAnswered == 0 && (remoteSilent || udpStatelessSilent < udpProbes);
    }

    /**
     * The job's attempts on this service failed, and none was answered. Stateless verdicts count only when the
     * remote sent nothing at all ({@code remoteSilent}): an exporter that reports each direction on its own shows
     * the reply as a separate flow, never as packets of the attempt. A service that answered the job once in the
     * window is there: a failure beside that is a client's retry, a busy server's refusal or a teardown, not a
     * target a scan found closed (a scan tries each service once, and an answer tells it all it wanted).
     */
    boolean failedService(boolean remoteSilent) {
        long f = remoteSilent ? failed : failed - statelessFailed;
        return f > 0 && failed == attempts;
    }

    PortStats copy() {
        PortStats p = new PortStats(flows, bytes, protocol);
        p.addAttempts(attempts, failed, statelessFailed);
        p.addUdp(udpProbes, udpAnswered, udpStatelessSilent);
        return p;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PortStats p
                && flows == p.flows
                && bytes == p.bytes
                && attempts == p.attempts
                && failed == p.failed
                && statelessFailed == p.statelessFailed
                && udpProbes == p.udpProbes
                && udpAnswered == p.udpAnswered
                && udpStatelessSilent == p.udpStatelessSilent
                && Objects.equals(protocol, p.protocol);
    }

    @Override
    public int hashCode() {
        return Objects.hash(flows, bytes, protocol, attempts, failed);
    }

    @Override
    public String toString() {
        return protocol + " flows=" + flows + " bytes=" + bytes + " attempts=" + attempts + " failed=" + failed
                + (udpProbes > 0 ? " udpProbes=" + udpProbes + " udpAnswered=" + udpAnswered : "");
    }
}
