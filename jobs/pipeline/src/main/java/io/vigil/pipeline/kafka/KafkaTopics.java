package io.vigil.pipeline.kafka;

import io.vigil.records.wire.Credentials;
import io.vigil.settings.KafkaClients;
import io.vigil.settings.Topic;
import io.vigil.settings.VigilConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates Vigil's topics, with the names and partition counts of {@link VigilConfig}, and waits for a broker and
 * the topics a job needs before the job starts.
 */
public final class KafkaTopics {
    /** How long one look at the broker may take, and how often a look that failed is repeated. */
    public static final Duration RETRY = Duration.ofSeconds(5);

    private static final String RETENTION_MS = "retention.ms";
    private static final String RETENTION_BYTES = "retention.bytes";

    private KafkaTopics() {}

    /**
     * Returns once a broker at the bootstrap servers answers and has every one of {@code topics}. Until then it
     * looks again every {@code every}, and tells {@code say} after each look that failed why it waits (no broker
     * answers, or which topics are missing) and for how long it has: a job started against a broker that is down
     * would otherwise sit silent, its sources retrying inside. The servers are named with any credentials hidden.
     *
     * @throws InterruptedException when the thread is interrupted while it waits (the user stopped the command)
     * @throws RefusedException when the brokers refuse the Kafka client properties (authentication failed, not
     *     authorized): waiting would not help, and a job started anyway would fail and restart for ever
     * @throws ConfigException when a Kafka client property has a value Kafka does not take
     */
    public static void awaitBrokerAndTopics(
            VigilConfig config, List<String> topics, Duration every, Consumer<String> say)
            throws InterruptedException, RefusedException {
        String servers = Credentials.redact(config.bootstrapServers());
        long started = System.nanoTime();
        int failed = 0;
        Admin admin = null;
        try {
            while (true) {
                long lookStarted = System.nanoTime();
                String problem;
                try {
                    if (admin == null) {
                        admin = Admin.create(adminProperties(config, every));
                    }
                    problem = problem(admin, servers, topics, every);
                } catch (ConfigException e) {
                    throw e;
                } catch (KafkaException e) {
                    // a host name that does not resolve (yet: a broker's DNS name may come up after Vigil)
                    problem = "cannot connect to Kafka at " + servers + ": " + Credentials.redact(rootMessage(e));
                }
                if (problem == null) {
                    if (failed > 0) {
                        say.accept("Kafka at " + servers + " answers and has the topics; starting");
                    }
                    return;
                }
                failed++;
                say.accept(String.format(
                        Locale.ROOT,
                        "%s; retrying every %d s (waiting for %d s)",
                        problem,
                        every.toSeconds(),
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
                long rest = every.toNanos() - (System.nanoTime() - lookStarted);
                if (rest > 0) {
                    TimeUnit.NANOSECONDS.sleep(rest);
                }
            }
        } finally {
            if (admin != null) {
                admin.close(Duration.ZERO);
            }
        }
    }

    /** Why the job cannot start on this broker yet, or null when it can. */
    private static String problem(Admin admin, String servers, List<String> topics, Duration within)
            throws InterruptedException, RefusedException {
        long ms = within.toMillis();
        Set<String> existing;
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) ms))
                    .nodes()
                    .get(ms + 1000, TimeUnit.MILLISECONDS);
            existing = admin.listTopics(new ListTopicsOptions().timeoutMs((int) ms))
                    .names()
                    .get(ms + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return unreachable(servers, within);
        } catch (ExecutionException e) {
            if (KafkaClients.isRefusal(e)) {
                throw new RefusedException("the brokers at " + servers + " refused: " + KafkaClients.failure(e));
            }
            if (e.getCause() instanceof RetriableException) { // Kafka's own timeout among them
                return unreachable(servers, within);
            }
            return "Kafka at " + servers + " refuses: " + Credentials.redact(String.valueOf(e.getCause()));
        }
        List<String> missing =
                topics.stream().filter(t -> !existing.contains(t)).toList();
        return missing.isEmpty()
                ? null
                : "Kafka at " + servers + " has no topic " + String.join(", ", missing)
                        + " (vigil topics creates them)";
    }

    /** The message of the innermost cause that has one ("Invalid url", "No resolvable bootstrap urls"). */
    private static String rootMessage(Throwable e) {
        String message = e.getMessage();
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
    }

    private static String unreachable(String servers, Duration within) {
        return "no Kafka broker answers at " + servers + " (bootstrap.servers) within " + within.toSeconds() + " s";
    }

    private static Properties adminProperties(VigilConfig config, Duration timeout) {
        int ms = (int) timeout.toMillis();
        return config.kafkaClient(Map.of(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms,
                AdminClientConfig.CLIENT_ID_CONFIG, "vigil-broker-check"));
    }

    /** The brokers refused Vigil's credentials or rights; the message names why, secrets hidden. */
    public static final class RefusedException extends Exception {
        RefusedException(String message) {
            super(message);
        }
    }

    /** Creation returns when the controller has the topic; producers need its partitions led by a broker. */
    private static void awaitLeaders(Admin admin, List<String> topics) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!topics.isEmpty()) {
            try {
                boolean ready = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
                        .allMatch(d -> d.partitions().stream()
                                .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (ready) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                // not visible yet on the broker we asked
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + topics + " were created but have no leader after 30 s");
            }
            Thread.sleep(100);
        }
    }

    /**
     * What is wrong, for a job started afresh, with the retention of the topics Vigil keeps every message of
     * ({@link Topic#keptForGood()}: the model and assignments topics) where they exist and delete: created by hand or
     * before Vigil kept them, or under a broker-wide size limit. Each line names the topic, what is lost and the
     * command that fixes it. A topic the brokers will not describe (missing, no right to) is skipped: the job does not
     * need the answer.
     */
    public static List<String> retentionProblems(VigilConfig config) {
        Map<ConfigResource, Topic> kept = new LinkedHashMap<>();
        for (Topic topic : Topic.values()) {
            if (topic.keptForGood()) {
                kept.put(new ConfigResource(ConfigResource.Type.TOPIC, config.topic(topic)), topic);
            }
        }
        List<String> problems = new ArrayList<>();
        try (Admin admin = Admin.create(adminProperties(config, RETRY))) {
            Map<ConfigResource, KafkaFuture<Config>> described =
                    admin.describeConfigs(kept.keySet()).values();
            for (Map.Entry<ConfigResource, Topic> topic : kept.entrySet()) {
                Config settings;
                try {
                    settings = described.get(topic.getKey()).get(RETRY.toMillis() + 1000, TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    continue;
                }
                String problem = retentionProblem(topic.getKey().name(), topic.getValue(), settings);
                if (problem != null) {
                    problems.add(problem);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (KafkaException e) {
            // no admin client (a bootstrap address that does not resolve): the job's own wait says why
        }
        return problems;
    }

    /** What a topic kept for good loses with these settings, and how to fix it; null: nothing. */
    private static String retentionProblem(String name, Topic topic, Config settings) {
        ConfigEntry policy = settings.get("cleanup.policy");
        if (policy != null && policy.value() != null && !policy.value().contains("delete")) {
            return null; // compacted only: the user's choice, and retention does not apply
        }
        List<String> limits = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        long ms = limit(settings, RETENTION_MS);
        if (ms >= 0) {
            limits.add(String.format(
                    Locale.ROOT,
                    "after %s (%s=%d)",
                    Duration.ofMillis(ms).toString().substring(2).toLowerCase(Locale.ROOT),
                    RETENTION_MS,
                    ms));
            fixes.add(RETENTION_MS + "=-1");
        }
        // a size limit deletes the oldest segments and keeps the newest: the model topic keeps its latest release,
        // the assignments topic loses the STARTs of the jobs that have run longest
        long bytes = topic == Topic.ASSIGNMENTS ? limit(settings, RETENTION_BYTES) : -1;
        if (bytes >= 0) {
            limits.add(
                    String.format(Locale.ROOT, "beyond %d bytes a partition (%s=%d)", bytes, RETENTION_BYTES, bytes));
            fixes.add(RETENTION_BYTES + "=-1");
        }
        if (limits.isEmpty()) {
            return null;
        }
        String lost = topic == Topic.ASSIGNMENTS
                ? "a training job whose START it deleted is unattributed until its next START"
                : "the last model released before what it deleted is not used";
        return String.format(
                Locale.ROOT,
                "topic %s deletes messages %s: a job started afresh reads it from its beginning, and %s; kafka-configs.sh"
                        + " --bootstrap-server ... --alter --entity-type topics --entity-name %s --add-config %s",
                name,
                String.join(" and ", limits),
                lost,
                name,
                String.join(",", fixes));
    }

    /** A topic's size or time limit; -1 (none) where it has none or one Kafka would not write. */
    private static long limit(Config settings, String name) {
        ConfigEntry entry = settings.get(name);
        if (entry == null || entry.value() == null) {
            return -1;
        }
        try {
            return Long.parseLong(entry.value().strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Creates every topic of {@link Topic} that does not exist yet. Existing topics are left as they are.
     *
     * @return the names of the topics created now
     */
    public static List<String> createAll(VigilConfig config) {
        try (Admin admin =
                Admin.create(config.kafkaClient(Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000)))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> wanted = new ArrayList<>();
            for (Topic topic : Topic.values()) {
                if (!existing.contains(config.topic(topic))) {
                    short rf = config.replicationFactor();
                    wanted.add(new NewTopic(
                                    config.topic(topic),
                                    Optional.of(config.partitions(topic)),
                                    rf < 0 ? Optional.empty() : Optional.of(rf))
                            .configs(topic.kafkaSettings()));
                }
            }
            List<String> created = new ArrayList<>();
            for (Map.Entry<String, KafkaFuture<Void>> e :
                    admin.createTopics(wanted).values().entrySet()) {
                try {
                    e.getValue().get(30, TimeUnit.SECONDS);
                    created.add(e.getKey());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "could not create topic " + e.getKey() + ": " + KafkaClients.failure(ex.getCause()),
                                ex.getCause());
                    }
                }
            }
            awaitLeaders(admin, created);
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "could not reach Kafka at " + config.bootstrapServers() + ": " + KafkaClients.failure(e), e);
        }
    }
}
