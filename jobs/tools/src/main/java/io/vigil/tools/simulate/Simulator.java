package io.vigil.tools.simulate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.tools.output.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Runs a simulation and writes it as a dataset (docs/ARCHITECTURE.md, "Records and topics"): {@code flows.jsonl.gz},
 * {@code gpu.jsonl.gz}, {@code assignments.jsonl.gz}, {@code agent_events.jsonl.gz} (the RL agents' tool calls), each
 * sorted by time; {@code labels.json}, the injected incidents' intervals and the tool call behind each; {@code simulation.json}, the parameters, the layout and the counts; and
 * a {@code README.md} saying what happened.
 *
 * <p>Time advances a minute at a time across every node, job and incident; each minute's records are
 * sorted and written before the next is made, so memory stays flat however long the span.
 */
public final class Simulator {
    /** Bumped whenever the same spec would give different data. */
    public static final String MODEL_VERSION = "vigil-simulate/3";

    static final long STEP_MS = 60_000;
    static final String LABELS = "labels.json";
    static final String SIMULATION = "simulation.json";
    static final String README = "README.md";

    /** Told how far the simulation got. */
    @FunctionalInterface
    public interface Progress {
        void update(long simulatedMs, long totalMs, long flows, long samples);
    }

    /** What was written. */
    public record Result(long flows, long samples, long assignments, long agentEvents, List<Label> labels) {}

    /**
     * One entry of labels.json; {@code episodeId} and {@code callStep} name the agent's tool call that started it, or
     * are null when no agent did (a job without agents, a payload acting on its own).
     */
    public record Label(
            String incident,
            String jobId,
            String category,
            long startTs,
            long endTs,
            String episodeId,
            Long callStep) {}

    private Simulator() {}

    /** Simulates {@code spec} into {@code dir} (created if missing; the dataset's files are replaced). */
    public static Result run(SimulationSpec spec, Path dir, Progress progress) throws IOException {
        Planner.Plan plan = Planner.plan(spec);
        World world = plan.world();
        List<Assignment> events = assignments(plan);
        int nextEvent = 0;
        List<NodeChatter> chatter = new ArrayList<>();
        for (Node node : world.nodes) {
            chatter.add(new NodeChatter(world, node));
        }
        try (Output out = new Output(dir)) {
            for (long from = world.t0; from < world.end; from += STEP_MS) {
                long to = Math.min(from + STEP_MS, world.end);
                world.begin(from);
                while (nextEvent < events.size()
                        && events.get(nextEvent).getTs().toEpochMilli() < to) {
                    out.assignment(events.get(nextEvent++));
                }
                for (NodeChatter c : chatter) {
                    c.network(from, to);
                }
                for (Job job : plan.jobs()) {
                    job.network(from, to);
                }
                for (InjectedIncident incident : plan.incidents()) {
                    incident.network(from, to);
                }
                sample(world, plan.incidents(), from, to, out);
                world.advance(from, to, out);
                for (Job job : plan.jobs()) {
                    if (job instanceof RlJob rl) {
                        rl.agent.drain(to, out);
                    }
                }
                out.flush(to);
                progress.update(to - world.t0, world.span(), out.flowCount(), out.sampleCount());
            }
            out.finish(world.end);
            List<Label> labels = labels(plan);
            Result result = new Result(
                    out.flowCount(), out.sampleCount(), out.assignmentCount(), out.agentEventCount(), labels);
            write(dir.resolve(LABELS), labelsJson(labels));
            write(dir.resolve(SIMULATION), simulationJson(spec, plan, result));
            Files.writeString(dir.resolve(README), readme(spec, plan, result), StandardCharsets.UTF_8);
            return result;
        }
    }

    /** GPU samples in [from, to): every node scrapes all its GPUs at once on its own beat. */
    private static void sample(World world, List<InjectedIncident> incidents, long from, long to, Output out) {
        for (Node node : world.nodes) {
            long origin = world.t0 + node.samplePhaseMs;
            long k = Math.max(0, -Math.floorDiv(-(from - origin), world.sampleMs));
            for (long t = origin + k * world.sampleMs; t < to; t += world.sampleMs) {
                long ts = t + node.rng.between(0, 40);
                for (int g = 0; g < Node.GPUS; g++) {
                    GpuDevice device = node.gpus[g];
                    Pod holder = node.holder(g, t);
                    Load load =
                            holder == null ? Load.idle() : holder.job.loadAt(holder, holder.slot(g), t, device.noise);
                    Phase credited = null;
                    for (InjectedIncident incident : incidents) {
                        Phase p = incident.overlay(node, g, t, load);
                        if (p != null) {
                            credited = p;
                        }
                    }
                    out.sample(device.sample(ts, load, holder), credited);
                }
            }
        }
    }

    /** START and STOP of every pod, in time order (those started before the span first). */
    private static List<Assignment> assignments(Planner.Plan plan) {
        List<Assignment> events = new ArrayList<>();
        for (Job job : plan.jobs()) {
            for (Pod p : job.pods) {
                if (p.start >= plan.world().end) {
                    continue;
                }
                for (String ip : p.addresses()) { // one event per address of the pod, as status.podIPs lists them
                    events.add(assignment(p, ip, AssignmentEvent.START, p.start));
                    if (p.end < plan.world().end) {
                        events.add(assignment(p, ip, AssignmentEvent.STOP, p.end));
                    }
                }
            }
        }
        events.sort(Comparator.comparing((Assignment a) -> a.getTs())
                .thenComparing(a -> a.getEvent() == AssignmentEvent.STOP ? 0 : 1)
                .thenComparing(Assignment::getPod)
                .thenComparing(Assignment::getIp));
        return events;
    }

    private static Assignment assignment(Pod p, String ip, AssignmentEvent event, long ts) {
        List<Integer> gpus = new ArrayList<>();
        for (int g : p.gpus) {
            gpus.add(g);
        }
        return new Assignment(Instant.ofEpochMilli(ts), event, p.job.id, p.node.name, p.name, ip, gpus, p.job.labels());
    }

    private static List<Label> labels(Planner.Plan plan) {
        List<Label> labels = new ArrayList<>();
        for (InjectedIncident incident : plan.incidents()) {
            for (Phase phase : incident.phases) {
                if (phase.happened()) {
                    AgentTrace.Call cause = phase.cause;
                    labels.add(new Label(
                            phase.incident,
                            phase.jobId,
                            phase.category,
                            phase.first(),
                            phase.last(),
                            cause == null || cause.step < 0 ? null : cause.episode,
                            cause == null || cause.step < 0 ? null : cause.step));
                }
            }
        }
        labels.sort(Comparator.comparingLong(Label::startTs)
                .thenComparing(Label::incident)
                .thenComparing(Label::category));
        return labels;
    }

    // ------------------------------------------------------------------ the side files

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static ArrayNode labelsJson(List<Label> labels) {
        ArrayNode array = NODES.arrayNode();
        for (Label l : labels) {
            ObjectNode o = array.addObject();
            o.put("incident", l.incident());
            o.put("job_id", l.jobId());
            o.put("category", l.category());
            o.put("start_ts", l.startTs());
            o.put("end_ts", l.endTs());
            if (l.episodeId() == null) {
                o.putNull("episode_id");
                o.putNull("call_step");
            } else {
                o.put("episode_id", l.episodeId());
                o.put("call_step", l.callStep());
            }
        }
        return array;
    }

    private static ObjectNode simulationJson(SimulationSpec spec, Planner.Plan plan, Result result) {
        World world = plan.world();
        ObjectNode o = NODES.objectNode();
        o.put("simulator", MODEL_VERSION);
        o.put("seed", spec.seed());
        o.put("nodes", spec.nodes());
        o.put("gpus_per_node", Node.GPUS);
        o.put("hours", spec.hours());
        o.put("start", spec.start().toString());
        o.put("start_ts", world.t0);
        o.put("end_ts", world.end);
        o.put("sample_interval_s", spec.sampleIntervalSeconds());
        o.put("export_interval_s", spec.exportIntervalSeconds());
        o.put("benign_only", spec.benignOnly());
        ArrayNode incidents = o.putArray("incidents");
        for (InjectedIncident in : plan.incidents()) {
            ObjectNode i = incidents.addObject();
            i.put("incident", in.name);
            i.put("kind", in.kind.cliName);
            i.put("job_id", in.job.id);
            i.put("pod", in.pod.name);
            i.put("offset_minutes", (in.start - world.t0) / 60_000.0);
            i.put("start_ts", in.start);
            i.put("by_agent", in.byAgent());
            i.put("what", in.describe());
        }
        ArrayNode jobs = o.putArray("jobs");
        for (Job job : plan.jobs()) {
            ObjectNode j = jobs.addObject();
            j.put("job_id", job.id);
            j.put("kind", job.kind.label);
            j.put("what", job.describe());
            if (job.hostNetwork) {
                j.put("host_network", true);
            }
            spells(j, "outages", job, job.outages, world);
            spells(j, "stalls", job, job.stalls, world);
            ArrayNode pods = j.putArray("pods");
            for (Pod p : job.pods) {
                if (p.start >= world.end) {
                    continue;
                }
                ObjectNode pn = pods.addObject();
                pn.put("pod", p.name);
                pn.put("node", p.node.name);
                pn.put("ip", p.ip);
                if (p.ip6 != null) {
                    pn.put("ip6", p.ip6);
                }
                ArrayNode g = pn.putArray("gpus");
                for (int x : p.gpus) {
                    g.add(x);
                }
                pn.put("start_ts", p.start);
                if (p.end < world.end) {
                    if (p.tailFrom < p.end) {
                        pn.put("tail_from_ts", p.tailFrom);
                    }
                    pn.put("exit_ts", p.exitAt);
                    pn.put("end_ts", p.end);
                } else {
                    pn.putNull("end_ts");
                }
            }
        }
        ObjectNode restart = o.putObject("restart");
        restart.put("job_id", plan.restarted().id);
        restart.put("stop_ts", plan.restartAt());
        Planner.Preemption pre = plan.preemption();
        if (pre == null) {
            o.putNull("preemption");
        } else {
            ObjectNode pn = o.putObject("preemption");
            pn.put("job_id", pre.job().id);
            pn.put("stop_ts", pre.at());
            pn.put("by_job_id", pre.by().id);
            pn.put("from_node", pre.from().name);
            pn.put("to_node", pre.to().name);
            if (pre.back() < world.end) {
                pn.put("start_ts", pre.back());
            } else {
                pn.putNull("start_ts");
            }
        }
        o.put("idle_gpus", idleGpus(world));
        ObjectNode counts = o.putObject("counts");
        counts.put("flows", result.flows());
        counts.put("gpu_samples", result.samples());
        counts.put("assignments", result.assignments());
        counts.put("agent_events", result.agentEvents());
        counts.put("labels", result.labels().size());
        return o;
    }

    /** The job's outages or stalls that overlap the span and the life of one of its pods, as [start_ts, end_ts] pairs. */
    private static void spells(ObjectNode node, String name, Job job, List<Job.Spell> spells, World world) {
        ArrayNode a = null;
        for (Job.Spell sp : spells) {
            if (sp.end() > world.t0
                    && sp.start() < world.end
                    && job.pods.stream().anyMatch(p -> p.aliveDuring(sp.start(), sp.end()))) {
                a = a == null ? node.putArray(name) : a;
                ArrayNode pair = a.addArray();
                pair.add(sp.start());
                pair.add(sp.end());
            }
        }
    }

    /** GPUs no pod held at any time in the span. */
    private static int idleGpus(World world) {
        int n = 0;
        for (Node node : world.nodes) {
            for (int g = 0; g < Node.GPUS; g++) {
                n += node.freeDuring(g, world.t0, world.end) ? 1 : 0;
            }
        }
        return n;
    }

    private static String readme(SimulationSpec spec, Planner.Plan plan, Result result) {
        World world = plan.world();
        StringBuilder b = new StringBuilder();
        b.append("# Simulated dataset (seed ").append(spec.seed()).append(")\n\n");
        b.append("Written by `vigil simulate --seed ")
                .append(spec.seed())
                .append(" --nodes ")
                .append(spec.nodes())
                .append(" --hours ")
                .append(SimulationSpec.fmt(spec.hours()))
                .append(" --start ")
                .append(spec.start())
                .append(" --sample-interval-s ")
                .append(spec.sampleIntervalSeconds())
                .append(" --export-interval-s ")
                .append(spec.exportIntervalSeconds());
        if (spec.benignOnly()) {
            b.append(" --benign-only");
        }
        for (IncidentRequest r : spec.incidents()) {
            b.append(" --incident ").append(r);
        }
        b.append("` (")
                .append(MODEL_VERSION)
                .append("). Synthetic: no real cluster, addresses or people; outside hosts are in the")
                .append(" documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32.\n\n");
        b.append(String.format(
                Locale.ROOT,
                "%d nodes x 8 H100 GPUs, %s to %s. %,d flow reports (exporter active timeout %d s),"
                        + " %,d GPU samples (every %d s), %,d assignment events, %,d agent tool calls, %d labels.%n%n",
                spec.nodes(),
                Instant.ofEpochMilli(world.t0),
                Instant.ofEpochMilli(world.end),
                result.flows(),
                spec.exportIntervalSeconds(),
                result.samples(),
                spec.sampleIntervalSeconds(),
                result.assignments(),
                result.agentEvents(),
                result.labels().size()));
        b.append("## Jobs\n\n| job | kind | what |\n|---|---|---|\n");
        for (Job job : plan.jobs()) {
            b.append("| `")
                    .append(job.id)
                    .append("` | ")
                    .append(job.kind.label)
                    .append(" | ")
                    .append(job.describe())
                    .append(" |\n");
        }
        b.append("\n")
                .append(idleGpus(world))
                .append(" GPU(s) stay idle throughout. `")
                .append(plan.restarted().id)
                .append("` restarts at ")
                .append(Instant.ofEpochMilli(plan.restartAt()))
                .append(" (STOP, then START with new addresses).");
        Planner.Preemption pre = plan.preemption();
        if (pre != null) {
            b.append(" `")
                    .append(pre.job().id)
                    .append("` is preempted at ")
                    .append(Instant.ofEpochMilli(pre.at()))
                    .append(" by `")
                    .append(pre.by().id)
                    .append("` and ");
            b.append(
                            pre.back() < world.end
                                    ? "starts again on " + pre.to().name + " at " + Instant.ofEpochMilli(pre.back())
                                    : "is not back before the end")
                    .append(".");
        }
        int outages = 0;
        int stalls = 0;
        int finished = 0;
        for (Job job : plan.jobs()) {
            outages += (int) job.outages.stream()
                    .filter(sp -> sp.start() < world.end
                            && job.pods.stream().anyMatch(p -> p.aliveDuring(sp.start(), sp.end())))
                    .count();
            stalls += (int) job.stalls.stream()
                    .filter(sp -> sp.start() < world.end
                            && job.pods.stream().anyMatch(p -> p.aliveDuring(sp.start(), sp.end())))
                    .count();
            finished += (int) job.pods.stream()
                    .filter(p -> p.end < world.end && p.tailFrom < p.end)
                    .count();
        }
        b.append(String.format(
                Locale.ROOT,
                " Life cycle: %d outage(s) (processes vanish and come back under new pids), %d stall(s)"
                        + " (GPUs idle, memory held, network quiet), %d pod(s) winding down before STOP; see simulation.json.%n%n",
                outages,
                stalls,
                finished));
        b.append(
                "Benign traps present: fleet-wide long-lived HTTPS to the experiment tracker, an FP32 job with idle tensor cores,"
                        + " a job restart, a preemption, checkpoint saves and loads, warm-ups, data-loader stalls, quiet tails,"
                        + " checkpoint exports to the shared cloud object store, git over SSH, external APIs on odd ports,"
                        + " SSH into notebooks from the bastion, long-lived sessions through the proxy, an agent browsing many web servers,"
                        + " idle GPUs, and each node's chatter (NTP, DHCP, DNS, mDNS, SSDP, LLMNR, NetBIOS, ICMP unreachable, metric"
                        + " scrapes, health checks, package mirrors and CDNs; some over IPv6), which is the host-network training job's"
                        + " traffic too. The RL jobs' agents report every tool call (`agent_events.jsonl.gz`): tests, package"
                        + " installs from the mirror, git over HTTPS and SSH, API calls and web fetches, notebook cells, reading and"
                        + " editing files, now and then a failing one; each starts a little before the packets it causes.\n\n");
        b.append("## Incidents\n\n");
        if (plan.incidents().isEmpty()) {
            b.append("None: a benign baseline.\n");
        } else {
            b.append("| incident | job | starts | what |\n|---|---|---|---|\n");
            for (InjectedIncident in : plan.incidents()) {
                b.append("| ")
                        .append(in.name)
                        .append(" | `")
                        .append(in.job.id)
                        .append("` | ")
                        .append(Instant.ofEpochMilli(in.start))
                        .append(" | ")
                        .append(in.describe())
                        .append(" |\n");
            }
            b.append(
                    "\nLabelled intervals (`labels.json`), with the agent's tool call behind each (none: no agent typed it,"
                            + " a job without agents or a payload acting on its own):\n\n"
                            + "| incident | category | from | to | episode | step |\n|---|---|---|---|---|---|\n");
            for (Label l : result.labels()) {
                b.append("| ")
                        .append(l.incident())
                        .append(" | ")
                        .append(l.category())
                        .append(" | ")
                        .append(Instant.ofEpochMilli(l.startTs()))
                        .append(" | ")
                        .append(Instant.ofEpochMilli(l.endTs()))
                        .append(" | ")
                        .append(l.episodeId() == null ? "none" : "`" + l.episodeId() + "`")
                        .append(" | ")
                        .append(l.callStep() == null ? "" : l.callStep().toString())
                        .append(" |\n");
            }
        }
        return b.toString();
    }

    private static void write(Path file, Object json) throws IOException {
        Files.writeString(file, Json.text(json), StandardCharsets.UTF_8);
    }
}
