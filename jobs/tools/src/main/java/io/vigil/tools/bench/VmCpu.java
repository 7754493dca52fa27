package io.vigil.tools.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * CPU time of the JVM's own threads, which {@link ThreadCpu} cannot see (the management bean lists Java threads
 * only): the JIT compilers and the garbage collector. Read from {@code /proc/self/task} (Linux); where that is
 * missing every kind reads zero, and the bench's figures fall back to counting them as the rest of the process.
 *
 * <p>Why it matters: a benchmark of a minute still compiles the pipeline's hot methods while it is measured (a
 * new job brings new call-site profiles), a cost a job running for days pays once. Counted apart, it can be
 * left out of a steady-state figure, and the limit loop can be charged its own garbage collection.
 */
final class VmCpu {
    /** /proc's times are in clock ticks of USER_HZ, which Linux fixes at 100 for user space. */
    private static final double TICKS_PER_SECOND = 100.0;

    private static final Path TASKS = Path.of("/proc/self/task");

    enum Kind {
        /** C1 and C2 compiler threads and the code cache sweeper. */
        JIT("jit"),
        /** Garbage collection: the collector's workers, marking, refinement and service threads. */
        GC("gc");

        final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The kind of a thread by its kernel name (15 characters at most), or null for any other thread. */
        static Kind of(String name) {
            if (name.startsWith("C1 CompilerThre")
                    || name.startsWith("C2 CompilerThre")
                    || name.startsWith("Sweeper")) {
                return JIT;
            }
            if (name.startsWith("GC ") || name.startsWith("G1 ")) {
                return GC;
            }
            return null;
        }
    }

    private final Map<Kind, Double> start;

    private VmCpu(Map<Kind, Double> start) {
        this.start = start;
    }

    /** Starts counting from now. */
    static VmCpu start() {
        return new VmCpu(read());
    }

    /** CPU seconds by kind since {@link #start}. A compiler thread that ended since takes its time with it. */
    Map<Kind, Double> since() {
        Map<Kind, Double> now = read();
        Map<Kind, Double> spent = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            spent.put(kind, Math.max(0, now.get(kind) - start.get(kind)));
        }
        return spent;
    }

    /** CPU seconds by kind so far, zero for every kind where /proc cannot be read. */
    static Map<Kind, Double> read() {
        Map<Kind, Double> seconds = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            seconds.put(kind, 0.0);
        }
        if (!Files.isDirectory(TASKS)) {
            return seconds;
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended while listed
                }
                long[] ticks = ticks(stat);
                Kind kind = ticks == null ? null : Kind.of(name(stat));
                if (kind != null) {
                    seconds.merge(kind, (ticks[0] + ticks[1]) / TICKS_PER_SECOND, Double::sum);
                }
            }
        } catch (IOException e) {
            return seconds;
        }
        return seconds;
    }

    /** The thread's name: between the first '(' and the last ')' of its stat line (a name may hold either). */
    static String name(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        return open < 0 || close < open ? "" : stat.substring(open + 1, close);
    }

    /** User and system ticks (fields 14 and 15 of proc(5)'s stat), or null if the line is not one. */
    static long[] ticks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return null;
        }
        String[] fields = stat.substring(close + 1).trim().split("\\s+");
        // fields[0] is field 3 (state): utime is field 14, stime field 15
        if (fields.length < 13) {
            return null;
        }
        try {
            return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
