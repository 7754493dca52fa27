package io.vigil.collector;

import io.vigil.records.Decoded;
import io.vigil.records.GpuSample;
import io.vigil.records.formats.DcgmPrometheusFormat;
import io.vigil.records.formats.FormatOptions;
import io.vigil.records.formats.Formats;
import io.vigil.records.wire.Credentials;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** Scrapes a DCGM exporter's {@code /metrics} (Prometheus text), one sample per GPU ({@link DcgmPrometheusFormat}). */
public final class DcgmUrlSource implements GpuSource {
    /** Where to scrape, without credentials; they go in {@link #authorization}. */
    private final URI url;

    private final String authorization;
    private final Duration timeout;
    private final DcgmPrometheusFormat format;
    private final HttpClient http;

    public DcgmUrlSource(URI url, String node, Duration timeout) {
        this.url = Credentials.withoutUserInfo(url);
        this.authorization = Credentials.basicAuthorization(url);
        this.timeout = timeout;
        this.format = (DcgmPrometheusFormat) Formats.gpu(Formats.DCGM_PROMETHEUS, FormatOptions.node(node));
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public String describe() {
        return url.toString();
    }

    @Override
    public List<Decoded<GpuSample>> poll(long nowMs) throws IOException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(url).timeout(timeout).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new IOException(url + " answered HTTP " + response.statusCode());
        }
        return format.parseScrape(response.body(), nowMs);
    }
}
