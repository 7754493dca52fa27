package io.vigil.models.scoring;

import io.vigil.records.Category;
import io.vigil.records.Reason;
import io.vigil.records.Severity;
import java.util.List;
import java.util.Objects;

/**
 * A scorer's judgement of one window.
 *
 * @param score in [0, 1]
 * @param threshold the scorer's threshold
 * @param flagged {@code score >= threshold}
 * @param categories the kinds of misuse it looks like, most likely first; empty when not flagged
 * @param reasons the features that drove the score, strongest first, at most {@link #MAX_REASONS}
 * @param severity {@link #severity(double, double, List)} of the above
 */
public record Verdict(
        double score,
        double threshold,
        boolean flagged,
        List<Category> categories,
        List<Reason> reasons,
        Severity severity) {

    public static final int MAX_REASONS = 5;

    public Verdict {
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("score must lie in [0, 1]: " + score);
        }
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must lie in [0, 1]: " + threshold);
        }
        if (flagged != (score >= threshold)) {
            throw new IllegalArgumentException("flagged must be score >= threshold: " + score + " vs " + threshold);
        }
        categories = List.copyOf(categories);
        reasons = List.copyOf(reasons);
        if (reasons.size() > MAX_REASONS) {
            throw new IllegalArgumentException("at most " + MAX_REASONS + " reasons, got " + reasons.size());
        }
        Objects.requireNonNull(severity, "severity");
    }

    /** flagged and severity follow from score, threshold and categories; reasons beyond {@link #MAX_REASONS} are cut. */
    public static Verdict of(double score, double threshold, List<Category> categories, List<Reason> reasons) {
        boolean flagged = score >= threshold;
        return new Verdict(
                score,
                threshold,
                flagged,
                categories,
                reasons.size() > MAX_REASONS ? reasons.subList(0, MAX_REASONS) : reasons,
                severity(score, threshold, categories));
    }

    /**
     * The one severity rule, for every scorer.
     * <ol>
     *   <li>Not flagged: LOW.</li>
     *   <li>From the margin over the threshold, as a share of the room above it
     *       ({@code (score - threshold) / (1 - threshold)}): under 0.3 LOW, under 0.6 MEDIUM, else HIGH.</li>
     *   <li>One step up when the leading category is REVERSE_TUNNEL or EXFILTRATION: someone outside holds
     *       a way in, or data is leaving; both call for containment now, not review tomorrow.</li>
     *   <li>One step up when two or more known categories are named: independent kinds of misuse at once
     *       (ROME tunnelled, probed and mined) corroborate each other.</li>
     * </ol>
     * CRITICAL is reached only through the steps up.
     */
    public static Severity severity(double score, double threshold, List<Category> categories) {
        if (score < threshold) {
            return Severity.LOW;
        }
        double room = 1 - threshold;
        double margin = room <= 0 ? 1 : (score - threshold) / room;
        int level = margin < 0.3 ? 0 : margin < 0.6 ? 1 : 2;
        if (!categories.isEmpty()
                && (categories.get(0) == Category.REVERSE_TUNNEL || categories.get(0) == Category.EXFILTRATION)) {
            level++;
        }
        if (categories.stream().filter(c -> c != Category.UNKNOWN).distinct().count() >= 2) {
            level++;
        }
        Severity[] all = Severity.values();
        return all[Math.min(level, all.length - 1)];
    }
}
