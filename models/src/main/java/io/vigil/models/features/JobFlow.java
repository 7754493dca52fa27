package io.vigil.models.features;

import io.vigil.records.Flow;
import io.vigil.records.IpAddresses;
import java.util.Locale;
import java.util.Objects;

/**
 * One flow report seen from one job's side: which of the job's pods ({@link #localIp}) talked to which
 * remote address, who opened it, and the counters turned to the job's point of view ({@code bytesOut} is
 * what the job sent). A flow between two jobs' pods becomes two JobFlows, one for each job.
 *
 * <p>A Flink POJO (public fields, no-arg constructor): it is the record between attribution and the
 * per-destination window.
 */
public class JobFlow {
    public String jobId;
    /** The job's pod address. */
    public String localIp;
    /** The other end, canonical text ({@link NetworkScope#canonical}): the key of the destination window. */
    public String remoteIp;

    public int localPort;
    public int remotePort;
    /** Upper-case protocol name: TCP, UDP, ICMP, ... */
    public String protocol;
    /** True when the job's pod originated the connection. */
    public boolean outbound;

    public long bytesOut;
    public long bytesIn;
    public long pktsOut;
    public long pktsIn;
    /** Zeek conn_state as reported (originator's view), or null. */
    public String connState;
    /** When the connection began, epoch ms. */
    public long startTs;
    /** End of this report's interval, epoch ms: the event time. */
    public long ts;
    /** Whether {@link #remoteIp} lies outside the cluster, by the scope given to {@link #of(Flow, String, boolean, NetworkScope)}. */
    public boolean external;
    /** Whether {@link #remoteIp} is a cloud metadata service. */
    public boolean metadataService;
    /**
     * What {@link #remoteIp} stands for ({@link NetworkScope#kind}); null reads as a unicast host. Only hosts
     * are destinations and scan targets ({@link #toHost()}).
     */
    public IpAddresses.Kind remoteKind;

    public JobFlow() {}

    /** The flow from the job's side, classified with {@link NetworkScope#defaults()}. */
    public static JobFlow of(Flow f, String jobId, boolean outbound) {
        return of(f, jobId, outbound, NetworkScope.defaults());
    }

    /**
     * The flow from the job's side.
     *
     * @param outbound true when the job's pod is the flow's source (originator), false when it is the destination
     * @param scope which addresses are internal: the same scope the pipeline attributes with
     */
    public static JobFlow of(Flow f, String jobId, boolean outbound, NetworkScope scope) {
        Objects.requireNonNull(f, "flow");
        Objects.requireNonNull(jobId, "jobId");
        JobFlow j = new JobFlow();
        j.jobId = jobId;
        j.outbound = outbound;
        String local = outbound ? f.getSrcIp() : f.getDstIp();
        String remote = outbound ? f.getDstIp() : f.getSrcIp();
        // each address parsed once: this runs for every end of every attributed flow
        byte[] remoteAddress = IpAddresses.parse(remote);
        j.localIp = NetworkScope.canonical(local, IpAddresses.parse(local));
        j.remoteIp = NetworkScope.canonical(remote, remoteAddress);
        j.localPort = outbound ? f.getSrcPort() : f.getDstPort();
        j.remotePort = outbound ? f.getDstPort() : f.getSrcPort();
        j.protocol = f.getProtocol() == null ? "" : f.getProtocol().strip().toUpperCase(Locale.ROOT);
        j.bytesOut = outbound ? f.getOrigBytes() : f.getRespBytes();
        j.bytesIn = outbound ? f.getRespBytes() : f.getOrigBytes();
        j.pktsOut = outbound ? f.getOrigPkts() : f.getRespPkts();
        j.pktsIn = outbound ? f.getRespPkts() : f.getOrigPkts();
        j.connState = f.getConnState();
        j.startTs = f.getStartTs().toEpochMilli();
        j.ts = f.getTs().toEpochMilli();
        j.external = !scope.isInternalAddress(remoteAddress);
        j.remoteKind = scope.kindOfAddress(remoteAddress);
        j.metadataService = j.remoteKind == IpAddresses.Kind.METADATA_SERVICE;
        return j;
    }

    /**
     * The responder's port: the remote's port when the job opened the connection, the job's own
     * listening port when the remote did. That is the service the connection is for (443, 22, 3333),
     * where the other end's port is an ephemeral one.
     */
    public int servicePort() {
        return outbound ? remotePort : localPort;
    }

    /** Packets the responder sent: what tells whether the connection was answered. */
    public long respPkts() {
        return outbound ? pktsIn : pktsOut;
    }

    /** The remote address names one host (not broadcast, multicast, link-local, loopback, unspecified). */
    public boolean toHost() {
        return remoteKind == null || remoteKind.isHost();
    }

    /** The ICMP type, from the originator's port where Zeek puts it; -1 for other protocols. */
    public int icmpType() {
        if (!Icmp.isIcmp(protocol)) {
            return -1;
        }
        return outbound ? localPort : remotePort;
    }

    /** An ICMP or ICMPv6 error message, whichever way it went ({@link Icmp#isError}): never an attempt. */
    public boolean icmpError() {
        int type = icmpType();
        return type >= 0 && Icmp.isError(type, Icmp.isV6(protocol, remoteIp));
    }

    /**
     * A destination unreachable message the remote host sent the job ({@link Icmp#isUnreachable}): the remote
     * says a datagram of the job's was not taken. Zeek logs it as a connection the remote originated, so it
     * arrives as an inbound flow; which of the job's datagrams it quotes is not in conn.log, only that the
     * same host sent it ({@link ContactStats} matches them by count).
     */
    public boolean unreachableFromRemote() {
        int type = icmpType();
        return !outbound && type >= 0 && Icmp.isUnreachable(type, Icmp.isV6(protocol, remoteIp));
    }

    /**
     * A UDP datagram the job sent to a service of a host: outbound, to a host, from a higher port than the one
     * it goes to. A client sends from an ephemeral port to the service's (well-known or registered) one; a
     * datagram from the job's own lower port to a higher one is a service's reply or announcement (SSDP
     * answers from 1900 to the searcher's ephemeral port, which Zeek logs as the job's connection), and equal
     * ports are peers (NTP 123 to 123), neither of which probes anything. Whether it was answered is judged
     * per host ({@link ContactStats}): UDP has no handshake, and one-way UDP (metrics, logs) is normal.
     */
    public boolean udpProbe() {
        return outbound && "UDP".equals(protocol) && toHost() && remotePort > 0 && remotePort < localPort;
    }

    /**
     * A connection attempt of the job's to a host: a TCP connection it opened, or an ICMP echo request it
     * sent. UDP is not one flow by flow (no handshake, see {@link ConnStates}): its probes are judged per host
     * ({@link #udpProbe}), nor is anything to a non-host address. A TCP record with packets from the responder
     * and none from the job is no attempt of the job's: only the other side was seen (Zeek's {@code RSTRH},
     * {@code SHR}: a SYN-ACK or a RST whose SYN the sensor missed, or backscatter), and an attempt is a packet the
     * job sent. Without packet counts at all (an exporter that gives none) the record stays an attempt.
     */
    public boolean attempt() {
        if (!outbound || !toHost()) {
            return false;
        }
        if ("TCP".equals(protocol)) {
            return pktsOut > 0 || pktsIn == 0;
        }
        int type = icmpType();
        return type >= 0 && Icmp.isEchoRequest(type, Icmp.isV6(protocol, remoteIp));
    }

    /**
     * An {@link #attempt} that failed: a failed TCP handshake ({@link ConnStates#failedHandshake}), or an echo
     * request without a reply.
     */
    public boolean failedAttempt() {
        if (!attempt()) {
            return false;
        }
        if ("TCP".equals(protocol)) {
            return ConnStates.failedHandshake(
                    connState, respPkts(), outbound ? bytesIn : bytesOut, Sums.add(bytesOut, bytesIn));
        }
        return respPkts() == 0;
    }

    public long durationMs() {
        return Math.max(0, ts - startTs);
    }

    public boolean longLived() {
        return ConnStates.longLived(connState, durationMs());
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof JobFlow j)) {
            return false;
        }
        return localPort == j.localPort
                && remotePort == j.remotePort
                && outbound == j.outbound
                && bytesOut == j.bytesOut
                && bytesIn == j.bytesIn
                && pktsOut == j.pktsOut
                && pktsIn == j.pktsIn
                && startTs == j.startTs
                && ts == j.ts
                && external == j.external
                && metadataService == j.metadataService
                && Objects.equals(jobId, j.jobId)
                && Objects.equals(localIp, j.localIp)
                && Objects.equals(remoteIp, j.remoteIp)
                && Objects.equals(protocol, j.protocol)
                && Objects.equals(connState, j.connState);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, localIp, remoteIp, localPort, remotePort, protocol, outbound, ts);
    }

    @Override
    public String toString() {
        return "JobFlow{" + jobId + " " + localIp + (outbound ? " -> " : " <- ") + remoteIp + ":" + servicePort() + "/"
                + protocol + " out=" + bytesOut + "B in=" + bytesIn + "B " + connState + " ts=" + ts + "}";
    }
}
