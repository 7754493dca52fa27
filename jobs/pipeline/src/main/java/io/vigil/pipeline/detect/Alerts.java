package io.vigil.pipeline.detect;

import io.vigil.models.scoring.Verdict;
import io.vigil.records.Alert;
import io.vigil.records.Category;
import io.vigil.records.Evidence;
import io.vigil.records.JobWindow;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/** Builds alerts and their ids. Ids are derived, never random, so a replayed or recovered window yields the same. */
public final class Alerts {
    private Alerts() {}

    /** Name-based UUID (RFC 4122 version 3) of job, window and model version. */
    public static String alertId(String jobId, long windowStart, long windowEnd, String modelVersion) {
        return uuid("alert|" + jobId + "|" + windowStart + "|" + windowEnd + "|" + modelVersion);
    }

    /** Name-based UUID of job, the first window of the incident and its category. */
    public static String incidentId(String jobId, long firstWindowStart, String category) {
        return uuid("incident|" + jobId + "|" + firstWindowStart + "|" + category);
    }

    private static String uuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The primary category of a verdict: its first, or UNKNOWN. */
    public static Category primaryCategory(Verdict verdict) {
        return verdict.categories().isEmpty()
                ? Category.UNKNOWN
                : verdict.categories().get(0);
    }

    public static Alert of(
            JobWindow window, Verdict verdict, String modelVersion, String incidentId, Evidence evidence) {
        long start = window.getWindowStart().toEpochMilli();
        long end = window.getWindowEnd().toEpochMilli();
        return Alert.newBuilder()
                .setAlertId(alertId(window.getJobId(), start, end, modelVersion))
                .setIncidentId(incidentId)
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
