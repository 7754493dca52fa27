package io.vigil.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in this JVM, on 127.0.0.1 only,
 * with ephemeral ports and a temporary log directory that {@link #close()} deletes. For `vigil demo`
 * and the tests; production uses a real cluster.
 *
 * <p>Single-node settings matter: internal topics (offsets, transactions) need replication factor 1,
 * or consumer groups and the exactly-once alert sink hang.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int START_ATTEMPTS = 3;

    private final Path dir;
    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private EmbeddedKafka(Path dir, KafkaRaftServer server, String bootstrapServers) {
        this.dir = dir;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /** Formats storage in a fresh temporary directory and starts the broker; returns once it listens. */
    public static EmbeddedKafka start() {
        RuntimeException last = null;
        // Ports are probed free, then bound by the broker: another process may take one in between.
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            Path dir = null;
            try {
                dir = Files.createTempDirectory("vigil-kafka-");
                return startIn(dir);
            } catch (IOException e) {
                last = new UncheckedIOException(e);
            } catch (RuntimeException e) {
                last = e;
            }
            LOG.warn("embedded Kafka failed to start (attempt {} of {}): {}", attempt, START_ATTEMPTS, last.toString());
            deleteQuietly(dir);
        }
        throw new IllegalStateException("could not start the embedded Kafka broker", last);
    }

    private static EmbeddedKafka startIn(Path dir) throws IOException {
        int brokerPort = freePort();
        int controllerPort = freePort();
        Properties props = brokerProperties(dir, brokerPort, controllerPort);
        Path config = dir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "vigil embedded broker");
        }
        ByteArrayOutputStream formatLog = new ByteArrayOutputStream();
        int rc = StorageTool.execute(
                new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()},
                new PrintStream(formatLog, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            throw new IllegalStateException(
                    "kafka storage format failed (" + rc + "): " + formatLog.toString(StandardCharsets.UTF_8));
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            shutdownQuietly(server);
            throw e;
        }
        String bootstrap = "127.0.0.1:" + brokerPort;
        LOG.info("embedded Kafka listening on {} (logs in {})", bootstrap, dir);
        return new EmbeddedKafka(dir, server, bootstrap);
    }

    static Properties brokerProperties(Path dir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", dir.resolve("data").toString());
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("num.partitions", "1");
        // Alerts and windows are stamped with their event time, and replayed incidents are months old: with
        // time-based retention the first retention check (30 s after start) deletes them, committed or not.
        p.setProperty("log.retention.ms", "-1");
        // small segments and no fsync: this broker holds demo and test data only
        p.setProperty("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        p.setProperty("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        return p;
    }

    /** host:port of the PLAINTEXT listener. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Stops the broker and deletes its data. */
    @Override
    public void close() {
        shutdownQuietly(server);
        deleteQuietly(dir);
        LOG.info("embedded Kafka on {} stopped", bootstrapServers);
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("embedded Kafka did not shut down cleanly: {}", e.toString());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
