package io.vigil.pipeline.detect;

/** The incident a job is in: flagged windows of one category, each starting where the last ended. */
public class Incident {
    public String incidentId;
    public String category;
    public long lastWindowEnd;

    public Incident() {}

    Incident(String incidentId, String category, long lastWindowEnd) {
        this.incidentId = incidentId;
        this.category = category;
        this.lastWindowEnd = lastWindowEnd;
    }
}
