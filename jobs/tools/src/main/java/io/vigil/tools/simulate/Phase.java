package io.vigil.tools.simulate;

/**
 * One labelled stretch of injected activity: an incident's name, the job it happened in, its category
 * and, once its records are written, the interval they cover. The interval is measured from what was
 * actually written (a connection counts from its start, a sample at its instant), so a label covers
 * exactly the injected records, however the simulation's end cut them.
 */
final class Phase {
    final String incident;
    final String jobId;
    final String category;
    /** The agent's tool call that started this stretch, or null (no agent, or it acted on its own). */
    AgentTrace.Call cause;

    private long first = Long.MAX_VALUE;
    private long last = Long.MIN_VALUE;

    Phase(String incident, String jobId, String category) {
        this.incident = incident;
        this.jobId = jobId;
        this.category = category;
    }

    /** A written record of this phase that began at {@code start} and was reported at {@code end}. */
    void mark(long start, long end) {
        first = Math.min(first, start);
        last = Math.max(last, end);
    }

    boolean happened() {
        return first <= last;
    }

    long first() {
        return first;
    }

    long last() {
        return last;
    }
}
