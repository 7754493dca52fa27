package io.vigil.collector;

import io.vigil.records.Decoded;
import io.vigil.records.GpuSample;
import java.io.IOException;
import java.util.List;

/** Where the collector reads the node's GPUs from: nvidia-smi, or a DCGM exporter's URL. */
public interface GpuSource {
    /** What it reads from, for messages. */
    String describe();

    /**
     * One reading, taken at {@code nowMs}: a sample per GPU, or why a GPU's reading was refused.
     *
     * @throws IOException when the source cannot be read at all (nvidia-smi missing or failing, the URL down)
     */
    List<Decoded<GpuSample>> poll(long nowMs) throws IOException;
}
