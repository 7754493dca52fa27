package io.vigil.records.formats;

import io.vigil.records.Decoded;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordRejected;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NVIDIA dcgm-exporter's Prometheus text exposition (github.com/NVIDIA/dcgm-exporter,
 * etc/default-counters.csv; the Prometheus text format): one {@code NAME{labels} value [timestamp_ms]}
 * line per metric and GPU, with labels {@code gpu}, {@code UUID}, {@code Hostname}, {@code pod},
 * {@code namespace}, ... A scrape yields one sample per (Hostname, gpu):
 *
 * <table>
 * <tr><td>DCGM_FI_DEV_GPU_UTIL</td><td>util, % (required)</td></tr>
 * <tr><td>DCGM_FI_PROF_SM_ACTIVE, _PIPE_TENSOR_ACTIVE, _DRAM_ACTIVE</td><td>sm_active, tensor_active, dram_active (ratios)</td></tr>
 * <tr><td>DCGM_FI_DEV_FB_USED</td><td>fb_used_mib, MiB</td></tr>
 * <tr><td>DCGM_FI_DEV_POWER_USAGE</td><td>power_w, W</td></tr>
 * <tr><td>DCGM_FI_DEV_GPU_TEMP</td><td>temp_c, °C</td></tr>
 * <tr><td>DCGM_FI_DEV_SM_CLOCK</td><td>sm_clock_mhz, MHz</td></tr>
 * </table>
 * Other metrics are ignored. An empty {@code pod} label is no pod; {@code namespace} is not kept (the canonical
 * sample has no namespace: assignments name pods as the scheduler does). The node is the configured one, else the
 * {@code Hostname} label (under Kubernetes that is the exporter pod's name unless the exporter runs with
 * the node's host name, so set the node for DCGM in Kubernetes).
 *
 * <p>A scrape has no time of its own: the caller gives it ({@link #parseScrape}), or, read as lines (a
 * file of scrapes), a comment line {@code # scrape <epoch ms | ISO-8601>} starts each scrape and gives its
 * time. A sample line's own Prometheus timestamp (ms) wins over either.
 */
public final class DcgmPrometheusFormat implements LineFormat<GpuSample> {
    /** The comment that starts a scrape in a file of scrapes. */
    public static final String SCRAPE_MARKER = "# scrape ";

    private final FormatOptions options;

    DcgmPrometheusFormat(FormatOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return Formats.DCGM_PROMETHEUS;
    }

    /** One whole scrape (an HTTP response body, a Kafka message) taken at {@code scrapeTs} (epoch ms, or null). */
    public List<Decoded<GpuSample>> parseScrape(String text, Long scrapeTs) {
        Scrape s = new Scrape(scrapeTs);
        List<Decoded<GpuSample>> out = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            out.addAll(s.add(line));
        }
        out.addAll(s.finish());
        return out;
    }

    @Override
    public Reader<GpuSample> newReader(String sourceName) {
        return new Reader<>() {
            private Scrape current = new Scrape(null);

            @Override
            public List<Decoded<GpuSample>> read(String line) {
                if (line.startsWith(SCRAPE_MARKER)) {
                    List<Decoded<GpuSample>> done = current.finish();
                    String at = line.substring(SCRAPE_MARKER.length()).trim();
                    Long ts;
                    try {
                        ts = at.chars().allMatch(Character::isDigit)
                                ? Values.integer("scrape", at)
                                : Values.isoMillis("scrape", at);
                    } catch (RecordRejected e) {
                        current = new Scrape(null);
                        List<Decoded<GpuSample>> out = new ArrayList<>(done);
                        out.add(Decoded.rejected(e.rejection()));
                        return out;
                    }
                    current = new Scrape(ts);
                    return done;
                }
                return current.add(line);
            }

            @Override
            public List<Decoded<GpuSample>> finish() {
                List<Decoded<GpuSample>> done = current.finish();
                current = new Scrape(null);
                return done;
            }
        };
    }

    /** The metrics of one scrape, gathered per GPU until {@link #finish()}. */
    private final class Scrape {
        private final Long scrapeTs;
        private final Map<String, Gpu> gpus = new LinkedHashMap<>();

        Scrape(Long scrapeTs) {
            this.scrapeTs = scrapeTs;
        }

        /** Gathers one line; returns the line's rejection, if any, at once. */
        List<Decoded<GpuSample>> add(String raw) {
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                return List.of();
            }
            try {
                Sample s = parseLine(line);
                if (!s.name.startsWith("DCGM_FI_")) {
                    return List.of();
                }
                String gpuLabel = s.labels.get("gpu");
                if (gpuLabel == null || gpuLabel.isEmpty()) {
                    throw new RecordRejected(RejectReason.MISSING_FIELD, "gpu", s.name + " has no gpu label");
                }
                long index = Values.integer("gpu", gpuLabel);
                String host = s.labels.get("Hostname");
                Long ts = s.ts != null ? s.ts : scrapeTs;
                String key = host + "\u0000" + index + "\u0000" + ts;
                Gpu g = gpus.computeIfAbsent(key, k -> new Gpu(host, index, ts));
                g.uuid = nonEmpty(s.labels.get("UUID"), g.uuid);
                g.pod = nonEmpty(s.labels.get("pod"), g.pod);
                g.metrics.put(s.name, s.value);
                return List.of();
            } catch (RecordRejected e) {
                return List.of(Decoded.rejected(e.rejection()));
            }
        }

        List<Decoded<GpuSample>> finish() {
            List<Decoded<GpuSample>> out = new ArrayList<>();
            for (Gpu g : gpus.values()) {
                out.add(g.sample());
            }
            gpus.clear();
            return out;
        }
    }

    private final class Gpu {
        final String host;
        final long index;
        final Long ts;
        String uuid;
        String pod;
        final Map<String, Double> metrics = new LinkedHashMap<>();

        Gpu(String host, long index, Long ts) {
            this.host = host;
            this.index = index;
            this.ts = ts;
        }

        Decoded<GpuSample> sample() {
            String where = "gpu " + index + (host == null ? "" : " on " + host);
            if (ts == null) {
                return Decoded.rejected(
                        RejectReason.MISSING_TIME,
                        "ts",
                        where + ": the scrape has no time (no '" + SCRAPE_MARKER.trim()
                                + " <ms>' line, no sample timestamp)");
            }
            Double util = metrics.get("DCGM_FI_DEV_GPU_UTIL");
            if (util == null) {
                return Decoded.rejected(
                        RejectReason.UNSUPPORTED,
                        "DCGM_FI_DEV_GPU_UTIL",
                        where + ": the scrape has no DCGM_FI_DEV_GPU_UTIL (enable it in the exporter's counters)");
            }
            if (index > Integer.MAX_VALUE) {
                return Decoded.rejected(RejectReason.OUT_OF_RANGE, "gpu", "gpu index " + index + " is too large");
            }
            Double fb = metrics.get("DCGM_FI_DEV_FB_USED");
            Double clock = metrics.get("DCGM_FI_DEV_SM_CLOCK");
            GpuSample s = GpuSample.newBuilder()
                    .setTs(Instant.ofEpochMilli(ts))
                    .setNode(options.nodeOr(host))
                    .setGpu((int) index)
                    .setGpuUuid(uuid)
                    .setJobId(null)
                    .setPod(pod)
                    .setUtil(util)
                    .setSmActive(metrics.get("DCGM_FI_PROF_SM_ACTIVE"))
                    .setTensorActive(metrics.get("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE"))
                    .setDramActive(metrics.get("DCGM_FI_PROF_DRAM_ACTIVE"))
                    .setFbUsedMib(fb == null ? null : Math.round(fb))
                    .setPowerW(metrics.get("DCGM_FI_DEV_POWER_USAGE"))
                    .setTempC(metrics.get("DCGM_FI_DEV_GPU_TEMP"))
                    .setSmClockMhz(clock == null ? null : (int) Math.round(clock))
                    .setProcesses(new ArrayList<>())
                    .build();
            return Values.checked(RecordType.GPU, s);
        }
    }

    private static String nonEmpty(String v, String previous) {
        return v == null || v.isEmpty() ? previous : v;
    }

    record Sample(String name, Map<String, String> labels, double value, Long ts) {}

    /** {@code name{a="x",b="y"} value [timestamp]}, with the text format's escapes in label values. */
    static Sample parseLine(String line) throws RecordRejected {
        int i = 0;
        int n = line.length();
        while (i < n && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_' || line.charAt(i) == ':')) {
            i++;
        }
        if (i == 0) {
            throw malformed(line, "no metric name");
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < n && line.charAt(i) == '{') {
            i++;
            while (true) {
                while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == ',')) {
                    i++;
                }
                if (i >= n) {
                    throw malformed(line, "unclosed labels");
                }
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0 || eq + 1 >= n || line.charAt(eq + 1) != '"') {
                    throw malformed(line, "a label without =\"value\"");
                }
                String label = line.substring(i, eq).trim();
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                for (; j < n && line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\' && j + 1 < n) {
                        char e = line.charAt(++j);
                        v.append(e == 'n' ? '\n' : e);
                    } else {
                        v.append(c);
                    }
                }
                if (j >= n) {
                    throw malformed(line, "unclosed label value");
                }
                labels.put(label, v.toString());
                i = j + 1;
            }
        }
        String[] rest = line.substring(i).trim().split("\\s+");
        if (rest.length < 1 || rest[0].isEmpty() || rest.length > 2) {
            throw malformed(line, "expected a value and an optional timestamp after the labels");
        }
        double value;
        try {
            value = Double.parseDouble(rest[0]);
        } catch (NumberFormatException e) {
            throw new RecordRejected(
                    RejectReason.WRONG_TYPE, name, name + " value is not a number: " + Values.abbreviate(rest[0]));
        }
        if (!Double.isFinite(value)) {
            throw new RecordRejected(
                    RejectReason.OUT_OF_RANGE, name, name + " value " + rest[0] + " is not a finite number");
        }
        Long ts = rest.length == 2 ? Values.integer("timestamp", rest[1]) : null;
        return new Sample(name, labels, value, ts);
    }

    private static RecordRejected malformed(String line, String why) {
        return new RecordRejected(
                RejectReason.MALFORMED, null, "not a Prometheus sample line (" + why + "): " + Values.abbreviate(line));
    }
}
