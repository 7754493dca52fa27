package io.vigil.pipeline.detect;

import io.vigil.models.scoring.Verdict;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Evidence;
import io.vigil.records.IncidentState;
import io.vigil.records.JobWindow;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Builds alerts and their ids. Ids are derived, never random, so a replayed or recovered run yields the same. */
public final class Alerts {
    private Alerts() {}

    /** Name-based UUID (RFC 4122 version 3) of job, window and model version: a flagged window's own id. */
    public static String alertId(String jobId, long windowStart, long windowEnd, String modelVersion) {
        return uuid("alert|" + jobId + "|" + windowStart + "|" + windowEnd + "|" + modelVersion);
    }

    /** Name-based UUID of job and the first window of the incident: the same in each of its transitions. */
    public static String incidentId(String jobId, long firstWindowStart) {
        return uuid("incident|" + jobId + "|" + firstWindowStart);
    }

    /**
     * Name-based UUID of one transition of an incident: its job, its first window, the transition and when it
     * happened (the end of the window that opened or updated it; for CLOSE, when it closed). A run recovered from
     * a checkpoint, or a replay, tells the same transition with the same id.
     */
    public static String transitionId(String jobId, long firstWindowStart, IncidentState state, long at) {
        return uuid("transition|" + jobId + "|" + firstWindowStart + "|" + state + "|" + at);
    }

    /**
     * Name-based UUID of an episode flag: the incident and the episode it named. A run recovered from a checkpoint,
     * or a replay, tells the same flag with the same id.
     */
    public static String flagId(String incidentId, String episodeId) {
        return uuid("episode-flag|" + incidentId + "|" + episodeId);
    }

    /** When a transition happened: the end of the window that opened or updated the incident, or when it closed. */
    public static Instant happenedAt(Alert a) {
        return a.getClosedAt() != null ? a.getClosedAt() : a.getWindowEnd();
    }

    private static String uuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * A flagged window as an alert of its own (its id from job, window and model version), not yet in an
     * incident: {@link IncidentLifecycle} puts it into one and tells the incident's transitions.
     */
    public static Alert ofWindow(JobWindow window, Verdict verdict, String modelVersion, Evidence evidence) {
        long start = window.getWindowStart().toEpochMilli();
        long end = window.getWindowEnd().toEpochMilli();
        return Alert.newBuilder()
                .setAlertId(alertId(window.getJobId(), start, end, modelVersion))
                .setIncidentId("")
                .setJobId(window.getJobId())
                .setWindowStart(window.getWindowStart())
                .setWindowEnd(window.getWindowEnd())
                .setScore(verdict.score())
                .setThreshold(verdict.threshold())
                .setSeverity(verdict.severity())
                .setCategories(verdict.categories().isEmpty() ? List.of(Category.UNKNOWN) : verdict.categories())
                .setModelVersion(modelVersion)
                .setReasons(verdict.reasons())
                .setEvidence(evidence)
                .build();
    }
}
