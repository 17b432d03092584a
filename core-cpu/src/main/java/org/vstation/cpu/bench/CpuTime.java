package org.vstation.cpu.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Processor time, not wall time, for the benchmark: the build machine is
 * shared, and a loaded host would otherwise make both emulators look slower
 * by however much of a core they happened to get. Falls back to wall time
 * where the platform cannot tell.
 */
final class CpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** Linux reports /proc times in USER_HZ, which is 100 on every architecture. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final Path SELF_STAT = Path.of("/proc/self/stat");

    private CpuTime() {
    }

    /** Processor time of the calling thread, in nanoseconds. */
    static long thread() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** Whether {@link #children()} measures processor time (else it is wall time). */
    static boolean childrenMeasured() {
        return Files.isReadable(SELF_STAT);
    }

    /**
     * Processor time (user + system) of this process's finished and reaped
     * children, in nanoseconds: fields cutime and cstime of /proc/self/stat
     * (proc(5)). Wall time where /proc is missing.
     */
    static long children() {
        if (!childrenMeasured()) return System.nanoTime();
        try {
            String stat = Files.readString(SELF_STAT);
            // Fields after the command name in parentheses, which may itself hold spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long cutime = Long.parseLong(fields[13]);
            long cstime = Long.parseLong(fields[14]);
            return (cutime + cstime) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return System.nanoTime();
        }
    }
}
