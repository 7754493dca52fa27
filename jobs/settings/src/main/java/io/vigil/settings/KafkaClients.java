package io.vigil.settings;

import io.vigil.records.wire.Credentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * Kafka client properties: what a user gives every Kafka client a verb creates (security.protocol, sasl.*, ssl.*,
 * timeouts, ...), which of them Vigil keeps to itself, and which are secret.
 *
 * <p>They come, last wins, from {@code kafka.}-prefixed keys of a settings file ({@code --config}), a
 * {@code --kafka-config} properties file (what Kafka's own tools take as {@code --command-config}) and repeatable
 * {@code --kafka-property KEY=VALUE} flags (Kafka's {@code --producer-property}). {@link VigilConfig} carries them as
 * {@code kafka.<property>} and hands them to every client ({@link VigilConfig#kafkaClient}).
 */
public final class KafkaClients {
    /** The prefix of Kafka client properties among Vigil's settings. */
    public static final String PREFIX = "kafka.";

    /**
     * Properties Vigil sets on its clients itself, and why: a user's value for one is refused, never silently
     * overridden (exactly once depends on most of them).
     */
    private static final Map<String, String> VIGILS_OWN = defineVigilsOwn();

    /** Kafka's own secret properties (its ConfigDef type PASSWORD): sasl.jaas.config, ssl.*.password, ssl.keystore.key... */
    private static final Set<String> KAFKA_PASSWORDS = kafkaPasswords();

    /** Words that make a property's value secret wherever they stand in its name. */
    private static final Pattern SECRET_NAME =
            Pattern.compile("password|secret|token|credential|jaas|(^|[._-])key($|[._-])|user[._-]info");

    /** {@code name="value"} pairs in a JAAS configuration: its password options are secrets of their own. */
    private static final Pattern JAAS_OPTION = Pattern.compile("([A-Za-z0-9_.-]+)\\s*=\\s*\"([^\"]*)\"");

    private KafkaClients() {}

    private static Map<String, String> defineVigilsOwn() {
        Map<String, String> own = new LinkedHashMap<>();
        own.put("bootstrap.servers", "it is Vigil's setting bootstrap.servers (--bootstrap-servers)");
        own.put("group.id", "it is Vigil's setting group.id (--group-id)");
        own.put(
                "transactional.id",
                "the alert sink names its transactions from alerts.transactional.id.prefix"
                        + " (--alerts-transactional-id-prefix)");
        own.put(
                "transaction.timeout.ms",
                "it is Vigil's setting alerts.transaction.timeout.ms (--alerts-transaction-timeout-ms)");
        own.put(
                "isolation.level",
                "Vigil reads with read_committed: alerts and windows are written in transactions, and only"
                        + " committed ones count");
        own.put("enable.idempotence", "exactly-once writes need idempotent producers");
        own.put(
                "acks",
                "Vigil writes with acks=all: exactly-once writes need it, and a model release or a GPU sample must"
                        + " not be lost");
        own.put(
                "max.in.flight.requests.per.connection",
                "Vigil's input producers keep one request in flight: with more, a just-created partition can lose its"
                        + " first batch on brokers before Kafka 4.5 (KAFKA-15591)");
        own.put(
                "max.poll.records",
                "it is Vigil's setting input.max.poll.records (--input-max-poll-records) for the detect job's input");
        own.put("enable.auto.commit", "the detect job commits its offsets with its checkpoints");
        own.put(
                "auto.offset.reset",
                "the detect job starts from its group's committed offsets, else from the earliest");
        for (String serde :
                new String[] {"key.serializer", "value.serializer", "key.deserializer", "value.deserializer"}) {
            own.put(serde, "Vigil frames its records itself (bytes on the wire)");
        }
        return own;
    }

    private static Set<String> kafkaPasswords() {
        Set<String> passwords = new HashSet<>();
        for (ConfigDef def :
                new ConfigDef[] {ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef()
                }) {
            def.configKeys().forEach((name, key) -> {
                if (key.type == ConfigDef.Type.PASSWORD) {
                    passwords.add(name);
                }
            });
        }
        return passwords;
    }

    /** The properties Vigil keeps to itself, by name, with why (for docs and messages). */
    public static Map<String, String> vigilsOwn() {
        return Collections.unmodifiableMap(VIGILS_OWN);
    }

    /**
     * Whether a property's value is secret: Kafka types it PASSWORD, or its name says so (password, secret, token,
     * credentials, jaas, key, user info: basic.auth.user.info, ssl.keystore.key, sasl.oauthbearer.client.credentials...).
     */
    public static boolean isSecret(String property) {
        return KAFKA_PASSWORDS.contains(property)
                || SECRET_NAME.matcher(property.toLowerCase(Locale.ROOT)).find();
    }

    /** A property's value as it may be shown: {@code [hidden]} for a secret one, else with URL credentials hidden. */
    public static String shown(String property, String value) {
        return isSecret(property) ? Credentials.HIDDEN : Credentials.redact(value);
    }

    /** Properties as they may be shown ({@link #shown}), sorted by name. */
    public static Map<String, String> shown(Map<String, String> properties) {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach((k, v) -> shown.put(k, shown(k, v)));
        return shown;
    }

    /**
     * Refuses the properties Vigil keeps to itself, naming each and why.
     *
     * @throws ConfigException naming no value (a refused property is never secret, but its neighbours may be)
     */
    public static void refuseVigilsOwn(Map<String, String> properties) {
        StringBuilder refused = new StringBuilder();
        for (String name : properties.keySet()) {
            String why = VIGILS_OWN.get(name);
            if (why != null) {
                refused.append(refused.length() == 0 ? "" : "; ")
                        .append("Kafka client property ")
                        .append(name)
                        .append(" is Vigil's own: ")
                        .append(why);
            }
        }
        if (refused.length() > 0) {
            throw new ConfigException(refused + " (remove it from the Kafka client properties)");
        }
    }

    /**
     * Registers the secret values among these properties with {@link Credentials#hide}, so that no message repeats
     * them: the whole value, and the quoted password options inside a JAAS configuration.
     */
    public static void hideSecrets(Map<String, String> properties) {
        properties.forEach((name, value) -> {
            if (value != null && isSecret(name)) {
                Credentials.hide(value);
                Matcher option = JAAS_OPTION.matcher(value);
                while (option.find()) {
                    if (isSecret(option.group(1))) {
                        Credentials.hide(option.group(2));
                    }
                }
            }
        });
    }

    /**
     * Reads a Kafka client properties file, as Kafka's tools read {@code --command-config}.
     *
     * @throws IOException naming the file, never a value in it
     */
    public static Map<String, String> read(Path file) throws IOException {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (IllegalArgumentException e) { // a malformed unicode escape: the message names no value
            throw new IOException(e.getMessage());
        }
        Map<String, String> properties = new LinkedHashMap<>();
        for (String name : new TreeSet<>(props.stringPropertyNames())) {
            properties.put(name, props.getProperty(name));
        }
        hideSecrets(properties);
        return properties;
    }

    /**
     * One {@code KEY=VALUE} of {@code --kafka-property}.
     *
     * @throws IllegalArgumentException without repeating the text (it may be a secret given without its key)
     */
    public static Map.Entry<String, String> parse(String keyValue) {
        int eq = keyValue.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException(
                    "--kafka-property takes KEY=VALUE, and one has " + (eq < 0 ? "no '='" : "no key before its '='"));
        }
        String name = keyValue.substring(0, eq).trim();
        String value = keyValue.substring(eq + 1);
        hideSecrets(Map.of(name, value));
        return Map.entry(name, value);
    }

    /**
     * What a Kafka client's failure means, for a message: an authentication or authorization failure is named as
     * such (a wrong password, a certificate the client does not trust, a missing ACL), otherwise the innermost
     * cause. Secrets are hidden ({@link Credentials#redact}).
     */
    public static String failure(Throwable e) {
        Throwable innermost = e;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationException) {
                return Credentials.redact("authentication failed: " + t.getMessage());
            }
            if (t instanceof AuthorizationException) {
                return Credentials.redact("not authorized: " + t.getMessage());
            }
            innermost = t;
        }
        String message = innermost.getMessage();
        return Credentials.redact(
                message == null || message.isBlank() ? innermost.getClass().getSimpleName() : message);
    }

    /** Whether a Kafka client's failure is that the brokers refused its credentials or its rights. */
    public static boolean isRefusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                return true;
            }
        }
        return false;
    }
}
