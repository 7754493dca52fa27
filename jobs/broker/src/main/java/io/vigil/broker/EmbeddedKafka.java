package io.vigil.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
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
 *
 * <p>{@link #startSaslSsl} starts it as a secured production cluster is: the only listener a client can reach
 * is SASL_SSL (SCRAM-SHA-512 over TLS, with a certificate made for this broker by the JDK's keytool), which the
 * broker also talks to itself on (transaction markers); the KRaft controller's listener stays internal (not
 * advertised).
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int START_ATTEMPTS = 3;
    /** The SASL mechanism of {@link #startSaslSsl}. */
    public static final String SASL_MECHANISM = "SCRAM-SHA-512";

    private final Path dir;
    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Map<String, String> clientSecurity;

    private EmbeddedKafka(
            Path dir, KafkaRaftServer server, String bootstrapServers, Map<String, String> clientSecurity) {
        this.dir = dir;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.clientSecurity = clientSecurity;
    }

    /** Formats storage in a fresh temporary directory and starts the broker; returns once it listens. */
    public static EmbeddedKafka start() {
        return start(null, null);
    }

    /**
     * A broker that clients reach only over SASL_SSL, as {@code user} with {@code password} (SCRAM-SHA-512; letters,
     * digits, '-' and '_'), trusting its self-signed certificate: {@link #clientProperties()} says how.
     */
    public static EmbeddedKafka startSaslSsl(String user, String password) {
        if (!user.matches("[A-Za-z0-9_-]+") || !password.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("the user and password take letters, digits, '-' and '_'");
        }
        return start(user, password);
    }

    private static EmbeddedKafka start(String user, String password) {
        RuntimeException last = null;
        // Ports are probed free, then bound by the broker: another process may take one in between.
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            Path dir = null;
            try {
                dir = Files.createTempDirectory("vigil-kafka-");
                return startIn(dir, user == null ? null : Secured.create(dir, user, password));
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

    private static EmbeddedKafka startIn(Path dir, Secured secured) throws IOException {
        int brokerPort = freePort();
        int controllerPort = freePort();
        Properties props = brokerProperties(dir, brokerPort, controllerPort);
        if (secured != null) {
            props.putAll(secured.brokerProperties(brokerPort, controllerPort));
        }
        Path config = dir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "vigil embedded broker");
        }
        List<String> format =
                new ArrayList<>(List.of("format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()));
        if (secured != null) {
            // SCRAM credentials live in the cluster's metadata: written at format time, before anyone can log in
            format.addAll(secured.scramCredentials());
        }
        ByteArrayOutputStream formatLog = new ByteArrayOutputStream();
        int rc = StorageTool.execute(
                format.toArray(String[]::new), new PrintStream(formatLog, true, StandardCharsets.UTF_8));
        // the file held the broker's own password; the running broker has its properties
        Files.delete(config);
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
        LOG.info(
                "embedded Kafka listening on {} ({}; logs in {})",
                bootstrap,
                secured == null ? "PLAINTEXT" : "SASL_SSL, " + SASL_MECHANISM,
                dir);
        return new EmbeddedKafka(dir, server, bootstrap, secured == null ? Map.of() : secured.clientProperties());
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

    /** host:port of the listener clients use (PLAINTEXT, or SASL_SSL). */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * What a client sets to reach this broker, bootstrap.servers aside: nothing for PLAINTEXT; for SASL_SSL the
     * protocol, the mechanism, the user's JAAS login (with its password) and the truststore that holds the
     * broker's certificate (with the truststore's password).
     */
    public Map<String, String> clientProperties() {
        return clientSecurity;
    }

    /** {@link #clientProperties()} with bootstrap.servers: enough for any client. */
    public Map<String, Object> client() {
        Map<String, Object> client = new HashMap<>(clientSecurity);
        client.put("bootstrap.servers", bootstrapServers);
        return client;
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

    /**
     * A SASL_SSL listener's keys and credentials, made fresh in the broker's directory: a key pair and self-signed
     * certificate for 127.0.0.1 (the JDK's keytool, in a PKCS12 keystore), a truststore holding that certificate, the
     * client's SCRAM user, and a user of the broker's own (random password) for its connections to itself.
     */
    record Secured(
            Path keystore,
            Path truststore,
            String storePassword,
            String user,
            String password,
            String brokerUser,
            String brokerPassword) {

        static Secured create(Path dir, String user, String password) throws IOException {
            String storePassword = randomPassword();
            Path keystore = dir.resolve("broker.p12");
            Path truststore = dir.resolve("truststore.p12");
            keytool(
                    storePassword,
                    "-genkeypair",
                    "-alias",
                    "vigil-broker",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-validity",
                    "30",
                    "-dname",
                    "CN=127.0.0.1",
                    "-ext",
                    "SAN=IP:127.0.0.1,DNS:localhost",
                    "-keystore",
                    keystore.toString(),
                    "-storetype",
                    "PKCS12",
                    "-storepass:env",
                    STORE_PASSWORD_VARIABLE,
                    "-keypass:env",
                    STORE_PASSWORD_VARIABLE);
            trust(keystore, truststore, storePassword);
            return new Secured(keystore, truststore, storePassword, user, password, "vigil-broker", randomPassword());
        }

        private static final String STORE_PASSWORD_VARIABLE = "VIGIL_STORE_PASSWORD";

        /** A truststore that holds the keystore's certificate (the JDK's KeyStore: no second keytool run). */
        private static void trust(Path keystore, Path truststore, String storePassword) throws IOException {
            try {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(keystore)) {
                    keys.load(in, storePassword.toCharArray());
                }
                KeyStore trusted = KeyStore.getInstance("PKCS12");
                trusted.load(null, null);
                trusted.setCertificateEntry("vigil-broker", keys.getCertificate("vigil-broker"));
                try (OutputStream out = Files.newOutputStream(truststore)) {
                    trusted.store(out, storePassword.toCharArray());
                }
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot make the truststore: " + e.getMessage(), e);
            }
        }

        /** Runs the JDK's keytool; the store password goes in its environment, never on a command line. */
        private static void keytool(String storePassword, String... args) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put(STORE_PASSWORD_VARIABLE, storePassword);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            try {
                if (process.waitFor() != 0) {
                    throw new IOException("keytool " + args[0] + " failed: " + output.strip());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IOException("interrupted while keytool ran", e);
            }
        }

        private static String randomPassword() {
            byte[] bytes = new byte[18];
            new SecureRandom().nextBytes(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }

        private static String jaas(String user, String password) {
            return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                    + "\" password=\"" + password + "\";";
        }

        /** The listeners: SASL_SSL for clients and the broker itself, the controller's PLAINTEXT internal. */
        Map<String, String> brokerProperties(int brokerPort, int controllerPort) {
            Map<String, String> p = new HashMap<>();
            p.put("listeners", "SASL_SSL://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", "SASL_SSL://127.0.0.1:" + brokerPort);
            p.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
            p.put("inter.broker.listener.name", "SASL_SSL");
            p.put("sasl.enabled.mechanisms", SASL_MECHANISM);
            p.put("sasl.mechanism.inter.broker.protocol", SASL_MECHANISM);
            p.put(
                    "listener.name.sasl_ssl." + SASL_MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
                    jaas(brokerUser, brokerPassword));
            p.put("ssl.keystore.type", "PKCS12");
            p.put("ssl.keystore.location", keystore.toString());
            p.put("ssl.keystore.password", storePassword);
            p.put("ssl.key.password", storePassword);
            p.put("ssl.truststore.type", "PKCS12");
            p.put("ssl.truststore.location", truststore.toString());
            p.put("ssl.truststore.password", storePassword);
            return p;
        }

        /** StorageTool's flags that create both SCRAM users. */
        List<String> scramCredentials() {
            return List.of(
                    "--add-scram",
                    SASL_MECHANISM + "=[name=" + user + ",password=" + password + "]",
                    "--add-scram",
                    SASL_MECHANISM + "=[name=" + brokerUser + ",password=" + brokerPassword + "]");
        }

        /** What a client sets: the protocol, the mechanism, its login, and trust in the broker's certificate. */
        Map<String, String> clientProperties() {
            Map<String, String> p = new TreeMap<>();
            p.put("security.protocol", "SASL_SSL");
            p.put("sasl.mechanism", SASL_MECHANISM);
            p.put("sasl.jaas.config", jaas(user, password));
            p.put("ssl.truststore.type", "PKCS12");
            p.put("ssl.truststore.location", truststore.toString());
            p.put("ssl.truststore.password", storePassword);
            return Collections.unmodifiableMap(p);
        }
    }
}
