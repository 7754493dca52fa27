package io.vigil.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** A reader of {@link EveryReaderSource}: nothing handed on before the whole topic, and that topic never kept. */
class EveryReaderSourceTest {
    private static final String TOPIC = "vigil.assignments";

    @Test
    void aReaderRestoredWithItsOwnSplitsHandsOnNothingUntilTheWholeTopicComes() throws Exception {
        Kafka kafka = new Kafka();
        EveryReaderSource.Reader<String> reader = new EveryReaderSource.Reader<>(kafka, TOPIC);
        reader.addSplits(List.of(split("vigil.flows", 0, 42)));

        assertThat(reader.pollNext(null)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
        CompletableFuture<Void> available = reader.isAvailable();
        assertThat(available).isNotDone();
        assertThat(kafka.polls).isZero();

        reader.addSplits(List.of(split(TOPIC, 0, KafkaPartitionSplit.EARLIEST_OFFSET)));
        assertThat(available).isDone();
        assertThat(reader.pollNext(null)).isEqualTo(InputStatus.MORE_AVAILABLE);
        assertThat(kafka.polls).isEqualTo(1);
        assertThat(reader.isAvailable()).isSameAs(kafka.available);
    }

    @Test
    void theWholeTopicIsLeftOutOfTheReadersCheckpoints() {
        Kafka kafka = new Kafka();
        EveryReaderSource.Reader<String> reader = new EveryReaderSource.Reader<>(kafka, TOPIC);
        reader.addSplits(List.of(
                split(TOPIC, 0, KafkaPartitionSplit.EARLIEST_OFFSET),
                split("vigil.flows", 0, 42),
                split(TOPIC, 1, KafkaPartitionSplit.EARLIEST_OFFSET),
                split("vigil.gpu", 3, 7)));

        assertThat(reader.snapshotState(1))
                .extracting(KafkaPartitionSplit::splitId)
                .containsExactly("vigil.flows-0", "vigil.gpu-3");
    }

    private static KafkaPartitionSplit split(String topic, int partition, long offset) {
        return new KafkaPartitionSplit(new TopicPartition(topic, partition), offset);
    }

    /** Kafka's reader as far as the wrapper sees it: the splits it holds, and how often it was polled. */
    private static final class Kafka implements SourceReader<String, KafkaPartitionSplit> {
        final List<KafkaPartitionSplit> splits = new ArrayList<>();
        final CompletableFuture<Void> available = new CompletableFuture<>();
        int polls;

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<String> output) {
            polls++;
            return InputStatus.MORE_AVAILABLE;
        }

        @Override
        public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
            return List.copyOf(splits);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return available;
        }

        @Override
        public void addSplits(List<KafkaPartitionSplit> added) {
            splits.addAll(added);
        }

        @Override
        public void notifyNoMoreSplits() {}

        @Override
        public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {}

        @Override
        public void close() {}
    }
}
