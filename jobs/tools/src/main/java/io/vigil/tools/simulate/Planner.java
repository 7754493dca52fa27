package io.vigil.tools.simulate;

import java.util.ArrayList;
import java.util.List;

/**
 * Lays out a simulation: which jobs run, where their pods sit, when they start, stop and restart, and
 * which job each incident happens in.
 *
 * <p>Every cluster runs a core of jobs that carries the benign traps a detector must not alert on:
 * multi-node bf16 training exporting checkpoints to the shared cloud store, an RL agent with tool use,
 * an FP32 training job (idle tensor cores) that restarts once partway, an inference service and a
 * notebook. The rest of the GPUs go to more jobs of mixed kinds (some starting or finishing during the
 * span) until about 88% are taken; the remainder stay idle and keep reporting. Pods get whole GPU
 * groups aligned the way a topology-aware scheduler hands them out (8, 4 at 0/4, 2 at even indices).
 */
final class Planner {
    /** The finished plan. */
    record Plan(World world, List<Job> jobs, List<InjectedIncident> incidents, TrainingJob restarted, long restartAt) {}

    private record Request(Job job, int pods, int gpusPerPod, boolean preExisting, long start, long end) {}

    private static final List<String> LLMS = List.of("llama-8b", "mistral-7b", "qwen-14b", "gpt-1b3", "moe-16x1b", "olmo-7b", "vit-h14");
    private static final List<String> FP32_MODELS = List.of("resnet152", "unet-seg", "gnn-md", "wavenet", "pde-fno", "climate-cnn");
    private static final List<String> AGENTS = List.of("swe-agent", "web-agent", "tool-agent", "math-agent", "code-agent");
    private static final List<String> SERVED = List.of("chat-8b", "embed-v2", "rerank-1b", "code-7b", "vision-11b");
    private static final List<String> USERS = List.of("alice", "bo", "chen", "dara", "emeka", "farah", "goran", "hana", "ines", "jun");
    private static final List<String> TEAMS = List.of("foundation", "multimodal", "agents", "science", "platform", "evals");

    private final SimulationSpec spec;
    private final World world;
    private final Rng rng;
    private final List<String> usedIds = new ArrayList<>();
    private final boolean[][] taken;

    private Planner(SimulationSpec spec) {
        this.spec = spec;
        this.world = new World(spec.seed(), spec.startMs(), spec.endMs(), spec.exportIntervalSeconds() * 1000L,
                spec.sampleIntervalSeconds() * 1000L, spec.nodes());
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
        requests.add(steady(ddp, 2, nodes >= 4 ? 8 : 4));
        RlJob rl = new RlJob(world, id("rl-" + rng.pick(AGENTS)), "agents");
        requests.add(steady(rl, 1, nodes >= 3 ? 4 : 2));
        TrainingJob fp32 = new TrainingJob(world, id("train-" + rng.pick(FP32_MODELS)), "science", true, true);
        requests.add(steady(fp32, 1, 2));
        requests.add(steady(new InferenceJob(world, id("serve-" + rng.pick(SERVED)), "platform"), 1, nodes >= 3 ? 2 : 1));
        requests.add(steady(new NotebookJob(world, id("nb-" + rng.pick(USERS)), "research", true), 1, 1));

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
        return new Plan(world, jobs, incidents, fp32, restartAt);
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
        if (r < 0.30) {
            job = new RlJob(world, id("rl-" + rng.pick(AGENTS)), "agents");
            gpus = rng.chance(0.5) ? 8 : 4;
        } else if (r < 0.55) {
            job = new TrainingJob(world, id("train-" + rng.pick(LLMS)), rng.pick(TEAMS), false, rng.chance(0.5));
            gpus = 8;
            pods = rng.chance(0.4) ? 2 : 1;
        } else if (r < 0.75) {
            job = new InferenceJob(world, id("serve-" + rng.pick(SERVED)), "platform");
            gpus = rng.pick(1, 2, 4);
        } else if (r < 0.92) {
            job = new NotebookJob(world, id("nb-" + rng.pick(USERS)), "research", false);
            gpus = rng.pick(1, 1, 2);
        } else {
            job = new TrainingJob(world, id("train-" + rng.pick(FP32_MODELS)), "science", true, rng.chance(0.5));
            gpus = rng.pick(2, 4);
        }
        if (rng.chance(0.75)) {
            return new Request(job, pods, gpus, true, world.t0 - rng.minutes(30, 30 * 60), Long.MAX_VALUE);
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
     * The job's pods stop at {@code at} (a node drain, an OOM, a preemption) and come back {@code gap}
     * later under the same job id and pod names, with new addresses, on the same node; on other GPUs of
     * it when some stay free for the rest of the span.
     */
    private void restart(Job job, long at, long gap) {
        List<Pod> first = new ArrayList<>(job.pods);
        boolean move = rng.chance(0.5);
        for (Pod p : first) {
            p.end = at;
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
            case INFERENCE -> job.namespace + "/" + job.id + "-" + rng.hex(5);
            case NOTEBOOK -> job.namespace + "/" + job.id + "-0";
        };
    }
}
