package io.vigil.tools.simulate;

import java.util.Objects;

/**
 * One {@code --incident KIND[@OFFSET_MINUTES]}: what to inject and, optionally, how many minutes after
 * the span's start it begins (decimal). Without an offset the simulation picks one from the seed.
 */
public record IncidentRequest(IncidentKind kind, Double offsetMinutes) {
    public IncidentRequest {
        Objects.requireNonNull(kind, "kind");
        if (offsetMinutes != null && !(offsetMinutes >= 0 && Double.isFinite(offsetMinutes))) {
            throw new IllegalArgumentException("incident offset must be minutes >= 0, not " + offsetMinutes);
        }
    }

    /** Parses {@code KIND} or {@code KIND@MINUTES}. @throws IllegalArgumentException with the reason */
    public static IncidentRequest parse(String text) {
        String t = text.trim();
        int at = t.indexOf('@');
        if (at < 0) {
            return new IncidentRequest(IncidentKind.byName(t), null);
        }
        IncidentKind kind = IncidentKind.byName(t.substring(0, at));
        String minutes = t.substring(at + 1).trim();
        try {
            return new IncidentRequest(kind, Double.parseDouble(minutes));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "'" + text + "': the offset after @ must be minutes from the start, not '" + minutes + "'");
        }
    }

    @Override
    public String toString() {
        return offsetMinutes == null ? kind.cliName : kind.cliName + "@" + offsetMinutes;
    }
}
