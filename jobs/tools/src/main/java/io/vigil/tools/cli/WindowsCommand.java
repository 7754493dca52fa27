package io.vigil.tools.cli;

import io.vigil.models.eval.Labels;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.training.LabelledWindows;
import io.vigil.pipeline.detect.DetectSettings;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.records.Category;
import io.vigil.records.Printable;
import io.vigil.settings.KafkaClients;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.Topic;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.CommittedTopic;
import io.vigil.tools.replay.Replay;
import io.vigil.tools.windows.FeaturesOnly;
import io.vigil.tools.windows.Feedback;
import io.vigil.tools.windows.FeedbackTopic;
import io.vigil.tools.windows.WindowLabelling;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Exports the pipeline's own windows of datasets, labelled, for {@code vigil train}. */
@Command(
        name = "windows",
        mixinStandardHelpOptions = true,
        description = {
            "Export the pipeline's own windows of datasets, labelled, for `vigil train`: runs the detection pipeline"
                    + " bounded over each DATASET (as `vigil replay` does, same features as detect) and writes every job-window's"
                    + " features by name to --out (JSON lines, gzip'd when the name ends in .gz), sorted by dataset, job and"
                    + " window start. The dataset field is the directory's name.",
            "Labels: a window that overlaps an interval of the dataset's labels.json (same job) gets its category and"
                    + " incident (the longest overlap wins); a dataset without labels.json is all benign. Then each"
                    + " --feedback file's verdicts apply, and win. A feedback file is JSON lines, one verdict each:",
            "  {\"job_id\": \"rl-agent-7\", \"window_start\": \"2026-02-14T03:02:00Z\", \"verdict\": \"true_positive\","
                    + " \"category\": \"CRYPTO_MINING\"}",
            "  {\"alert_id\": \"0b6c…\", \"job_id\": \"train-3\", \"window_start\": 1771038120000, \"verdict\": \"false_positive\"}",
            "job_id, window_start (epoch ms or ISO-8601; the window holding it) and verdict (true_positive or"
                    + " false_positive) are required; window_end (every window overlapping window_start to window_end:"
                    + " an incident's span), category (true positives only; default: the labelled category, else"
                    + " UNKNOWN), alert_id, dataset (only that dataset's windows), author and note are optional. A false"
                    + " positive makes the window benign; a later verdict on a window replaces an earlier one. Verdicts"
                    + " that match no window are reported; a bad line is an error naming file:line.",
            "--feedback-topic also reads every verdict on the feedback topic (what `vigil verdict` publishes, the same"
                    + " JSON; read_committed, to its end offsets at start; the latest message of each key), before the"
                    + " files, so a file given here corrects the topic. A message that is not a verdict is skipped and"
                    + " reported (count, and the first few by partition@offset).",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:written",
            "1:the pipeline failed while running, or the feedback topic could not be read",
            "2:bad usage, a bad dataset, a bad feedback line (the message names the file) or no feedback topic"
        })
final class WindowsCommand implements Callable<Integer>, UsesSettings {
    /** How many unmatched verdicts are shown; the rest are counted. */
    static final int UNMATCHED_SHOWN = 5;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DATASET", description = "Dataset directories (as for `vigil replay`).")
    List<Path> datasets;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "The labelled-windows file (replaced if it exists); .gz compresses it.")
    Path out;

    @Option(
            names = "--feedback",
            paramLabel = "FILE",
            description = "Analysts' verdicts (JSON lines, see above); repeatable, applied in the order given.")
    List<Path> feedback = new ArrayList<>();

    @Option(
            names = "--feedback-topic",
            description = "Also the verdicts on the feedback topic (--topic-feedback at --bootstrap-servers), applied"
                    + " before the files.")
    boolean feedbackTopic;

    @Override
    public List<String> settingKeys() {
        List<String> keys = new ArrayList<>(ReplayCommand.PIPELINE_OVER_FILES);
        keys.add(VigilConfig.BOOTSTRAP_SERVERS);
        keys.add(Topic.FEEDBACK.nameSetting());
        return keys;
    }

    @Override
    public Integer call() throws Exception {
        VigilConfig config = SettingOptions.read(spec, settingKeys());
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        FeatureSet featureSet = FeatureSet.CURRENT;

        // everything that can be wrong with the input, before the pipeline runs
        List<Replay.Dataset> checked;
        List<Feedback> verdicts = new ArrayList<>();
        FeedbackTopic.Read fromTopic = null;
        try {
            checked = Replay.datasets(datasets, InputFormats.from(config));
            checkNamesDiffer(checked);
            if (feedbackTopic) {
                fromTopic = FeedbackTopic.read(config);
                verdicts.addAll(fromTopic.verdicts());
                if (fromTopic.bad() > 0) {
                    err.println(badMessages(config.topic(Topic.FEEDBACK), fromTopic));
                }
            }
            for (Path file : feedback) {
                verdicts.addAll(Feedback.read(file));
            }
        } catch (Replay.BadInput | Feedback.BadFeedback | CommittedTopic.MissingTopic e) {
            err.println("vigil windows: " + Printable.escape(e.getMessage()));
            return 2;
        } catch (IOException e) {
            err.println("vigil windows: cannot read feedback: " + Printable.escape(e));
            return 2;
        } catch (KafkaException e) {
            err.println("vigil windows: cannot read " + Printable.escape(config.topic(Topic.FEEDBACK)) + ": "
                    + Printable.escape(KafkaClients.failure(e)));
            return 1;
        }
        if (out.getParent() != null && !Files.isDirectory(out.getParent())) {
            err.println("vigil windows: --out " + Printable.escape(out) + ": no directory "
                    + Printable.escape(out.getParent()));
            return 2;
        }

        Replay.Request request = new Replay.Request(
                checked,
                config.getInt(VigilConfig.PARALLELISM),
                DetectSettings.from(config),
                new FeaturesOnly(featureSet),
                InputFormats.from(config));
        Replay.Outcome outcome = Replay.run(request, err);

        List<WindowLabelling.DatasetWindows> windows = new ArrayList<>();
        for (Replay.DatasetResult d : outcome.datasets()) {
            windows.add(new WindowLabelling.DatasetWindows(
                    d.dataset().name(), d.dataset().labels(), d.windows()));
        }
        WindowLabelling.Result result = WindowLabelling.label(featureSet, windows, verdicts);
        for (Replay.DatasetResult d : outcome.datasets()) {
            err.println(datasetLine(d.dataset(), result));
        }
        err.flush();

        LabelledWindows.write(out, featureSet, result.windows());
        stdout.print(summary(result, verdicts.size(), feedback.size(), config.topic(Topic.FEEDBACK), fromTopic));
        stdout.printf(
                Locale.ROOT,
                "wrote %d windows (feature set %s) to %s%n",
                result.windows().size(),
                featureSet.id(),
                Printable.escape(out));
        stdout.flush();
        return 0;
    }

    /** The dataset field names a dataset: two with one directory name would mix in training's folds. */
    private static void checkNamesDiffer(List<Replay.Dataset> datasets) {
        Map<String, Path> seen = new HashMap<>();
        for (Replay.Dataset d : datasets) {
            Path other = seen.putIfAbsent(d.name(), d.path());
            if (other != null) {
                throw new Replay.BadInput("datasets " + other + " and " + d.path() + " have the same name '" + d.name()
                        + "': the export names windows by dataset directory; rename one");
            }
        }
    }

    private static String datasetLine(Replay.Dataset dataset, WindowLabelling.Result result) {
        long total = 0;
        long malicious = 0;
        for (var w : result.windows()) {
            if (w.dataset().equals(dataset.name())) {
                total++;
                if (w.label() != null) {
                    malicious++;
                }
            }
        }
        String labels = !dataset.labels().isEmpty()
                ? dataset.labels().size() + " labels"
                : Files.exists(dataset.path().resolve(Labels.FILE_NAME))
                        ? "labels.json holds no label: every window benign unless feedback says otherwise"
                        : "no labels.json: every window benign unless feedback says otherwise";
        return String.format(
                Locale.ROOT,
                "  %s: %d windows, %d labelled malicious (%s)",
                Printable.escape(dataset.name()),
                total,
                malicious,
                labels);
    }

    /** The feedback topic's messages that are not verdicts: how many, and the first few. */
    static String badMessages(String topic, FeedbackTopic.Read read) {
        StringBuilder s = new StringBuilder(String.format(
                Locale.ROOT,
                "vigil windows: skipped %d message%s of %s that %s not a verdict:",
                read.bad(),
                read.bad() == 1 ? "" : "s",
                Printable.escape(topic),
                read.bad() == 1 ? "is" : "are"));
        read.firstBad().forEach(b -> s.append("\n  ").append(b));
        if (read.bad() > read.firstBad().size()) {
            s.append("\n  … and ").append(read.bad() - read.firstBad().size()).append(" more");
        }
        return s.toString();
    }

    /**
     * What was exported, per label, and what the feedback did; unmatched verdicts named (the first few).
     *
     * @param fromTopic null when the topic was not read
     */
    static String summary(
            WindowLabelling.Result result,
            int verdicts,
            int feedbackFiles,
            String topic,
            FeedbackTopic.Read fromTopic) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT, "windows: %d (benign %d", result.windows().size(), result.benign()));
        for (Map.Entry<Category, Integer> e : result.perCategory().entrySet()) {
            s.append(", ").append(e.getKey().name()).append(' ').append(e.getValue());
        }
        s.append(")\n");
        s.append(String.format(Locale.ROOT, "labelled from labels.json: %d windows%n", result.fromLabels()));
        if (fromTopic != null) {
            s.append(String.format(
                    Locale.ROOT,
                    "feedback topic %s: %d messages, %d verdicts (%d replaced by a later message of the same key or"
                            + " withdrawn, %d not a verdict: skipped)%n",
                    Printable.escape(topic),
                    fromTopic.messages(),
                    fromTopic.verdicts().size(),
                    fromTopic.replaced(),
                    fromTopic.bad()));
        }
        if (feedbackFiles > 0 || fromTopic != null) {
            String files = String.format(Locale.ROOT, "%d file%s", feedbackFiles, feedbackFiles == 1 ? "" : "s");
            String from = fromTopic == null
                    ? "from " + files
                    : feedbackFiles == 0
                            ? "from the topic"
                            : String.format(
                                    Locale.ROOT,
                                    "(%d from the topic, %d from %s)",
                                    fromTopic.verdicts().size(),
                                    verdicts - fromTopic.verdicts().size(),
                                    files);
            s.append(String.format(
                    Locale.ROOT,
                    "feedback: %d verdicts %s, %d applied; %d windows made benign, %d labelled malicious, %d verdicts replaced by a later one%n",
                    verdicts,
                    from,
                    result.feedbackApplied(),
                    result.madeBenign(),
                    result.madeMalicious(),
                    result.superseded()));
        }
        List<Feedback> unmatched = result.unmatched();
        if (!unmatched.isEmpty()) {
            s.append(String.format(
                            Locale.ROOT,
                            "feedback matching no window: %d (no window of that job holds that time",
                            unmatched.size()))
                    .append("; check job_id, window_start and dataset)\n");
            s.append(unmatched.stream()
                    .limit(UNMATCHED_SHOWN)
                    .map(f -> Printable.escape("  " + f.source() + ": " + f.jobId() + " at "
                            + Instant.ofEpochMilli(f.windowStart())
                            + (f.windowEnd() == null ? "" : " to " + Instant.ofEpochMilli(f.windowEnd()))
                            + (f.dataset() == null ? "" : " in " + f.dataset())))
                    .collect(Collectors.joining("\n", "", "\n")));
            if (unmatched.size() > UNMATCHED_SHOWN) {
                s.append("  … and ").append(unmatched.size() - UNMATCHED_SHOWN).append(" more\n");
            }
        }
        return s.toString();
    }
}
