package io.vigil.tools.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The local Kafka broker and Flink session cluster of {@code deploy/local/vigil-local}, driven from a test:
 * each command is the script, run with this cluster's free ports and run directory; the cluster's state is
 * read from Flink's REST API.
 */
final class LocalCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a process may take to come up: long, for a loaded machine (a bound on a wait, not a pace). */
    private static final Duration START_WAIT = Duration.ofMinutes(5);

    private static final Duration COMMAND_TIMEOUT = START_WAIT.multipliedBy(2);

    final Path root;
    final Path runDir;
    final int kafkaPort;
    final int restPort;
    /** Prometheus /metrics of the JobManager; TaskManager N on this port + N. */
    final int metricsPort;

    private final Map<String, String> env = new HashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    LocalCluster(Path root, Path runDir) throws IOException {
        this.root = root;
        this.runDir = runDir;
        int[] ports = freePorts(5);
        this.kafkaPort = ports[0];
        this.restPort = ports[2];
        env.put("VIGIL_RUN_DIR", runDir.toString());
        env.put("VIGIL_KAFKA_PORT", String.valueOf(ports[0]));
        env.put("VIGIL_KAFKA_CONTROLLER_PORT", String.valueOf(ports[1]));
        env.put("VIGIL_FLINK_REST_PORT", String.valueOf(ports[2]));
        env.put("VIGIL_FLINK_RPC_PORT", String.valueOf(ports[3]));
        env.put("VIGIL_FLINK_BLOB_PORT", String.valueOf(ports[4]));
        this.metricsPort = freePortRun(3);
        env.put("VIGIL_FLINK_METRICS_PORT", String.valueOf(metricsPort));
        env.put("VIGIL_TASKMANAGERS", "2");
        env.put("VIGIL_START_WAIT_S", String.valueOf(START_WAIT.toSeconds()));
    }

    /** The repository root: the directory above the working directory that holds deploy/local/vigil-local. */
    static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("deploy/local/vigil-local"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "deploy/local/vigil-local not found above " + Path.of("").toAbsolutePath());
    }

    String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** Runs {@code vigil-local ARGS}; returns its standard output, trimmed. Its progress goes to run/log/driver.log. */
    String run(String... args) {
        List<String> command = new ArrayList<>(
                List.of("bash", root.resolve("deploy/local/vigil-local").toString()));
        command.addAll(List.of(args));
        try {
            Files.createDirectories(runDir.resolve("log"));
            Path out = Files.createTempFile(runDir, "cmd-", ".out");
            Path log = runDir.resolve("log/driver.log");
            Files.writeString(
                    log,
                    "$ vigil-local " + String.join(" ", args) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(root.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(
                        "vigil-local " + String.join(" ", args) + " did not finish in " + COMMAND_TIMEOUT);
            }
            String stdout = Files.readString(out).trim();
            Files.deleteIfExists(out);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(
                        "vigil-local " + String.join(" ", args) + " failed (" + p.exitValue() + "):\n" + tail(log, 30));
            }
            return stdout;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The Prometheus scrape of the JobManager ("jobmanager") or of TaskManager N ("taskmanager-N"). */
    String scrape(String process) {
        int port = process.equals("jobmanager")
                ? metricsPort
                : metricsPort + Integer.parseInt(process.substring("taskmanager-".length()));
        return get("http://127.0.0.1:" + port + "/metrics");
    }

    /** GET of a URL (on loopback); its body. */
    String get(String url) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + url + ": " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GET on Flink's REST API. */
    JsonNode rest(String path) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path))
                            .timeout(Duration.ofSeconds(5))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The job is RUNNING and so is every one of its tasks (every subtask of every vertex). */
    boolean allRunning(String jobId) {
        try {
            JsonNode job = rest("/jobs/" + jobId);
            if (!"RUNNING".equals(job.path("state").asText())) {
                return false;
            }
            for (JsonNode v : job.path("vertices")) {
                if (v.path("tasks").path("RUNNING").asInt()
                        != v.path("parallelism").asInt()) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** How often the job has restarted after a failure (its {@code numRestarts} metric). */
    long restarts(String jobId) {
        JsonNode metrics = rest("/jobs/" + jobId + "/metrics?get=numRestarts");
        for (JsonNode m : metrics) {
            if ("numRestarts".equals(m.path("id").asText())) {
                return Long.parseLong(m.path("value").asText());
            }
        }
        throw new IllegalStateException("job " + jobId + " reports no numRestarts: " + metrics);
    }

    /** What the job's checkpoint statistics say now. */
    Checkpoints checkpoints(String jobId) {
        JsonNode c = rest("/jobs/" + jobId + "/checkpoints");
        JsonNode latest = c.path("latest");
        JsonNode history = c.path("history");
        return new Checkpoints(
                c.path("counts").path("restored").asLong(),
                latest.path("completed").path("id").asLong(0),
                latest.path("restored").path("id").asLong(0),
                latest.path("restored").path("external_path").asText(""),
                history.isEmpty() ? 0 : history.get(0).path("id").asLong());
    }

    /**
     * A job's checkpoints: ids count up across restarts and restores.
     *
     * @param restores how often the job has been restored (from a checkpoint after a failure, or from a savepoint)
     * @param completed the latest completed checkpoint, 0 if none
     * @param restored the checkpoint the latest restore started from, 0 if none
     * @param triggered the latest checkpoint triggered (completed, failed or in progress), 0 if none
     */
    record Checkpoints(long restores, long completed, long restored, String restoredPath, long triggered) {
        /** A checkpoint has completed since the latest restore: the job runs on the state it was restored with. */
        boolean completedSinceRestore() {
            return restores > 0 && completed > restored;
        }
    }

    /** Resource ids (tm-N) of the TaskManagers that run tasks of the job now. */
    Set<String> busyTaskManagers(String jobId) {
        Set<String> busy = new LinkedHashSet<>();
        for (JsonNode v : rest("/jobs/" + jobId).path("vertices")) {
            for (JsonNode tm : rest("/jobs/" + jobId + "/vertices/"
                            + v.path("id").asText() + "/taskmanagers")
                    .path("taskmanagers")) {
                if ("RUNNING".equals(tm.path("status").asText())) {
                    busy.add(tm.path("taskmanager-id").asText());
                }
            }
        }
        return busy;
    }

    int registeredTaskManagers() {
        return rest("/taskmanagers").path("taskmanagers").size();
    }

    /**
     * Waits until the condition holds, looking every 100 ms. A look that fails (the REST API or the broker away
     * while they restart) counts as "not yet". The timeout only bounds a wait that would never end: tests wait
     * for what they observe, so a slow machine makes them slower, not wrong.
     */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException lastFailure = null;
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                lastFailure = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError timedOut =
                        new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what
                                + (lastFailure == null ? "" : " (last look failed: " + lastFailure + ")"));
                if (lastFailure != null) {
                    timedOut.initCause(lastFailure);
                }
                throw timedOut;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Stops everything the script started; then kills, by pid, any of its processes still alive. */
    @Override
    public void close() {
        try {
            run("stop");
        } catch (RuntimeException e) {
            System.err.println("vigil-local stop failed: " + e.getMessage());
        }
        Path pids = runDir.resolve("pid");
        if (Files.isDirectory(pids)) {
            try (Stream<Path> files = Files.list(pids)) {
                files.forEach(f -> {
                    try {
                        long pid = Long.parseLong(Files.readString(f).trim());
                        ProcessHandle.of(pid).ifPresent(h -> {
                            System.err.println("killing leftover " + f.getFileName() + " (pid " + pid + ")");
                            h.destroyForcibly();
                        });
                    } catch (IOException | NumberFormatException e) {
                        // not ours to worry about
                    }
                });
            } catch (IOException e) {
                System.err.println("could not list " + pids + ": " + e);
            }
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    String logTail(String name, int lines) {
        return tail(runDir.resolve("log").resolve(name), lines);
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(" + file + ": " + e + ")";
        }
    }

    /** The first of n consecutive ports that are free now (the metrics ports: one base, + N per TaskManager). */
    private static int freePortRun(int n) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = freePorts(1)[0];
            if (base + n > 65535) {
                continue;
            }
            List<ServerSocket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    ServerSocket s = new ServerSocket();
                    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), base + i));
                    sockets.add(s);
                }
                return base;
            } catch (IOException taken) {
                // one of them is taken: another base
            } finally {
                for (ServerSocket s : sockets) {
                    s.close();
                }
            }
        }
        throw new IOException("no " + n + " consecutive free ports");
    }

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
