package io.vigil.models.eval;

import io.vigil.records.Category;
import java.util.Objects;

/**
 * One interval of ground truth from a dataset's {@code labels.json}: during {@code [startTs, endTs)} the
 * job {@code jobId} misbehaved as {@code category}, as part of the named incident. An incident may have
 * several labels: its phases (a tunnel, then a scan, then mining), possibly on several jobs.
 *
 * <p>Intervals are half-open, like windows: a window {@code [ws, we)} overlaps a label when
 * {@code ws < endTs && startTs < we}, so a window that ends exactly when the label starts does not.
 *
 * @param incident the incident's name, shared by its phases
 * @param jobId the job that misbehaved (as the pipeline names it, e.g. {@code unassigned@node-3} for GPUs no job holds)
 * @param category what it did
 * @param startTs inclusive, epoch ms
 * @param endTs exclusive, epoch ms; after {@code startTs}
 * @param episodeId the agent episode that caused it ({@code episode_id}), when the dataset knows; else null
 * @param callStep the step of that episode's tool call that caused it ({@code call_step}), when known; else null
 */
public record Label(
        String incident, String jobId, Category category, long startTs, long endTs, String episodeId, Long callStep) {

    /** A label that names no agent episode. */
    public Label(String incident, String jobId, Category category, long startTs, long endTs) {
        this(incident, jobId, category, startTs, endTs, null, null);
    }

    public Label {
        Objects.requireNonNull(incident, "incident");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(category, "category");
        if (incident.isBlank() || jobId.isBlank()) {
            throw new IllegalArgumentException("incident and job_id must not be blank");
        }
        if (startTs < 0) {
            throw new IllegalArgumentException("start_ts must not be before 1970: " + startTs);
        }
        if (endTs <= startTs) {
            throw new IllegalArgumentException("end_ts (" + endTs + ") must be after start_ts (" + startTs + ")");
        }
        if (callStep != null && episodeId == null) {
            throw new IllegalArgumentException("call_step names a step of no episode: episode_id is missing");
        }
    }

    /** The same label over another interval (its episode kept). */
    public Label during(long start, long end) {
        return new Label(incident, jobId, category, start, end, episodeId, callStep);
    }

    /** Whether {@code [start, end)} of {@code job} overlaps this label. */
    public boolean overlaps(String job, long start, long end) {
        return jobId.equals(job) && start < endTs && startTs < end;
    }
}
