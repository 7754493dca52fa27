package io.vigil.tools.cli;

import io.vigil.models.model.ModelTrust;
import io.vigil.pipeline.detect.Scorers;
import io.vigil.pipeline.ingest.InputFormats;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
import io.vigil.tools.bench.EndToEndBench;
import io.vigil.tools.bench.SweepBench;
import io.vigil.tools.output.Json;
import io.vigil.tools.replay.Replay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The end-to-end benchmark; JMH covers the pieces (see BENCHMARKS.md). */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "End-to-end benchmark: preloads a dataset (repeated to --flows) into an embedded broker, runs detect"
                    + " on a mini-cluster until it has read everything, compares it with the same work in one plain Java loop,"
                    + " and replays the dataset from files. Prints the figures and writes them as JSON.",
            ""
        })
final class BenchCommand implements Callable<Integer>, UsesSettings {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--dataset",
            required = true,
            paramLabel = "DIR",
            description =
                    "Dataset with a realistic mix (e.g. from `vigil simulate`, or a real capture: read as replay"
                            + " reads it, in the format its source.json names or its files look like; --flow-format otherwise).")
    Path dataset;

    @Option(
            names = "--flows",
            paramLabel = "N",
            description = "Flows to preload (the dataset repeats, shifted in time). Default: ${DEFAULT-VALUE}.")
    long flows = 1_000_000;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            description = "Parallelism of the job. Default: ${DEFAULT-VALUE}.")
    int parallelism = 2;

    @Option(
            names = "--phases",
            split = ",",
            paramLabel = "PHASE",
            converter = PhaseConverter.class,
            description =
                    "Phases to run, comma-separated, of: pipeline (includes the limit loop), latency, replay, sweep"
                            + " (the dataset streamed live without and with one job sweeping --sweep-addresses"
                            + " addresses: the state it leaves and its alerts), fleet (the dataset once, not repeated,"
                            + " e.g. an hour of `vigil simulate --nodes 2000`: time, CPU, and the largest checkpoint per"
                            + " operator, per job and per destination address), floor (with pipeline: after each"
                            + " measured run, Flink reads the same topics and discards them; with the limit loop, the"
                            + " least a pipeline on Flink and Kafka could take; with --alignment-max-drift-ms 0). Default: pipeline,latency,replay.")
    Set<EndToEndBench.Phase> phases = EnumSet.copyOf(EndToEndBench.Phase.DEFAULT);

    @Option(
            names = "--sweep-addresses",
            paramLabel = "N",
            description = "sweep phase: distinct addresses the sweeping job tries. Default: ${DEFAULT-VALUE}.")
    long sweepAddresses = SweepBench.Options.DEFAULTS.addresses();

    @Option(
            names = "--sweep-minutes",
            paramLabel = "N",
            description = "sweep phase: over how many minutes. Default: ${DEFAULT-VALUE}.")
    int sweepMinutes = SweepBench.Options.DEFAULTS.minutes();

    @Option(
            names = "--sweep-speed",
            paramLabel = "X",
            description = "sweep phase: event time streamed per wall-clock time; the job must keep up (see"
                    + " with_sweep_read_all_after_last_sent_s). Default: ${DEFAULT-VALUE}.")
    double sweepSpeed = SweepBench.Options.DEFAULTS.speed();

    @Option(
            names = "--output-delivery",
            paramLabel = "at-least-once|exactly-once",
            description = "latency phase: how the job writes its outputs (output.delivery). Default: ${DEFAULT-VALUE},"
                    + " as detect's.")
    String delivery = VigilConfig.defaults().getString(VigilConfig.OUTPUT_DELIVERY);

    @Option(
            names = "--checkpoint-interval-ms",
            paramLabel = "MS",
            description = "latency phase: the job's checkpoint interval. Default: ${DEFAULT-VALUE}, as detect's.")
    long checkpointMs = VigilConfig.defaults().getLong(VigilConfig.CHECKPOINT_INTERVAL_MS);

    @Option(
            names = "--alignment-max-drift-ms",
            paramLabel = "MS",
            description =
                    "pipeline and latency phases: watermark.alignment.max-drift-ms, how far a Kafka partition may read ahead of"
                            + " the slowest before it is paused; 0 off. Default: ${DEFAULT-VALUE}, as detect's.")
    long alignmentMaxDriftMs = VigilConfig.defaults().getLong(VigilConfig.ALIGNMENT_MAX_DRIFT_MS);

    @Option(
            names = "--input-max-poll-records",
            paramLabel = "N",
            description = "pipeline phase: input.max.poll.records, records per poll of a Kafka input reader; 0: 100"
                    + " with alignment on, Kafka's 500 with it off. Default: ${DEFAULT-VALUE}, as detect's.")
    int inputMaxPollRecords = VigilConfig.defaults().getInt(VigilConfig.INPUT_MAX_POLL_RECORDS);

    @Option(
            names = "--rounds",
            paramLabel = "N",
            description = "pipeline phase: measured runs of detect over the same topics, each a fresh job. The figures"
                    + " are those of the run that took least CPU, as the limit loop's are its fastest run's: a busy"
                    + " machine only adds CPU time, so the least is the figure it moved least (BENCHMARKS.md)."
                    + " Default: ${DEFAULT-VALUE}.")
    int rounds = 1;

    @Option(
            names = "--baseline-flows",
            paramLabel = "N",
            description = "pipeline phase: before each round, detect also reads the dataset's first N flows (and their"
                    + " samples), on topics of their own. The difference between the two runs' CPU is what the records"
                    + " beyond N cost, without what a job pays once, whatever it reads (its start and end):"
                    + " pipeline_per_cpu_vs_limit_marginal. 0: off. Default: ${DEFAULT-VALUE}.")
    long baselineFlows = 0;

    @Option(
            names = "--no-warmup",
            description = "Measure the pipeline's first run (by default it runs once, unmeasured, to warm up the JIT).")
    boolean noWarmup;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the figures as JSON here too.")
    Path out;

    @Option(
            names = "--model",
            paramLabel = "FILE",
            description = "Model artifact to score with. Default: the packaged default model.")
    Path model;

    /** Phase names as typed (pipeline, latency, replay), in any case. */
    static final class PhaseConverter implements CommandLine.ITypeConverter<EndToEndBench.Phase> {
        @Override
        public EndToEndBench.Phase convert(String value) {
            return EndToEndBench.Phase.parse(value);
        }
    }

    /** How the dataset's files are read: a real capture in a foreign format is benchmarked as replay reads it. */
    @Override
    public List<String> settingKeys() {
        return InputFormats.FILE_SETTINGS;
    }

    @Override
    public Integer call() throws Exception {
        if (rounds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rounds must be at least 1, not " + rounds);
        }
        if (phases.contains(EndToEndBench.Phase.FLOOR) && !phases.contains(EndToEndBench.Phase.PIPELINE)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--phases floor runs after each of the pipeline's measured runs: name both (--phases pipeline,floor)");
        }
        if (phases.contains(EndToEndBench.Phase.FLOOR) && alignmentMaxDriftMs > 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--phases floor compares with an unaligned pipeline, which reads to the end offsets as the floor"
                            + " does: add --alignment-max-drift-ms 0");
        }
        if (baselineFlows < 0 || (baselineFlows > 0 && baselineFlows >= flows)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--baseline-flows must be 0 (off) or fewer than --flows (" + flows + "), not " + baselineFlows);
        }
        Replay.Dataset checked = OneDataset.of(spec, dataset);
        if (checked == null) {
            return 2;
        }
        Map<String, Object> figures = new EndToEndBench(
                        new EndToEndBench.Options(
                                checked,
                                flows,
                                parallelism,
                                phases,
                                !noWarmup,
                                new SweepBench.Options(
                                        sweepAddresses, sweepMinutes, sweepSpeed, SweepBench.Options.DEFAULTS.port()),
                                delivery,
                                checkpointMs,
                                alignmentMaxDriftMs,
                                inputMaxPollRecords,
                                rounds,
                                baselineFlows),
                        Scorers.load(model == null ? null : model.toString(), ModelTrust.of(List.of(), true)),
                        System.out)
                .run();
        if (out != null) {
            Files.writeString(out, Json.text(figures), StandardCharsets.UTF_8);
        }
        return 0;
    }
}
