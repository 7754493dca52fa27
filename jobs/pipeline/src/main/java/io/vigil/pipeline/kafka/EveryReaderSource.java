package io.vigil.pipeline.kafka;

import io.vigil.pipeline.detect.PausableSplits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link KafkaSource} whose every reader also reads one more topic whole: the source's own topics are split among
 * the readers as Kafka's source splits them (offsets checkpointed, restored, committed), and each reader also takes
 * every partition of {@code everyReaderTopic} from its beginning (up to its end then, when bounded). Those splits are
 * never checkpointed: a restored or restarted reader reads that topic again.
 *
 * <p>It gives a reader's chained operator the whole of a small topic (the scheduler's assignments) with the records
 * it reads, in one source chained the ordinary way. The enumerator gives the whole topic in the same event as the
 * first splits it assigns a reader (or alone, to a reader it assigns none, e.g. one restored with its own): Flink's
 * source operator creates a split's watermark output, and aligns the split, only for splits that come that way; a
 * split the reader added itself would count in the reader's watermark only from its first record, so the watermark
 * of the other splits could pass records whose assignment is not read yet, and they would find no owner. For the same
 * reason a reader hands on nothing until the whole topic is among its splits.
 *
 * <p>When not bounded, the enumerator lists the topic's partitions again as often as Kafka's source looks for new
 * partitions of its own topics ({@code partition.discovery.interval.ms}), and gives a partition added since to every
 * reader that has the topic, from its beginning: a scheduler's topic given more partitions while the job runs is read
 * whole without a restart. Until that listing, a record whose job's START is on the new partition finds no owner.
 */
public final class EveryReaderSource<T>
        implements Source<T, KafkaPartitionSplit, KafkaSourceEnumState>, ResultTypeQueryable<T>, PausableSplits {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EveryReaderSource.class);

    private final KafkaSource<T> source;
    private final String everyReaderTopic;
    private final Properties adminProperties;
    private final long relistIntervalMs;

    /**
     * @param source reads the split topics; its deserializer must decode {@code everyReaderTopic} too
     * @param adminProperties how to reach the cluster to list the topic's partitions (and their ends)
     * @param relistIntervalMs how often to look for partitions added to {@code everyReaderTopic}, when not bounded;
     *     0 or less never (as Kafka's source reads its {@code partition.discovery.interval.ms})
     */
    public EveryReaderSource(
            KafkaSource<T> source, String everyReaderTopic, Properties adminProperties, long relistIntervalMs) {
        this.source = source;
        this.everyReaderTopic = everyReaderTopic;
        this.adminProperties = adminProperties;
        this.relistIntervalMs = relistIntervalMs;
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return source.getProducedType();
    }

    @Override
    public Boundedness getBoundedness() {
        return source.getBoundedness();
    }

    @Override
    public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext context) throws Exception {
        return new Reader<>(source.createReader(context), everyReaderTopic);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context) throws Exception {
        WithFirstSplits withFirst = new WithFirstSplits(context, everyReaderTopic, new Lister(), relistEvery());
        return withFirst.enumerator(source.createEnumerator(withFirst));
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState state) throws Exception {
        WithFirstSplits withFirst = new WithFirstSplits(context, everyReaderTopic, new Lister(), relistEvery());
        return withFirst.enumerator(source.restoreEnumerator(withFirst, state));
    }

    /** A bounded read takes the topic as it is at the start: no partition added later is read. */
    private long relistEvery() {
        return getBoundedness() == Boundedness.BOUNDED ? 0 : relistIntervalMs;
    }

    /** Lists the topic's partitions as splits; closed with the enumerator. */
    interface Listing extends Callable<List<KafkaPartitionSplit>>, AutoCloseable {
        @Override
        default void close() throws Exception {}
    }

    /**
     * Kafka's enumerator's context, adding the whole topic to the first splits it assigns each reader, or alone to a
     * reader it assigns none once it has found its topics' partitions (restored with splits of its own, or one reader
     * more than there are partitions), and always before it tells a reader there are no more splits. Not alone before
     * that: a reader given only the topic would read it, and its watermark, which never goes back, would then be past
     * the records of the splits Kafka's enumerator gives it a moment later. All of it runs in the coordinator's thread.
     */
    static final class WithFirstSplits implements SplitEnumeratorContext<KafkaPartitionSplit> {
        private final SplitEnumeratorContext<KafkaPartitionSplit> context;
        private final String everyReaderTopic;
        private final Listing wholeTopic;
        private final long relistIntervalMs;
        /** The readers given the whole topic (since they last registered). */
        private final Set<Integer> given = new HashSet<>();

        private List<KafkaPartitionSplit> whole;
        /** Kafka's enumerator's one-off calls not done yet: its first discovery of partitions is two in a row. */
        private int callsPending;
        /** Whether Kafka's enumerator has found its partitions (and assigned those it found to the readers). */
        private boolean discovered;
        /** Why the last listing failed; null after one that did not. */
        private String lastFailure;

        WithFirstSplits(
                SplitEnumeratorContext<KafkaPartitionSplit> context,
                String everyReaderTopic,
                Listing wholeTopic,
                long relistIntervalMs) {
            this.context = context;
            this.everyReaderTopic = everyReaderTopic;
            this.wholeTopic = wholeTopic;
            this.relistIntervalMs = relistIntervalMs;
        }

        SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> enumerator(
                SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> kafka) {
            return new SplitEnumerator<>() {
                @Override
                public void start() {
                    try {
                        whole = wholeTopic.call();
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot list the partitions of topic " + everyReaderTopic, e);
                    }
                    kafka.start();
                    if (relistIntervalMs > 0) {
                        // the context's own call, not this one's: it is no call of Kafka's enumerator
                        context.callAsync(wholeTopic, WithFirstSplits.this::listed, relistIntervalMs, relistIntervalMs);
                    }
                }

                @Override
                public void handleSplitRequest(int subtaskId, String host) {
                    kafka.handleSplitRequest(subtaskId, host);
                }

                @Override
                public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {
                    List<KafkaPartitionSplit> own = new ArrayList<>();
                    for (KafkaPartitionSplit split : splits) {
                        if (!split.getTopic().equals(everyReaderTopic)) {
                            own.add(split);
                        }
                    }
                    kafka.addSplitsBack(own, subtaskId);
                }

                @Override
                public void addReader(int subtaskId) {
                    given.remove(subtaskId);
                    kafka.addReader(subtaskId);
                    if (discovered) {
                        giveAlone(subtaskId);
                    }
                }

                @Override
                public KafkaSourceEnumState snapshotState(long checkpointId) throws Exception {
                    return kafka.snapshotState(checkpointId);
                }

                @Override
                public void notifyCheckpointComplete(long checkpointId) throws Exception {
                    kafka.notifyCheckpointComplete(checkpointId);
                }

                @Override
                public void handleSourceEvent(int subtaskId, SourceEvent event) {
                    kafka.handleSourceEvent(subtaskId, event);
                }

                @Override
                public void close() throws IOException {
                    try {
                        kafka.close();
                    } finally {
                        try {
                            wholeTopic.close();
                        } catch (Exception e) {
                            LOG.warn("Cannot close the client that lists topic {}", everyReaderTopic, e);
                        }
                    }
                }
            };
        }

        @Override
        public void assignSplits(SplitsAssignment<KafkaPartitionSplit> assignment) {
            Map<Integer, List<KafkaPartitionSplit>> all = new HashMap<>();
            assignment.assignment().forEach((subtask, splits) -> {
                List<KafkaPartitionSplit> these = new ArrayList<>(splits);
                if (given.add(subtask)) {
                    these.addAll(0, whole);
                }
                all.put(subtask, these);
            });
            context.assignSplits(new SplitsAssignment<>(all));
        }

        /**
         * A later listing of the topic: the partitions it did not have before go to every reader that has the topic,
         * and with the rest to those that get it later. A failed listing is tried again at the next.
         */
        void listed(List<KafkaPartitionSplit> now, Throwable failure) {
            if (failure != null) {
                // once with its stack; the same failure again (a deleted topic, every interval) in one line
                String why = String.valueOf(failure);
                if (why.equals(lastFailure)) {
                    LOG.warn("Still cannot list the partitions of topic {}: {}", everyReaderTopic, why);
                } else {
                    LOG.warn("Cannot list the partitions of topic {}; trying again later", everyReaderTopic, failure);
                }
                lastFailure = why;
                return;
            }
            if (lastFailure != null) {
                LOG.info("Topic {} is listed again", everyReaderTopic);
                lastFailure = null;
            }
            Set<TopicPartition> known = new HashSet<>();
            whole.forEach(split -> known.add(split.getTopicPartition()));
            List<KafkaPartitionSplit> added = new ArrayList<>();
            for (KafkaPartitionSplit split : now) {
                if (!known.contains(split.getTopicPartition())) {
                    added.add(split);
                }
            }
            if (added.isEmpty()) {
                return;
            }
            List<KafkaPartitionSplit> grown = new ArrayList<>(whole);
            grown.addAll(added);
            whole = List.copyOf(grown);
            List<KafkaPartitionSplit> newOnes = List.copyOf(added);
            LOG.info(
                    "Topic {} has {} new partition(s); every reader reads them from their beginning",
                    everyReaderTopic,
                    added.size());
            Map<Integer, List<KafkaPartitionSplit>> toGiven = new HashMap<>();
            for (int subtask : given) {
                if (context.registeredReaders().containsKey(subtask)) {
                    toGiven.put(subtask, newOnes);
                }
            }
            if (!toGiven.isEmpty()) {
                context.assignSplits(new SplitsAssignment<>(toGiven));
            }
        }

        private void giveAlone(int subtask) {
            if (given.add(subtask)) {
                context.assignSplits(new SplitsAssignment<>(Map.of(subtask, List.copyOf(whole))));
            }
        }

        /** After each of Kafka's calls: once none is pending, its partitions are found and assigned. */
        private void afterCall() {
            if (callsPending == 0) {
                discovered = true;
                context.registeredReaders().keySet().forEach(this::giveAlone);
            }
        }

        @Override
        public SplitEnumeratorMetricGroup metricGroup() {
            return context.metricGroup();
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, SourceEvent event) {
            context.sendEventToSourceReader(subtaskId, event);
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, int attemptNumber, SourceEvent event) {
            context.sendEventToSourceReader(subtaskId, attemptNumber, event);
        }

        @Override
        public int currentParallelism() {
            return context.currentParallelism();
        }

        @Override
        public Map<Integer, ReaderInfo> registeredReaders() {
            return context.registeredReaders();
        }

        @Override
        public Map<Integer, Map<Integer, ReaderInfo>> registeredReadersOfAttempts() {
            return context.registeredReadersOfAttempts();
        }

        @Override
        public void signalNoMoreSplits(int subtask) {
            giveAlone(subtask);
            context.signalNoMoreSplits(subtask);
        }

        @Override
        public <X> void callAsync(Callable<X> callable, BiConsumer<X, Throwable> handler) {
            callsPending++;
            context.callAsync(callable, (result, failure) -> {
                try {
                    handler.accept(result, failure);
                } finally {
                    callsPending--;
                }
                afterCall();
            });
        }

        @Override
        public <X> void callAsync(
                Callable<X> callable, BiConsumer<X, Throwable> handler, long initialDelay, long period) {
            context.callAsync(
                    callable,
                    (result, failure) -> {
                        handler.accept(result, failure);
                        afterCall();
                    },
                    initialDelay,
                    period);
        }

        @Override
        public void runInCoordinatorThread(Runnable runnable) {
            context.runInCoordinatorThread(runnable);
        }

        @Override
        public void setIsProcessingBacklog(boolean isProcessingBacklog) {
            context.setIsProcessingBacklog(isProcessingBacklog);
        }
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return source.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
        return source.getEnumeratorCheckpointSerializer();
    }

    /**
     * The topic's partitions as splits from the beginning, ending where the topic ends now if bounded; with one admin
     * client, made at the first listing (on the coordinator's thread, later ones on its worker).
     */
    private final class Lister implements Listing {
        private Admin admin;

        @Override
        public synchronized List<KafkaPartitionSplit> call() throws Exception {
            if (admin == null) {
                admin = Admin.create(adminProperties);
            }
            List<TopicPartition> partitions = new ArrayList<>();
            admin.describeTopics(List.of(everyReaderTopic))
                    .allTopicNames()
                    .get()
                    .get(everyReaderTopic)
                    .partitions()
                    .forEach(p -> partitions.add(new TopicPartition(everyReaderTopic, p.partition())));
            List<KafkaPartitionSplit> splits = new ArrayList<>(partitions.size());
            if (getBoundedness() != Boundedness.BOUNDED) {
                partitions.forEach(p -> splits.add(new KafkaPartitionSplit(p, KafkaPartitionSplit.EARLIEST_OFFSET)));
                return splits;
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
            admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .all()
                    .get()
                    .forEach((p, end) ->
                            splits.add(new KafkaPartitionSplit(p, KafkaPartitionSplit.EARLIEST_OFFSET, end.offset())));
            return splits;
        }

        @Override
        public synchronized void close() {
            if (admin != null) {
                admin.close();
                admin = null;
            }
        }
    }

    /** Kafka's reader; the whole topic added with its first splits, and left out of its checkpoints. */
    static final class Reader<T> implements SourceReader<T, KafkaPartitionSplit> {
        private final SourceReader<T, KafkaPartitionSplit> kafka;
        private final String everyReaderTopic;
        /**
         * Completed once the whole topic is among this reader's splits. Until then the reader hands on nothing: a
         * reader restored with its own splits gets the topic a moment later, and had it read on, their watermarks
         * could pass records whose assignment it has not read yet, which would then find no owner.
         */
        private final CompletableFuture<Void> wholeTopicAdded = new CompletableFuture<>();
        /** The same, read on every poll without a volatile read. */
        private boolean hasWholeTopic;

        Reader(SourceReader<T, KafkaPartitionSplit> kafka, String everyReaderTopic) {
            this.kafka = kafka;
            this.everyReaderTopic = everyReaderTopic;
        }

        @Override
        public void start() {
            kafka.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            return hasWholeTopic ? kafka.pollNext(output) : InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
            List<KafkaPartitionSplit> own = new ArrayList<>();
            for (KafkaPartitionSplit s : kafka.snapshotState(checkpointId)) {
                if (!s.getTopic().equals(everyReaderTopic)) {
                    own.add(s);
                }
            }
            return own;
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return hasWholeTopic ? kafka.isAvailable() : wholeTopicAdded;
        }

        @Override
        public void addSplits(List<KafkaPartitionSplit> splits) {
            kafka.addSplits(splits);
            if (splits.stream().anyMatch(split -> split.getTopic().equals(everyReaderTopic))) {
                hasWholeTopic = true;
                wholeTopicAdded.complete(null);
            }
        }

        @Override
        public void notifyNoMoreSplits() {
            kafka.notifyNoMoreSplits();
        }

        @Override
        public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
            kafka.pauseOrResumeSplits(toPause, toResume);
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            kafka.handleSourceEvents(event);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            kafka.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            kafka.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void close() throws Exception {
            kafka.close();
        }
    }
}
