package io.vigil.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.tools.bench.ThreadCpu.Kind;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

    @Test
    void threadsAreSortedByWhatTheyDoNotByTheirSubtaskSuffix() {
        // names as a bench run's threads had them
        assertThat(Kind.of("Attribute flows by source and destination address -> (Pre-combine flows) (1/2)#0"))
                .isEqualTo(Kind.FLINK_TASK);
        assertThat(Kind.of("Source Data Fetcher for Source: input 0 -> Route cumulative connection reports (2/2)#0"))
                .isEqualTo(Kind.SOURCE_FETCHER);
        assertThat(Kind.of("OutputFlusher for Contacts per job and window -> Late flows (1/2)#0"))
                .isEqualTo(Kind.OUTPUT_FLUSHER);
        assertThat(Kind.of("AsyncOperations-thread-1")).isEqualTo(Kind.CHECKPOINT_ASYNC);
        assertThat(Kind.of("kafka-producer-network-thread | producer-17")).isEqualTo(Kind.KAFKA_CLIENT);
        assertThat(Kind.of("data-plane-kafka-request-handler-5")).isEqualTo(Kind.BROKER);
        assertThat(Kind.of("data-plane-kafka-network-thread-1-PLAINTEXT-PLAINTEXT-2"))
                .isEqualTo(Kind.BROKER);
        assertThat(Kind.of("kafka-1-raft-io-thread")).isEqualTo(Kind.BROKER);
        assertThat(Kind.of("quorum-controller-1-event-handler")).isEqualTo(Kind.BROKER);
        assertThat(Kind.of("main")).isEqualTo(Kind.BENCH);
        assertThat(Kind.of("jobmanager-io-thread-2")).isEqualTo(Kind.OTHER);
    }

    @Test
    void aThreadStartedSinceTheStartCountsWithItsKind() throws Exception {
        ThreadCpu cpu = ThreadCpu.start();
        CountDownLatch worked = new CountDownLatch(1);
        CountDownLatch seen = new CountDownLatch(1);
        Thread busy = new Thread(
                () -> {
                    long x = 1;
                    while (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() < 5_000_000L) {
                        x = x * 31 + 7;
                    }
                    sink = x;
                    worked.countDown();
                    try {
                        seen.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "OutputFlusher for a test (1/1)#0");
        busy.start();
        worked.await();
        cpu.poll();
        seen.countDown();
        busy.join();
        assertThat(cpu.byKind().get(Kind.OUTPUT_FLUSHER)).isGreaterThanOrEqualTo(0.005);
        assertThat(cpu.byName(100)).containsKey("OutputFlusher for a test (#/#)##");
    }

    private static volatile long sink;
}
