package io.vigil.settings;

import java.util.Map;

/**
 * Every Kafka topic Vigil reads or writes, once. Names and partition counts are settings
 * ({@code topic.<key>} and {@code topic.<key>.partitions}, see {@link VigilConfig}); these are the defaults.
 */
public enum Topic {
    FLOWS("flows", "vigil.flows", 4, true, "network flow records, keyed by node"),
    GPU("gpu", "vigil.gpu", 4, true, "GPU metric samples, keyed by node"),
    ASSIGNMENTS("assignments", "vigil.assignments", 1, true, "scheduler assignments: job to pod, IP and GPUs"),
    AGENT_EVENTS(
            "agent-events",
            "vigil.agent-events",
            4,
            true,
            "tool calls of agents under training (job, episode, tool, masked command), keyed by job"),
    ALERTS(
            "alerts",
            "vigil.alerts",
            2,
            false,
            "incident transitions (open, update, close), with the delivery output.delivery names"),
    WINDOWS("windows", "vigil.windows", 2, false, "every scored window, for labelling and retraining"),
    EPISODE_FLAGS(
            "episode-flags",
            "vigil.episode-flags",
            2,
            false,
            "agent episodes named by an incident, once per (incident, episode), for the trainer to quarantine"
                    + " (read with read_committed)"),
    DEADLETTER("deadletter", "vigil.deadletter", 1, false, "input records Vigil could not use, with the reason"),
    MODELS("models", "vigil.models", 1, true, "model releases, from publish-model"),
    FEEDBACK(
            "feedback",
            "vigil.feedback",
            1,
            true,
            "analysts' verdicts on alerts, for retraining (compacted: each analyst's latest verdict on each alert)"),
    SUPPRESSIONS("suppressions", "vigil.suppressions", 1, true, "analysts' suppression rules, from vigil suppress");

    /**
     * The model topic's {@code max.message.bytes}: the largest artifact a job reads (the models module's
     * {@code ModelArtifact.MAX_BYTES}, 64 MiB: ModelTopicTest holds the two together) and room for the key.
     */
    public static final int MODEL_MESSAGE_MAX_BYTES = 64 * 1024 * 1024 + 1024 * 1024;

    private final String key;
    private final String defaultName;
    private final int defaultPartitions;
    private final boolean input;
    private final String doc;

    Topic(String key, String defaultName, int defaultPartitions, boolean input, String doc) {
        this.key = key;
        this.defaultName = defaultName;
        this.defaultPartitions = defaultPartitions;
        this.input = input;
        this.doc = doc;
    }

    /** The short name used in setting keys: {@code topic.<key>}. */
    public String key() {
        return key;
    }

    public String defaultName() {
        return defaultName;
    }

    public int defaultPartitions() {
        return defaultPartitions;
    }

    /** Whether Vigil reads this topic (true) or writes it (false). */
    public boolean isInput() {
        return input;
    }

    public String doc() {
        return doc;
    }

    public String nameSetting() {
        return "topic." + key;
    }

    public String partitionsSetting() {
        return "topic." + key + ".partitions";
    }

    /**
     * Kafka topic settings Vigil creates this topic with; the broker's defaults for the rest. The model topic
     * keeps every release (no time-based retention: a job started afresh reads it from the beginning and takes
     * the last good release) and takes releases up to {@link #MODEL_MESSAGE_MAX_BYTES}. The assignments topic keeps
     * every START and STOP for the same reason: a job started afresh reads it whole, and a training job whose START
     * the broker had deleted (7 days, its default) would be unattributed until its next one; a few events per job,
     * and attribution's state stays bounded by the addresses (a hold ends after its job's STOP). The feedback topic is
     * compacted: verdicts are training data kept for good, and a verdict published again (same key: alert and
     * analyst) replaces the earlier one. The suppression topic is
     * compacted too: a job started afresh reads each rule's latest version, and a tombstone removes a rule for good.
     */
    public Map<String, String> kafkaSettings() {
        if (this == MODELS) {
            return Map.of("retention.ms", "-1", "max.message.bytes", String.valueOf(MODEL_MESSAGE_MAX_BYTES));
        }
        if (this == ASSIGNMENTS) {
            // a broker's size limit (log.retention.bytes) would delete the oldest STARTs: the longest-running jobs'
            return Map.of("retention.ms", "-1", "retention.bytes", "-1");
        }
        if (this == FEEDBACK || this == SUPPRESSIONS) {
            return Map.of("cleanup.policy", "compact");
        }
        return Map.of();
    }

    /** Whether Vigil keeps every message of this topic (no time-based retention): a job started afresh needs them. */
    public boolean keptForGood() {
        return "-1".equals(kafkaSettings().get("retention.ms"));
    }
}
