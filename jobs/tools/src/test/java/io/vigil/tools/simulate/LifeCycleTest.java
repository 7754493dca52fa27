package io.vigil.tools.simulate;

import static io.vigil.tools.simulate.SimulatedDataset.MINUTE;
import static io.vigil.tools.simulate.SimulatedDataset.benign;
import static io.vigil.tools.simulate.SimulatedDataset.ts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.records.Assignment;
import io.vigil.records.AssignmentEvent;
import io.vigil.records.Flow;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benign fleet lives the way real ones do, and the telemetry shows it: restarts, a preemption,
 * processes that vanish and come back, checkpoint saves and loads, warm-ups, stalls and quiet tails.
 */
class LifeCycleTest {
    @TempDir
    static Path dir;

    static final List<SimulatedDataset> datasets = new ArrayList<>();

    @BeforeAll
    static void simulate() throws IOException {
        for (long seed : new long[] {21, 22, 23}) {
            datasets.add(SimulatedDataset.simulate(benign(seed, 3, 1.5), dir.resolve("s" + seed)));
        }
    }

    static List<GpuSample> samplesOfPod(SimulatedDataset d, String pod, long from, long to) {
        return d.samples.stream()
                .filter(s -> pod.equals(s.getPod()) && ts(s) >= from && ts(s) < to)
                .toList();
    }

    /** The pods of a job as simulation.json lists them. */
    static List<JsonNode> pods(JsonNode job) {
        List<JsonNode> out = new ArrayList<>();
        job.get("pods").forEach(out::add);
        return out;
    }

    static List<JsonNode> jobs(SimulatedDataset d) {
        List<JsonNode> out = new ArrayList<>();
        d.simulation.get("jobs").forEach(out::add);
        return out;
    }

    @Test
    void aPreemptedJobStopsAndAnotherTakesItsGpusThenItIsRescheduledUnderTheSameId() {
        for (SimulatedDataset d : datasets) {
            JsonNode pre = d.simulation.get("preemption");
            assertThat(pre.isNull()).as("a preemption in every dataset").isFalse();
            String job = pre.get("job_id").asText();
            long stopTs = pre.get("stop_ts").asLong();
            Assignment stop = d.assignments.stream()
                    .filter(a -> a.getJobId().equals(job) && a.getEvent() == AssignmentEvent.STOP)
                    .findFirst()
                    .orElseThrow();
            assertThat(stop.getTs().toEpochMilli()).isEqualTo(stopTs);
            Assignment taker = d.assignments.stream()
                    .filter(a ->
                            a.getJobId().equals(pre.get("by_job_id").asText()) && a.getEvent() == AssignmentEvent.START)
                    .findFirst()
                    .orElseThrow();
            assertThat(taker.getNode()).isEqualTo(stop.getNode());
            assertThat(taker.getGpus()).isEqualTo(stop.getGpus());
            assertThat(taker.getTs().toEpochMilli() - stopTs).isBetween(0L, MINUTE);
            // SIGTERM: the processes leave the GPUs within the grace period, before the STOP
            JsonNode stopped = jobs(d).stream()
                    .filter(j -> j.get("job_id").asText().equals(job))
                    .flatMap(j -> pods(j).stream())
                    .filter(p -> !p.get("end_ts").isNull() && p.get("end_ts").asLong() == stopTs)
                    .findFirst()
                    .orElseThrow();
            long exit = stopped.get("exit_ts").asLong();
            assertThat(stopTs - exit).isBetween(1L, 30_000L);
            assertThat(samplesOfPod(d, stop.getPod(), exit, stopTs))
                    .allSatisfy(s -> assertThat(s.getProcesses()).isEmpty());
            assertThat(samplesOfPod(d, stop.getPod(), exit - 60_000, exit))
                    .anySatisfy(s -> assertThat(s.getProcesses()).isNotEmpty());
            if (!pre.get("start_ts").isNull()) {
                Assignment again = d.assignments.stream()
                        .filter(a -> a.getJobId().equals(job)
                                && a.getEvent() == AssignmentEvent.START
                                && a.getTs().toEpochMilli() > stopTs)
                        .findFirst()
                        .orElseThrow();
                assertThat(again.getIp()).isNotEqualTo(stop.getIp());
                assertThat(again.getNode()).isEqualTo(pre.get("to_node").asText());
            }
        }
    }

    @Test
    void outagesTakeTheProcessesAwayAndBringThemBackUnderNewPidsWithoutAStop() {
        int outages = 0;
        for (SimulatedDataset d : datasets) {
            for (JsonNode job : jobs(d)) {
                if (!job.has("outages")) {
                    continue;
                }
                for (JsonNode o : job.get("outages")) {
                    long from = o.get(0).asLong();
                    long to = o.get(1).asLong();
                    for (JsonNode pod : pods(job)) {
                        long start = pod.get("start_ts").asLong();
                        long end = pod.get("end_ts").isNull()
                                ? Long.MAX_VALUE
                                : pod.get("end_ts").asLong();
                        if (start >= from || end <= to + 10 * MINUTE || to >= d.end() - 5 * MINUTE) {
                            continue;
                        }
                        String name = pod.get("pod").asText();
                        List<GpuSample> during = samplesOfPod(d, name, from + 10_000, to);
                        assertThat(during)
                                .as("%s during its outage", name)
                                .isNotEmpty()
                                .allSatisfy(s -> {
                                    assertThat(s.getProcesses()).isEmpty();
                                    assertThat(s.getUtil()).isZero();
                                    assertThat(s.getFbUsedMib()).isZero();
                                    assertThat(s.getSmClockMhz()).isEqualTo(GpuDevice.IDLE_CLOCK_MHZ);
                                });
                        Set<Long> before = pids(samplesOfPod(d, name, start, from));
                        Set<Long> after = pids(samplesOfPod(d, name, to, to + 10 * MINUTE));
                        assertThat(after)
                                .as("%s after its outage", name)
                                .isNotEmpty()
                                .doesNotContainAnyElementsOf(before);
                        assertThat(d.assignments).noneMatch(a -> a.getPod().equals(name) && at(a) > from && at(a) < to);
                        outages++;
                    }
                }
            }
        }
        assertThat(outages).as("outages in these datasets").isPositive();
    }

    static long at(Assignment a) {
        return a.getTs().toEpochMilli();
    }

    static Set<Long> pids(List<GpuSample> samples) {
        return samples.stream()
                .flatMap(s -> s.getProcesses().stream())
                .map(GpuProcess::getPid)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void stallsIdleTheGpusForMinutesWhileTheProcessesKeepTheirMemoryAndTheNetworkGoesQuiet() {
        int stalls = 0;
        for (SimulatedDataset d : datasets) {
            for (JsonNode job : jobs(d)) {
                if (!job.has("stalls") || !job.get("kind").asText().equals("training")) {
                    continue;
                }
                for (JsonNode st : job.get("stalls")) {
                    long from = st.get(0).asLong();
                    long to = st.get(1).asLong();
                    assertThat(to - from).isBetween(90_000L, 6 * MINUTE);
                    for (JsonNode pod : pods(job)) {
                        String name = pod.get("pod").asText();
                        List<GpuSample> during = samplesOfPod(d, name, from, to);
                        if (during.isEmpty()
                                || during.stream()
                                        .anyMatch(s -> s.getProcesses().isEmpty())) {
                            continue; // the pod was not there, or still starting
                        }
                        double busyPower = samplesOfPod(d, name, from - 10 * MINUTE, from).stream()
                                .filter(s -> s.getUtil() > 90)
                                .mapToDouble(GpuSample::getPowerW)
                                .average()
                                .orElse(Double.NaN);
                        assertThat(during).allSatisfy(s -> {
                            assertThat(s.getUtil()).isLessThanOrEqualTo(4.0);
                            assertThat(s.getTensorActive()).isZero();
                            assertThat(s.getFbUsedMib()).isGreaterThan(1_000L);
                        });
                        double stalledPower = during.stream()
                                .mapToDouble(GpuSample::getPowerW)
                                .average()
                                .orElseThrow();
                        if (!Double.isNaN(busyPower)) {
                            assertThat(stalledPower).isLessThan(busyPower - 150);
                        }
                        // NCCL and the data reads wait too: reports whose whole interval lies in the stall carry little
                        Set<String> ips = d.ips(job.get("job_id").asText());
                        List<Flow> quiet = d.flows.stream()
                                .filter(f -> ips.contains(f.getSrcIp())
                                        && SimulatedDataset.startTs(f) < ts(f) - 60_000
                                        && ts(f) - 60_000 >= from
                                        && ts(f) < to
                                        && "S1".equals(f.getConnState()))
                                .toList();
                        assertThat(quiet)
                                .allSatisfy(f -> assertThat(f.getOrigBytes() + f.getRespBytes())
                                        .isLessThan(2_000_000));
                        stalls++;
                    }
                }
            }
        }
        assertThat(stalls).as("stalls of training pods in these datasets").isPositive();
    }

    @Test
    void finishedPodsWindDownAndTheirProcessesExitBeforeTheStop() {
        int finished = 0;
        for (SimulatedDataset d : datasets) {
            for (JsonNode job : jobs(d)) {
                for (JsonNode pod : pods(job)) {
                    if (!pod.has("exit_ts")) {
                        continue;
                    }
                    String name = pod.get("pod").asText();
                    long exit = pod.get("exit_ts").asLong();
                    long end = pod.get("end_ts").asLong();
                    assertThat(end - exit).isBetween(1L, MINUTE);
                    assertThat(samplesOfPod(d, name, exit, end)).allSatisfy(s -> {
                        assertThat(s.getProcesses()).isEmpty();
                        assertThat(s.getUtil()).isZero();
                    });
                    if (pod.has("tail_from_ts")) {
                        long tail = pod.get("tail_from_ts").asLong();
                        List<GpuSample> winding = samplesOfPod(d, name, tail, exit);
                        assertThat(winding)
                                .isNotEmpty()
                                .allSatisfy(s -> assertThat(s.getUtil()).isLessThanOrEqualTo(4.0));
                        finished++;
                    }
                }
            }
        }
        assertThat(finished).as("pods with a quiet tail").isPositive();
    }

    @Test
    void aRestartedTrainingPodWarmsUpAndReadsItsCheckpointBack() {
        for (SimulatedDataset d : datasets) {
            String job = d.simulation.get("restart").get("job_id").asText();
            long stop = d.simulation.get("restart").get("stop_ts").asLong();
            Assignment again = d.assignments.stream()
                    .filter(a -> a.getJobId().equals(job) && a.getEvent() == AssignmentEvent.START && at(a) > stop)
                    .findFirst()
                    .orElseThrow();
            List<GpuSample> first = samplesOfPod(d, again.getPod(), at(again), at(again) + 4 * MINUTE).stream()
                    .filter(s -> s.getGpu() == again.getGpus().get(0))
                    .toList();
            // the container starts (no process), the model and checkpoint load (memory fills, little compute), then
            // training
            assertThat(first.get(0).getProcesses()).isEmpty();
            int loading = -1;
            for (int i = 0; i < first.size(); i++) {
                if (!first.get(i).getProcesses().isEmpty() && first.get(i).getUtil() <= 25) {
                    loading = i;
                    break;
                }
            }
            assertThat(loading).as("a warm-up sample").isPositive();
            assertThat(first.subList(loading, first.size()))
                    .anySatisfy(s -> assertThat(s.getUtil()).isGreaterThan(90));
            long read = d.flows.stream()
                    .filter(f -> f.getSrcIp().equals(again.getIp())
                            && ts(f) < at(again) + 5 * MINUTE
                            && (Addresses.OBJECT_STORE.contains(f.getDstIp())
                                    || f.getDstIp().equals(Addresses.NFS)))
                    .mapToLong(Flow::getRespBytes)
                    .sum();
            assertThat(read).as("checkpoint read back").isGreaterThan(1L << 30);
        }
    }

    @Test
    void checkpointSavesIdleTheGpusForAboutAMinuteAndBurstWritesToStorage() {
        for (SimulatedDataset d : datasets) {
            boolean seen = false;
            for (JsonNode job : jobs(d)) {
                if (!job.get("kind").asText().equals("training") || seen) {
                    continue;
                }
                String name = pods(job).get(0).get("pod").asText();
                Set<String> ips = d.ips(job.get("job_id").asText());
                List<GpuSample> series = d.samples.stream()
                        .filter(s -> name.equals(s.getPod())
                                && s.getGpu()
                                        == pods(job).get(0).get("gpus").get(0).asInt())
                        .toList();
                for (int i = 1; i + 3 < series.size() && !seen; i++) {
                    GpuSample s = series.get(i);
                    boolean dip = series.get(i - 1).getUtil() > 90
                            && series.subList(i, i + 3).stream()
                                    .allMatch(x -> x.getUtil() <= 22
                                            && !x.getProcesses().isEmpty());
                    if (!dip) {
                        continue;
                    }
                    long at = ts(s);
                    long written = d.flows.stream()
                            .filter(f -> ips.contains(f.getSrcIp())
                                    && ts(f) >= at
                                    && ts(f) < at + 3 * MINUTE
                                    && (Addresses.OBJECT_STORE.contains(f.getDstIp())
                                            || Addresses.CLOUD_STORAGE.contains(f.getDstIp())
                                            || f.getDstIp().equals(Addresses.NFS)))
                            .mapToLong(Flow::getOrigBytes)
                            .sum();
                    seen = written > 500L << 20;
                }
            }
            assertThat(seen)
                    .as("a checkpoint save with its burst of writes in dataset " + d.dir)
                    .isTrue();
        }
    }
}
