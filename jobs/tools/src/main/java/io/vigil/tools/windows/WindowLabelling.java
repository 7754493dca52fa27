package io.vigil.tools.windows;

import io.vigil.models.eval.Label;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.training.LabelledWindow;
import io.vigil.records.Category;
import io.vigil.records.JobWindow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Labels the pipeline's windows for training ({@code vigil windows}): first from each dataset's
 * {@code labels.json}, then from analysts' verdicts, which win (an analyst looked at that very window). A pure
 * function of its inputs, so the export is the same for the same windows, labels and feedback.
 *
 * <ul>
 *   <li>A window is labelled with a label's category (and incident) when {@link Label#overlaps} it; when several
 *       do, the one overlapping it longest, then the earliest, then by incident name and category.
 *   <li>A verdict applies to every window of its job (and dataset, when it names one) that holds its
 *       {@code window_start}, or with a {@code window_end} that overlaps the span ({@link Feedback#matches}).
 *       Verdicts apply in order, so a later verdict on the same window replaces an
 *       earlier one ({@link Result#superseded()} counts those).
 *   <li>A false positive makes the window benign. A true positive labels it with the verdict's category, else
 *       the category it already had, else UNKNOWN; its incident stays the labelled one, else the alert id, else
 *       a name made of job and window.
 *   <li>A verdict that matches no window is kept in {@link Result#unmatched()}: the caller reports it.
 * </ul>
 */
public final class WindowLabelling {

    /** One dataset's windows as the pipeline computed them, with its ground truth. */
    public record DatasetWindows(String dataset, List<Label> labels, List<JobWindow> windows) {}

    /**
     * The labelled windows (by dataset, job, window start) and what labelled them.
     *
     * @param fromLabels windows labelled malicious by labels.json, before feedback
     * @param feedbackApplied verdicts that matched at least one window
     * @param madeBenign windows labels.json called malicious that a false positive made benign
     * @param madeMalicious windows labels.json left benign that a true positive labelled
     * @param superseded times a verdict replaced an earlier verdict on the same window
     * @param unmatched verdicts that matched no window, in the order given
     */
    public record Result(
            List<LabelledWindow> windows,
            int fromLabels,
            int feedbackApplied,
            int madeBenign,
            int madeMalicious,
            int superseded,
            List<Feedback> unmatched) {

        /** Windows per label: benign ({@code null} key) and each category, in the category order. */
        public Map<Category, Integer> perCategory() {
            Map<Category, Integer> counts = new EnumMap<>(Category.class);
            for (LabelledWindow w : windows) {
                if (w.label() != null) {
                    counts.merge(w.label(), 1, Integer::sum);
                }
            }
            return counts;
        }

        public int benign() {
            return (int) windows.stream().filter(w -> w.label() == null).count();
        }
    }

    private WindowLabelling() {}

    /** One window while it is being labelled. */
    private static final class Entry {
        final String dataset;
        final JobWindow window;
        final double[] features;
        final Category fromLabels;
        Category category;
        String incident;
        boolean judged;

        Entry(String dataset, JobWindow window, double[] features, Label label) {
            this.dataset = dataset;
            this.window = window;
            this.features = features;
            this.fromLabels = label == null ? null : label.category();
            this.category = fromLabels;
            this.incident = label == null ? null : label.incident();
        }

        long start() {
            return window.getWindowStart().toEpochMilli();
        }

        long end() {
            return window.getWindowEnd().toEpochMilli();
        }
    }

    private static final Comparator<Entry> ORDER = Comparator.<Entry, String>comparing(e -> e.dataset)
            .thenComparing(e -> e.window.getJobId())
            .thenComparingLong(Entry::start)
            .thenComparingLong(Entry::end);

    /**
     * @throws IllegalArgumentException when a window's features are not of {@code featureSet} (the pipeline and
     *     the model code disagree: a build problem, not bad data)
     */
    public static Result label(FeatureSet featureSet, List<DatasetWindows> datasets, List<Feedback> feedback) {
        List<Entry> entries = new ArrayList<>();
        for (DatasetWindows d : datasets) {
            for (JobWindow w : d.windows()) {
                if (!featureSet.id().equals(w.getFeatureSet())) {
                    throw new IllegalArgumentException(
                            "dataset " + d.dataset() + ": window of " + w.getJobId() + " at " + w.getWindowStart()
                                    + " has feature set " + w.getFeatureSet() + ", expected " + featureSet.id());
                }
                entries.add(new Entry(
                        d.dataset(),
                        w,
                        featureSet.fromMap(w.getFeatures()),
                        bestLabel(
                                d.labels(),
                                w.getJobId(),
                                w.getWindowStart().toEpochMilli(),
                                w.getWindowEnd().toEpochMilli())));
            }
        }
        entries.sort(ORDER);
        int fromLabels = (int) entries.stream().filter(e -> e.category != null).count();

        Map<String, List<Entry>> byJob = new HashMap<>();
        entries.forEach(e -> byJob.computeIfAbsent(e.window.getJobId(), j -> new ArrayList<>())
                .add(e));
        int applied = 0;
        int superseded = 0;
        List<Feedback> unmatched = new ArrayList<>();
        for (Feedback f : feedback) {
            boolean matched = false;
            for (Entry e : byJob.getOrDefault(f.jobId(), List.of())) {
                if (!f.matches(e.dataset, e.window.getJobId(), e.start(), e.end())) {
                    continue;
                }
                matched = true;
                if (e.judged) {
                    superseded++;
                }
                e.judged = true;
                if (f.judgement() == Feedback.Judgement.FALSE_POSITIVE) {
                    e.category = null;
                    e.incident = null;
                } else {
                    e.category =
                            f.category() != null ? f.category() : e.category != null ? e.category : Category.UNKNOWN;
                    if (e.incident == null) {
                        e.incident = f.alertId() != null
                                ? f.alertId()
                                : "analyst verdict on " + f.jobId() + " at " + Instant.ofEpochMilli(e.start());
                    }
                }
            }
            if (matched) {
                applied++;
            } else {
                unmatched.add(f);
            }
        }

        List<LabelledWindow> windows = new ArrayList<>(entries.size());
        int madeBenign = 0;
        int madeMalicious = 0;
        for (Entry e : entries) {
            if (e.fromLabels != null && e.category == null) {
                madeBenign++;
            } else if (e.fromLabels == null && e.category != null) {
                madeMalicious++;
            }
            windows.add(new LabelledWindow(
                    e.dataset,
                    e.window.getJobId(),
                    e.start(),
                    e.end(),
                    e.features,
                    e.category,
                    e.category == null ? null : e.incident));
        }
        return new Result(
                Collections.unmodifiableList(windows),
                fromLabels,
                applied,
                madeBenign,
                madeMalicious,
                superseded,
                List.copyOf(unmatched));
    }

    /**
     * The label that overlaps {@code [start, end)} of {@code job} longest; ties go to the earliest label, then by
     * incident name and category, so the choice does not depend on the order of labels.json. Null when none does.
     */
    static Label bestLabel(List<Label> labels, String job, long start, long end) {
        Label best = null;
        long bestOverlap = 0;
        for (Label l : labels) {
            if (!l.overlaps(job, start, end)) {
                continue;
            }
            long overlap = Math.min(end, l.endTs()) - Math.max(start, l.startTs());
            if (best == null || overlap > bestOverlap || (overlap == bestOverlap && TIE_ORDER.compare(l, best) < 0)) {
                best = l;
                bestOverlap = overlap;
            }
        }
        return best;
    }

    private static final Comparator<Label> TIE_ORDER = Comparator.comparingLong(Label::startTs)
            .thenComparing(Label::incident)
            .thenComparing(Label::category);
}
