package io.vigil.tools.cli;

import io.vigil.models.model.VigilModel;
import io.vigil.models.suppression.Suppressions;
import io.vigil.pipeline.detect.DetectSettings;
import io.vigil.pipeline.detect.Scorers;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.records.Printable;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.evaluate.Evaluation;
import io.vigil.tools.replay.Replay;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The promotion gate: a model replayed over labelled datasets, backtested, and held to a bar. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
            "Backtest a model over datasets, the promotion gate: replays each DATASET through the pipeline scoring"
                    + " with --model (as `vigil replay` does) and backtests it against the dataset's labels.json. Prints per"
                    + " dataset and pooled: incidents detected of all, category right, median and longest time to detect"
                    + " (windows and minutes), false alerts per 100 job-hours (flagged windows outside every labelled"
                    + " incident, counted per window, as before incidents had a lifecycle), false incidents per 100"
                    + " job-hours (the pipeline's incidents none of whose windows is labelled), PR-AUC over windows. Then"
                    + " the gate: every"
                    + " condition on the pooled figures, and whether the model passed. Real captures (a source.json with"
                    + " \"kind\": \"real\", as `vigil wrap-capture` writes) and simulated datasets (a simulation.json) are"
                    + " pooled apart and each held to the gate. Incidents of one name are one incident: detected when an"
                    + " alert overlaps any of its phases, named right when every phase is.",
            ""
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the model passed the gate",
            "1:the model failed the gate (the output names each failed condition)",
            "2:bad usage, a bad dataset, or a model that cannot be read or is refused",
            "4:a replay failed while running"
        })
final class EvaluateCommand implements Callable<Integer>, UsesSettings {
    static final int REPLAY_FAILED = 4;

    @Spec
    CommandSpec spec;

    @Parameters(
            arity = "1..*",
            paramLabel = "DATASET",
            description = "Labelled dataset directories (as for `vigil replay`).")
    List<Path> datasets;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "FILE",
            description = "The model artifact to evaluate (from `vigil train`).")
    Path model;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Also write the figures and the gate's verdict as JSON here.")
    Path json;

    @Option(
            names = "--max-false-alerts-per-100h",
            paramLabel = "R",
            description = "Gate: false alerts per 100 job-hours, pooled, at most this. Default: ${DEFAULT-VALUE}.")
    double maxFalseAlerts = Evaluation.Gate.DEFAULT_MAX_FALSE_ALERTS_PER_100H;

    @Option(
            names = "--max-median-ttd-windows",
            paramLabel = "W",
            description =
                    "Gate: median time to detect over detected incidents, in windows, at most this. Default: ${DEFAULT-VALUE}.")
    double maxMedianTtd = Evaluation.Gate.DEFAULT_MAX_MEDIAN_TTD_WINDOWS;

    @Option(
            names = "--max-missed-incidents",
            paramLabel = "N",
            description =
                    "Gate: incidents not detected, or named with a wrong category, at most this many. Default: ${DEFAULT-VALUE}.")
    int maxMissed = Evaluation.Gate.DEFAULT_MAX_MISSED_INCIDENTS;

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
        List<String> keys = new ArrayList<>(ReplayCommand.PIPELINE_OVER_FILES);
        keys.add(VigilConfig.MODEL_TRUSTED_KEYS);
        keys.add(VigilConfig.ALLOW_UNSIGNED_MODELS);
        return keys;
    }

    @Override
    public Integer call() throws Exception {
        VigilConfig config = SettingOptions.read(spec, settingKeys());
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        if (!(maxFalseAlerts >= 0) || !(maxMedianTtd >= 0) || maxMissed < 0) {
            err.println("vigil evaluate: the gate's limits must be at least 0");
            return 2;
        }
        Evaluation.Gate gate = new Evaluation.Gate(maxFalseAlerts, maxMedianTtd, maxMissed);
        List<Replay.Dataset> checked;
        Suppressions rules;
        try {
            checked = Replay.datasets(datasets, InputFormats.from(config));
            rules = SuppressCommand.rulesFile(suppressions);
        } catch (Replay.BadInput | SuppressCommand.BadRules e) {
            err.println("vigil evaluate: " + Printable.escape(e.getMessage()));
            return 2;
        }
        VigilModel scorer = Scorers.load(model, Scorers.trust(config));
        if (checked.stream().allMatch(d -> d.labels().isEmpty())) {
            err.println("vigil evaluate: no dataset has a labels.json: only false alerts can be judged");
        }

        Replay.Request request = new Replay.Request(
                checked,
                config.getInt(VigilConfig.PARALLELISM),
                DetectSettings.from(config),
                scorer,
                InputFormats.from(config),
                false,
                rules);
        Replay.Outcome outcome;
        try {
            outcome = Replay.run(request, err);
        } catch (Exception e) {
            // not exit 1: that says the model failed the gate
            err.println("vigil evaluate: " + Printable.escape(e.getMessage()));
            return REPLAY_FAILED;
        }
        Evaluation.Report report = Evaluation.of(
                scorer.modelVersion(),
                outcome.datasets().stream().map(d -> d.dataset().name()).toList(),
                outcome.datasets().stream().map(d -> d.dataset().kind()).toList(),
                outcome.datasets().stream().map(Replay.DatasetResult::backtest).toList(),
                gate);
        stdout.println();
        stdout.print(Evaluation.table(report));
        if (json != null) {
            Files.writeString(json, Evaluation.json(report), StandardCharsets.UTF_8);
            stdout.printf(Locale.ROOT, "wrote %s%n", Printable.escape(json));
        }
        stdout.flush();
        return report.passed() ? 0 : 1;
    }
}
