package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.List;

/**
 * Lays out a simulation: which jobs run, where their pods sit, when they start, stop and restart, and
 * which job each incident happens in.
 *
 * <p>Every cluster runs a core of jobs that carries the benign traps a detector must not alert on:
 * multi-node bf16 training exporting checkpoints to the shared cloud store, an RL agent with tool use,
 * an FP32 training job (idle tensor cores) that restarts once partway, an inference service, a
 * notebook and, from three nodes on, a scientific simulation under MPI (hashing-like GPUs again: busy SMs,
 * idle tensor pipes, busy memory). The rest of the GPUs go to more jobs of mixed kinds, more simulations
 * among them (some starting or finishing during the span), until about 88% are taken; the remainder stay idle and keep reporting. Pods get whole GPU
 * groups aligned the way a topology-aware scheduler hands them out (8, 4 at 0/4, 2 at even indices).
 *
 * <p>The multi-node training runs on the host network (NCCL over the node's NICs), so the nodes' own
 * chatter is its traffic too. Life cycles a detector must take as normal happen in every dataset: the FP32
 * job restarts (STOP, then START under the same id), a single-pod job is preempted by a short
 * high-priority evaluation and rescheduled (on another node when one has room, else back on its GPUs
 * after the evaluation), some jobs finish (a quiet tail, the processes exit, then STOP), and each job
 * draws its own outages and stalls ({@link Job}).
 */
final class Planner {
    /** The finished plan. */
    record Plan(
            World world,
            List<Job> jobs,
            List<InjectedIncident> incidents,
            TrainingJob restarted,
            long restartAt,
            Preemption preemption) {}

    /** {@code job} stopped at {@code at} for {@code by}, and started again on {@code to} at {@code back} (MAX_VALUE: not within the span). */
    record Preemption(Job job, long at, Job by, Node from, Node to, long back) {}

    private record Request(Job job, int pods, int gpusPerPod, boolean preExisting, long start, long end) {}

    private static final List<String> LLMS =
            List.of("llama-8b", "mistral-7b", "qwen-14b", "gpt-1b3", "moe-16x1b", "olmo-7b", "vit-h14");
    private static final List<String> FP32_MODELS =
            List.of("resnet152", "unet-seg", "gnn-md", "wavenet", "pde-fno", "climate-cnn");
    private static final List<String> AGENTS =
            List.of("swe-agent", "web-agent", "tool-agent", "math-agent", "code-agent");
    private static final List<String> SERVED = List.of("chat-8b", "embed-v2", "rerank-1b", "code-7b", "vision-11b");
    private static final List<String> USERS =
            List.of("alice", "bo", "chen", "dara", "emeka", "farah", "goran", "hana", "ines", "jun");
    private static final List<String> TEAMS =
            List.of("foundation", "multimodal", "agents", "science", "platform", "evals");

    private final SimulationSpec spec;
    private final World world;
    private final Rng rng;
    private final List<String> usedIds = new ArrayList<>();
    private final boolean[][] taken;

    private Planner(SimulationSpec spec) {
        this.spec = spec;
        this.world = new World(
                spec.seed(),
                spec.startMs(),
                spec.endMs(),
                spec.exportIntervalSeconds() * 1000L,
                spec.sampleIntervalSeconds() * 1000L,
                spec.nodes());
        this.rng = Rng.of(spec.seed(), "plan");
        this.taken = new boolean[spec.nodes()][Node.GPUS];
    }

    static Plan plan(SimulationSpec spec) {
        return new Planner(spec).make();
    }

    private Plan make() {
        int nodes = spec.nodes();
        List<Request> requests = new ArrayList<>();
        TrainingJob ddp = new TrainingJob(world, id("train-" + rng.pick(LLMS)), rng.pick(TEAMS), false, true);
        ddp.hostNetwork = true;
        requests.add(steady(ddp, 2, nodes >= 4 ? 8 : 4));
        RlJob rl = new RlJob(world, id("rl-" + rng.pick(AGENTS)), "agents", true);
        requests.add(steady(rl, 1, nodes >= 3 ? 4 : 2));
        TrainingJob fp32 = new TrainingJob(world, id("train-" + rng.pick(FP32_MODELS)), "science", true, true);
        requests.add(steady(fp32, 1, 2));
        requests.add(
                steady(new InferenceJob(world, id("serve-" + rng.pick(SERVED)), "platform"), 1, nodes >= 3 ? 2 : 1));
        requests.add(steady(new NotebookJob(world, id("nb-" + rng.pick(USERS)), "research", true), 1, 1));
        if (nodes >= 3) {
            HpcJob.Code code = rng.pick(HpcJob.CODES);
            requests.add(steady(new HpcJob(world, id("sim-" + code.name()), "science", code), 1, 2));
        }

        List<Job> jobs = new ArrayList<>();
        for (Request r : requests) {
            if (!place(r)) {
                throw new IllegalStateException("the core jobs do not fit on " + nodes + " nodes");
            }
            jobs.add(r.job);
        }
        int target = (int) Math.floor(nodes * Node.GPUS * 0.88);
        int failures = 0;
        while (used() < target && failures < 25) {
            Request r = extra();
            if (used() + r.pods * r.gpusPerPod <= target && place(r)) {
                jobs.add(r.job);
            } else {
                failures++;
            }
        }

        long restartAt = world.t0 + Math.round(rng.uniform(0.3, 0.7) * world.span());
        restart(fp32, restartAt, rng.seconds(45, 180));
        Preemption preemption = preempt(jobs, List.of(fp32, rl, ddp)); // ROME needs the core RL job steady
        for (Job job : jobs) {
            for (Pod p : job.pods) {
                if (p.end < world.end && p.exitAt == Long.MAX_VALUE) {
                    windDown(p);
                }
            }
        }

        List<InjectedIncident> incidents = new ArrayList<>();
        List<String> rareHosts = new ArrayList<>();
        List<Job> hosts = new ArrayList<>();
        List<IncidentRequest> asked = spec.effectiveIncidents();
        for (int i = 0; i < asked.size(); i++) {
            IncidentRequest r = asked.get(i);
            String name = incidentName(asked, i);
            long start = world.t0 + offsetMs(r, name);
            Job host = host(r.kind(), jobs, hosts, fp32, start);
            hosts.add(host);
            incidents.add(InjectedIncident.create(world, name, r.kind(), host, start, rareHosts));
        }
        return new Plan(world, jobs, incidents, fp32, restartAt, preemption);
    }

    /** A job running since before the span and through it. */
    private Request steady(Job job, int pods, int gpusPerPod) {
        return new Request(job, pods, gpusPerPod, true, world.t0 - rng.minutes(30, 30 * 60), Long.MAX_VALUE);
    }

    /** One more job of a random kind, size and life. */
    private Request extra() {
        double r = rng.next();
        Job job;
        int pods = 1;
        int gpus;
        if (r < 0.28) {
            job = new RlJob(world, id("rl-" + rng.pick(AGENTS)), "agents", false);
            gpus = rng.chance(0.5) ? 8 : 4;
        } else if (r < 0.50) {
            job = new TrainingJob(world, id("train-" + rng.pick(LLMS)), rng.pick(TEAMS), false, rng.chance(0.5));
            gpus = 8;
            pods = rng.chance(0.4) ? 2 : 1;
        } else if (r < 0.67) {
            job = new InferenceJob(world, id("serve-" + rng.pick(SERVED)), "platform");
            gpus = rng.pick(1, 2, 4);
        } else if (r < 0.82) {
            job = new NotebookJob(world, id("nb-" + rng.pick(USERS)), "research", false);
            gpus = rng.pick(1, 1, 2);
        } else if (r < 0.91) {
            job = new TrainingJob(world, id("train-" + rng.pick(FP32_MODELS)), "science", true, rng.chance(0.5));
            gpus = rng.pick(2, 4);
        } else {
            HpcJob.Code code = rng.pick(HpcJob.CODES);
            job = new HpcJob(world, id("sim-" + code.name()), "science", code);
            gpus = rng.pick(2, 4, 8);
            pods = gpus == 8 && rng.chance(0.5) ? 2 : 1;
        }
        if (rng.chance(0.75)) { // running before the span; some finish within it
            long end = rng.chance(0.2) ? world.t0 + Math.round(rng.uniform(0.3, 0.95) * world.span()) : Long.MAX_VALUE;
            return new Request(job, pods, gpus, true, world.t0 - rng.minutes(30, 30 * 60), end);
        }
        long start = world.t0 + Math.round(rng.uniform(0.05, 0.6) * world.span());
        long end = job.kind == Job.Kind.NOTEBOOK || rng.chance(0.3) ? start + rng.minutes(20, 90) : Long.MAX_VALUE;
        return new Request(job, pods, gpus, false, start, end >= world.end ? Long.MAX_VALUE : end);
    }

    private int used() {
        int n = 0;
        for (boolean[] node : taken) {
            for (boolean g : node) {
                n += g ? 1 : 0;
            }
        }
        return n;
    }

    /** Places the request's pods on distinct nodes, first fit; false (and nothing placed) if it does not fit. */
    private boolean place(Request r) {
        List<int[]> spots = new ArrayList<>(); // node, first gpu
        for (int n = 0; n < taken.length && spots.size() < r.pods; n++) {
            int first = freeRun(taken[n], r.gpusPerPod);
            if (first >= 0) {
                spots.add(new int[] {n, first});
            }
        }
        if (spots.size() < r.pods) {
            return false;
        }
        long jitter = 0;
        for (int rank = 0; rank < r.pods; rank++) {
            int[] spot = spots.get(rank);
            int[] gpus = new int[r.gpusPerPod];
            for (int i = 0; i < gpus.length; i++) {
                gpus[i] = spot[1] + i;
                taken[spot[0]][spot[1] + i] = true;
            }
            Pod pod = r.job.addPod(podName(r.job, rank), world.nodes.get(spot[0]), gpus, rank, r.start + jitter);
            pod.end = r.end;
            jitter += rng.between(200, 4_000);
        }
        return true;
    }

    /** The first free, aligned run of {@code size} GPUs, or -1. */
    private static int freeRun(boolean[] gpus, int size) {
        for (int first = 0; first + size <= gpus.length; first += size) {
            boolean free = true;
            for (int i = first; i < first + size; i++) {
                free &= !gpus[i];
            }
            if (free) {
                return first;
            }
        }
        return -1;
    }

    /**
     * A finished pod winds down: a quiet tail of a few minutes (final evaluation, last save), then its
     * processes exit, then the scheduler's STOP.
     */
    private void windDown(Pod p) {
        long exit = p.end - rng.seconds(10, 60);
        long tail = exit - rng.seconds(60, 240);
        if (tail > p.start + 5 * 60_000) {
            p.tailFrom = tail;
        }
        p.exitAt = Math.max(p.start + 1, exit);
    }

    /**
     * A single-pod job (not one of {@code spared}) is preempted by a short high-priority evaluation that takes its GPUs: SIGTERM, its
     * processes exit within the grace period, STOP; it is rescheduled on another node if one has room for
     * the rest of the span, else on its old GPUs once the evaluation is done. Null if no job qualifies.
     */
    private Preemption preempt(List<Job> jobs, List<Job> spared) {
        long at = world.t0 + Math.round(rng.uniform(0.2, 0.55) * world.span());
        long gap = rng.minutes(1, 6);
        Job chosen = null;
        Node to = null;
        int[] spot = null;
        for (int i = jobs.size() - 1; i >= 0 && to == null; i--) { // the extras first, then the core
            Job j = jobs.get(i);
            if (spared.contains(j) || j.hostNetwork || j.pods.size() != 1 || !j.steadyDuring(world.t0, world.end)) {
                continue;
            }
            Pod p = j.pods.get(0);
            if (chosen == null) {
                chosen = j;
            }
            for (Node n : world.nodes) {
                int[] free = n == p.node ? null : freeThroughEnd(n, p.gpus.length, at + gap);
                if (free != null && idleThroughout() - idleThroughout(n, free) > 0) { // some GPUs stay idle all along
                    chosen = j;
                    to = n;
                    spot = free;
                    break;
                }
            }
        }
        if (chosen == null) {
            return null;
        }
        Pod p = chosen.pods.get(0);
        p.end = at;
        p.exitAt = at - rng.seconds(2, 25);
        Job by = new TrainingJob(world, id("eval-" + rng.pick(LLMS)), "evals", false, false);
        long byStart = at + rng.seconds(5, 40);
        Pod evaluation = by.addPod(podName(by, 0), p.node, p.gpus, 0, byStart);
        long byEnd = byStart + rng.minutes(8, 25);
        evaluation.end = byEnd < world.end ? byEnd : Long.MAX_VALUE;
        jobs.add(by);
        long back;
        if (to != null) {
            back = at + gap;
            chosen.addPod(chosen.kind == Job.Kind.INFERENCE ? podName(chosen, 0) : p.name, to, spot, 0, back);
        } else {
            back = evaluation.end == Long.MAX_VALUE ? Long.MAX_VALUE : evaluation.end + rng.seconds(20, 120);
            if (back < world.end) {
                chosen.addPod(chosen.kind == Job.Kind.INFERENCE ? podName(chosen, 0) : p.name, p.node, p.gpus, 0, back);
            }
        }
        return new Preemption(
                chosen, at, by, p.node, to == null ? p.node : to, back < world.end ? back : Long.MAX_VALUE);
    }

    /**
     * The job's pods stop at {@code at} (a node drain, an OOM) and come back {@code gap} later under the
     * same job id and pod names, with new addresses, on the same node; on other GPUs of it when some stay
     * free for the rest of the span. Their processes exit a little before the STOP (SIGTERM, then the grace period).
     */
    private void restart(Job job, long at, long gap) {
        List<Pod> first = new ArrayList<>(job.pods);
        boolean move = rng.chance(0.5);
        for (Pod p : first) {
            p.end = at;
            p.exitAt = at - rng.seconds(2, 25);
            int[] gpus = p.gpus;
            if (move) {
                int[] other = freeThroughEnd(p.node, p.gpus.length, at + gap);
                if (other != null) {
                    gpus = other;
                }
            }
            job.addPod(p.name, p.node, gpus, p.rank, at + gap + rng.between(0, 3_000));
        }
    }

    /** GPUs no pod holds at any time in the span. */
    private int idleThroughout() {
        int n = 0;
        for (Node node : world.nodes) {
            for (int g = 0; g < Node.GPUS; g++) {
                n += node.freeDuring(g, world.t0, Long.MAX_VALUE) ? 1 : 0;
            }
        }
        return n;
    }

    /** How many of {@code gpus} of {@code node} no pod holds at any time in the span. */
    private int idleThroughout(Node node, int[] gpus) {
        int n = 0;
        for (int g : gpus) {
            n += node.freeDuring(g, world.t0, Long.MAX_VALUE) ? 1 : 0;
        }
        return n;
    }

    private int[] freeThroughEnd(Node node, int size, long from) {
        for (int first = 0; first + size <= Node.GPUS; first += size) {
            boolean free = true;
            for (int g = first; g < first + size; g++) {
                free &= node.freeDuring(g, from, Long.MAX_VALUE);
            }
            if (free) {
                int[] gpus = new int[size];
                for (int i = 0; i < size; i++) {
                    gpus[i] = first + i;
                }
                return gpus;
            }
        }
        return null;
    }

    /** The incident's start: as asked, or a time from its own stream in the first 10–40% of the span. */
    private long offsetMs(IncidentRequest r, String name) {
        long latest = world.span() - r.kind().minimumMinutes * 60_000L;
        if (r.offsetMinutes() != null) {
            return Math.round(r.offsetMinutes() * 60_000);
        }
        Rng pick = Rng.of(world.seed, "incident-offset:" + name);
        return Math.max(0, Math.min(latest, Math.round(pick.uniform(0.1, 0.4) * world.span())));
    }

    /**
     * The job an incident happens in: a job of its preferred kinds that runs steadily through it, one
     * without an incident yet if there is one; never the restarting job.
     */
    private Job host(IncidentKind kind, List<Job> jobs, List<Job> hosts, Job restarting, long start) {
        Job best = null;
        long bestCount = Long.MAX_VALUE;
        for (Job.Kind k : kind.hosts) {
            for (Job j : jobs) {
                if (j.kind != k || j == restarting || !j.steadyDuring(start, world.end) || j.podAt(0, start) == null) {
                    continue;
                }
                long count = hosts.stream().filter(h -> h == j).count();
                if (count < bestCount) {
                    best = j;
                    bestCount = count;
                }
            }
            if (best != null && bestCount == 0) {
                return best;
            }
        }
        if (best == null) {
            throw new IllegalStateException("no job can host incident " + kind.cliName);
        }
        return best;
    }

    private static String incidentName(List<IncidentRequest> asked, int index) {
        IncidentKind kind = asked.get(index).kind();
        int nth = 0;
        int total = 0;
        for (int i = 0; i < asked.size(); i++) {
            if (asked.get(i).kind() == kind) {
                total++;
                if (i <= index) {
                    nth++;
                }
            }
        }
        return total == 1 ? kind.cliName : kind.cliName + "-" + nth;
    }

    private String id(String stem) {
        while (true) {
            String id = stem + "-" + rng.hex(4);
            if (!usedIds.contains(id)) {
                usedIds.add(id);
                return id;
            }
        }
    }

    private String podName(Job job, int rank) {
        return switch (job.kind) {
            case TRAINING, RL -> job.namespace + "/" + job.id + "-worker-" + rank;
            case HPC -> job.namespace + "/" + job.id + "-rank-" + rank;
            case INFERENCE -> job.namespace + "/" + job.id + "-" + rng.hex(5);
            case NOTEBOOK -> job.namespace + "/" + job.id + "-0";
        };
    }
}
