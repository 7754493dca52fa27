package io.vigil.pipeline.detect;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event time of the model topic, which has none: a release may come once a month, and the scoring
 * operator's event time (its clean-up timers) is the minimum over both its inputs.
 *
 * <p>The model source therefore says, from its first periodic watermark on (every
 * {@code pipeline.auto-watermark-interval}, 200 ms by default), that it is idle, and never emits a
 * watermark. Flink 2.2's operators leave idle inputs out of the minimum ({@code CombinedWatermarkStatus});
 * a record does not make a source output active again (only a watermark does,
 * {@code WatermarkToDataOutput}), so releases pass without touching event time. When the windows go idle
 * too, the operator is idle as a whole and its watermark stays where the windows left it.
 *
 * <p>A maximal watermark instead would be wrong: with the windows idle and the model input active at
 * {@code Long.MAX_VALUE}, the operator's watermark would jump to the end of time and every job's state
 * would be cleared, and its timers would never fire again. For the same reason the model source must not
 * end while the job runs (a finished source emits that maximal watermark): bounded runs read no model
 * releases (the Kafka end: {@code KafkaEnds.inputs}).
 *
 * <p>{@link DetectPipeline} runs the source with parallelism 1, so that its one reader holds the topic's
 * partitions: idleness is declared per partition, and a reader with none would never declare it.
 */
public final class ModelReleases {
    private ModelReleases() {}

    public static WatermarkStrategy<byte[]> watermarks() {
        return new AlwaysIdle<>();
    }

    /**
     * The same for any other input of the scoring step's broadcast side (the suppression topic: a rule may come
     * once a month too, and must not hold event time back or push it to the end of time either).
     */
    public static <T> WatermarkStrategy<T> idle() {
        return new AlwaysIdle<>();
    }

    static final class AlwaysIdle<T> implements WatermarkStrategy<T> {
        private static final long serialVersionUID = 1L;

        @Override
        public WatermarkGenerator<T> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
            return new WatermarkGenerator<>() {
                @Override
                public void onEvent(T release, long timestamp, WatermarkOutput output) {}

                @Override
                public void onPeriodicEmit(WatermarkOutput output) {
                    output.markIdle();
                }
            };
        }
    }
}
