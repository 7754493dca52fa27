package io.vigil.collector;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.vigil.records.Decoded;
import io.vigil.records.GpuSample;
import io.vigil.records.Printable;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import io.vigil.records.wire.Credentials;
import io.vigil.settings.SettingOptions;
import io.vigil.settings.Topic;
import io.vigil.settings.UsesSettings;
import io.vigil.settings.VigilConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The node agent: polls nvidia-smi (or a DCGM exporter) and publishes GPU samples to the GPU topic. */
@Command(
        name = "collect-gpu",
        mixinStandardHelpOptions = true,
        description = {
            "Run on each GPU node: every --interval seconds reads the node's GPUs with nvidia-smi (or a DCGM"
                    + " exporter's /metrics with --dcgm-url) and publishes one GPU sample per GPU to the GPU topic, with the node"
                    + " name and, from --pods, the pod and job. A failing nvidia-smi is reported and retried with back-off; during"
                    + " a broker outage samples wait in a bounded buffer (--buffer), the oldest dropped with a counted warning."
                    + " --once prints one reading as JSON lines instead, without Kafka.",
            ""
        })
public final class CollectGpuCommand implements Callable<Integer>, UsesSettings {
    @Spec
    CommandSpec spec;

    /** The node agent's own jar ({@code vigil-collector.jar}): this verb alone, with its settings as flags. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** This verb's command line, with its settings as flags (the DaemonSet's args are checked against it). */
    public static CommandLine commandLine() {
        CollectGpuCommand collect = new CollectGpuCommand();
        CommandLine cmd = new CommandLine(collect);
        SettingOptions.addTo(cmd.getCommandSpec(), collect.settingKeys());
        return SettingOptions.hidingSecrets(cmd, e -> 1);
    }

    @Option(
            names = "--nvidia-smi",
            paramLabel = "PATH",
            defaultValue = "nvidia-smi",
            description = "The nvidia-smi to run. Default: ${DEFAULT-VALUE} (from PATH).")
    String nvidiaSmi;

    @Option(
            names = "--dcgm-url",
            paramLabel = "URL",
            description =
                    "Scrape this DCGM exporter (e.g. http://localhost:9400/metrics) instead of running nvidia-smi."
                            + " Credentials in it (http://user:password@host/…) are sent as basic authentication and shown"
                            + " nowhere.")
    String dcgmUrl; // parsed here, not by picocli, whose errors would repeat a password

    @Option(
            names = "--interval",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description = "Seconds between readings. Default: ${DEFAULT-VALUE}.")
    double intervalSeconds;

    @Option(names = "--node", paramLabel = "NAME", description = "Node name on the samples. Default: this host's name.")
    String node;

    @Option(
            names = "--pods",
            paramLabel = "FILE",
            description = "Which pod (and job) holds each GPU: lines 'INDEX POD [JOB]'; read again when it changes.")
    Path pods;

    @Option(
            names = "--buffer",
            paramLabel = "SAMPLES",
            defaultValue = "10000",
            description =
                    "Samples kept while the broker is unreachable; beyond it the oldest are dropped. Default: ${DEFAULT-VALUE}.")
    int buffer;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description = "How long nvidia-smi, the DCGM URL and the broker may take. Default: ${DEFAULT-VALUE}.")
    double timeoutSeconds;

    @Option(
            names = "--max-backoff",
            paramLabel = "SECONDS",
            defaultValue = "300",
            description = "Longest wait between retries of a failing source. Default: ${DEFAULT-VALUE}.")
    double maxBackoffSeconds;

    @Option(
            names = "--metrics",
            paramLabel = "HOST:PORT",
            description = "Serve Prometheus /metrics here (e.g. 0.0.0.0:9402 in a pod; port 0: any free port)."
                    + " Default: none.")
    String metricsAddress;

    @Option(
            names = "--once",
            description = "Read once, print the samples as JSON lines on stdout, and exit (no Kafka).")
    boolean once;

    @Override
    public List<String> settingKeys() {
        return List.of(VigilConfig.BOOTSTRAP_SERVERS, VigilConfig.SCHEMA_REGISTRY_URL, Topic.GPU.nameSetting());
    }

    @Override
    public Integer call() throws Exception {
        VigilConfig config = SettingOptions.read(spec, settingKeys());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (intervalSeconds <= 0 || timeoutSeconds <= 0 || buffer < 1) {
            err.println("vigil collect-gpu: --interval and --timeout must be positive, --buffer at least 1");
            return 2;
        }
        String nodeName = node != null && !node.isBlank() ? node : hostName();
        Duration timeout = seconds(timeoutSeconds);
        GpuSource source;
        try {
            source = dcgmUrl != null
                    ? new DcgmUrlSource(Credentials.parse(dcgmUrl, "--dcgm-url"), nodeName, timeout)
                    : new NvidiaSmiSource(nvidiaSmi, nodeName, timeout);
        } catch (IllegalArgumentException e) {
            err.println("vigil collect-gpu: " + Printable.escape(e.getMessage()));
            return 2;
        }
        PodMapping mapping = pods == null ? null : new PodMapping(pods);
        if (once) {
            return once(source, mapping, out, err);
        }
        CollectorMetrics metrics = new CollectorMetrics();
        HTTPServer metricsServer = null;
        if (metricsAddress != null) {
            int colon = metricsAddress.lastIndexOf(':');
            try {
                metricsServer = metrics.serve(
                        metricsAddress.substring(0, colon), Integer.parseInt(metricsAddress.substring(colon + 1)));
            } catch (RuntimeException | IOException e) {
                err.println("vigil collect-gpu: cannot serve metrics on '" + Printable.escape(metricsAddress) + "': "
                        + Printable.escape(String.valueOf(e.getMessage())));
                return 2;
            }
            err.printf(
                    "collect-gpu: metrics on http://%s:%d/metrics%n",
                    Printable.escape(metricsAddress.substring(0, colon)), metricsServer.getPort());
        }
        try (KafkaSamplePublisher publisher = new KafkaSamplePublisher(config, timeout)) {
            GpuCollector collector = new GpuCollector(
                    source,
                    mapping,
                    publisher,
                    buffer,
                    seconds(intervalSeconds),
                    seconds(Math.max(maxBackoffSeconds, intervalSeconds)),
                    err,
                    System::currentTimeMillis,
                    metrics);
            Thread main = Thread.currentThread();
            Thread hook = new Thread(
                    () -> {
                        collector.stop();
                        main.interrupt();
                    },
                    "collect-gpu-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            err.printf(
                    "collect-gpu: reading %s every %s s as node %s, publishing to %s on %s%n",
                    Printable.escape(source.describe()),
                    intervalSeconds,
                    Printable.escape(nodeName),
                    config.topic(Topic.GPU),
                    Printable.escape(Credentials.redact(config.bootstrapServers())));
            err.flush();
            int exit = 0;
            try {
                collector.run(0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (SamplePublisher.Refused e) {
                err.printf(
                        "vigil collect-gpu: the brokers at %s refused: %s%n",
                        config.bootstrapServers(), e.getMessage());
                exit = 1;
            }
            err.printf(
                    "collect-gpu: stopped after %d readings: %d samples published, %d dropped, %d refused, %d source failures%n",
                    collector.polls(),
                    collector.published(),
                    collector.dropped(),
                    collector.refused(),
                    collector.failures());
            return exit;
        } finally {
            if (metricsServer != null) {
                metricsServer.close();
            }
        }
    }

    private static int once(GpuSource source, PodMapping mapping, PrintWriter out, PrintWriter err) {
        List<Decoded<GpuSample>> readings;
        try {
            readings = source.poll(System.currentTimeMillis());
        } catch (IOException e) {
            err.println("vigil collect-gpu: cannot read GPUs from " + Printable.escape(source.describe()) + ": "
                    + Printable.escape(e.getMessage()));
            return 1;
        }
        if (mapping != null) {
            String problem = mapping.refresh();
            if (problem != null) {
                err.println("collect-gpu: " + Printable.escape(problem));
            }
        }
        JsonRecordCodec<GpuSample> json = JsonRecordCodec.of(RecordType.GPU);
        for (Decoded<GpuSample> d : readings) {
            if (d.isAccepted()) {
                out.println(json.encode(mapping == null ? d.record() : mapping.apply(d.record())));
            } else {
                err.println("collect-gpu: a GPU reading was refused: " + Printable.escape(d.rejection()));
            }
        }
        out.flush();
        err.flush();
        return 0;
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.round(s * 1000));
    }

    static String hostName() {
        String env = System.getenv("NODE_NAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String h = System.getenv("HOSTNAME");
            return h == null || h.isBlank() ? "unknown" : h;
        }
    }
}
