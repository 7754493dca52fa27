package io.vigil.pipeline.ingest;

import io.vigil.records.InputBounds;
import io.vigil.records.formats.Formats;
import io.vigil.settings.VigilConfig;
import java.io.Serializable;
import java.util.List;

/**
 * Which format each input comes in ({@code flow.format}, {@code gpu.format}), the node to name for
 * formats that carry none ({@code input.node}) and the bounds every input record must meet
 * ({@code input.*}). Assignments are always canonical.
 */
public record InputFormats(String flows, String gpu, String node, InputBounds bounds) implements Serializable {
    /** The canonical records everywhere: what Vigil did before it read other formats. */
    public static final InputFormats CANONICAL = new InputFormats(Formats.VIGIL, Formats.VIGIL, null);

    /**
     * The settings that say how a dataset's files are read: the flags of a verb that reads them. ({@code
     * input.time.future.margin.ms} bounds live input only: a recording has no "now".)
     */
    public static final List<String> FILE_SETTINGS = List.of(
            VigilConfig.FLOW_FORMAT,
            VigilConfig.GPU_FORMAT,
            VigilConfig.INPUT_NODE,
            VigilConfig.INPUT_TIME_FLOOR_MS,
            VigilConfig.INPUT_SPAN_MARGIN_MS,
            VigilConfig.INPUT_LINK_MAX_BPS,
            VigilConfig.INPUT_MAX_LINE_BYTES);

    /**
     * The settings that say how live input is read, from Kafka: the flags of {@code detect}. ({@code
     * input.time.span.margin.ms} bounds a file by the rest of it: a topic has no end to compare with.)
     */
    public static final List<String> LIVE_SETTINGS = List.of(
            VigilConfig.FLOW_FORMAT,
            VigilConfig.GPU_FORMAT,
            VigilConfig.INPUT_NODE,
            VigilConfig.INPUT_TIME_FLOOR_MS,
            VigilConfig.INPUT_FUTURE_MARGIN_MS,
            VigilConfig.INPUT_LINK_MAX_BPS,
            VigilConfig.INPUT_MAX_LINE_BYTES);

    public InputFormats {
        flows = flows == null ? Formats.VIGIL : flows;
        gpu = gpu == null ? Formats.VIGIL : gpu;
        node = node == null || node.isBlank() ? null : node;
        bounds = bounds == null ? InputBounds.DEFAULTS : bounds;
    }

    public InputFormats(String flows, String gpu, String node) {
        this(flows, gpu, node, InputBounds.DEFAULTS);
    }

    /** The same, with the flows in another format (one detected in a dataset). */
    public InputFormats withFlows(String format) {
        return new InputFormats(format, gpu, node, bounds);
    }

    public static InputFormats from(VigilConfig config) {
        return new InputFormats(
                config.getString(VigilConfig.FLOW_FORMAT),
                config.getString(VigilConfig.GPU_FORMAT),
                config.getString(VigilConfig.INPUT_NODE),
                config.inputBounds());
    }
}
