package io.vigil.models.suppression;

import io.vigil.models.features.Cidr;
import io.vigil.records.Category;
import io.vigil.records.SuppressionRule;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One analyst's suppression rule, checked and ready to match: the one place that says what a rule may be
 * ({@link #refusal}) and what it matches ({@link #coversJob}, {@link #coversEndpoints}). Immutable and serializable, so a
 * Flink operator can hold one. {@link Suppressions} applies a set of them to a window.
 *
 * <p>A rule's conditions (job glob, labels, destination range and port) must all hold; what it then does
 * depends on its category and destination ({@link Suppressions#apply}): with a category it removes that category
 * from the window's; without one, a destination rule removes the categories that rest on the destination alone
 * ({@link Grounds}), and a rule of jobs and labels only silences the whole window.
 */
public final class Suppression implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Longest rule id: it names a metric label and a record key. */
    public static final int MAX_ID_LENGTH = 128;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]*");

    private final String id;
    private final String jobGlob;
    private final Pattern job;
    private final Map<String, String> labels;
    private final Cidr cidr;
    private final Integer port;
    private final Category category;
    private final Long expiresMs;

    private Suppression(SuppressionRule rule) {
        this.id = rule.getId();
        this.jobGlob = rule.getJob();
        this.job = rule.getJob() == null ? null : glob(rule.getJob());
        this.labels = Map.copyOf(rule.getLabels());
        this.cidr = rule.getCidr() == null ? null : Cidr.parse(rule.getCidr());
        this.port = rule.getPort();
        this.category = rule.getCategory();
        this.expiresMs = rule.getExpires() == null ? null : rule.getExpires().toEpochMilli();
    }

    /**
     * The rule, ready to match.
     *
     * @throws IllegalArgumentException with {@link #refusal}'s message when the rule may not be used
     */
    public static Suppression of(SuppressionRule rule) {
        String refusal = refusal(rule);
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        return new Suppression(rule);
    }

    /**
     * Why the rule may not be used, or null when it may: a malformed field (id, glob, label, range, port,
     * reason, author, an expiry before its creation), or conditions that hold for every flagged window (none
     * at all, or only a glob of stars and a /0 range): such a rule would switch detection off, which is not
     * what a suppression is for.
     */
    public static String refusal(SuppressionRule rule) {
        String id = rule.getId();
        if (id == null || id.length() > MAX_ID_LENGTH || !ID.matcher(id).matches()) {
            return "rule id '" + id + "' must be 1 to " + MAX_ID_LENGTH
                    + " letters, digits and . _ : @ -, starting with a letter or digit";
        }
        String named = "rule " + id + ": ";
        if (rule.getJob() != null && rule.getJob().isBlank()) {
            return named + "the job glob is empty (leave it out to match any job)";
        }
        for (Map.Entry<String, String> label : rule.getLabels().entrySet()) {
            if (label.getKey().isBlank() || label.getValue() == null) {
                return named + "a label needs a key and a value (key=value)";
            }
        }
        Cidr range = null;
        if (rule.getCidr() != null) {
            try {
                range = Cidr.parse(rule.getCidr());
            } catch (IllegalArgumentException e) {
                return named + e.getMessage();
            }
        }
        if (rule.getPort() != null && (rule.getPort() < 0 || rule.getPort() > 65_535)) {
            return named + "port " + rule.getPort() + " is not 0..65535";
        }
        if (rule.getReason() == null || rule.getReason().isBlank()) {
            return named + "a reason is required: say why what it matches is benign";
        }
        if (rule.getAuthor() == null || rule.getAuthor().isBlank()) {
            return named + "an author is required";
        }
        if (rule.getExpires() != null
                && rule.getCreated() != null
                && !rule.getExpires().isAfter(rule.getCreated())) {
            return named + "it expires (" + rule.getExpires() + ") before it was created (" + rule.getCreated() + ")";
        }
        boolean anyJob = rule.getJob() == null || rule.getJob().chars().allMatch(c -> c == '*');
        boolean anyDestination = (range == null || range.prefix() == 0) && rule.getPort() == null;
        if (anyJob && rule.getLabels().isEmpty() && anyDestination && rule.getCategory() == null) {
            return named + "it matches every flagged window (no job, label, destination or category narrows it);"
                    + " a suppression must say what it silences";
        }
        return null;
    }

    public String id() {
        return id;
    }

    /** The category it removes; null: it silences the whole window. */
    public Category category() {
        return category;
    }

    /** Whether it still matches a window that ends at {@code windowEnd}: it ends at or before the expiry. */
    public boolean activeAt(Instant windowEnd) {
        return expiresMs == null || windowEnd.toEpochMilli() <= expiresMs;
    }

    /**
     * Whether the rule's conditions on the job hold for a window: not expired at its end ({@link #activeAt}), the
     * job id matches the glob, and the job has every label.
     */
    public boolean coversJob(String jobId, Map<String, String> jobLabels, Instant windowEnd) {
        if (!activeAt(windowEnd)) {
            return false;
        }
        if (job != null && !job.matcher(jobId).matches()) {
            return false;
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!label.getValue().equals(jobLabels.get(label.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Whether it names a destination: a range, a port, or both. */
    public boolean namesDestination() {
        return cidr != null || port != null;
    }

    /** Whether every endpoint lies in its range and on its port, and there is one at least. */
    public boolean coversEndpoints(List<Grounds.Endpoint> endpoints) {
        return !endpoints.isEmpty() && endpoints.stream().allMatch(this::coversEndpoint);
    }

    /** Whether the endpoint lies in its range and on its port. */
    public boolean coversEndpoint(Grounds.Endpoint e) {
        return (cidr == null || cidr.contains(e.ip())) && (port == null || e.port() == port);
    }

    /** A job glob as a pattern: {@code *} any run of characters, {@code ?} one; everything else literal. */
    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    @Override
    public String toString() {
        Map<String, Object> parts = new TreeMap<>();
        parts.put("job", jobGlob);
        parts.put("labels", labels.isEmpty() ? null : labels);
        parts.put("cidr", cidr);
        parts.put("port", port);
        parts.put("category", category);
        parts.put("expires", expiresMs == null ? null : Instant.ofEpochMilli(expiresMs));
        parts.values().removeIf(v -> v == null);
        return id + parts;
    }
}
