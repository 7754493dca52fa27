package io.vigil.models.agents;

import io.vigil.models.detectors.JobDetector;
import io.vigil.models.features.FeatureSet;
import io.vigil.models.scoring.JobHistory;
import io.vigil.records.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How far a job's agents moved from their own past: the per-job online model ({@link JobDetector}) over the
 * agent-behaviour features ({@link FeatureSet#AGENT}), with a history of its own. Plain Java, no Flink.
 *
 * <p>Why per job and not across the fleet: most jobs run no agents, so the fleet's typical agent values are 0 and
 * every RL window would be isolated at once; and what is normal for an agent is its task's business (one installs
 * packages and clones over HTTPS in every episode, another never touches the network). Against its own episodes, an
 * agent that turns to scanners and remote shells, names a miner or a pool, or fails call after call stands out,
 * while the same calls it makes every episode do not.
 *
 * <p>Only windows with calls count: a window without calls (a job with no agents, agents that were idle) scores
 * nothing and leaves the history as it was, so jobs without agent events are judged exactly as without this model,
 * and an agent's pause is not learned as its normal. The scale floors are the detector's smallest
 * ({@link JobDetector.Settings#minScale}): there is no fleet spread to take them from, and the tallies' counting
 * noise keeps one more call than usual within the noise.
 *
 * <p>Not yet wired into the pipeline. Known gap, measured offline on fresh {@code simulate} seeds (1202 benign: 0 of
 * 264 agent windows shifted; 1201 ROME: the miner calls shifted, the scan and the tunnel, each typed as one call, did
 * not): with the detector's default warm-up of 5 windows, a web agent's waves of package installs in its 6th to 8th
 * minute shifted 3 windows. An agent's normal needs its run's setup waves, so before it is wired the tallies want a
 * longer warm-up, while a miner's name, which no task needs, wants none.
 */
public final class AgentShift {
    private static final FeatureSet FEATURES = FeatureSet.AGENT;

    /**
     * A deviation from this on is a shift of the agents' behaviour, not chance: an excess of 1.5 beyond the
     * detector's allowance (1.5) is 3 scales towards misuse from the agents' normal (the conventional outlier line,
     * about one window in a thousand for noise that behaves normally), where each scale is already at least the
     * spread the job's own episodes showed, the tally's counting noise and the detector's floor; or a smaller excess
     * that kept coming back window after window (the drift).
     */
    public static final double SHIFTED = 1.5;

    private final JobDetector detector;

    public AgentShift() {
        this(JobDetector.Settings.DEFAULTS);
    }

    public AgentShift(JobDetector.Settings settings) {
        double[] floors = new double[FEATURES.size()];
        Arrays.fill(floors, settings.minScale());
        this.detector = JobDetector.of(FEATURES, settings, floors);
    }

    /** The features it reads. */
    public static FeatureSet featureSet() {
        return FEATURES;
    }

    /** The window's agent-behaviour values, in {@link FeatureSet#AGENT}'s order. */
    public static double[] values(AgentBehaviour.Window window) {
        return window.values();
    }

    /** How far the window's calls lie from the job's agents' normal; none for a window without calls. */
    public JobDetector.Deviation score(AgentBehaviour.Window window, JobHistory history) {
        if (window.calls() == 0) {
            return new JobDetector.Deviation(0, new double[FEATURES.size()]);
        }
        return detector.score(values(window), history);
    }

    /** Whether the deviation is a shift of the agents' behaviour ({@link #SHIFTED}). */
    public static boolean shifted(JobDetector.Deviation deviation) {
        return deviation.score() >= SHIFTED;
    }

    /** The agents' history after this window: unchanged (the same object) for a window without calls. */
    public JobHistory learn(JobHistory history, AgentBehaviour.Window window, boolean flagged) {
        if (window.calls() == 0) {
            return history;
        }
        return detector.learn(history, values(window), flagged);
    }

    /**
     * The agent features behind a deviation, strongest first, each with its value, the job's agents' normal (null
     * before they have one) and no fleet value (the fleet never reads them); weights are shares of the deviation's
     * contributions. Empty when nothing moved.
     */
    public List<Reason> reasons(AgentBehaviour.Window window, JobHistory history, JobDetector.Deviation d) {
        double[] c = d.contributions();
        double total = 0;
        for (double v : c) {
            total += v;
        }
        List<Reason> out = new ArrayList<>();
        if (!(total > 0)) {
            return out;
        }
        double[] x = values(window);
        boolean known = detector.learnedHere(history);
        for (int i = 0; i < c.length; i++) {
            if (c[i] > 0) {
                out.add(new Reason(
                        FEATURES.names().get(i),
                        x[i],
                        known ? Double.valueOf(history.baseline(i)) : null,
                        null,
                        c[i] / total));
            }
        }
        out.sort((a, b) -> Double.compare(b.getWeight(), a.getWeight()));
        return out;
    }
}
