package io.vigil.models.training;

import io.vigil.records.Category;

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
public record LabelledWindow(String dataset, String jobId, long windowStart, long windowEnd, double[] features,
                             Category label, String incident) {}
