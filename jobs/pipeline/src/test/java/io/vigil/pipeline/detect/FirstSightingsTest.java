package io.vigil.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.models.features.JobFlow;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.junit.jupiter.api.Test;

/** One sighting per (job, endpoint or process, minute) goes on to the agent context: the earliest seen so far. */
class FirstSightingsTest {
    private static final long MINUTE = 60_000L;
    private static final long T0 = 1_770_714_000_000L; // a minute's start

    @Test
    void letsThroughTheFirstSightingOfAnEndpointPerJobAndMinuteAndAnEarlierOne() {
        FirstSightings.OfEndpoints endpoints = new FirstSightings.OfEndpoints();
        List<AgentContextInput> out = new ArrayList<>();
        ListCollector<AgentContextInput> to = new ListCollector<>(out);

        endpoints.flatMap(flow("job-a", "203.0.113.10", 443, T0 + 5_000), to);
        endpoints.flatMap(flow("job-a", "203.0.113.10", 443, T0 + 9_000), to); // later, same minute: dropped
        endpoints.flatMap(flow("job-a", "203.0.113.10", 443, T0 + 1_000), to); // earlier, same minute: on
        endpoints.flatMap(flow("job-a", "203.0.113.10", 22, T0 + 9_000), to); // another port
        endpoints.flatMap(flow("job-b", "203.0.113.10", 443, T0 + 9_000), to); // another job
        endpoints.flatMap(flow("job-a", "203.0.113.10", 443, T0 + MINUTE + 1), to); // the next minute

        assertThat(out)
                .extracting(in -> in.jobId + " " + in.seen + " " + (in.seenTs - T0))
                .containsExactly(
                        "job-a 203.0.113.10|443 5000",
                        "job-a 203.0.113.10|443 1000",
                        "job-a 203.0.113.10|22 9000",
                        "job-b 203.0.113.10|443 9000",
                        "job-a 203.0.113.10|443 60001");
    }

    @Test
    void letsThroughEachNewProcessOfASampleOncePerJobAndMinute() {
        FirstSightings.OfProcesses processes = new FirstSightings.OfProcesses();
        List<AgentContextInput> out = new ArrayList<>();
        ListCollector<AgentContextInput> to = new ListCollector<>(out);

        processes.flatMap(sample("job-a", T0 + 1_000, "python", "xmrig"), to);
        processes.flatMap(sample("job-a", T0 + 2_000, "python", "xmrig"), to); // both seen this minute
        processes.flatMap(sample("job-a", T0 + 3_000, "python", "nccl-test"), to);
        processes.flatMap(sample("job-a", T0 + MINUTE, "xmrig"), to);

        assertThat(out)
                .extracting(in -> in.jobId + " " + in.seen + " " + (in.seenTs - T0))
                .containsExactly(
                        "job-a gpu|python 1000",
                        "job-a gpu|xmrig 1000",
                        "job-a gpu|nccl-test 3000",
                        "job-a gpu|xmrig 60000");
    }

    @Test
    void forgetsTheLeastRecentlySeenBeyondItsCapacity() {
        FirstSightings.OfEndpoints endpoints = new FirstSightings.OfEndpoints();
        List<AgentContextInput> out = new ArrayList<>();
        ListCollector<AgentContextInput> to = new ListCollector<>(out);

        endpoints.flatMap(flow("job-a", "10.0.0.1", 1, T0), to);
        for (int port = 2; port <= FirstSightings.CAPACITY + 1; port++) {
            endpoints.flatMap(flow("job-a", "10.0.0.1", port, T0), to);
        }
        endpoints.flatMap(flow("job-a", "10.0.0.1", 1, T0), to); // forgotten: sent again
        endpoints.flatMap(flow("job-a", "10.0.0.1", FirstSightings.CAPACITY + 1, T0), to); // remembered

        assertThat(out).hasSize(FirstSightings.CAPACITY + 2);
    }

    private static JobFlow flow(String job, String remoteIp, int remotePort, long startTs) {
        JobFlow f = new JobFlow();
        f.jobId = job;
        f.remoteIp = remoteIp;
        f.remotePort = remotePort;
        f.startTs = startTs;
        f.ts = startTs;
        return f;
    }

    private static GpuSample sample(String job, long ts, String... processes) {
        List<GpuProcess> ps = new ArrayList<>();
        for (String name : processes) {
            ps.add(GpuProcess.newBuilder()
                    .setPid(ps.size() + 1)
                    .setName(name)
                    .setUsedMib(100)
                    .build());
        }
        return GpuSample.newBuilder()
                .setTs(Instant.ofEpochMilli(ts))
                .setNode("gpu-1")
                .setGpu(0)
                .setJobId(job)
                .setUtil(90)
                .setProcesses(ps)
                .build();
    }
}
