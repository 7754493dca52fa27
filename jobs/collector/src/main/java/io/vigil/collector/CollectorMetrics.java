package io.vigil.collector;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * The node agent's Prometheus metrics (names in deploy/README.md, used by deploy/observability/): readings,
 * failures by reason, samples published, publish latency, samples waiting in the buffer. One registry per
 * agent (not the client's default), so that tests and the agent never share counters.
 */
public final class CollectorMetrics {
    /** Why a reading or a sample did not make it. */
    public enum Failure {
        /** nvidia-smi or the DCGM URL could not be read */
        SOURCE_UNREADABLE,
        /** a GPU's reading was refused by the format (e.g. utilisation [N/A]) */
        READING_REFUSED,
        /** the broker did not take a sample (it waits in the buffer and is tried again) */
        PUBLISH_FAILED,
        /** the buffer was full: the oldest sample was dropped */
        BUFFER_FULL;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter polls;
    private final Counter failures;
    private final Counter published;
    private final Histogram publishLatency;
    /** What the gauge of buffered samples reads: the agent's buffer once there is one. */
    private volatile IntSupplier buffered = () -> 0;

    public CollectorMetrics() {
        polls = Counter.builder()
                .name("vigil_collector_polls_total")
                .help("Readings of the node's GPUs attempted (nvidia-smi runs or DCGM scrapes)")
                .register(registry);
        failures = Counter.builder()
                .name("vigil_collector_failures_total")
                .help("Readings or samples that failed, by reason")
                .labelNames("reason")
                .register(registry);
        for (Failure f : Failure.values()) {
            failures.labelValues(f.label()); // every reason from the start, at 0: rate() sees the first one
        }
        published = Counter.builder()
                .name("vigil_collector_samples_published_total")
                .help("GPU samples the broker acknowledged")
                .register(registry);
        publishLatency = Histogram.builder()
                .name("vigil_collector_publish_latency_seconds")
                .help("Time from sending a GPU sample to the broker's acknowledgement")
                .unit(Unit.SECONDS)
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .register(registry);
        GaugeWithCallback.builder()
                .name("vigil_collector_buffered_samples")
                .help("GPU samples waiting for the broker")
                .callback(cb -> cb.call(buffered.getAsInt()))
                .register(registry);
    }

    /** The number of samples waiting in the buffer, read at each scrape. */
    void buffered(IntSupplier buffered) {
        this.buffered = buffered;
    }

    void poll() {
        polls.inc();
    }

    void failure(Failure reason) {
        failures.labelValues(reason.label()).inc();
    }

    void published(long nanos) {
        published.inc();
        publishLatency.observe(Unit.nanosToSeconds(nanos));
    }

    /** Serves {@code /metrics} on {@code host:port} (port 0: any free one, see {@link HTTPServer#getPort()}). */
    public HTTPServer serve(String host, int port) throws IOException {
        return HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
    }
}
