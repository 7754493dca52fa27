package io.vigil.records.formats;

import java.io.Serializable;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * What a format cannot tell by itself.
 *
 * @param node the host that observed the records (the exporter, the GPU node); overrides what the format
 *             says, and names the node for formats that carry none. Null: the format's own (goflow2's
 *             sampler address, a VPC record's instance or interface id, DCGM's Hostname label), else
 *             {@link #UNKNOWN_NODE}.
 * @param zone the time zone of local times without an offset (nvidia-smi's {@code timestamp} column)
 */
public record FormatOptions(String node, ZoneId zone) implements Serializable {
    public static final String UNKNOWN_NODE = "unknown";
    public static final FormatOptions DEFAULTS = new FormatOptions(null, ZoneOffset.UTC);

    public FormatOptions {
        node = node == null || node.isBlank() ? null : node.trim();
        zone = zone == null ? ZoneOffset.UTC : zone;
    }

    public static FormatOptions node(String node) {
        return new FormatOptions(node, ZoneOffset.UTC);
    }

    /** The configured node, else the format's own, else {@link #UNKNOWN_NODE}. */
    String nodeOr(String fromRecord) {
        if (node != null) {
            return node;
        }
        return fromRecord == null || fromRecord.isBlank() || fromRecord.equals("-") ? UNKNOWN_NODE : fromRecord;
    }
}
