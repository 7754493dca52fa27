package io.vigil.tools.cli;

import io.vigil.models.scoring.WindowScorer;
import io.vigil.models.suppression.Suppressions;
import io.vigil.pipeline.detect.DetectSettings;
import io.vigil.pipeline.detect.Scorers;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.records.Printable;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.replay.Replay;
import io.vigil.tools.replay.ReplayOutputs;
import io.vigil.tools.replay.ReplaySummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Replays recorded datasets through the pipeline, bounded, and backtests the alerts against their labels. */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Run the detection pipeline bounded (Flink BATCH mode, in a local mini-cluster) over recorded datasets"
                    + " and backtest it against their labels.json. Each DATASET is a directory with flows, gpu and assignments"
                    + " (.jsonl, .jsonl.gz or .avro) and optionally labels.json. Writes to --out: alerts.jsonl (what the alert"
                    + " topic would carry: each incident's transitions, open, update, close), windows.jsonl, deadletter.jsonl"
                    + " (each in a stable order: the same input gives the same bytes), summary.json (per labelled incident:"
                    + " detected, category, time to detect; incidents raised and false ones; false alerts (flagged windows)"
                    + " per 100 job-hours; PR-AUC; dead letters by reason; per input file: lines read, decoded, dead letters"
                    + " by reason, attributed) and report.html (one self-contained page: score over time per job, labelled"
                    + " and raised incidents, flagged windows). A dataset of a foreign exporter's"
                    + " files (conn.log, conn_long.log, goflow2 or VPC flows) given without --flow-format is read in the"
                    + " format its first lines look like.",
            "In BATCH mode every job's input is complete and in time order before its windows close, so nothing is"
                    + " late and the out-of-orderness setting only sizes how long attribution state is kept.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:replayed; files written",
            "1:the replay failed while running",
            "2:bad usage, a bad dataset (the message names the file), a truncated or corrupt input file with --input-strict, or a model that cannot be used"
        })
final class ReplayCommand implements Callable<Integer>, UsesSettings {
    @Spec
    CommandSpec spec;

    @Parameters(
            arity = "1..*",
            paramLabel = "DATASET",
            description = "Dataset directories, replayed one after the other.")
    List<Path> datasets;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Where the files go; created if missing. Must be empty unless --force.")
    Path out;

    @Option(names = "--force", description = "Write into a non-empty --out, replacing the files of an earlier replay.")
    boolean force;

    @Option(
            names = "--model",
            paramLabel = "FILE",
            description =
                    "Model artifact to score with (the same as --model-path). Default: the packaged default model.")
    Path model;

    @Option(
            names = "--suppressions",
            paramLabel = "FILE",
            description = "Suppression rules in force from the start, one JSON object a line (the SuppressionRule"
                    + " record, as `vigil suppress list --json` prints them): flagged windows they silence are"
                    + " written marked suppressed_by but raise no incident. Expiry is judged in the data's event time,"
                    + " so a replay is reproducible.")
    Path suppressions;

    @Override
    public List<String> settingKeys() {
        List<String> keys = new ArrayList<>(PIPELINE_OVER_FILES);
        keys.add(VigilConfig.MODEL_PATH);
        keys.add(VigilConfig.MODEL_TRUSTED_KEYS);
        keys.add(VigilConfig.ALLOW_UNSIGNED_MODELS);
        return keys;
    }

    /**
     * The settings of the pipeline run over dataset files, which every verb that replays takes as flags
     * (replay, windows, evaluate): parallelism, windows, attribution, the fleet's view and the input formats.
     */
    static final List<String> PIPELINE_OVER_FILES = pipelineOverFiles();

    private static List<String> pipelineOverFiles() {
        List<String> keys = new ArrayList<>(List.of(VigilConfig.PARALLELISM));
        keys.addAll(DetectSettings.DETECTION_KEYS);
        keys.addAll(InputFormats.FILE_SETTINGS);
        keys.add(VigilConfig.INPUT_STRICT);
        return List.copyOf(keys);
    }

    @Override
    public Integer call() throws Exception {
        VigilConfig config = SettingOptions.read(spec, settingKeys());
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        Replay.Outcome outcome;
        try {
            // the datasets and --out first: their mistakes are the commonest and cheapest to report
            InputFormats formats = InputFormats.from(config);
            List<Replay.Dataset> checked = Replay.datasets(datasets, formats);
            ReplayOutputs.check(out, force);
            Suppressions rules = SuppressCommand.rulesFile(suppressions);
            WindowScorer scorer = Scorers.load(
                    model != null ? model.toString() : config.getString(VigilConfig.MODEL_PATH), Scorers.trust(config));
            ReplayOutputs.create(out);
            Replay.Request request = new Replay.Request(
                    checked,
                    config.getInt(VigilConfig.PARALLELISM),
                    DetectSettings.from(config),
                    scorer,
                    formats,
                    config.getBoolean(VigilConfig.INPUT_STRICT),
                    rules);
            outcome = Replay.run(request, err);
            ReplayOutputs.write(outcome, out);
        } catch (Replay.BadInput | SuppressCommand.BadRules e) {
            err.println("vigil replay: " + Printable.escape(e.getMessage()));
            return 2;
        }
        stdout.println();
        stdout.print(ReplaySummary.table(outcome));
        stdout.printf(
                "%nwrote %s, %s, %s, %s, %s and %s to %s (%.1f s)%n",
                ReplayOutputs.ALERTS,
                ReplayOutputs.WINDOWS,
                ReplayOutputs.DEAD_LETTERS,
                ReplayOutputs.EPISODE_FLAGS,
                ReplayOutputs.SUMMARY,
                ReplayOutputs.REPORT,
                Printable.escape(out),
                outcome.elapsedMs() / 1000.0);
        stdout.flush();
        return 0;
    }
}
