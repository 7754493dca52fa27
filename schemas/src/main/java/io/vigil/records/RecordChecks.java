package io.vigil.records;

import java.time.Instant;
import java.util.List;

/**
 * The domain rules a decoded record must meet before the pipeline uses it, whatever it was decoded from
 * (JSON, Avro, an adapter). Structural rules (types, required fields, enum symbols) are the decoder's.
 */
public final class RecordChecks {
    private RecordChecks() {}

    public static void flow(Flow f) throws RecordRejected {
        time("ts", f.getTs());
        time("start_ts", f.getStartTs());
        if (f.getStartTs().isAfter(f.getTs())) {
            throw new RecordRejected(RejectReason.OUT_OF_RANGE, "start_ts", "start_ts is after ts");
        }
        text("node", f.getNode());
        ip("src_ip", f.getSrcIp());
        ip("dst_ip", f.getDstIp());
        port("src_port", f.getSrcPort());
        port("dst_port", f.getDstPort());
        text("protocol", f.getProtocol());
        count("orig_bytes", f.getOrigBytes());
        count("resp_bytes", f.getRespBytes());
        count("orig_pkts", f.getOrigPkts());
        count("resp_pkts", f.getRespPkts());
    }

    public static void gpuSample(GpuSample s) throws RecordRejected {
        time("ts", s.getTs());
        text("node", s.getNode());
        if (s.getGpu() < 0) {
            throw new RecordRejected(RejectReason.OUT_OF_RANGE, "gpu", "gpu index " + s.getGpu() + " is negative");
        }
        range("util", s.getUtil(), 0, 100);
        fraction("sm_active", s.getSmActive());
        fraction("tensor_active", s.getTensorActive());
        fraction("dram_active", s.getDramActive());
        if (s.getFbUsedMib() != null) {
            count("fb_used_mib", s.getFbUsedMib());
        }
        if (s.getPowerW() != null) {
            range("power_w", s.getPowerW(), 0, 100_000);
        }
        List<GpuProcess> processes = s.getProcesses();
        for (int i = 0; i < processes.size(); i++) {
            GpuProcess p = processes.get(i);
            count("processes[" + i + "].used_mib", p.getUsedMib());
            if (p.getPid() < 0) {
                throw new RecordRejected(RejectReason.OUT_OF_RANGE, "processes[" + i + "].pid", "pid is negative");
            }
        }
    }

    public static void assignment(Assignment a) throws RecordRejected {
        time("ts", a.getTs());
        text("job_id", a.getJobId());
        text("node", a.getNode());
        text("pod", a.getPod());
        ip("ip", a.getIp());
        for (int i = 0; i < a.getGpus().size(); i++) {
            if (a.getGpus().get(i) < 0) {
                throw new RecordRejected(RejectReason.OUT_OF_RANGE, "gpus[" + i + "]", "gpu index is negative");
            }
        }
    }

    public static void agentEvent(AgentEvent e) throws RecordRejected {
        time("ts", e.getTs());
        time("start_ts", e.getStartTs());
        if (e.getStartTs().isAfter(e.getTs())) {
            throw new RecordRejected(RejectReason.OUT_OF_RANGE, "start_ts", "start_ts is after ts");
        }
        text("job_id", e.getJobId());
        text("episode_id", e.getEpisodeId());
        text("node", e.getNode());
        text("tool", e.getTool());
        if (e.getStep() != null && e.getStep() < 0) {
            throw new RecordRejected(RejectReason.OUT_OF_RANGE, "step", "step is negative: " + e.getStep());
        }
    }

    /** Records Vigil writes itself (alerts, windows, dead letters) are checked only structurally. */
    public static <T> void none(T record) {}

    private static void time(String field, Instant ts) throws RecordRejected {
        if (ts == null) {
            throw new RecordRejected(RejectReason.MISSING_TIME, field, field + " is missing");
        }
        if (ts.toEpochMilli() < 0) {
            throw new RecordRejected(
                    RejectReason.NEGATIVE_TIME, field, field + " is before 1970: " + ts.toEpochMilli());
        }
    }

    private static void text(String field, String value) throws RecordRejected {
        if (value == null || value.isBlank()) {
            throw new RecordRejected(RejectReason.MISSING_FIELD, field, field + " is empty");
        }
    }

    private static void ip(String field, String value) throws RecordRejected {
        if (!IpAddresses.isValid(value)) {
            throw new RecordRejected(RejectReason.BAD_IP, field, field + " is not an IP address: " + abbreviate(value));
        }
    }

    private static void port(String field, int value) throws RecordRejected {
        if (value < 0 || value > 65535) {
            throw new RecordRejected(
                    RejectReason.OUT_OF_RANGE, field, field + " " + value + " is not a port (0..65535)");
        }
    }

    private static void count(String field, long value) throws RecordRejected {
        if (value < 0) {
            throw new RecordRejected(RejectReason.NEGATIVE_COUNT, field, field + " is negative: " + value);
        }
    }

    private static void range(String field, double value, double min, double max) throws RecordRejected {
        if (!(value >= min && value <= max)) {
            throw new RecordRejected(
                    RejectReason.OUT_OF_RANGE,
                    field,
                    field + " " + value + " is outside " + fmt(min) + ".." + fmt(max));
        }
    }

    private static void fraction(String field, Double value) throws RecordRejected {
        if (value != null) {
            range(field, value, 0, 1);
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
