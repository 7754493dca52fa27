package io.vigil.tools.simulate;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What to simulate: a seed, the cluster's size, the span, the reporting intervals and the incidents.
 * Equal specs give byte-identical datasets.
 *
 * @param incidents the incidents asked for; none and not {@code benignOnly} means one {@code rome}
 */
public record SimulationSpec(
        long seed,
        int nodes,
        double hours,
        Instant start,
        int sampleIntervalSeconds,
        int exportIntervalSeconds,
        List<IncidentRequest> incidents,
        boolean benignOnly) {

    public static final long DEFAULT_SEED = 1;
    public static final int DEFAULT_NODES = 4;
    /** Hours, as the command line's default text. */
    public static final String DEFAULT_HOURS = "2";
    /** The start, as the command line's default text. */
    public static final String DEFAULT_START = "2026-02-14T00:00:00Z";

    public static final int DEFAULT_SAMPLE_INTERVAL_S = 10;
    public static final int DEFAULT_EXPORT_INTERVAL_S = 60;
    public static final int MIN_NODES = 2;
    public static final int MAX_NODES = 2_048;
    public static final double MAX_HOURS = 24 * 7;

    /** @throws IllegalArgumentException saying which parameter is out of bounds and what the bounds are */
    public SimulationSpec {
        Objects.requireNonNull(start, "start");
        incidents = List.copyOf(incidents);
        if (nodes < MIN_NODES || nodes > MAX_NODES) {
            throw new IllegalArgumentException(
                    "--nodes must be " + MIN_NODES + ".." + MAX_NODES + " (each has 8 GPUs), not " + nodes);
        }
        if (!(hours > 0 && hours <= MAX_HOURS)) {
            throw new IllegalArgumentException(
                    "--hours must be more than 0 and at most " + (int) MAX_HOURS + ", not " + hours);
        }
        if (sampleIntervalSeconds < 1 || sampleIntervalSeconds > 3600) {
            throw new IllegalArgumentException("--sample-interval-s must be 1..3600, not " + sampleIntervalSeconds);
        }
        if (exportIntervalSeconds < 1 || exportIntervalSeconds > 3600) {
            throw new IllegalArgumentException("--export-interval-s must be 1..3600, not " + exportIntervalSeconds);
        }
        if (start.toEpochMilli() < 0) {
            throw new IllegalArgumentException("--start must not be before 1970");
        }
        if (benignOnly && !incidents.isEmpty()) {
            throw new IllegalArgumentException("--benign-only and --incident exclude each other");
        }
        for (IncidentRequest r : incidents) {
            if (r.offsetMinutes() != null && r.offsetMinutes() + r.kind().minimumMinutes > spanMinutes(hours)) {
                throw new IllegalArgumentException("incident " + r + " needs " + r.kind().minimumMinutes
                        + " minutes before the end, and the span ends at minute " + fmt(spanMinutes(hours)));
            }
        }
        if (!benignOnly) {
            for (IncidentRequest r : effective(incidents, false)) {
                if (r.kind().minimumMinutes > spanMinutes(hours)) {
                    throw new IllegalArgumentException("incident " + r.kind().cliName + " needs at least "
                            + r.kind().minimumMinutes + " minutes; --hours " + fmt(hours) + " is too short");
                }
            }
        }
    }

    /** The incidents that will be injected. */
    public List<IncidentRequest> effectiveIncidents() {
        return effective(incidents, benignOnly);
    }

    private static List<IncidentRequest> effective(List<IncidentRequest> incidents, boolean benignOnly) {
        if (benignOnly) {
            return List.of();
        }
        return incidents.isEmpty() ? List.of(new IncidentRequest(IncidentKind.ROME, null)) : incidents;
    }

    public long startMs() {
        return start.toEpochMilli();
    }

    public long spanMs() {
        return Math.round(hours * 3_600_000);
    }

    public long endMs() {
        return startMs() + spanMs();
    }

    static double spanMinutes(double hours) {
        return hours * 60;
    }

    static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
