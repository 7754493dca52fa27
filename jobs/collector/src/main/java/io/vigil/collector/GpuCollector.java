package io.vigil.collector;

import io.vigil.records.Decoded;
import io.vigil.records.GpuSample;
import io.vigil.records.Printable;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The {@code collect-gpu} agent's loop: every interval, read the node's GPUs, name their pods, publish.
 *
 * <ul>
 * <li>A source that cannot be read (nvidia-smi missing, failing or hanging; the DCGM URL down) is reported
 *     and tried again with a doubling back-off, from the interval up to {@code maxBackoff}; the first
 *     success after failures is reported too.</li>
 * <li>Samples wait in a bounded buffer until the broker has them. During a broker outage the buffer fills;
 *     when full, the oldest sample is dropped for the newest and the drops are counted and reported (once
 *     per poll, with the total). When the broker is back the buffer drains, oldest first.</li>
 * <li>A GPU reading the format refuses (e.g. utilisation [N/A]) is reported with its reason and skipped.</li>
 * <li>A broker that refuses the agent's credentials or rights stops it: waiting would not change its answer.</li>
 * </ul>
 */
public final class GpuCollector {
    private final GpuSource source;
    private final PodMapping pods;
    private final SamplePublisher publisher;
    private final int bufferLimit;
    private final Duration interval;
    private final Duration maxBackoff;
    private final PrintWriter log;
    private final LongSupplier clock;
    private final Deque<GpuSample> buffer = new ArrayDeque<>();
    private final CollectorMetrics metrics;

    private long polls;
    private long failures;
    private int failuresInARow;
    private long published;
    private long dropped;
    private long refused;
    private boolean brokerDown;
    private volatile boolean stopped;

    public GpuCollector(
            GpuSource source,
            PodMapping pods,
            SamplePublisher publisher,
            int bufferLimit,
            Duration interval,
            Duration maxBackoff,
            PrintWriter log,
            LongSupplier clock) {
        this(source, pods, publisher, bufferLimit, interval, maxBackoff, log, clock, new CollectorMetrics());
    }

    public GpuCollector(
            GpuSource source,
            PodMapping pods,
            SamplePublisher publisher,
            int bufferLimit,
            Duration interval,
            Duration maxBackoff,
            PrintWriter log,
            LongSupplier clock,
            CollectorMetrics metrics) {
        if (bufferLimit < 1) {
            throw new IllegalArgumentException("the buffer must hold at least one sample");
        }
        this.source = source;
        this.pods = pods;
        this.publisher = publisher;
        this.bufferLimit = bufferLimit;
        this.interval = interval;
        this.maxBackoff = maxBackoff;
        this.log = log;
        this.clock = clock;
        this.metrics = metrics;
        metrics.buffered(buffer::size);
    }

    /**
     * Polls until {@link #stop()} or {@code maxPolls} polls (0: no limit).
     *
     * @throws SamplePublisher.Refused when the broker refuses the agent: it stops rather than buffer for ever
     */
    public void run(long maxPolls) throws InterruptedException, SamplePublisher.Refused {
        while (!stopped && (maxPolls == 0 || polls < maxPolls)) {
            long started = System.nanoTime();
            boolean ok = pollOnce();
            flush();
            Duration wait = ok ? interval : backoff();
            long sleepMs = wait.toMillis() - (System.nanoTime() - started) / 1_000_000;
            if (sleepMs > 0 && !stopped && (maxPolls == 0 || polls < maxPolls)) {
                Thread.sleep(sleepMs);
            }
        }
    }

    public void stop() {
        stopped = true;
    }

    /** Reads the source once into the buffer. False when the source could not be read. */
    boolean pollOnce() {
        polls++;
        metrics.poll();
        List<Decoded<GpuSample>> readings;
        try {
            readings = source.poll(clock.getAsLong());
        } catch (IOException e) {
            failures++;
            failuresInARow++;
            metrics.failure(CollectorMetrics.Failure.SOURCE_UNREADABLE);
            log.printf(
                    "collect-gpu: cannot read GPUs from %s: %s; retrying in %d s (%d failures in a row)%n",
                    Printable.escape(source.describe()),
                    Printable.escape(e.getMessage()),
                    backoff().toSeconds(),
                    failuresInARow);
            log.flush();
            return false;
        }
        if (failuresInARow > 0) {
            log.printf(
                    "collect-gpu: %s answers again after %d failures%n",
                    Printable.escape(source.describe()), failuresInARow);
            failuresInARow = 0;
        }
        if (pods != null) {
            String problem = pods.refresh();
            if (problem != null) {
                log.println("collect-gpu: " + Printable.escape(problem));
            }
        }
        long droppedBefore = dropped;
        for (Decoded<GpuSample> d : readings) {
            if (!d.isAccepted()) {
                refused++;
                metrics.failure(CollectorMetrics.Failure.READING_REFUSED);
                log.println("collect-gpu: a GPU reading was refused: " + Printable.escape(d.rejection()));
                continue;
            }
            GpuSample s = pods == null ? d.record() : pods.apply(d.record());
            if (buffer.size() >= bufferLimit) {
                buffer.pollFirst();
                dropped++;
                metrics.failure(CollectorMetrics.Failure.BUFFER_FULL);
            }
            buffer.addLast(s);
        }
        if (dropped > droppedBefore) {
            log.printf(
                    "collect-gpu: WARNING buffer full (%d samples): dropped the %d oldest; %d dropped since start%n",
                    bufferLimit, dropped - droppedBefore, dropped);
        }
        log.flush();
        return true;
    }

    /** Publishes the buffer, oldest first, until it is empty or the broker cannot take more. */
    void flush() throws SamplePublisher.Refused {
        while (!buffer.isEmpty() && !stopped) {
            GpuSample next = buffer.peekFirst();
            long sent = System.nanoTime();
            try {
                publisher.publish(next);
            } catch (SamplePublisher.Refused e) {
                log.flush();
                throw e;
            } catch (Exception e) {
                metrics.failure(CollectorMetrics.Failure.PUBLISH_FAILED);
                if (!brokerDown) {
                    log.printf(
                            "collect-gpu: cannot publish (%s); buffering up to %d samples%n",
                            Printable.escape(rootMessage(e)), bufferLimit);
                }
                brokerDown = true;
                log.flush();
                return;
            }
            metrics.published(System.nanoTime() - sent);
            buffer.pollFirst();
            published++;
            if (brokerDown) {
                brokerDown = false;
                log.println("collect-gpu: publishing again");
            }
        }
        log.flush();
    }

    private Duration backoff() {
        if (failuresInARow == 0) {
            return interval;
        }
        long factor = 1L << Math.min(20, failuresInARow - 1);
        long ms = Math.min(maxBackoff.toMillis(), interval.toMillis() * factor);
        return Duration.ofMillis(Math.max(ms, interval.toMillis()));
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    public long polls() {
        return polls;
    }

    public long failures() {
        return failures;
    }

    public long published() {
        return published;
    }

    public long dropped() {
        return dropped;
    }

    public long refused() {
        return refused;
    }

    public int buffered() {
        return buffer.size();
    }
}
