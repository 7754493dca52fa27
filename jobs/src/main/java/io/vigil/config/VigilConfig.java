package io.vigil.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Every Vigil setting, once: key, type, default, validation and one line of doc (Kafka's ConfigDef).
 * The command line turns each into a flag ({@code topic.flows} → {@code --topic-flows}), jobs read them
 * from here, and the deploy files set the same keys.
 */
public final class VigilConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String TOPIC_REPLICATION_FACTOR = "topic.replication.factor";

    public static final ConfigDef DEF = define();

    private static ConfigDef define() {
        ConfigDef def = new ConfigDef()
                .define(BOOTSTRAP_SERVERS, Type.STRING, "127.0.0.1:9092", Importance.HIGH,
                        "Kafka bootstrap servers, host:port[,host:port...].")
                .define(SCHEMA_REGISTRY_URL, Type.STRING, "", Importance.MEDIUM,
                        "Schema registry URL. Empty: Avro single-object encoding (fingerprint in each message);"
                                + " set: Confluent wire format (magic byte + schema id) against this registry.")
                .define(TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) -1, Importance.LOW,
                        "Replication factor for topics Vigil creates; -1 takes the broker's default.");
        for (Topic topic : Topic.values()) {
            def.define(topic.nameSetting(), Type.STRING, topic.defaultName(), new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, "Topic: " + topic.doc() + ".");
            def.define(topic.partitionsSetting(), Type.INT, topic.defaultPartitions(), Range.atLeast(1),
                    Importance.LOW, "Partitions of " + topic.nameSetting() + " when Vigil creates it.");
        }
        return def;
    }

    public VigilConfig(Map<String, ?> values) {
        super(DEF, values, false);
    }

    public static VigilConfig defaults() {
        return new VigilConfig(Collections.emptyMap());
    }

    /** A copy with some settings changed. */
    public VigilConfig with(Map<String, ?> overrides) {
        Map<String, Object> merged = new java.util.HashMap<>(originals());
        merged.putAll(overrides);
        return new VigilConfig(merged);
    }

    public String bootstrapServers() {
        return getString(BOOTSTRAP_SERVERS);
    }

    /** The schema registry URL, or null for single-object encoding. */
    public String schemaRegistryUrl() {
        String url = getString(SCHEMA_REGISTRY_URL);
        return url == null || url.isBlank() ? null : url;
    }

    public String topic(Topic topic) {
        return getString(topic.nameSetting());
    }

    public int partitions(Topic topic) {
        return getInt(topic.partitionsSetting());
    }

    public short replicationFactor() {
        return getShort(TOPIC_REPLICATION_FACTOR);
    }

    /** The keys, in definition order, for --help and docs. */
    public static List<String> keys() {
        return new ArrayList<>(DEF.configKeys().keySet());
    }
}
