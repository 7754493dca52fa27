package io.vigil.collector;

import io.vigil.records.GpuSample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which pod (and job) holds each GPU of this node, from a small text file the scheduler's hook or an
 * operator keeps: one line per GPU, {@code INDEX POD [JOB]}, {@code #} comments. The file is read again
 * whenever it changes; a GPU not in it keeps what the source said (DCGM's pod label) or nothing.
 */
public final class PodMapping {
    record Holder(String pod, String job) {}

    private final Path file;
    private FileTime loadedAt;
    private Map<Integer, Holder> holders = Map.of();
    private String problem;

    public PodMapping(Path file) {
        this.file = file;
    }

    /** Re-reads the file if it changed. Returns a line about a problem (unreadable file, bad line), or null. */
    public String refresh() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (modified.equals(loadedAt)) {
                return null;
            }
            Map<Integer, Holder> next = new HashMap<>();
            String bad = null;
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).trim();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\\s+");
                try {
                    int gpu = Integer.parseInt(parts[0]);
                    if (parts.length < 2 || parts.length > 3 || gpu < 0) {
                        throw new NumberFormatException();
                    }
                    next.put(gpu, new Holder(parts[1], parts.length == 3 ? parts[2] : null));
                } catch (NumberFormatException e) {
                    bad = file + ":" + (i + 1) + " is not 'INDEX POD [JOB]': " + line;
                }
            }
            holders = next;
            loadedAt = modified;
            problem = null;
            return bad;
        } catch (NoSuchFileException e) {
            holders = Map.of();
            loadedAt = null;
            String p = "pod mapping " + file + " does not exist (yet); samples go without pods";
            boolean fresh = !p.equals(problem);
            problem = p;
            return fresh ? p : null;
        } catch (IOException e) {
            return "cannot read pod mapping " + file + ": " + e.getMessage() + "; keeping the previous one";
        }
    }

    public GpuSample apply(GpuSample s) {
        Holder h = holders.get(s.getGpu());
        if (h == null) {
            return s;
        }
        GpuSample.Builder b = GpuSample.newBuilder(s).setPod(h.pod());
        if (h.job() != null) {
            b.setJobId(h.job());
        }
        return b.build();
    }
}
