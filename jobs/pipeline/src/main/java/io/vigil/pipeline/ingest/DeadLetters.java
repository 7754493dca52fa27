package io.vigil.pipeline.ingest;

import io.vigil.records.DeadLetter;
import org.apache.flink.util.OutputTag;

/**
 * The side output every stage shares for what it cannot use: undecodable input ({@link SplitReceived}),
 * flows no job owns (attribution). The pipeline unions them into the dead-letter sink.
 */
public final class DeadLetters {
    private DeadLetters() {}

    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters") {};
}
