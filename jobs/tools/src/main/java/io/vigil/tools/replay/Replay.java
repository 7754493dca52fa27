package io.vigil.tools.replay;

import io.vigil.models.eval.Backtest;
import io.vigil.models.eval.Label;
import io.vigil.models.eval.Labels;
import io.vigil.models.scoring.WindowScorer;
import io.vigil.pipeline.detect.DetectPipeline;
import io.vigil.pipeline.detect.DetectSettings;
import io.vigil.pipeline.files.DatasetFiles;
import io.vigil.pipeline.files.DatasetRecords;
import io.vigil.pipeline.files.DatasetSource;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.pipeline.ingest.InputStats;
import io.vigil.records.AgentEvent;
import io.vigil.records.Alert;
import io.vigil.records.DeadLetter;
import io.vigil.records.EpisodeFlag;
import io.vigil.records.JobWindow;
import io.vigil.records.Printable;
import io.vigil.records.formats.Formats;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * {@code vigil replay}: the detection pipeline, bounded, over recorded datasets, in BATCH mode (every key's
 * input is complete and sorted by time before its timers fire, so nothing is late and the result does not
 * depend on file order or parallelism), then a backtest of its alerts and windows against each dataset's
 * {@code labels.json}. The way through: {@link #datasets} checks what was given, {@link #run} runs a
 * {@link Request} and returns an {@link Outcome} in memory, and {@link ReplayOutputs} writes the files of
 * {@code vigil replay} from it ({@code vigil windows} and {@code vigil evaluate} use it as it is).
 *
 * <p><b>One Flink job per dataset.</b> Datasets are separate recordings, often of separate clusters: their
 * addresses, GPUs and job ids mean different things. Run as one graph, a 10.0.1.1 in one dataset would be
 * attributed with the other's assignments and the fleet view of destinations would mix clusters. So each
 * dataset is its own bounded Flink job, one after the other, and the backtest is per dataset, then pooled.
 *
 * <p>Results come back with {@code DataStream#collectAsync()}; the streams are drained on their own
 * threads while the Flink job runs (a collect sink waits for its client to fetch).
 */
public final class Replay {
    /**
     * What to replay, and how: the datasets as checked by {@link #datasets} (in these {@code formats}), the
     * pipeline's settings and the scorer. {@code parallelism} below 1 takes the machine's cores. {@code strict}:
     * a broken input file fails the replay (else it is a warning and a dead letter). Where the results go is not
     * the replay's business: {@link ReplayOutputs} writes them, {@code vigil windows} and {@code vigil evaluate}
     * use them in memory.
     */
    public record Request(
            List<Dataset> datasets,
            int parallelism,
            DetectSettings settings,
            WindowScorer scorer,
            InputFormats formats,
            boolean strict) {
        public Request {
            datasets = List.copyOf(datasets);
        }

        /** Not strict: a broken input file is a warning and a dead letter, not a failure. */
        public Request(
                List<Dataset> datasets,
                int parallelism,
                DetectSettings settings,
                WindowScorer scorer,
                InputFormats formats) {
            this(datasets, parallelism, settings, scorer, formats, false);
        }

        public int effectiveParallelism() {
            return parallelism > 0 ? parallelism : Runtime.getRuntime().availableProcessors();
        }
    }

    /**
     * A dataset to replay: where, its input files and its ground truth, the formats it is read in and where it
     * comes from ({@link DatasetSource#kind()}: real, simulated, unknown). The flow format is the request's,
     * else the one its source.json names, else the one its flow file looks like when none was given.
     */
    public record Dataset(
            String name, Path path, List<Path> files, List<Label> labels, InputFormats formats, String kind) {}

    /**
     * What the pipeline gave for one dataset, and its backtest: {@code alerts}, what the alert topic would carry
     * (each incident's transitions); {@code flaggedWindows}, every flagged window as an alert of its own with the
     * id of its incident (what the backtest counts, and the report charts); {@code inputs}: what each file's reader
     * counted, {@code warnings}: what the user should know about the input (a broken file, lines in another
     * format, implausible times, a capture shorter than the destination warm-up).
     */
    public record DatasetResult(
            Dataset dataset,
            List<Alert> alerts,
            List<Alert> flaggedWindows,
            List<JobWindow> windows,
            List<DeadLetter> deadLetters,
            Backtest.Result backtest,
            long elapsedMs,
            List<InputStats> inputs,
            List<String> warnings,
            List<EpisodeFlag> episodeFlags,
            List<AgentEvent> agentEvents) {

        /** A result without agent events or episode flags. */
        public DatasetResult(
                Dataset dataset,
                List<Alert> alerts,
                List<Alert> flaggedWindows,
                List<JobWindow> windows,
                List<DeadLetter> deadLetters,
                Backtest.Result backtest,
                long elapsedMs,
                List<InputStats> inputs,
                List<String> warnings) {
            this(
                    dataset,
                    alerts,
                    flaggedWindows,
                    windows,
                    deadLetters,
                    backtest,
                    elapsedMs,
                    inputs,
                    warnings,
                    List.of(),
                    List.of());
        }
    }

    /** Everything one replay produced. */
    public record Outcome(Request request, List<DatasetResult> datasets, Backtest.Result overall, long elapsedMs) {
        public String modelVersion() {
            return request.scorer().modelVersion();
        }
    }

    /** The user's mistake (a missing file, a bad labels.json, a non-empty --out): exit code 2, not a stack trace. */
    public static final class BadInput extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public BadInput(String message) {
            super(message);
        }
    }

    private Replay() {}

    /**
     * The datasets as given: each a directory with its three input files (one each) in the given formats
     * (its flows in the format its {@code source.json} names, if it names one), its labels read, none given
     * twice: what every verb that replays checks before it loads a model or starts a Flink job.
     *
     * @throws BadInput naming the file and what is wrong
     */
    public static List<Dataset> datasets(List<Path> directories, InputFormats formats) {
        if (directories.isEmpty()) {
            throw new BadInput("no dataset given");
        }
        List<Dataset> datasets = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (Path given : directories) {
            Path path = given.toAbsolutePath().normalize();
            if (!seen.add(path)) {
                throw new BadInput("dataset " + given + " is given twice");
            }
            if (!Files.isDirectory(path)) {
                throw new BadInput("dataset " + given + " is not a directory");
            }
            DatasetSource source;
            try {
                source = DatasetSource.of(given);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                throw new BadInput(e.getMessage());
            }
            InputFormats own = source.flowFormat() == null ? formats : formats.withFlows(source.flowFormat());
            if (source.flowFormat() == null && formats.flows().equals(Formats.VIGIL)) {
                // no --flow-format: a dataset of a foreign exporter's files is read in the format they look like
                DatasetFiles.Detected detected = DatasetFiles.detectFlowFormat(given);
                if (detected != null && detected.format() != null) {
                    own = formats.withFlows(detected.format());
                }
            }
            List<Path> files = new ArrayList<>();
            for (String input : DatasetFiles.INPUTS) {
                String format = input.equals("flows") ? own.flows() : input.equals("gpu") ? own.gpu() : Formats.VIGIL;
                try {
                    files.addAll(DatasetFiles.files(given, input, format));
                } catch (UncheckedIOException e) {
                    throw new BadInput(e.getCause().getMessage());
                }
            }
            try {
                Path agentEvents = DatasetFiles.optionalFile(given, DatasetFiles.AGENT_EVENTS);
                if (agentEvents != null) {
                    files.add(agentEvents);
                }
            } catch (UncheckedIOException e) {
                throw new BadInput(e.getCause().getMessage());
            }
            List<Label> labels;
            try {
                labels = Labels.ofDataset(given);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                throw new BadInput(e.getMessage());
            }
            datasets.add(new Dataset(
                    path.getFileName() == null
                            ? given.toString()
                            : path.getFileName().toString(),
                    given,
                    files,
                    labels,
                    own,
                    source.kind()));
        }
        return datasets;
    }

    /**
     * Runs one bounded Flink job per dataset of the request and backtests each, writing nothing: the
     * pipeline's alerts, windows and dead letters in memory. Progress goes to {@code progress} (stderr on the
     * command line), with names and warnings from data {@link Printable#escape escaped}.
     */
    public static Outcome run(Request request, PrintWriter progress) throws Exception {
        long started = System.nanoTime();
        List<Dataset> datasets = request.datasets();
        int parallelism = request.effectiveParallelism();
        progress.printf(
                Locale.ROOT,
                "replaying %d dataset%s (parallelism %d, model %s)%n",
                datasets.size(),
                datasets.size() == 1 ? "" : "s",
                parallelism,
                Printable.escape(request.scorer().modelVersion()));
        progress.flush();
        List<DatasetResult> results = new ArrayList<>();
        try (ReplayCluster cluster = ReplayCluster.needed() ? ReplayCluster.start(parallelism) : null) {
            for (int i = 0; i < datasets.size(); i++) {
                results.add(replay(datasets.get(i), i + 1, datasets.size(), request, parallelism, cluster, progress));
            }
        }
        Backtest.Result overall = Backtest.Result.pool(
                results.stream().map(DatasetResult::backtest).toList());
        return new Outcome(request, results, overall, millisSince(started));
    }

    private static DatasetResult replay(
            Dataset dataset,
            int index,
            int count,
            Request request,
            int parallelism,
            ReplayCluster cluster,
            PrintWriter progress)
            throws Exception {
        long started = System.nanoTime();
        StreamExecutionEnvironment env = environment(parallelism, cluster);
        if (!dataset.formats().flows().equals(request.formats().flows())) {
            progress.printf(
                    Locale.ROOT,
                    "  %s: flows read as %s (the format of %s; --flow-format %s says so)%n",
                    Printable.escape(dataset.name()),
                    dataset.formats().flows(),
                    Printable.escape(dataset.files().get(0).getFileName()),
                    dataset.formats().flows());
        }
        DetectPipeline.Results results = DetectPipeline.build(
                env,
                request.settings(),
                request.scorer(),
                DatasetFiles.inputs(List.of(dataset.path()), dataset.formats()));
        CloseableIterator<Alert> alerts = results.alerts().collectAsync();
        CloseableIterator<Alert> flagged = results.flaggedWindows().collectAsync();
        CloseableIterator<JobWindow> windows = results.windows().collectAsync();
        CloseableIterator<DeadLetter> deadLetters = results.deadLetters().collectAsync();
        CloseableIterator<InputStats> inputStats = results.inputStats().collectAsync();
        CloseableIterator<EpisodeFlag> episodeFlags = results.episodeFlags().collectAsync();

        String what = String.format(Locale.ROOT, "  %s (%d/%d)", Printable.escape(dataset.name()), index, count);
        ExecutorService drainers = Executors.newFixedThreadPool(6, r -> {
            Thread t = new Thread(r, "replay-collect");
            t.setDaemon(true);
            return t;
        });
        try {
            JobClient flinkJob = env.executeAsync("vigil replay " + dataset.name());
            CompletableFuture<List<Alert>> collectedAlerts =
                    CompletableFuture.supplyAsync(() -> drain(alerts), drainers);
            CompletableFuture<List<Alert>> collectedFlagged =
                    CompletableFuture.supplyAsync(() -> drain(flagged), drainers);
            CompletableFuture<List<JobWindow>> collectedWindows =
                    CompletableFuture.supplyAsync(() -> drain(windows), drainers);
            CompletableFuture<List<DeadLetter>> collectedDead =
                    CompletableFuture.supplyAsync(() -> drain(deadLetters), drainers);
            CompletableFuture<List<InputStats>> collectedStats =
                    CompletableFuture.supplyAsync(() -> drain(inputStats), drainers);
            CompletableFuture<List<EpisodeFlag>> collectedFlags =
                    CompletableFuture.supplyAsync(() -> drain(episodeFlags), drainers);
            CompletableFuture<?> result = flinkJob.getJobExecutionResult();
            boolean console = System.console() != null;
            long nextReport = console ? 1 : 10;
            while (true) {
                try {
                    result.get(250, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException stillRunning) {
                    long seconds = millisSince(started) / 1000;
                    if (seconds >= nextReport) {
                        progress.printf(
                                Locale.ROOT, console ? "\r%s: running… %d s" : "%s: running… %d s%n", what, seconds);
                        progress.flush();
                        nextReport = seconds + (console ? 1 : 10);
                    }
                } catch (ExecutionException failed) {
                    throw new IllegalStateException(
                            "the replay of " + dataset.path() + " failed: " + rootMessage(failed), failed);
                }
            }
            List<Alert> a = collectedAlerts.get();
            List<Alert> f = collectedFlagged.get();
            List<JobWindow> w = collectedWindows.get();
            List<DeadLetter> d = collectedDead.get();
            List<InputStats> stats = new ArrayList<>(collectedStats.get());
            stats.sort(Comparator.comparing(st -> st.source));
            Backtest.Result backtest = Backtest.run(dataset.labels(), w, f);
            long elapsed = millisSince(started);
            progress.printf(
                    Locale.ROOT,
                    "%s%s: %d windows (%d flagged), %d incident%s in %d alerts, %d dead letters in %.1f s%n",
                    console ? "\r" : "",
                    what,
                    w.size(),
                    f.size(),
                    backtest.incidentsRaised(),
                    backtest.incidentsRaised() == 1 ? "" : "s",
                    a.size(),
                    d.size(),
                    elapsed / 1000.0);
            List<String> warnings = InputWarnings.of(dataset, stats, request.settings());
            for (String warning : warnings) {
                progress.println("  warning: " + Printable.escape(warning));
            }
            progress.flush();
            if (request.strict()) {
                for (InputStats st : stats) {
                    if (st.failure != null) {
                        throw new BadInput(
                                st.source + " is truncated or corrupt (" + st.failure + "); input.strict is set");
                    }
                }
            }
            // the tool calls as the pipeline read them (masked), for the report's lane under each job's chart
            List<AgentEvent> calls = DatasetRecords.agentEvents(dataset.path());
            return new DatasetResult(
                    dataset, a, f, w, d, backtest, elapsed, stats, warnings, collectedFlags.get(), calls);
        } finally {
            closeQuietly(alerts);
            closeQuietly(flagged);
            closeQuietly(windows);
            closeQuietly(deadLetters);
            closeQuietly(inputStats);
            closeQuietly(episodeFlags);
            drainers.shutdownNow();
        }
    }

    /**
     * A bounded BATCH environment: on the replay's own mini-cluster when run from the command line, else the
     * surrounding one (a test's mini-cluster, a Flink cluster). No restarts: a replay that fails says so.
     */
    static StreamExecutionEnvironment environment(int parallelism, ReplayCluster cluster) {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env =
                cluster != null ? cluster.environment(conf) : StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(parallelism);
        return env;
    }

    private static <T> List<T> drain(CloseableIterator<T> it) {
        List<T> out = new ArrayList<>();
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    private static void closeQuietly(CloseableIterator<?> it) {
        try {
            it.close();
        } catch (Exception ignored) {
            // the Flink job is over; nothing to cancel
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
