package io.vigil.tools.bench;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * CPU time of this JVM's threads over a run, by kind of thread: the embedded broker's, Flink's task threads,
 * the Kafka source's fetchers, and the rest. The bench's broker runs in the same JVM as the job, and its CPU
 * is in the process figure although a deployment pays it on other machines; this says how much it is.
 *
 * <p>Polled, because threads that end (a finished job's task threads) take their CPU time with them: a
 * thread's last reading counts, so each loses at most one poll interval. What no Java thread accounts for
 * (GC, the JIT compiler, threads that ended between polls) is the process figure less the threads'; {@link VmCpu}
 * reads the first two apart.
 */
final class ThreadCpu {

    /** Kinds of thread, matched on the name in this order; the first that matches counts. */
    enum Kind {
        /** The Kafka source's split fetchers (poll, decompress, hand records to the task thread). */
        SOURCE_FETCHER("source_fetcher", Pattern.compile("^Source Data Fetcher.*")),
        /** Flink's network-buffer flushers, one per task, waking every buffer timeout. */
        OUTPUT_FLUSHER("output_flusher", Pattern.compile("^OutputFlusher.*")),
        /** The asynchronous part of checkpoints: writing the state to files. */
        CHECKPOINT_ASYNC("checkpoint_async", Pattern.compile("^AsyncOperations.*")),
        /** Flink's task threads: an operator chain, named "A -> B (1/2)#0" (fetchers and flushers too: first). */
        FLINK_TASK("flink_task", Pattern.compile(".* \\(\\d+/\\d+\\)#\\d+$")),
        /** The job's Kafka clients' I/O threads: the sinks' producers, the source's admin client. */
        KAFKA_CLIENT(
                "kafka_client",
                Pattern.compile("^(kafka-producer-network-thread|kafka-admin-client-thread|kafka-coordinator).*")),
        /** The embedded KRaft broker (and controller): request handlers, network, log, raft, coordinators. */
        BROKER(
                "broker",
                Pattern.compile("^(data-plane-|controller-|broker-|kafka-|quorum-|raft-|ReplicaFetcher|"
                        + "ExpirationReaper|executor-|group-coordinator|share-|transaction-|TxnMarker|"
                        + "LogDirFailureHandler|ThrottledChannelReaper|scheduler-|metrics-|"
                        + "AddPartitionsToTxnSenderThread|BrokerLifecycle|ClientMetrics|RemoteLog|"
                        + "kafka-scheduler|log-cleaner|Kafka|NodeToController|event-process).*")),
        /** This bench's own thread, watching the job and its checkpoints while it runs. */
        BENCH("bench", Pattern.compile("^main$")),
        /** Everything else with a name: Flink's runtime (RPC, checkpoints, I/O), this bench, the JDK's own. */
        OTHER("other_threads", Pattern.compile(".*"));

        final String label;
        final Pattern name;

        Kind(String label, Pattern name) {
            this.label = label;
            this.name = name;
        }

        static Kind of(String threadName) {
            for (Kind kind : values()) {
                if (kind.name.matcher(threadName).matches()) {
                    return kind;
                }
            }
            return OTHER;
        }
    }

    private final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** By thread id: the CPU time at the start (0 for threads started since), and the latest reading. */
    private final Map<Long, long[]> cpu = new HashMap<>();

    private final Map<Long, String> names = new HashMap<>();

    /** Starts counting: every live thread's CPU time so far is excluded. */
    static ThreadCpu start() {
        ThreadCpu t = new ThreadCpu();
        t.poll(true);
        return t;
    }

    /** Reads every live thread's CPU time; call often enough that ending threads lose little. */
    void poll() {
        poll(false);
    }

    private void poll(boolean baseline) {
        long[] ids = threads.getAllThreadIds();
        long[] times = threads.getThreadCpuTime(ids);
        for (int i = 0; i < ids.length; i++) {
            if (times[i] < 0) {
                continue; // ended since getAllThreadIds
            }
            long[] reading = cpu.get(ids[i]);
            if (reading == null) {
                cpu.put(ids[i], new long[] {baseline ? times[i] : 0, times[i]});
                ThreadInfo info = threads.getThreadInfo(ids[i]);
                names.put(ids[i], info == null ? "?" : info.getThreadName());
            } else {
                reading[1] = times[i];
            }
        }
    }

    /** CPU seconds by kind, in {@link Kind} order. */
    Map<Kind, Double> byKind() {
        Map<Kind, Double> sums = new LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            sums.put(kind, 0.0);
        }
        cpu.forEach((id, reading) -> sums.merge(Kind.of(names.get(id)), (reading[1] - reading[0]) / 1e9, Double::sum));
        return sums;
    }

    /** CPU seconds by thread name with the subtask and instance numbers dropped, the largest first. */
    Map<String, Double> byName(int top) {
        Map<String, Double> sums = new TreeMap<>();
        cpu.forEach((id, reading) -> {
            String name = names.get(id).replaceAll("\\d+", "#");
            sums.merge(name, (reading[1] - reading[0]) / 1e9, Double::sum);
        });
        Map<String, Double> largest = new LinkedHashMap<>();
        sums.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> largest.put(e.getKey(), Math.round(e.getValue() * 100) / 100.0));
        return largest;
    }
}
