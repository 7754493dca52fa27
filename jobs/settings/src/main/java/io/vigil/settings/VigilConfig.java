package io.vigil.settings;

import io.vigil.records.InputBounds;
import io.vigil.records.formats.Formats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Every Vigil setting, once: key, type, default, validation and one line of doc (Kafka's ConfigDef).
 * The command line turns each into a flag ({@code topic.flows} → {@code --topic-flows}), jobs read them
 * from here, and the deploy files set the same keys. Kafka client properties ride along as
 * {@code kafka.<property>} ({@link KafkaClients}): passed to every Kafka client, those Vigil keeps to itself refused.
 */
public final class VigilConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String TOPIC_REPLICATION_FACTOR = "topic.replication.factor";
    public static final String GROUP_ID = "group.id";
    public static final String WINDOW_SIZE_MS = "window.size.ms";
    public static final String OUT_OF_ORDERNESS_MS = "watermark.out.of.orderness.ms";
    public static final String IDLENESS_MS = "watermark.idleness.ms";
    public static final String ASSIGNMENT_IDLENESS_MS = "watermark.idleness.assignments.ms";
    public static final String ALIGNMENT_MAX_DRIFT_MS = "watermark.alignment.max-drift-ms";
    public static final String INPUT_MAX_POLL_RECORDS = "input.max.poll.records";
    public static final String WATERMARK_INTERVAL_MS = "watermark.interval.ms";
    public static final String NETWORK_BUFFER_TIMEOUT_MS = "network.buffer.timeout.ms";
    public static final String DESTINATION_LOOKBACK_MS = "destination.lookback.ms";
    public static final String FLEET_WARMUP_MS = "destination.warmup.ms";
    public static final String JOB_IDLE_TIMEOUT_MS = "job.idle.timeout.ms";
    public static final String ATTRIBUTION_MAX_WAITING = "attribution.max.waiting";
    public static final String INTERNAL_CIDRS = "network.internal.cidrs";
    public static final String EVIDENCE_TOP_DESTINATIONS = "alert.evidence.destinations";
    public static final String ALERT_FORMAT = "alert.format";
    public static final String INCIDENT_UPDATE_INTERVAL_MS = "incident.update.interval.ms";
    public static final String INCIDENT_CLOSE_QUIET_WINDOWS = "incident.close.quiet.windows";
    public static final String CHECKPOINT_INTERVAL_MS = "checkpoint.interval.ms";
    public static final String CHECKPOINT_DIR = "checkpoint.dir";
    public static final String PARALLELISM = "parallelism";
    public static final String MODEL_PATH = "model.path";
    public static final String MODEL_TRUSTED_KEYS = "model.trusted.keys";
    public static final String ALLOW_UNSIGNED_MODELS = "allow.unsigned.models";
    public static final String OUTPUT_DELIVERY = "output.delivery";
    public static final String DELIVERY_AT_LEAST_ONCE = "at-least-once";
    public static final String DELIVERY_EXACTLY_ONCE = "exactly-once";
    public static final String TRANSACTIONAL_ID_PREFIX = "alerts.transactional.id.prefix";
    public static final String TRANSACTION_TIMEOUT_MS = "alerts.transaction.timeout.ms";
    public static final String FLOW_FORMAT = "flow.format";
    public static final String GPU_FORMAT = "gpu.format";
    public static final String INPUT_NODE = "input.node";
    public static final String INPUT_TIME_FLOOR_MS = "input.time.floor.ms";
    public static final String INPUT_FUTURE_MARGIN_MS = "input.time.future.margin.ms";
    public static final String INPUT_SPAN_MARGIN_MS = "input.time.span.margin.ms";
    public static final String INPUT_LINK_MAX_BPS = "input.link.max.bps";
    public static final String INPUT_MAX_LINE_BYTES = "input.max.line.bytes";
    public static final String INPUT_STRICT = "input.strict";

    public static final String ALERT_FORMAT_AVRO = "avro";
    public static final String ALERT_FORMAT_JSON = "json";
    public static final String ALERT_FORMAT_OCSF = "ocsf";

    /** input.max.poll.records when it is 0 and watermark alignment is on. */
    public static final int ALIGNED_MAX_POLL_RECORDS = 100;

    public static final ConfigDef DEF = define();

    private static ConfigDef define() {
        ConfigDef def = new ConfigDef()
                .define(
                        BOOTSTRAP_SERVERS,
                        Type.STRING,
                        "127.0.0.1:9092",
                        Importance.HIGH,
                        "Kafka bootstrap servers, host:port[,host:port...].")
                .define(
                        SCHEMA_REGISTRY_URL,
                        Type.STRING,
                        "",
                        Importance.MEDIUM,
                        "Schema registry URL. Empty: Avro single-object encoding (fingerprint in each message);"
                                + " set: Confluent wire format (magic byte + schema id) against this registry.")
                .define(
                        TOPIC_REPLICATION_FACTOR,
                        Type.SHORT,
                        (short) -1,
                        Importance.LOW,
                        "Replication factor for topics Vigil creates; -1 takes the broker's default.")
                .define(
                        GROUP_ID,
                        Type.STRING,
                        "vigil-detect",
                        new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM,
                        "Kafka consumer group of the detect job (offsets are committed on checkpoints).")
                .define(
                        WINDOW_SIZE_MS,
                        Type.LONG,
                        60_000L,
                        Range.atLeast(1_000),
                        Importance.HIGH,
                        "Length of each job's tumbling event-time window, ms.")
                .define(
                        OUT_OF_ORDERNESS_MS,
                        Type.LONG,
                        10_000L,
                        Range.atLeast(0),
                        Importance.HIGH,
                        "How far out of order records may arrive (bounded out-of-orderness of the watermarks), ms;"
                                + " later records are dead letters with reason late.")
                .define(
                        IDLENESS_MS,
                        Type.LONG,
                        30_000L,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "A Kafka partition or file with no records for this long stops holding back the watermark, ms;"
                                + " 0 never.")
                .define(
                        ASSIGNMENT_IDLENESS_MS,
                        Type.LONG,
                        1_000L,
                        Range.atLeast(0),
                        Importance.LOW,
                        "The same for a partition of the scheduler's assignments once it has caught up (been idle once):"
                                + " they are sparse, and after each START or STOP their partition holds back every window"
                                + " until it counts as idle again, so this bounds the alert delay a scheduler event adds, ms;"
                                + " 0 takes watermark.idleness.ms; with that one 0 (never idle), this one is never used either.")
                .define(
                        ALIGNMENT_MAX_DRIFT_MS,
                        Type.LONG,
                        60_000L,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "Kafka input: a partition whose watermark is this far ahead of the slowest active partition"
                                + " (idle ones do not count) is paused until the others catch up, so that reading a"
                                + " backlog does not fill state with records the watermark has not reached, ms; 0 off"
                                + " (Flink's split-level watermark alignment). Records wait in state for up to about this"
                                + " plus twice watermark.out.of.orderness.ms of event time (live: once), and a backlog is"
                                + " read at most this much event time per 200 ms (60 s: 300 times live pace).")
                .define(
                        WATERMARK_INTERVAL_MS,
                        Type.LONG,
                        100L,
                        Range.between(1, 10_000),
                        Importance.LOW,
                        "How often the readers emit watermarks, ms (Flink's default: 200). A window's result waits for"
                                + " the next watermark after its end has passed: up to this long. Each one also wakes every"
                                + " operator downstream.")
                .define(
                        NETWORK_BUFFER_TIMEOUT_MS,
                        Type.LONG,
                        50L,
                        Range.between(0, 10_000),
                        Importance.LOW,
                        "How long a network buffer between two tasks may wait to fill before it is sent, ms (Flink's"
                                + " default: 100; 0 sends every record at once). A watermark may wait this long at each of"
                                + " the job's exchanges (about four to an alert). Every task's output is woken this often,"
                                + " busy or not: at 10 ms the flushers alone took 5 to 8 % of the job's CPU, at 50 ms 1 to"
                                + " 3 % (BENCHMARKS.md).")
                .define(
                        INPUT_MAX_POLL_RECORDS,
                        Type.INT,
                        0,
                        Range.atLeast(0),
                        Importance.LOW,
                        "Kafka input (flows, samples, assignments): at most this many records per poll of a reader"
                                + " (Kafka's max.poll.records for that source). When watermark alignment pauses a"
                                + " partition, what the reader has already polled still goes out (the batch being handed"
                                + " on and up to two queued), and waits in state: this bounds it. Each poll is one"
                                + " hand-over between the fetcher and the task thread: Kafka's 500 reads a backlog with"
                                + " a third less CPU in the fetcher (3 % of the job's) and about twice the state ahead of"
                                + " the watermark (BENCHMARKS.md)."
                                + " 0: " + ALIGNED_MAX_POLL_RECORDS + " with watermark alignment on, Kafka's "
                                + ConsumerConfig.DEFAULT_MAX_POLL_RECORDS + " with it off (nothing is paused then).")
                .define(
                        DESTINATION_LOOKBACK_MS,
                        Type.LONG,
                        24 * 3_600_000L,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "How far back 'how many jobs talk to this destination' looks, ms.")
                .define(
                        FLEET_WARMUP_MS,
                        Type.LONG,
                        10 * 60_000L,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "After starting from empty state, how long the pipeline watches the fleet before it calls any"
                                + " destination rare (used by only one job), ms: a fleet-wide object store's first upload"
                                + " would otherwise look like exfiltration. Restored state keeps what it has learned.")
                .define(
                        JOB_IDLE_TIMEOUT_MS,
                        Type.LONG,
                        3_600_000L,
                        Range.atLeast(1_000),
                        Importance.LOW,
                        "A job with no window for this long loses its state (for jobs that never send STOP), ms.")
                .define(
                        ATTRIBUTION_MAX_WAITING,
                        Type.INT,
                        10_000,
                        Range.atLeast(0),
                        Importance.LOW,
                        "Records per address (and attribution subtask) that may wait for their assignment; beyond it they"
                                + " are decided at once.")
                .define(
                        INTERNAL_CIDRS,
                        Type.LIST,
                        "",
                        Importance.MEDIUM,
                        "The cluster's own address ranges (CIDR, comma-separated); empty: RFC 1918, CGNAT,"
                                + " link-local, loopback and IPv6 ULA.")
                .define(
                        EVIDENCE_TOP_DESTINATIONS,
                        Type.INT,
                        8,
                        Range.between(1, 100),
                        Importance.LOW,
                        "Destinations listed as evidence in each alert.")
                .define(
                        ALERT_FORMAT,
                        Type.STRING,
                        ALERT_FORMAT_AVRO,
                        ConfigDef.ValidString.in(ALERT_FORMAT_AVRO, ALERT_FORMAT_JSON, ALERT_FORMAT_OCSF),
                        Importance.HIGH,
                        "Format of the alert topic's messages: avro (Vigil's Alert record, framed like every record"
                                + " of Vigil's: single-object encoding or the schema registry's), json (the same record"
                                + " as one JSON object), ocsf (an OCSF 1.3.0 Detection Finding, class 2004, as JSON: for"
                                + " a SIEM). vigil alerts reads each; demo and replay read avro.")
                .define(
                        INCIDENT_UPDATE_INTERVAL_MS,
                        Type.LONG,
                        10 * 60_000L,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "While an incident goes on, an UPDATE alert at its first flagged window this long (event"
                                + " time) after its last alert, even when no category joined and the severity did not"
                                + " rise, ms; 0: only those changes update it.")
                .define(
                        INCIDENT_CLOSE_QUIET_WINDOWS,
                        Type.INT,
                        5,
                        Range.between(1, 1_000),
                        Importance.MEDIUM,
                        "An incident closes after this many windows in a row below the threshold (or without data);"
                                + " a flagged window within them carries the incident on, so a pause (a scanner's"
                                + " pacing, a tunnel between keep-alives) is not a new incident. A job's STOP closes it"
                                + " at the end of the window the STOP falls in.")
                .define(
                        CHECKPOINT_INTERVAL_MS,
                        Type.LONG,
                        30_000L,
                        Range.atLeast(100),
                        Importance.HIGH,
                        "Checkpoint interval, ms: how much a restart reads again, and, with output.delivery"
                                + " exactly-once, how long alerts wait for the transaction that commits them.")
                .define(
                        CHECKPOINT_DIR,
                        Type.STRING,
                        "",
                        Importance.HIGH,
                        "Checkpoint directory (file://, s3://, ...); empty: the cluster's execution.checkpointing.dir.")
                .define(
                        PARALLELISM,
                        Type.INT,
                        -1,
                        Importance.MEDIUM,
                        "Parallelism of the job; -1: the cluster's default.")
                .define(
                        MODEL_PATH,
                        Type.STRING,
                        "",
                        Importance.HIGH,
                        "Model artifact (from vigil train) to start scoring with; a release on the model topic"
                                + " (vigil publish-model) replaces it while the job runs. Empty: the built-in default model.")
                .define(
                        MODEL_TRUSTED_KEYS,
                        Type.LIST,
                        "",
                        Importance.HIGH,
                        "Ed25519 public key files (PEM, from vigil keygen) whose signed models are accepted, by --model and"
                                + " on the model topic. The built-in default model needs none.")
                .define(
                        ALLOW_UNSIGNED_MODELS,
                        Type.BOOLEAN,
                        false,
                        Importance.HIGH,
                        "Accept model artifacts that are unsigned or signed by a key not in model.trusted.keys (a"
                                + " signature by a trusted key that does not verify is refused regardless).")
                .define(
                        OUTPUT_DELIVERY,
                        Type.STRING,
                        DELIVERY_AT_LEAST_ONCE,
                        ConfigDef.ValidString.in(DELIVERY_AT_LEAST_ONCE, DELIVERY_EXACTLY_ONCE),
                        Importance.HIGH,
                        "How the job writes alerts, windows and dead letters. at-least-once: each as it is made,"
                                + " seen by consumers within about a second; a restart after a failure writes those"
                                + " since the last checkpoint again, with the same alert_id (windows: the same job and"
                                + " window), which consumers deduplicate on. exactly-once: in Kafka transactions"
                                + " committed on each checkpoint: never twice to a read_committed consumer, but seen"
                                + " only after the next checkpoint (up to checkpoint.interval.ms later).")
                .define(
                        TRANSACTIONAL_ID_PREFIX,
                        Type.STRING,
                        "vigil-alerts",
                        new ConfigDef.NonEmptyString(),
                        Importance.LOW,
                        "Kafka transactional id prefix of the sinks (output.delivery exactly-once); unique per job on a Kafka"
                                + " cluster.")
                .define(
                        TRANSACTION_TIMEOUT_MS,
                        Type.INT,
                        600_000,
                        Range.between(1_000, 900_000),
                        Importance.LOW,
                        "Kafka transaction timeout of the sinks (output.delivery exactly-once), ms; at most the broker's"
                                + " transaction.max.timeout.ms.")
                .define(
                        FLOW_FORMAT,
                        Type.STRING,
                        Formats.VIGIL,
                        ConfigDef.ValidString.in(Formats.FLOW_FORMATS.toArray(String[]::new)),
                        Importance.HIGH,
                        "Format of the flow input: vigil (canonical: Avro on Kafka, JSON lines in files),"
                                + " vigil-json, vigil-avro, goflow2 (goflow2 JSON: NetFlow v5/v9, IPFIX, sFlow), zeek-tsv"
                                + " (Zeek conn.log), zeek-json, vpc (AWS VPC Flow Logs). On Kafka a text format has one"
                                + " line per message; in a dataset the flows file is named for its format (see README).")
                .define(
                        GPU_FORMAT,
                        Type.STRING,
                        Formats.VIGIL,
                        ConfigDef.ValidString.in(Formats.GPU_FORMATS.toArray(String[]::new)),
                        Importance.HIGH,
                        "Format of the GPU sample input: vigil (canonical: Avro on Kafka, JSON lines in files),"
                                + " vigil-json, vigil-avro, dcgm-prometheus (dcgm-exporter's /metrics text; on Kafka one scrape"
                                + " per message, timed by the message), nvidia-smi-csv (--query-gpu and --query-compute-apps CSV).")
                .define(
                        INPUT_NODE,
                        Type.STRING,
                        "",
                        Importance.MEDIUM,
                        "Node name for records of foreign formats (flows and GPU samples); overrides what the format says"
                                + " (goflow2's sampler address, a VPC record's instance or interface id, DCGM's Hostname)."
                                + " Empty: the format's own, else 'unknown'.")
                .define(
                        INPUT_TIME_FLOOR_MS,
                        Type.LONG,
                        InputBounds.DEFAULT_EPOCH_FLOOR_MS,
                        Range.atLeast(0),
                        Importance.LOW,
                        "Input records with an event time before this (epoch ms; default 2000-01-01) are dead letters"
                                + " past_time: an unset clock says 1970, and no exporter Vigil reads is older.")
                .define(
                        INPUT_FUTURE_MARGIN_MS,
                        Type.LONG,
                        InputBounds.DEFAULT_FUTURE_MARGIN_MS,
                        // Kafka 4 brokers refuse records stamped more than an hour ahead
                        // (log.message.timestamp.after.max.ms): a window or alert of a record accepted further ahead
                        // could not be written, and the job would fail on it
                        Range.between(0, Duration.ofHours(1).toMillis()),
                        Importance.LOW,
                        "Live input (Kafka): records whose event time is more than this ahead of the clock are dead"
                                + " letters future_time, ms (at most an hour: Kafka brokers refuse records stamped further"
                                + " ahead). Exporters report intervals after they end, so this only covers clock skew, and"
                                + " it bounds how far one record can move its partition's watermark.")
                .define(
                        INPUT_SPAN_MARGIN_MS,
                        Type.LONG,
                        InputBounds.DEFAULT_SPAN_MARGIN_MS,
                        Range.atLeast(60_000),
                        Importance.LOW,
                        "Files (replay): records more than this from the median time of the records around them in their"
                                + " file (blocks of " + InputBounds.SPAN_BLOCK
                                + ") are dead letters future_time or past_time, ms."
                                + " A recording has no 'now'; its own times are the reference.")
                .define(
                        INPUT_LINK_MAX_BPS,
                        Type.LONG,
                        InputBounds.DEFAULT_LINK_BITS_PER_SECOND,
                        Range.atLeast(1_000_000),
                        Importance.LOW,
                        "The fastest link a flow can cross, bits/s: a flow with more bytes (or minimum-size packets) per"
                                + " direction than this carries in its duration plus 1 s is a dead letter out_of_range.")
                .define(
                        INPUT_MAX_LINE_BYTES,
                        Type.INT,
                        InputBounds.DEFAULT_MAX_LINE_BYTES,
                        Range.atLeast(1_024),
                        Importance.LOW,
                        "Longest line of a text input (or text message on Kafka), bytes; longer ones are dead letters"
                                + " too_large, skipped without being held in memory.")
                .define(
                        INPUT_STRICT,
                        Type.BOOLEAN,
                        false,
                        Importance.LOW,
                        "Replay: a truncated or corrupt input file (a cut .gz) stops with exit code 2 naming the file,"
                                + " instead of a warning and a dead letter truncated (what was read is kept either way).");
        for (Topic topic : Topic.values()) {
            def.define(
                    topic.nameSetting(),
                    Type.STRING,
                    topic.defaultName(),
                    new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM,
                    "Topic: " + topic.doc() + ".");
            def.define(
                    topic.partitionsSetting(),
                    Type.INT,
                    topic.defaultPartitions(),
                    Range.atLeast(1),
                    Importance.LOW,
                    "Partitions of " + topic.nameSetting() + " when Vigil creates it.");
        }
        for (String key : def.names()) {
            if (key.startsWith(KafkaClients.PREFIX)) {
                throw new IllegalStateException(
                        key + ": the prefix " + KafkaClients.PREFIX + " is for Kafka client properties");
            }
        }
        return def;
    }

    /**
     * @throws ConfigException for a value a setting does not take, or a Kafka client property Vigil keeps to itself
     */
    public VigilConfig(Map<String, ?> values) {
        super(DEF, values, false);
        Map<String, String> kafka = kafkaProperties();
        KafkaClients.hideSecrets(kafka);
        KafkaClients.refuseVigilsOwn(kafka);
    }

    public static VigilConfig defaults() {
        return new VigilConfig(Collections.emptyMap());
    }

    /** A copy with some settings changed. */
    public VigilConfig with(Map<String, ?> overrides) {
        Map<String, Object> merged = new HashMap<>(originals());
        merged.putAll(overrides);
        return new VigilConfig(merged);
    }

    public String bootstrapServers() {
        return getString(BOOTSTRAP_SERVERS);
    }

    /** The user's Kafka client properties ({@code kafka.*} without the prefix), in name order. */
    public Map<String, String> kafkaProperties() {
        Map<String, String> properties = new TreeMap<>();
        originalsWithPrefix(KafkaClients.PREFIX).forEach((k, v) -> properties.put(k, text(v)));
        return properties;
    }

    /**
     * The properties of one of Vigil's Kafka clients: Vigil's choices a user may change ({@code tunable}), the user's
     * Kafka client properties over them, and bootstrap.servers. The caller sets what Vigil keeps to itself after
     * these ({@link KafkaClients#vigilsOwn}: a user's value for one is refused when the settings are made).
     */
    public Properties kafkaClient(Map<String, ?> tunable) {
        Properties client = new Properties();
        client.putAll(tunable);
        client.putAll(kafkaProperties());
        client.put(BOOTSTRAP_SERVERS, bootstrapServers());
        return client;
    }

    /** {@link #kafkaClient(Map)} with nothing tunable of Vigil's. */
    public Properties kafkaClient() {
        return kafkaClient(Map.of());
    }

    private static String text(Object value) {
        return value instanceof Password p ? p.value() : String.valueOf(value);
    }

    /**
     * Records per poll of a Kafka input reader: input.max.poll.records, or if it is 0, {@value
     * #ALIGNED_MAX_POLL_RECORDS} when watermark alignment may pause a partition (a read that is not {@code bounded},
     * with a drift above 0) and Kafka's own otherwise.
     */
    public int inputMaxPollRecords(boolean bounded) {
        int set = getInt(INPUT_MAX_POLL_RECORDS);
        if (set > 0) {
            return set;
        }
        boolean aligned = !bounded && getLong(ALIGNMENT_MAX_DRIFT_MS) > 0;
        return aligned ? ALIGNED_MAX_POLL_RECORDS : ConsumerConfig.DEFAULT_MAX_POLL_RECORDS;
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

    /** The bounds input records must meet ({@code input.*}). */
    public InputBounds inputBounds() {
        return new InputBounds(
                getLong(INPUT_TIME_FLOOR_MS),
                getLong(INPUT_FUTURE_MARGIN_MS),
                getLong(INPUT_SPAN_MARGIN_MS),
                getLong(INPUT_LINK_MAX_BPS),
                getInt(INPUT_MAX_LINE_BYTES));
    }

    /** The keys, in definition order, for --help and docs. */
    public static List<String> keys() {
        return new ArrayList<>(DEF.configKeys().keySet());
    }
}
