package io.vigil.pipeline.ingest;

import io.vigil.settings.VigilConfig;
import io.vigil.records.formats.Formats;
import java.io.Serializable;

/**
 * Which format each input comes in ({@code flow.format}, {@code gpu.format}) and the node to name for
 * formats that carry none ({@code input.node}). Assignments are always canonical.
 */
public record InputFormats(String flows, String gpu, String node) implements Serializable {
    /** The canonical records everywhere: what Vigil did before it read other formats. */
    public static final InputFormats CANONICAL = new InputFormats(Formats.VIGIL, Formats.VIGIL, null);

    public InputFormats {
        flows = flows == null ? Formats.VIGIL : flows;
        gpu = gpu == null ? Formats.VIGIL : gpu;
        node = node == null || node.isBlank() ? null : node;
    }

    public static InputFormats from(VigilConfig config) {
        return new InputFormats(config.getString(VigilConfig.FLOW_FORMAT), config.getString(VigilConfig.GPU_FORMAT),
                config.getString(VigilConfig.INPUT_NODE));
    }
}
