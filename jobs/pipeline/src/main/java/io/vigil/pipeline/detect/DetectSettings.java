package io.vigil.pipeline.detect;

import io.vigil.models.model.ModelArtifact;
import io.vigil.models.model.ModelTrust;
import io.vigil.settings.VigilConfig;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * The settings the pipeline's operators need, taken from {@link VigilConfig} once on the client and
 * shipped with the job graph (VigilConfig itself is not serializable).
 */
public record DetectSettings(
        Duration windowSize,
        Duration outOfOrderness,
        Duration idleness,
        Duration assignmentIdleness,
        Duration alignmentMaxDrift,
        Duration destinationLookback,
        Duration fleetWarmup,
        Duration jobIdleTimeout,
        int maxWaitingPerAddress,
        List<String> internalCidrs,
        int topDestinations,
        Duration incidentUpdateInterval,
        int incidentQuietWindows,
        ModelTrust modelTrust)
        implements Serializable {

    /**
     * The settings {@link #from} reads that say what detection does, whatever it reads: every verb that runs the
     * pipeline takes them ({@code detect} on Kafka, {@code replay} and the others over files).
     */
    public static final List<String> DETECTION_KEYS = List.of(
            VigilConfig.WINDOW_SIZE_MS,
            VigilConfig.OUT_OF_ORDERNESS_MS,
            VigilConfig.INTERNAL_CIDRS,
            VigilConfig.DESTINATION_LOOKBACK_MS,
            VigilConfig.FLEET_WARMUP_MS,
            VigilConfig.JOB_IDLE_TIMEOUT_MS,
            VigilConfig.ATTRIBUTION_MAX_WAITING,
            VigilConfig.EVIDENCE_TOP_DESTINATIONS,
            VigilConfig.INCIDENT_UPDATE_INTERVAL_MS,
            VigilConfig.INCIDENT_CLOSE_QUIET_WINDOWS);

    /**
     * The settings {@link #from} reads for a live read's watermarks: how long a quiet input is waited for, and how far
     * one may read ahead. A bounded read over files waits for nothing (BATCH mode), so only {@code detect} takes them.
     */
    public static final List<String> LIVE_WATERMARK_KEYS =
            List.of(VigilConfig.IDLENESS_MS, VigilConfig.ASSIGNMENT_IDLENESS_MS, VigilConfig.ALIGNMENT_MAX_DRIFT_MS);

    public static DetectSettings from(VigilConfig config) {
        return new DetectSettings(
                Duration.ofMillis(config.getLong(VigilConfig.WINDOW_SIZE_MS)),
                Duration.ofMillis(config.getLong(VigilConfig.OUT_OF_ORDERNESS_MS)),
                Duration.ofMillis(config.getLong(VigilConfig.IDLENESS_MS)),
                Duration.ofMillis(config.getLong(VigilConfig.ASSIGNMENT_IDLENESS_MS)),
                Duration.ofMillis(config.getLong(VigilConfig.ALIGNMENT_MAX_DRIFT_MS)),
                Duration.ofMillis(config.getLong(VigilConfig.DESTINATION_LOOKBACK_MS)),
                Duration.ofMillis(config.getLong(VigilConfig.FLEET_WARMUP_MS)),
                Duration.ofMillis(config.getLong(VigilConfig.JOB_IDLE_TIMEOUT_MS)),
                config.getInt(VigilConfig.ATTRIBUTION_MAX_WAITING),
                config.getList(VigilConfig.INTERNAL_CIDRS),
                config.getInt(VigilConfig.EVIDENCE_TOP_DESTINATIONS),
                Duration.ofMillis(config.getLong(VigilConfig.INCIDENT_UPDATE_INTERVAL_MS)),
                config.getInt(VigilConfig.INCIDENT_CLOSE_QUIET_WINDOWS),
                modelTrust(config));
    }

    /** The trust model releases are checked against, read on the client (the key files need not exist on the cluster). */
    private static ModelTrust modelTrust(VigilConfig config) {
        try {
            return Scorers.trust(config);
        } catch (ModelArtifact.RefusedException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public static DetectSettings defaults() {
        return from(VigilConfig.defaults());
    }

    /**
     * These settings with split-level watermark alignment off. A bounded Kafka read (to the topics' latest offsets)
     * needs it: the connector 5.0.0-2.2 fails when alignment pauses a partition that has just reached its end
     * (FLINK-39728: "No current assignment for partition", fixed after that release), and a bounded read is a
     * test or a backfill, not the live backlog alignment is for.
     */
    public DetectSettings withoutAlignment() {
        return new DetectSettings(
                windowSize,
                outOfOrderness,
                idleness,
                assignmentIdleness,
                Duration.ZERO,
                destinationLookback,
                fleetWarmup,
                jobIdleTimeout,
                maxWaitingPerAddress,
                internalCidrs,
                topDestinations,
                incidentUpdateInterval,
                incidentQuietWindows,
                modelTrust);
    }

    /** These settings with another trust for model releases. */
    public DetectSettings withModelTrust(ModelTrust trust) {
        return new DetectSettings(
                windowSize,
                outOfOrderness,
                idleness,
                assignmentIdleness,
                alignmentMaxDrift,
                destinationLookback,
                fleetWarmup,
                jobIdleTimeout,
                maxWaitingPerAddress,
                internalCidrs,
                topDestinations,
                incidentUpdateInterval,
                incidentQuietWindows,
                trust);
    }

    /** How long the state of an address or job is kept after it ends: records up to a window late still count. */
    public long retentionMs() {
        return windowSize.toMillis() + outOfOrderness.toMillis();
    }
}
