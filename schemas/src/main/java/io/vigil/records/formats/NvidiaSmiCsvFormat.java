package io.vigil.records.formats;

import io.vigil.records.Decoded;
import io.vigil.records.GpuProcess;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordRejected;
import io.vigil.records.RecordType;
import io.vigil.records.RejectReason;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code nvidia-smi --query-gpu=... --format=csv} and {@code --query-compute-apps=... --format=csv} output
 * (field names and units: {@code nvidia-smi --help-query-gpu} and {@code --help-query-compute-apps}).
 * A header line names the columns, with units ({@code utilization.gpu [%]}, {@code memory.used [MiB]});
 * values carry units unless {@code nounits} ({@code 93 %}); {@code [N/A]}, {@code [Not Supported]} and
 * other bracketed values are absent. Without a header (the {@code noheader} option) the columns are
 * {@link #GPU_COLUMNS} and {@link #APP_COLUMNS}, the queries {@code vigil collect-gpu} runs.
 *
 * <p>Columns used: {@code timestamp} (nvidia-smi's local time {@code 2026/02/14 03:00:00.123}, in the
 * options' zone), {@code index}, {@code uuid}, {@code utilization.gpu} (required), {@code memory.used},
 * {@code power.draw}, {@code temperature.gpu}, {@code clocks.sm}; and for processes {@code gpu_uuid},
 * {@code pid}, {@code process_name}, {@code used_memory} (or {@code used_gpu_memory}), joined to the GPU by
 * its UUID. Read as lines, a sample is complete when a GPU row repeats, a new GPU header or a
 * {@code # sample <epoch ms | ISO-8601>} line comes (that line also gives the time when there is no
 * timestamp column), or at the end.
 */
public final class NvidiaSmiCsvFormat implements LineFormat<GpuSample> {
    public static final List<String> GPU_COLUMNS =
            List.of("index", "uuid", "utilization.gpu", "memory.used", "power.draw", "temperature.gpu", "clocks.sm");
    public static final List<String> APP_COLUMNS = List.of("gpu_uuid", "pid", "process_name", "used_memory");
    public static final String SAMPLE_MARKER = "# sample ";
    private static final DateTimeFormatter NVIDIA_TIME =
            DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss[.SSS]", Locale.ROOT);

    private final FormatOptions options;

    NvidiaSmiCsvFormat(FormatOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return Formats.NVIDIA_SMI_CSV;
    }

    /**
     * One poll: the {@code --query-gpu} output and the {@code --query-compute-apps} output (either with or
     * without headers; apps may be empty), taken at {@code ts} (epoch ms; null: from the timestamp column).
     */
    public List<Decoded<GpuSample>> parsePoll(String gpuCsv, String appsCsv, Long ts) {
        Block b = new Block();
        b.ts = ts;
        List<Decoded<GpuSample>> out = new ArrayList<>();
        for (String line : (gpuCsv + "\n" + (appsCsv == null ? "" : appsCsv)).split("\r?\n")) {
            out.addAll(b.add(line));
        }
        out.addAll(b.finish());
        return out;
    }

    @Override
    public Reader<GpuSample> newReader(String sourceName) {
        Block b = new Block();
        return new Reader<>() {
            @Override
            public List<Decoded<GpuSample>> read(String line) {
                return b.add(line);
            }

            @Override
            public List<Decoded<GpuSample>> finish() {
                return b.finish();
            }
        };
    }

    private final class Block {
        List<String> gpuColumns = GPU_COLUMNS;
        List<String> appColumns = APP_COLUMNS;
        boolean inApps;
        Long ts;
        final Map<String, Map<String, String>> gpus = new LinkedHashMap<>();
        final List<Map<String, String>> apps = new ArrayList<>();

        List<Decoded<GpuSample>> add(String raw) {
            String line = raw.trim();
            if (line.isEmpty()) {
                return List.of();
            }
            if (line.startsWith(SAMPLE_MARKER)) {
                List<Decoded<GpuSample>> out = finish();
                String at = line.substring(SAMPLE_MARKER.length()).trim();
                try {
                    ts = at.chars().allMatch(Character::isDigit)
                            ? Values.integer("sample", at)
                            : Values.isoMillis("sample", at);
                } catch (RecordRejected e) {
                    ts = null;
                    out = new ArrayList<>(out);
                    out.add(Decoded.rejected(e.rejection()));
                }
                return out;
            }
            if (line.startsWith("#")) {
                return List.of();
            }
            List<String> cells = split(line);
            List<String> names =
                    cells.stream().map(NvidiaSmiCsvFormat::columnName).toList();
            if (names.contains("pid") || names.contains("gpu_uuid")) {
                appColumns = names;
                inApps = true;
                return List.of();
            }
            if (names.contains("index") || names.contains("utilization.gpu") || names.contains("uuid")) {
                List<Decoded<GpuSample>> out = finish();
                gpuColumns = names;
                inApps = false;
                return out;
            }
            boolean appRow = inApps
                    || (cells.size() == appColumns.size()
                            && cells.size() != gpuColumns.size()
                            && cells.get(0).startsWith("GPU-"));
            List<String> columns = appRow ? appColumns : gpuColumns;
            if (cells.size() != columns.size()) {
                return List.of(Decoded.rejected(
                        RejectReason.MALFORMED,
                        null,
                        cells.size() + " columns where the header names " + columns.size() + ": "
                                + Values.abbreviate(line)));
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < cells.size(); i++) {
                row.put(columns.get(i), clean(cells.get(i)));
            }
            if (appRow) {
                apps.add(row);
                return List.of();
            }
            String key = row.getOrDefault("uuid", row.get("index"));
            List<Decoded<GpuSample>> out = List.of();
            if (gpus.containsKey(key) || !apps.isEmpty()) {
                out = finish();
            }
            gpus.put(key == null ? "#" + gpus.size() : key, row);
            return out;
        }

        List<Decoded<GpuSample>> finish() {
            List<Decoded<GpuSample>> out = new ArrayList<>();
            for (Map<String, String> row : gpus.values()) {
                out.add(sample(row));
            }
            gpus.clear();
            apps.clear();
            inApps = false;
            return out;
        }

        private Decoded<GpuSample> sample(Map<String, String> row) {
            try {
                Long at = ts;
                String time = row.get("timestamp");
                if (time != null) {
                    try {
                        at = LocalDateTime.parse(time, NVIDIA_TIME)
                                .atZone(options.zone())
                                .toInstant()
                                .toEpochMilli();
                    } catch (DateTimeParseException e) {
                        throw new RecordRejected(
                                RejectReason.WRONG_TYPE,
                                "timestamp",
                                "timestamp is not nvidia-smi's time: " + Values.abbreviate(time));
                    }
                }
                if (at == null) {
                    throw new RecordRejected(
                            RejectReason.MISSING_TIME,
                            "ts",
                            "no timestamp column and no '" + SAMPLE_MARKER.trim() + " <ms>' line");
                }
                String index = row.get("index");
                if (index == null) {
                    throw new RecordRejected(RejectReason.MISSING_FIELD, "index", "the GPU index is missing");
                }
                long gpu = Values.integer("index", index);
                if (gpu > Integer.MAX_VALUE) {
                    throw new RecordRejected(RejectReason.OUT_OF_RANGE, "index", "gpu index " + gpu + " is too large");
                }
                String util = row.get("utilization.gpu");
                if (util == null) {
                    throw new RecordRejected(
                            RejectReason.MISSING_FIELD, "utilization.gpu", "utilization.gpu is missing or [N/A]");
                }
                String uuid = row.get("uuid");
                List<GpuProcess> processes = new ArrayList<>();
                for (Map<String, String> app : apps) {
                    if (uuid != null && uuid.equals(app.get("gpu_uuid"))) {
                        String pid = app.get("pid");
                        if (pid == null) {
                            throw new RecordRejected(RejectReason.MISSING_FIELD, "pid", "a compute app without a pid");
                        }
                        String name = app.getOrDefault("process_name", app.get("name"));
                        String used = app.getOrDefault("used_memory", app.get("used_gpu_memory"));
                        processes.add(new GpuProcess(
                                Values.integer("pid", pid),
                                name == null ? "" : name,
                                used == null ? 0L : Values.integer("used_memory", used)));
                    }
                }
                String fb = row.get("memory.used");
                String power = first(row, "power.draw", "power.draw.instant", "power.draw.average");
                String temp = row.get("temperature.gpu");
                String clock = first(row, "clocks.sm", "clocks.current.sm");
                GpuSample s = GpuSample.newBuilder()
                        .setTs(Instant.ofEpochMilli(at))
                        .setNode(options.nodeOr(null))
                        .setGpu((int) gpu)
                        .setGpuUuid(uuid)
                        .setJobId(null)
                        .setPod(null)
                        .setUtil(Values.number("utilization.gpu", util))
                        .setSmActive(null)
                        .setTensorActive(null)
                        .setDramActive(null)
                        .setFbUsedMib(fb == null ? null : Math.round(Values.number("memory.used", fb)))
                        .setPowerW(power == null ? null : Values.number("power.draw", power))
                        .setTempC(temp == null ? null : Values.number("temperature.gpu", temp))
                        .setSmClockMhz(clock == null ? null : (int) Math.round(Values.number("clocks.sm", clock)))
                        .setProcesses(processes)
                        .build();
                return Values.checked(RecordType.GPU, s);
            } catch (RecordRejected e) {
                return Decoded.rejected(e.rejection());
            }
        }
    }

    private static String first(Map<String, String> row, String... names) {
        for (String n : names) {
            if (row.get(n) != null) {
                return row.get(n);
            }
        }
        return null;
    }

    /** {@code utilization.gpu [%]} → {@code utilization.gpu}. */
    static String columnName(String header) {
        String h = header.trim();
        int unit = h.indexOf(" [");
        return (unit < 0 ? h : h.substring(0, unit)).trim().toLowerCase(Locale.ROOT);
    }

    /** {@code 93 %} → {@code 93}; {@code [N/A]}, {@code [Not Supported]} → null; names keep their spaces. */
    static String clean(String cell) {
        String c = cell.trim();
        if (c.isEmpty() || (c.startsWith("[") && c.endsWith("]")) || c.equals("N/A")) {
            return null;
        }
        int space = c.lastIndexOf(' ');
        if (space > 0) {
            String unit = c.substring(space + 1);
            if (unit.equals("%") || unit.equals("MiB") || unit.equals("W") || unit.equals("MHz") || unit.equals("C")) {
                return c.substring(0, space).trim();
            }
        }
        return c;
    }

    /** nvidia-smi's CSV: comma and space between cells, no quoting. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        for (String s : line.split(",", -1)) {
            out.add(s.trim());
        }
        return out;
    }
}
