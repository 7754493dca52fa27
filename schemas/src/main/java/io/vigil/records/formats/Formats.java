package io.vigil.records.formats;

import io.vigil.records.Flow;
import io.vigil.records.GpuSample;
import io.vigil.records.RecordType;
import io.vigil.records.json.JsonRecordCodec;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The input formats Vigil reads, by the name a user gives ({@code --flow-format}, {@code --gpu-format}).
 *
 * <ul>
 * <li>{@value #VIGIL}: the canonical records as the medium carries them: Avro on Kafka (framed as
 *     configured), JSON lines in files. The default.</li>
 * <li>{@value #VIGIL_JSON}: canonical JSON lines, on Kafka too (one record per message).</li>
 * <li>{@value #VIGIL_AVRO}: canonical Avro on Kafka. Not a text format.</li>
 * <li>flows: {@value #GOFLOW2}, {@value #ZEEK_TSV}, {@value #ZEEK_JSON}, {@value #VPC}.</li>
 * <li>GPU samples: {@value #DCGM_PROMETHEUS}, {@value #NVIDIA_SMI_CSV}.</li>
 * </ul>
 */
public final class Formats {
    /**
     * Zeek's default conn.log columns, for a stream that comes without its {@code #fields} header: the one list,
     * for the flow decoder and for tools that read conn.log themselves.
     */
    public static final List<String> ZEEK_CONN_DEFAULT_FIELDS = List.of(
            "ts",
            "uid",
            "id.orig_h",
            "id.orig_p",
            "id.resp_h",
            "id.resp_p",
            "proto",
            "service",
            "duration",
            "orig_bytes",
            "resp_bytes",
            "conn_state",
            "local_orig",
            "local_resp",
            "missed_bytes",
            "history",
            "orig_pkts",
            "orig_ip_bytes",
            "resp_pkts",
            "resp_ip_bytes",
            "tunnel_parents");

    public static final String VIGIL = "vigil";
    public static final String VIGIL_JSON = "vigil-json";
    public static final String VIGIL_AVRO = "vigil-avro";
    public static final String GOFLOW2 = "goflow2";
    public static final String ZEEK_TSV = "zeek-tsv";
    public static final String ZEEK_JSON = "zeek-json";
    public static final String VPC = "vpc";
    public static final String DCGM_PROMETHEUS = "dcgm-prometheus";
    public static final String NVIDIA_SMI_CSV = "nvidia-smi-csv";

    public static final List<String> FLOW_FORMATS =
            List.of(VIGIL, VIGIL_JSON, VIGIL_AVRO, GOFLOW2, ZEEK_TSV, ZEEK_JSON, VPC);
    public static final List<String> GPU_FORMATS =
            List.of(VIGIL, VIGIL_JSON, VIGIL_AVRO, DCGM_PROMETHEUS, NVIDIA_SMI_CSV);

    private Formats() {}

    /** The text format of flows with this name; {@value #VIGIL} is canonical JSON lines here. */
    public static LineFormat<Flow> flows(String name, FormatOptions options) {
        return switch (name) {
            case VIGIL, VIGIL_JSON -> json(RecordType.FLOW);
            case GOFLOW2 -> new Goflow2Format(options);
            case ZEEK_TSV -> new ZeekTsvFormat(options);
            case ZEEK_JSON -> new ZeekJsonFormat(options);
            case VPC -> new VpcFlowLogFormat(options);
            default -> throw unknown("flow", name, FLOW_FORMATS);
        };
    }

    /** The text format of GPU samples with this name; {@value #VIGIL} is canonical JSON lines here. */
    public static LineFormat<GpuSample> gpu(String name, FormatOptions options) {
        return switch (name) {
            case VIGIL, VIGIL_JSON -> json(RecordType.GPU);
            case DCGM_PROMETHEUS -> new DcgmPrometheusFormat(options);
            case NVIDIA_SMI_CSV -> new NvidiaSmiCsvFormat(options);
            default -> throw unknown("gpu", name, GPU_FORMATS);
        };
    }

    /** The text format of any input record type (assignments are only ever canonical). */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> LineFormat<T> of(RecordType<T> type, String name, FormatOptions options) {
        if (type == RecordType.FLOW) {
            return (LineFormat<T>) flows(name, options);
        }
        if (type == RecordType.GPU) {
            return (LineFormat<T>) gpu(name, options);
        }
        if (name.equals(VIGIL) || name.equals(VIGIL_JSON)) {
            return json(type);
        }
        throw unknown(type.name(), name, List.of(VIGIL, VIGIL_JSON, VIGIL_AVRO));
    }

    /** Whether the format is canonical Avro (binary) on Kafka: {@value #VIGIL} and {@value #VIGIL_AVRO}. */
    public static boolean isAvroOnKafka(String name) {
        return name.equals(VIGIL) || name.equals(VIGIL_AVRO);
    }

    /** Whether one Kafka message is a whole block (a DCGM scrape, an nvidia-smi poll) rather than one line. */
    public static boolean isBlockPerMessage(String name) {
        return name.equals(DCGM_PROMETHEUS) || name.equals(NVIDIA_SMI_CSV);
    }

    /**
     * The file names a dataset's input may have in this format, in the order they are looked for ({@code .gz}
     * variants are read too).
     */
    public static List<String> fileNames(String input, String format) {
        return switch (format) {
            case VIGIL, VIGIL_JSON -> List.of(input + ".jsonl");
            case VIGIL_AVRO -> List.of(input + ".avro");
            case GOFLOW2 -> List.of(input + ".json", input + ".jsonl");
            case ZEEK_TSV -> List.of(input + ".log", "conn.log");
            case ZEEK_JSON -> List.of(input + ".json", "conn.json", input + ".log", "conn.log");
            case VPC -> List.of(input + ".log", input + ".txt");
            case DCGM_PROMETHEUS -> List.of(input + ".prom", input + ".txt");
            case NVIDIA_SMI_CSV -> List.of(input + ".csv");
            default -> throw unknown(input, format, input.equals("gpu") ? GPU_FORMATS : FLOW_FORMATS);
        };
    }

    /**
     * Files read besides the main one, each also {@code .gz}: Zeek's long-connections package writes interim
     * records of open connections to {@code conn_long.log} next to conn.log (see {@link ZeekTsvFormat}).
     */
    public static List<String> companionFileNames(String input, String format) {
        if (input.equals("flows") && (format.equals(ZEEK_TSV) || format.equals(ZEEK_JSON))) {
            return format.equals(ZEEK_TSV) ? List.of("conn_long.log") : List.of("conn_long.json", "conn_long.log");
        }
        return List.of();
    }

    /**
     * The format some lines of a file look like, or null when none fits: what a user is told when most lines
     * of a file do not decode in the format given, and how a dataset with a foreign flow file but no
     * {@code --flow-format} is read. Judged on the first non-blank lines (a header, a JSON object's keys,
     * the columns): cheap and conservative, never a parse of the whole file.
     */
    public static String guess(List<String> lines) {
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#separator") || line.startsWith("#fields") || line.startsWith("#path")) {
                return ZEEK_TSV;
            }
            if (line.startsWith("# HELP DCGM") || line.startsWith("# TYPE DCGM") || line.startsWith("DCGM_FI_")) {
                return DCGM_PROMETHEUS;
            }
            if (line.startsWith("#")) {
                continue; // a comment, a scrape marker
            }
            if (line.startsWith("{")) {
                String json = line;
                if (json.contains("\"id.orig_h\"")) {
                    return ZEEK_JSON;
                }
                if (json.contains("\"src_addr\"")
                        || json.contains("\"sampler_address\"")
                        || json.contains("\"time_received_ns\"")) {
                    return GOFLOW2;
                }
                if (json.contains("\"src_ip\"") && json.contains("\"start_ts\"")
                        || json.contains("\"gpu\"") && json.contains("\"util\"")
                        || json.contains("\"job_id\"") && json.contains("\"gpus\"")) {
                    return VIGIL;
                }
                return null;
            }
            if (line.contains("utilization.gpu") || line.contains("pci.bus_id") || line.startsWith("timestamp, ")) {
                return NVIDIA_SMI_CSV;
            }
            String[] tabs = line.split("\t", -1);
            if (tabs.length >= 12 && tabs[0].matches("\\d{9,10}(\\.\\d+)?")) {
                return ZEEK_TSV;
            }
            String[] words = line.split("\\s+");
            if (line.contains("srcaddr") && line.contains("dstaddr")
                    || words.length >= 14 && words[0].matches("\\d") && words[10].matches("\\d{9,10}")) {
                return VPC;
            }
            return null;
        }
        return null;
    }

    private static <T extends SpecificRecord> LineFormat<T> json(RecordType<T> type) {
        JsonRecordCodec<T> codec = JsonRecordCodec.of(type);
        return new LineFormat<>() {
            @Override
            public String name() {
                return VIGIL_JSON;
            }

            @Override
            public Reader<T> newReader(String sourceName) {
                return line -> line.isBlank() ? List.of() : List.of(codec.decode(line));
            }
        };
    }

    private static IllegalArgumentException unknown(String input, String name, List<String> known) {
        return new IllegalArgumentException(
                "unknown " + input + " format '" + name + "'; known: " + String.join(", ", known));
    }
}
