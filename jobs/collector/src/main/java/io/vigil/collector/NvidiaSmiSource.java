package io.vigil.collector;

import io.vigil.records.Decoded;
import io.vigil.records.GpuSample;
import io.vigil.records.formats.FormatOptions;
import io.vigil.records.formats.Formats;
import io.vigil.records.formats.NvidiaSmiCsvFormat;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs {@code nvidia-smi --query-gpu=index,uuid,utilization.gpu,memory.used,power.draw,temperature.gpu,clocks.sm
 * --format=csv,noheader,nounits} and {@code --query-compute-apps=gpu_uuid,pid,process_name,used_memory
 * --format=csv,noheader,nounits}, and joins them by GPU UUID ({@link NvidiaSmiCsvFormat}).
 */
public final class NvidiaSmiSource implements GpuSource {
    static final String GPU_QUERY = "--query-gpu=" + String.join(",", NvidiaSmiCsvFormat.GPU_COLUMNS);
    static final String APPS_QUERY = "--query-compute-apps=" + String.join(",", NvidiaSmiCsvFormat.APP_COLUMNS);
    static final String CSV = "--format=csv,noheader,nounits";

    private final String binary;
    private final Duration timeout;
    private final NvidiaSmiCsvFormat format;

    public NvidiaSmiSource(String binary, String node, Duration timeout) {
        this.binary = binary;
        this.timeout = timeout;
        this.format = (NvidiaSmiCsvFormat) Formats.gpu(Formats.NVIDIA_SMI_CSV, FormatOptions.node(node));
    }

    @Override
    public String describe() {
        return binary;
    }

    @Override
    public List<Decoded<GpuSample>> poll(long nowMs) throws IOException {
        String gpus = run(GPU_QUERY);
        String apps = run(APPS_QUERY);
        return format.parsePoll(gpus, apps, nowMs);
    }

    /** The command's standard output; an IOException saying why when it cannot start, fails or hangs. */
    String run(String query) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(binary, query, CSV)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new IOException("cannot run " + binary + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> out = read(p.getInputStream());
        CompletableFuture<String> err = read(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(binary + " " + query + " did not finish within " + timeout.toSeconds() + " s");
            }
            if (p.exitValue() != 0) {
                String why = err.get(1, TimeUnit.SECONDS).trim();
                if (why.isEmpty()) {
                    why = out.get(1, TimeUnit.SECONDS).trim();
                }
                throw new IOException(
                        binary + " exited with " + p.exitValue() + (why.isEmpty() ? "" : ": " + firstLine(why)));
            }
            return out.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("cannot read the output of " + binary + ": " + e.getMessage(), e);
        }
    }

    private static CompletableFuture<String> read(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() <= 200 ? line : line.substring(0, 197) + "...";
    }
}
