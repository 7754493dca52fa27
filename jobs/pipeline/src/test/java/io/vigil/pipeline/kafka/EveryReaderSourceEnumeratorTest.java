package io.vigil.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.kafka.common.TopicPartition;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Test;

/**
 * What {@link EveryReaderSource}'s enumerator gives each reader: the whole topic with its first splits, in one
 * assignment; alone only once Kafka's enumerator has found its partitions; and before any "no more splits".
 */
class EveryReaderSourceEnumeratorTest {
    private static final String TOPIC = "vigil.assignments";
    private static final List<KafkaPartitionSplit> WHOLE = List.of(split(TOPIC, 0), split(TOPIC, 1));
    private static final KafkaPartitionSplit FLOWS_0 = split("vigil.flows", 0);

    @Test
    void aReaderThatRegistersBeforeThePartitionsAreFoundGetsTheTopicWithThemInOneAssignment() throws Throwable {
        try (MockSplitEnumeratorContext<KafkaPartitionSplit> context = new MockSplitEnumeratorContext<>(2)) {
            SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> enumerator =
                    enumerator(context, Map.of(0, List.of(FLOWS_0)), false);
            enumerator.start();
            register(context, enumerator, 0);
            register(context, enumerator, 1);
            assertThat(context.getSplitsAssignmentSequence()).isEmpty();

            context.runNextOneTimeCallable(); // Kafka lists the partitions, then works out the splits
            assertThat(context.getSplitsAssignmentSequence()).isEmpty();
            context.runNextOneTimeCallable();

            List<SplitsAssignment<KafkaPartitionSplit>> sequence = context.getSplitsAssignmentSequence();
            assertThat(sequence.get(0).assignment()).containsOnlyKeys(0);
            assertThat(sequence.get(0).assignment().get(0))
                    .containsExactlyInAnyOrder(WHOLE.get(0), WHOLE.get(1), FLOWS_0);
            // reader 1 gets no partition of Kafka's: the topic alone, once the partitions are known
            assertThat(sequence.get(1).assignment()).containsOnlyKeys(1);
            assertThat(sequence.get(1).assignment().get(1)).containsExactlyElementsOf(WHOLE);
            assertThat(sequence).hasSize(2);
        }
    }

    @Test
    void aReaderThatRegistersAgainLaterGetsTheTopicAgainAndNeverTwiceWhileRegistered() throws Throwable {
        try (MockSplitEnumeratorContext<KafkaPartitionSplit> context = new MockSplitEnumeratorContext<>(1)) {
            SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> enumerator =
                    enumerator(context, Map.of(0, List.of(FLOWS_0)), false);
            enumerator.start();
            context.runNextOneTimeCallable();
            context.runNextOneTimeCallable();
            register(context, enumerator, 0);
            assertThat(context.getSplitsAssignmentSequence()).hasSize(1);

            // a restarted reader: its splits come back, minus the topic, and go with the topic again
            enumerator.addSplitsBack(List.of(WHOLE.get(0), WHOLE.get(1), FLOWS_0), 0);
            context.unregisterReader(0);
            register(context, enumerator, 0);

            List<SplitsAssignment<KafkaPartitionSplit>> sequence = context.getSplitsAssignmentSequence();
            assertThat(sequence).hasSize(2);
            assertThat(sequence.get(1).assignment().get(0))
                    .containsExactlyInAnyOrder(WHOLE.get(0), WHOLE.get(1), FLOWS_0);
        }
    }

    @Test
    void aBoundedReaderGetsTheTopicBeforeItIsToldThereIsNoMore() throws Throwable {
        List<String> events = new ArrayList<>();
        try (MockSplitEnumeratorContext<KafkaPartitionSplit> context = new MockSplitEnumeratorContext<>(2) {
            @Override
            public void assignSplits(SplitsAssignment<KafkaPartitionSplit> assignment) {
                events.add("splits " + assignment.assignment());
                super.assignSplits(assignment);
            }

            @Override
            public void signalNoMoreSplits(int subtask) {
                events.add("no more to " + subtask);
                super.signalNoMoreSplits(subtask);
            }
        }) {
            SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> enumerator =
                    enumerator(context, Map.of(0, List.of(FLOWS_0)), true);
            enumerator.start();
            register(context, enumerator, 1);
            context.runNextOneTimeCallable();
            context.runNextOneTimeCallable();

            assertThat(events).containsExactly("splits " + Map.of(1, WHOLE), "no more to 1");
        }
    }

    @Test
    void aPartitionAddedWhileTheJobRunsGoesToEveryReaderThatHasTheTopicAndWithItToThoseThatComeLater()
            throws Throwable {
        List<KafkaPartitionSplit> listing = new ArrayList<>(WHOLE);
        KafkaPartitionSplit added = split(TOPIC, 2);
        try (MockSplitEnumeratorContext<KafkaPartitionSplit> context = new MockSplitEnumeratorContext<>(3)) {
            EveryReaderSource.WithFirstSplits withFirst =
                    new EveryReaderSource.WithFirstSplits(context, TOPIC, () -> List.copyOf(listing), 60_000);
            SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> enumerator =
                    withFirst.enumerator(new KafkaLike(withFirst, Map.of(0, List.of(FLOWS_0)), false));
            enumerator.start();
            register(context, enumerator, 0);
            register(context, enumerator, 1);
            context.runNextOneTimeCallable();
            context.runNextOneTimeCallable();
            List<SplitsAssignment<KafkaPartitionSplit>> sequence = context.getSplitsAssignmentSequence();
            assertThat(sequence).hasSize(2);

            assertThat(context.getPeriodicCallables()).hasSize(1);
            context.runPeriodicCallable(0); // the same partitions: nothing to give
            assertThat(sequence).hasSize(2);

            listing.add(added);
            context.runPeriodicCallable(0);
            assertThat(sequence).hasSize(3);
            assertThat(sequence.get(2).assignment()).isEqualTo(Map.of(0, List.of(added), 1, List.of(added)));
            context.runPeriodicCallable(0); // given once
            assertThat(sequence).hasSize(3);

            register(context, enumerator, 2);
            assertThat(sequence.get(3).assignment()).isEqualTo(Map.of(2, List.of(WHOLE.get(0), WHOLE.get(1), added)));
        }
    }

    @Test
    void anEnumeratorToldNotToRelistNeverLooksAgain() throws Throwable {
        for (long never : new long[] {0, -1}) { // -1: how Kafka's source is told not to look for partitions
            try (MockSplitEnumeratorContext<KafkaPartitionSplit> context = new MockSplitEnumeratorContext<>(1)) {
                new EveryReaderSource.WithFirstSplits(context, TOPIC, () -> WHOLE, never)
                        .enumerator(new KafkaLike(context, Map.of(0, List.of(FLOWS_0)), false))
                        .start();
                assertThat(context.getPeriodicCallables())
                        .as("relist every %d ms", never)
                        .isEmpty();
            }
        }
    }

    @Test
    void listingsThatFailGiveNothingAndTheNextOneStillDoes() throws Throwable {
        List<KafkaPartitionSplit> listing = new ArrayList<>(WHOLE);
        boolean[] fail = {false};
        StringWriter logs = new StringWriter();
        try (MockSplitEnumeratorContext<KafkaPartitionSplit> context = new MockSplitEnumeratorContext<>(1);
                LogCapture capture = new LogCapture(EveryReaderSource.class, logs)) {
            EveryReaderSource.WithFirstSplits withFirst = new EveryReaderSource.WithFirstSplits(
                    context,
                    TOPIC,
                    () -> {
                        if (fail[0]) {
                            throw new IllegalStateException("broker gone");
                        }
                        return List.copyOf(listing);
                    },
                    60_000);
            SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> enumerator =
                    withFirst.enumerator(new KafkaLike(withFirst, Map.of(0, List.of(FLOWS_0)), false));
            enumerator.start();
            register(context, enumerator, 0);
            context.runNextOneTimeCallable();
            context.runNextOneTimeCallable();
            List<SplitsAssignment<KafkaPartitionSplit>> sequence = context.getSplitsAssignmentSequence();
            assertThat(sequence).hasSize(1);

            listing.add(split(TOPIC, 2));
            fail[0] = true;
            context.runPeriodicCallable(0);
            assertThat(sequence).hasSize(1);
            context.runPeriodicCallable(0);
            assertThat(sequence).hasSize(1);
            fail[0] = false;
            context.runPeriodicCallable(0);
            assertThat(sequence.get(1).assignment()).isEqualTo(Map.of(0, List.of(split(TOPIC, 2))));
        }
        // the same failure again (a deleted topic, every interval) is one line; its stack is logged once
        assertThat(logs.toString().lines())
                .containsExactly(
                        "WARN Cannot list the partitions of topic " + TOPIC + "; trying again later",
                        "java.lang.IllegalStateException: broker gone",
                        "WARN Still cannot list the partitions of topic " + TOPIC
                                + ": java.lang.IllegalStateException: broker gone",
                        "INFO Topic " + TOPIC + " is listed again",
                        "INFO Topic " + TOPIC
                                + " has 1 new partition(s); every reader reads them from their beginning");
    }

    /** Keeps one class's log lines (INFO and above) as "LEVEL message", an exception's first line after its own. */
    private static final class LogCapture implements AutoCloseable {
        private final String logger;
        private final Appender appender;

        LogCapture(Class<?> of, StringWriter into) {
            logger = of.getName();
            appender = WriterAppender.newBuilder()
                    .setName("capture-" + logger)
                    .setTarget(into)
                    .setLayout(PatternLayout.newBuilder()
                            .withPattern("%p %m%n%ex{1}")
                            .build())
                    .build();
            appender.start();
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            LoggerConfig config = new LoggerConfig(logger, Level.INFO, false);
            config.addAppender(appender, Level.INFO, null);
            context.getConfiguration().addLogger(logger, config);
            context.updateLoggers();
        }

        @Override
        public void close() {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            context.getConfiguration().removeLogger(logger);
            context.updateLoggers();
            appender.stop();
        }
    }

    private static SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> enumerator(
            MockSplitEnumeratorContext<KafkaPartitionSplit> context,
            Map<Integer, List<KafkaPartitionSplit>> partitions,
            boolean bounded) {
        EveryReaderSource.WithFirstSplits withFirst =
                new EveryReaderSource.WithFirstSplits(context, TOPIC, () -> WHOLE, 0);
        return withFirst.enumerator(new KafkaLike(withFirst, partitions, bounded));
    }

    private static void register(
            MockSplitEnumeratorContext<KafkaPartitionSplit> context,
            SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> enumerator,
            int subtask) {
        context.registerReader(new ReaderInfo(subtask, "localhost"));
        enumerator.addReader(subtask);
    }

    private static KafkaPartitionSplit split(String topic, int partition) {
        return new KafkaPartitionSplit(new TopicPartition(topic, partition), KafkaPartitionSplit.EARLIEST_OFFSET);
    }

    /**
     * Kafka's enumerator as its context sees it: two one-off calls in a row find the partitions, which then go to
     * the readers registered (and to a reader when it registers); a bounded one tells them there is no more.
     */
    private static final class KafkaLike implements SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> {
        private final SplitEnumeratorContext<KafkaPartitionSplit> context;
        private final Map<Integer, List<KafkaPartitionSplit>> partitions;
        private final boolean bounded;
        private final Map<Integer, List<KafkaPartitionSplit>> pending = new HashMap<>();
        private boolean found;

        KafkaLike(
                SplitEnumeratorContext<KafkaPartitionSplit> context,
                Map<Integer, List<KafkaPartitionSplit>> partitions,
                boolean bounded) {
            this.context = context;
            this.partitions = partitions;
            this.bounded = bounded;
        }

        @Override
        public void start() {
            context.callAsync(
                    () -> "listed",
                    (listed, failure) -> context.callAsync(() -> partitions, (found, f) -> {
                        this.found = true;
                        found.forEach((reader, splits) -> pending.put(reader, new ArrayList<>(splits)));
                        assign(context.registeredReaders().keySet());
                    }));
        }

        private void assign(Iterable<Integer> readers) {
            Map<Integer, List<KafkaPartitionSplit>> now = new HashMap<>();
            for (int reader : readers) {
                List<KafkaPartitionSplit> splits = pending.remove(reader);
                if (splits != null && !splits.isEmpty()) {
                    now.put(reader, splits);
                }
            }
            if (!now.isEmpty()) {
                context.assignSplits(new SplitsAssignment<>(now));
            }
            if (found && bounded) {
                readers.forEach(context::signalNoMoreSplits);
            }
        }

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {}

        @Override
        public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {
            pending.computeIfAbsent(subtaskId, r -> new ArrayList<>()).addAll(splits);
        }

        @Override
        public void addReader(int subtaskId) {
            assign(List.of(subtaskId));
        }

        @Override
        public KafkaSourceEnumState snapshotState(long checkpointId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }
}
