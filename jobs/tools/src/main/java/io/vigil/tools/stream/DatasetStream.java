package io.vigil.tools.stream;

import io.vigil.models.eval.Label;
import io.vigil.pipeline.files.DatasetRecords;
import io.vigil.records.AgentEvent;
import io.vigil.records.Assignment;
import io.vigil.records.DeadLetter;
import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.Printable;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.replay.Replay;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;

/**
 * {@code vigil stream}: recorded datasets onto the live input topics, as the collectors and the scheduler feed
 * would have put them there ({@link InputPublisher}), in event-time order across flows, GPU samples and
 * assignments, at a pace; optionally as a fire drill ({@link Drill}: its own names and addresses), shifted to
 * play as now; resumable without duplicates ({@link StreamProgress}); and, with {@code verify}, watching the alert
 * topic for the labelled incidents ({@link AlertWatch}). The datasets go one after the other, each its own
 * recording (as in {@code replay}).
 */
public final class DatasetStream {
    /**
     * What to stream and how.
     *
     * @param speed simulated seconds per second; {@code Double.POSITIVE_INFINITY}: as fast as the broker takes them
     * @param shiftToNow each dataset's first telemetry record plays as the moment it begins
     * @param drill the drill's namespace, or null to send names and addresses as recorded
     * @param clockTicks clock ticks on every input partition (see {@link InputPublisher#tick})
     * @param verifyTimeout with {@code verify}: how long after the data to wait for the alerts
     */
    public record Options(
            List<Replay.Dataset> datasets,
            double speed,
            boolean shiftToNow,
            Drill drill,
            boolean resume,
            Path progressFile,
            boolean clockTicks,
            boolean verify,
            Duration verifyTimeout) {}

    /** What a stream came to: records sent and skipped, dead letters, the incidents expected and which arrived. */
    public record Outcome(
            long sent, long skipped, long deadLetters, boolean stopped, List<AlertWatch.Expected> expected) {
        /** Whether every expected incident's alert arrived (only meaningful with verify). */
        public boolean allArrived() {
            return expected.stream().allMatch(e -> e.alert != null);
        }
    }

    private static final DateTimeText TIME = new DateTimeText();

    private final VigilConfig config;
    private final Options options;
    private final PrintWriter out;
    private final PrintWriter err;
    private volatile boolean stopRequested;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final boolean console = System.console() != null;

    public DatasetStream(VigilConfig config, Options options, PrintWriter out, PrintWriter err) {
        this.config = config;
        this.options = options;
        this.out = out;
        this.err = err;
    }

    /** What identifies a stream for {@code --resume}: its datasets, broker, input topics and drill. */
    public static String identity(VigilConfig config, List<Replay.Dataset> datasets, Drill drill) {
        StringBuilder b = new StringBuilder();
        for (Replay.Dataset d : datasets) {
            b.append(d.path().toAbsolutePath().normalize()).append(' ');
        }
        b.append("to ").append(config.bootstrapServers());
        for (Topic t : List.of(Topic.FLOWS, Topic.GPU, Topic.ASSIGNMENTS)) {
            b.append(' ').append(config.topic(t));
        }
        if (drill != null) {
            b.append(" drill ").append(drill.prefix());
        }
        return b.toString();
    }

    /**
     * Asks a running stream to stop at its next record: what it sent is acknowledged and its progress saved
     * before {@link #run} returns (a shutdown hook calls this on Ctrl-C, then {@link #awaitFinished}).
     */
    public void stop() {
        stopRequested = true;
    }

    /** Waits for {@link #run} to return, up to the timeout. */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Outcome run() throws IOException, InterruptedException {
        try {
            String identity = identity(config, options.datasets(), options.drill());
            Path file = options.progressFile() != null ? options.progressFile() : StreamProgress.defaultFile(identity);
            try (FileChannel lock = lock(file)) {
                return stream(identity, file);
            }
        } finally {
            finished.countDown();
        }
    }

    /**
     * Holds the progress file for this process: two streams of the same datasets to the same topics at once
     * would each send what the other did, and overwrite each other's progress.
     */
    private static FileChannel lock(Path file) throws IOException {
        Path lockFile = file.toAbsolutePath().resolveSibling(file.getFileName() + ".lock");
        Files.createDirectories(lockFile.getParent());
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held;
        try {
            held = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            held = null;
        }
        if (held == null) {
            channel.close();
            throw new IllegalStateException("another vigil stream is running with the progress file "
                    + Printable.escape(file)
                    + " (the same datasets, broker, topics and drill); one at a time, or records would be sent twice");
        }
        return channel; // closing it releases the lock
    }

    private Outcome stream(String identity, Path file) throws IOException, InterruptedException {
        StreamProgress progress = options.resume() ? StreamProgress.load(file, identity) : null;
        if (options.resume()) {
            err.println(
                    progress == null
                            ? "vigil stream: no progress at " + Printable.escape(file) + ": starting from the beginning"
                            : "vigil stream: resuming after the " + progress.ackedCount()
                                    + " records the broker acknowledged (" + Printable.escape(file) + ")");
        }
        return stream(file, progress == null ? StreamProgress.fresh(identity) : progress);
    }

    private Outcome stream(Path file, StreamProgress progress) throws IOException, InterruptedException {
        List<AlertWatch.Expected> expected = new ArrayList<>();
        Set<String> jobs = new HashSet<>();
        for (Replay.Dataset d : options.datasets()) {
            for (Label l : d.labels()) {
                jobs.add((options.drill() == null ? l : options.drill().label(l)).jobId());
            }
        }
        if (options.verify() && progress.alertOffsets().isEmpty()) {
            progress.alertOffsets(AlertWatch.ends(config));
        }
        progress.save(file);
        long windowMs = config.getLong(VigilConfig.WINDOW_SIZE_MS);
        long closeMs = (config.getInt(VigilConfig.INCIDENT_CLOSE_QUIET_WINDOWS) + 1) * windowMs
                + config.getLong(VigilConfig.OUT_OF_ORDERNESS_MS);
        AlertWatch watch = options.verify() ? new AlertWatch(config, progress.alertOffsets(), jobs, closeMs) : null;
        AtomicReference<Exception> failed = new AtomicReference<>();
        long sent = 0;
        long skipped = 0;
        long deadLetters = 0;
        Map<String, Long> deadByReason = new TreeMap<>();
        List<DeadLetter> firstDead = new ArrayList<>();
        long seq = 0;
        long streamedUpTo = Long.MIN_VALUE / 2; // the latest event time sent
        long verifyDeadline = System.nanoTime() + options.verifyTimeout().toNanos();
        String clockNode =
                options.drill() == null ? "vigil-stream-clock" : options.drill().name("clock");
        // a live job's clock is at the input topics' latest record: a dataset shifted to now starts after it, or
        // the job would drop every record before it as late (asked once, before anything of ours is on them)
        long topicsHold = options.shiftToNow() && progress.shift(0) == null
                ? InputPublisher.latestEventTime(config)
                : Long.MIN_VALUE;
        try (InputPublisher publisher = new InputPublisher(config)) {
            for (int i = 0; i < options.datasets().size() && !stopRequested && failed.get() == null; i++) {
                Replay.Dataset dataset = options.datasets().get(i);
                long[] span = DatasetRecords.telemetrySpan(dataset.path(), dataset.formats());
                long first = span[0];
                if (progress.shift(i) == null) {
                    // shifted to now, a dataset follows the one before it and what the topics hold, never going
                    // back in event time
                    long toNow = options.shiftToNow() ? shiftToNow(span, options.speed()) : 0;
                    long after = Math.max(streamedUpTo, topicsHold);
                    long shift = options.shiftToNow() ? Math.max(toNow, after + 1 - first) : 0;
                    progress.shift(i, shift);
                    if (shift > toNow && topicsHold > streamedUpTo) {
                        err.printf(
                                Locale.ROOT,
                                "vigil stream: the input topics already hold records up to %s, where a detect job that"
                                        + " read them keeps its clock: %s begins after them, and once it reaches now"
                                        + " plays no faster than the clock (a live job refuses records from the"
                                        + " future): about %s%n",
                                TIME.format(topicsHold),
                                Printable.escape(dataset.name()),
                                hours(playsFor(first + shift, span[1] - span[0], options.speed())));
                    }
                }
                long shift = progress.shift(i);
                List<AlertWatch.Expected> mine = new ArrayList<>();
                for (Label l : dataset.labels()) {
                    Label named = options.drill() == null ? l : options.drill().label(l);
                    mine.add(new AlertWatch.Expected(new Label(
                            named.incident(),
                            named.jobId(),
                            named.category(),
                            named.startTs() + shift,
                            named.endTs() + shift)));
                }
                expected.addAll(mine);
                if (watch != null) {
                    mine.forEach(watch::expect);
                }
                err.printf(
                        Locale.ROOT,
                        "vigil stream: %s: %s of telemetry from %s, %s%s%n",
                        Printable.escape(dataset.name()),
                        hours(span[1] - span[0]),
                        TIME.format(first + shift),
                        Double.isInfinite(options.speed())
                                ? "as fast as the broker takes it"
                                : String.format(Locale.ROOT, "at %.4gx", options.speed()),
                        options.drill() == null
                                ? ""
                                : ", as drill " + options.drill().prefix() + "*");
                err.flush();
                long wallStart = -1;
                long nextTick = Long.MIN_VALUE;
                long lastTs = first + shift;
                long nextReport = System.nanoTime();
                long nextSave = System.nanoTime();
                try (DatasetRecords records = new DatasetRecords(dataset.path(), dataset.formats())) {
                    for (DatasetRecords.Timed r = records.next(); r != null; r = records.next(), seq++) {
                        // every record is renamed, sent or not: a drill's names follow the order records come in
                        SpecificRecord named = options.drill() == null
                                ? r.record()
                                : options.drill().rewrite(r.record());
                        if (progress.isAcked(seq)) {
                            skipped++;
                            continue;
                        }
                        if (stopRequested || failed.get() != null) {
                            break;
                        }
                        // a job running when the recording began starts, for a live job, when the telemetry does
                        long ts = (options.shiftToNow() ? Math.max(r.ts(), first) : r.ts()) + shift;
                        long sinceFirst = Math.max(0, r.ts() - first);
                        if (wallStart < 0) {
                            wallStart = System.nanoTime() - (long) (sinceFirst / options.speed() * 1e6);
                            nextTick = ts;
                        }
                        long due = InputPublisher.dueNanos(wallStart, sinceFirst, options.speed());
                        while (System.nanoTime() < due - 2_000_000 && !stopRequested) {
                            publisher.flush();
                            progress.save(file);
                            nextSave = System.nanoTime() + 1_000_000_000L;
                            nextReport = report(nextReport, sent, skipped, ts, 0);
                            Thread.sleep(Math.max(1, Math.min(1000, (due - System.nanoTime()) / 1_000_000)));
                        }
                        if (options.shiftToNow()) {
                            notAhead(ts); // only a dataset after another can get ahead of the clock
                        }
                        if (stopRequested) {
                            break;
                        }
                        if (options.clockTicks()) {
                            for (; nextTick <= ts; nextTick += InputPublisher.TICK_MS) {
                                publisher.tick(nextTick, clockNode);
                            }
                        }
                        long number = seq;
                        publisher.send(r.type(), shifted(named, ts, shift), ts, (metadata, e) -> {
                            if (e == null) {
                                progress.ack(number);
                            } else {
                                failed.compareAndSet(null, e);
                            }
                        });
                        sent++;
                        lastTs = Math.max(lastTs, ts);
                        streamedUpTo = Math.max(streamedUpTo, ts);
                        long now = System.currentTimeMillis();
                        for (AlertWatch.Expected e : mine) {
                            if (e.firstRecordWallMs < 0 && ts >= e.label.startTs()) {
                                e.firstRecordWallMs = now;
                            }
                        }
                        if (System.nanoTime() >= nextSave) {
                            progress.save(file);
                            nextSave = System.nanoTime() + 1_000_000_000L;
                        }
                        nextReport = report(nextReport, sent, skipped, ts, System.nanoTime() - due);
                    }
                    deadLetters += records.rejected();
                    records.deadLetters().forEach((k, v) -> deadByReason.merge(k, v, Long::sum));
                    for (DeadLetter d : records.firstDeadLetters()) {
                        if (firstDead.size() < 5) {
                            firstDead.add(d);
                        }
                    }
                }
                // after the last dataset, the clock goes on until its last incidents would have closed (or, with
                // verify, until their alerts are in or the wait is over); shifted to now, never ahead of the clock:
                // a live job refuses records from the future
                verifyDeadline = System.nanoTime() + options.verifyTimeout().toNanos();
                if (options.clockTicks() && i == options.datasets().size() - 1 && wallStart >= 0) {
                    for (;
                            nextTick <= lastTs + closeMs
                                    && !stopRequested
                                    && (watch == null || (!watch.allArrived() && System.nanoTime() < verifyDeadline));
                            nextTick += InputPublisher.TICK_MS) {
                        publisher.pace(wallStart, nextTick - shift - first, options.speed());
                        if (options.shiftToNow()) {
                            notAhead(nextTick);
                        }
                        publisher.tick(nextTick, clockNode);
                        publisher.flush();
                    }
                }
            }
            publisher.flush();
        }
        boolean stopped = stopRequested || failed.get() != null;
        progress.complete(!stopped);
        progress.save(file);
        if (console) {
            err.println();
        }
        err.printf(
                Locale.ROOT,
                "vigil stream: %s %,d records (%,d acknowledged in all%s)%n",
                stopped ? "stopped after sending" : "sent",
                sent,
                progress.ackedCount(),
                skipped > 0 ? String.format(Locale.ROOT, ", %,d skipped as sent before", skipped) : "");
        if (deadLetters > 0) {
            err.printf(
                    Locale.ROOT,
                    "vigil stream: %,d input lines were dead letters, not sent: %s%n",
                    deadLetters,
                    deadByReason);
            for (DeadLetter d : firstDead) {
                err.printf(
                        "  %s: %s (%s)%n",
                        Printable.escape(d.getSource()), d.getReason(), Printable.escape(d.getDetail()));
            }
        }
        if (failed.get() != null) {
            err.println("vigil stream: the broker refused a record: "
                    + Printable.escape(failed.get().getMessage()) + "; --resume continues after what it acknowledged");
        } else if (stopped) {
            err.println("vigil stream: interrupted; --resume continues after what the broker acknowledged ("
                    + Printable.escape(file) + ")");
        }
        err.flush();
        printExpected(expected);
        if (watch != null) {
            try {
                if (!stopped) {
                    await(watch, expected, verifyDeadline);
                }
            } finally {
                watch.close();
            }
        }
        if (failed.get() != null) {
            throw new IOException("the broker refused a record: " + failed.get().getMessage(), failed.get());
        }
        return new Outcome(sent, skipped, deadLetters, stopped, expected);
    }

    /** Waits, bounded, for each expected incident's alert; prints which arrived and how long each took. */
    private void await(AlertWatch watch, List<AlertWatch.Expected> expected, long deadline)
            throws InterruptedException {
        if (expected.isEmpty()) {
            return;
        }
        out.printf(
                Locale.ROOT,
                "%nWaiting up to %d s for their alerts on %s (read_committed)...%n",
                options.verifyTimeout().toSeconds(),
                Printable.escape(config.topic(Topic.ALERTS)));
        out.flush();
        while (!watch.allArrived() && System.nanoTime() < deadline && !stopRequested && watch.failure() == null) {
            Thread.sleep(100);
        }
        if (watch.failure() != null) {
            out.println("cannot read the alert topic: "
                    + Printable.escape(watch.failure().getMessage()));
        }
        int arrived = 0;
        for (AlertWatch.Expected e : expected) {
            if (e.alert != null) {
                arrived++;
                out.printf(
                        Locale.ROOT,
                        "  ARRIVED  %-30s %-16s %s%n",
                        Printable.escape(e.label.jobId()),
                        e.label.category(),
                        e.firstRecordWallMs < 0
                                ? "(its first record was sent before --resume)"
                                : String.format(
                                        Locale.ROOT,
                                        "%.1f s after its first record (alert %s, window %s)",
                                        (e.alertWallMs - e.firstRecordWallMs) / 1000.0,
                                        Printable.escape(e.alert.getAlertId()),
                                        TIME.format(e.alert.getWindowStart().toEpochMilli())));
            } else {
                out.printf(
                        Locale.ROOT,
                        "  MISSING  %-30s %-16s no alert within %d s%n",
                        Printable.escape(e.label.jobId()),
                        e.label.category(),
                        options.verifyTimeout().toSeconds());
            }
        }
        out.printf(Locale.ROOT, "%d of %d incident(s) arrived.%n", arrived, expected.size());
        out.flush();
    }

    private void printExpected(List<AlertWatch.Expected> expected) {
        if (expected.isEmpty()) {
            out.println("No labelled incidents (labels.json) in the dataset: nothing to expect.");
        } else {
            out.println("Expected incidents (labels.json), as streamed:");
            for (AlertWatch.Expected e : expected) {
                out.printf(
                        Locale.ROOT,
                        "  %-12s %-30s %-16s %s to %s%n",
                        Printable.escape(e.label.incident()),
                        Printable.escape(e.label.jobId()),
                        e.label.category(),
                        TIME.format(e.label.startTs()),
                        TIME.format(e.label.endTs()));
            }
        }
        out.flush();
    }

    /** The progress line, at most once a second (every 10 s when stderr is not a terminal). */
    private long report(long nextReport, long sent, long skipped, long ts, long lagNanos) {
        long now = System.nanoTime();
        if (now < nextReport) {
            return nextReport;
        }
        err.printf(
                Locale.ROOT,
                console
                        ? "\rvigil stream: %,d records sent%s, event time %s, %s   "
                        : "vigil stream: %,d records sent%s, event time %s, %s%n",
                sent,
                skipped > 0 ? String.format(Locale.ROOT, " (%,d skipped)", skipped) : "",
                TIME.format(ts),
                Double.isInfinite(options.speed())
                        ? "at full speed"
                        : String.format(Locale.ROOT, "%.1f s behind the pace", Math.max(0, lagNanos) / 1e9));
        err.flush();
        return now + (console ? 1_000_000_000L : 10_000_000_000L);
    }

    /**
     * The shift that plays a dataset as happening now: its last telemetry record is sent at the moment it
     * records, so no record is ever ahead of the clock (a live job refuses records from the future, beyond
     * {@code input.time.future.margin.ms}); at 1x it begins now, faster it begins as far in the past as the pace
     * makes up by its end.
     */
    static long shiftToNow(long[] span, double speed) {
        long playMs = Double.isInfinite(speed) ? 0 : (long) ((span[1] - span[0]) / speed);
        return System.currentTimeMillis() + playMs - span[1];
    }

    /**
     * About how long a dataset of {@code spanMs} starting at event time {@code start} takes to play at this
     * speed, never ahead of the clock: its pace, or until the clock reaches its end, whichever is later.
     */
    static long playsFor(long start, long spanMs, double speed) {
        long paced = Double.isInfinite(speed) ? 0 : (long) (spanMs / speed);
        return Math.max(paced, start + spanMs - System.currentTimeMillis());
    }

    /** Waits until the wall clock has reached event time {@code ts}, or the stream is asked to stop. */
    private void notAhead(long ts) throws InterruptedException {
        for (long wait = ts - System.currentTimeMillis();
                wait > 0 && !stopRequested;
                wait = ts - System.currentTimeMillis()) {
            Thread.sleep(Math.min(wait, 1000));
        }
    }

    /** The record with every time in it moved by {@code shift}, its event time {@code ts}. */
    static SpecificRecord shifted(SpecificRecord record, long ts, long shift) {
        if (shift == 0 && eventTime(record) == ts) {
            return record;
        }
        Instant at = Instant.ofEpochMilli(ts);
        if (record instanceof Flow f) {
            long start = Math.min(f.getStartTs().toEpochMilli() + shift, ts);
            return Flow.newBuilder(f)
                    .setTs(at)
                    .setStartTs(Instant.ofEpochMilli(start))
                    .build();
        }
        if (record instanceof GpuSample s) {
            return GpuSample.newBuilder(s).setTs(at).build();
        }
        if (record instanceof Assignment a) {
            return Assignment.newBuilder(a).setTs(at).build();
        }
        if (record instanceof AgentEvent e) {
            long start = Math.min(e.getStartTs().toEpochMilli() + shift, ts);
            return AgentEvent.newBuilder(e)
                    .setTs(at)
                    .setStartTs(Instant.ofEpochMilli(start))
                    .build();
        }
        throw new IllegalArgumentException("not an input record: " + record.getClass());
    }

    private static long eventTime(SpecificRecord record) {
        return ((Instant) record.get(record.getSchema().getField("ts").pos())).toEpochMilli();
    }

    private static String hours(long ms) {
        Duration d = Duration.ofMillis(ms);
        return d.toHours() > 0
                ? String.format(Locale.ROOT, "%d h %02d min", d.toHours(), d.toMinutesPart())
                : String.format(Locale.ROOT, "%d min %02d s", d.toMinutes(), d.toSecondsPart());
    }

    /** Event times as UTC text to the second. */
    private static final class DateTimeText {
        String format(long ms) {
            return Instant.ofEpochMilli(ms).truncatedTo(ChronoUnit.SECONDS).toString();
        }
    }
}
