package io.vigil.models.features;

import java.util.Objects;

/** One service port of one job's contact with one remote address in a window. A Flink POJO. */
public class PortStats {
    public long flows;
    /** Bytes both ways. */
    public long bytes;
    /** Upper-case protocol; if one port carries two protocols (53 over UDP and TCP), the first alphabetically. */
    public String protocol;

    public PortStats() {}

    PortStats(long flows, long bytes, String protocol) {
        this.flows = flows;
        this.bytes = bytes;
        this.protocol = protocol;
    }

    void add(long flows, long bytes, String protocol) {
        this.flows += flows;
        this.bytes += bytes;
        if (this.protocol == null || (protocol != null && protocol.compareTo(this.protocol) < 0)) {
            this.protocol = protocol;
        }
    }

    PortStats copy() {
        return new PortStats(flows, bytes, protocol);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PortStats p && flows == p.flows && bytes == p.bytes && Objects.equals(protocol, p.protocol);
    }

    @Override
    public int hashCode() {
        return Objects.hash(flows, bytes, protocol);
    }

    @Override
    public String toString() {
        return protocol + " flows=" + flows + " bytes=" + bytes;
    }
}
