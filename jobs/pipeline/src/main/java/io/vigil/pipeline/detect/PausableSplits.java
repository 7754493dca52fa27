package io.vigil.pipeline.detect;

/**
 * A source whose readers pause and resume their splits as Kafka's do ({@code SourceReader#pauseOrResumeSplits}), so
 * that the pipeline aligns its watermarks ({@link InputWatermarks#alignedStrategy}). Flink's {@code KafkaSource} is
 * known as it is; a source that wraps one says so with this.
 */
public interface PausableSplits {}
