package io.vigil.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.records.Decoded;
import io.vigil.records.GpuSample;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** The agent's loop without processes or brokers: a flaky source, a broker outage, the buffer's bound. */
class GpuCollectorTest {
    static final Duration TICK = Duration.ofMillis(1);

    static GpuSample sample(long ts, int gpu) {
        return GpuSample.newBuilder()
                .setTs(Instant.ofEpochMilli(ts))
                .setNode("node-2")
                .setGpu(gpu)
                .setUtil(50)
                .build();
    }

    /** Two GPUs per poll; fails while {@code failing} is above zero. */
    static final class FakeSource implements GpuSource {
        final AtomicInteger failing = new AtomicInteger();

        @Override
        public String describe() {
            return "fake-nvidia-smi";
        }

        @Override
        public List<Decoded<GpuSample>> poll(long nowMs) throws IOException {
            if (failing.getAndDecrement() > 0) {
                throw new IOException("exited with 9: NVIDIA-SMI has failed");
            }
            return List.of(Decoded.accepted(sample(nowMs, 0)), Decoded.accepted(sample(nowMs, 1)));
        }
    }

    static final class FakeBroker implements SamplePublisher {
        final List<GpuSample> received = new ArrayList<>();
        boolean down;
        boolean refusing;

        @Override
        public void publish(GpuSample s) throws Exception {
            if (refusing) {
                throw new Refused("authentication failed: invalid credentials");
            }
            if (down) {
                throw new TimeoutException("Topic vigil.gpu not present in metadata after 1000 ms.");
            }
            received.add(s);
        }

        @Override
        public void close() {}
    }

    final StringWriter log = new StringWriter();
    final AtomicInteger clock = new AtomicInteger(1_000);

    GpuCollector collector(GpuSource source, SamplePublisher broker, int buffer) {
        return new GpuCollector(
                source,
                null,
                broker,
                buffer,
                TICK,
                Duration.ofMillis(8),
                new PrintWriter(log, true),
                () -> clock.addAndGet(1_000));
    }

    @Test
    void aFailingSourceIsReportedAndRetriedUntilItAnswers() throws Exception {
        FakeSource source = new FakeSource();
        source.failing.set(3);
        FakeBroker broker = new FakeBroker();
        GpuCollector c = collector(source, broker, 100);
        c.run(5);
        assertThat(c.failures()).isEqualTo(3);
        assertThat(broker.received).hasSize(4);
        assertThat(log.toString())
                .contains("cannot read GPUs from fake-nvidia-smi: exited with 9")
                .contains("3 failures in a row")
                .contains("answers again after 3 failures");
    }

    @Test
    void aBrokerOutageFillsTheBufferToItsBoundThenDropsTheOldestCounted() throws Exception {
        FakeSource source = new FakeSource();
        FakeBroker broker = new FakeBroker();
        GpuCollector c = collector(source, broker, 5);
        c.run(1);
        assertThat(broker.received).hasSize(2);

        broker.down = true;
        c.run(5); // 4 more polls, 8 samples, room for 5
        assertThat(c.buffered()).isEqualTo(5);
        assertThat(c.dropped()).isEqualTo(3);
        assertThat(log.toString())
                .contains("cannot publish")
                .contains("buffering up to 5 samples")
                .contains("WARNING buffer full (5 samples): dropped the 1 oldest; 1 dropped since start")
                .contains("3 dropped since start");

        broker.down = false;
        c.run(6); // one more poll: its 2 samples join the full buffer (2 more dropped), then all 5 go out
        assertThat(c.buffered()).isZero();
        assertThat(c.dropped()).isEqualTo(5);
        assertThat(broker.received).hasSize(2 + 5);
        // what survived is the newest, in order
        List<Instant> times = broker.received.stream().map(GpuSample::getTs).toList();
        assertThat(times).isSorted();
        assertThat(log.toString()).contains("publishing again");
    }

    @Test
    void aBrokerThatRefusesTheAgentsCredentialsStopsItKeepingWhatItRead() {
        FakeBroker broker = new FakeBroker();
        broker.refusing = true;
        GpuCollector c = collector(new FakeSource(), broker, 5);
        assertThatThrownBy(() -> c.run(0))
                .isInstanceOf(SamplePublisher.Refused.class)
                .hasMessage("authentication failed: invalid credentials");
        assertThat(c.polls()).isEqualTo(1);
        assertThat(c.buffered()).isEqualTo(2);
    }
}
