package io.vigil.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The agent's /metrics, scraped over loopback after a flaky source and a broker outage. */
class CollectorMetricsTest {

    @Test
    void scrapeCountsPollsFailuresByReasonPublishedSamplesAndTheirLatency() throws Exception {
        CollectorMetrics metrics = new CollectorMetrics();
        GpuCollectorTest.FakeSource source = new GpuCollectorTest.FakeSource();
        GpuCollectorTest.FakeBroker broker = new GpuCollectorTest.FakeBroker();
        GpuCollector collector = new GpuCollector(
                source,
                null,
                broker,
                3,
                Duration.ofMillis(1),
                Duration.ofMillis(8),
                new PrintWriter(new StringWriter()),
                () -> 1_000,
                metrics);
        source.failing.set(1);
        collector.run(2); // one failure, then two samples published
        broker.down = true;
        collector.run(4); // two more polls: four samples for a buffer of three, one dropped, publish failing
        broker.down = false;
        collector.flush(); // the three buffered published

        try (HTTPServer server = metrics.serve("127.0.0.1", 0)) {
            String scrape = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(value(scrape, "vigil_collector_polls_total")).isEqualTo(4);
            assertThat(value(scrape, "vigil_collector_failures_total{reason=\"source_unreadable\"}"))
                    .isEqualTo(1);
            assertThat(value(scrape, "vigil_collector_failures_total{reason=\"buffer_full\"}"))
                    .isEqualTo(1);
            assertThat(value(scrape, "vigil_collector_failures_total{reason=\"publish_failed\"}"))
                    .isEqualTo(2);
            assertThat(value(scrape, "vigil_collector_failures_total{reason=\"reading_refused\"}"))
                    .isZero();
            assertThat(value(scrape, "vigil_collector_samples_published_total")).isEqualTo(5);
            assertThat(value(scrape, "vigil_collector_publish_latency_seconds_count"))
                    .isEqualTo(5);
            assertThat(value(scrape, "vigil_collector_buffered_samples")).isZero();
        }
    }

    /** The value of the sample line that starts with {@code series}. */
    static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)").matcher(scrape);
        assertThat(m.find()).as("%s in the scrape:%n%s", series, scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
