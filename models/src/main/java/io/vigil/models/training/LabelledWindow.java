package io.vigil.models.training;

import io.vigil.records.Category;
import java.util.Arrays;
import java.util.Objects;

/**
 * One window of one job as the pipeline computed it, with its ground truth: what {@code vigil windows}
 * exports and {@code vigil train} learns from.
 *
 * @param dataset the dataset (directory name) it came from: training calibrates out of fold by dataset
 * @param jobId the job, as the pipeline names it
 * @param windowStart epoch ms, inclusive
 * @param windowEnd epoch ms, exclusive
 * @param features one value per feature of the feature set, in its order
 * @param label null for benign, else the kind of misuse
 * @param incident the incident's name when labelled, else null
 */
public record LabelledWindow(
        String dataset,
        String jobId,
        long windowStart,
        long windowEnd,
        double[] features,
        Category label,
        String incident) {

    public LabelledWindow {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(features, "features");
    }

    /** Benign: no label. */
    public boolean benign() {
        return label == null;
    }

    // A record compares arrays by identity; windows are values.
    @Override
    public boolean equals(Object o) {
        return o instanceof LabelledWindow w
                && dataset.equals(w.dataset)
                && jobId.equals(w.jobId)
                && windowStart == w.windowStart
                && windowEnd == w.windowEnd
                && Arrays.equals(features, w.features)
                && label == w.label
                && Objects.equals(incident, w.incident);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dataset, jobId, windowStart, windowEnd, Arrays.hashCode(features), label, incident);
    }

    @Override
    public String toString() {
        return "LabelledWindow[" + dataset + "/" + jobId + " " + windowStart + ".." + windowEnd + " label=" + label
                + " incident=" + incident + " features=" + Arrays.toString(features) + "]";
    }
}
