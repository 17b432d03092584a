package org.vstation.manager.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.vstation.devices.Machine;
import org.vstation.manager.images.FirmwareCache;
import org.vstation.manager.images.GuestImageUnavailableException;
import org.vstation.manager.images.LiveCdImage;

/**
 * {@code vstation bench boot}: boots the Debian live CD to its shell prompt and
 * prints the time, then does the same in QEMU's TCG (when installed) on the
 * same ISO and prints both and their ratio. Besides wall time it prints the
 * processor time of VStation's VM thread and of the QEMU process, which a
 * busy host distorts far less.
 */
public final class BootBenchmark {
    private static final String PROMPT = "vstation:/# ";
    private static final long TIMEOUT_SECONDS = 1800;

    private BootBenchmark() {
    }

    public static int run(String[] args, PrintStream out) throws Exception {
        Path iso;
        try {
            iso = args.length > 0 ? Path.of(args[0]) : LiveCdImage.ofUser().verified();
        } catch (GuestImageUnavailableException e) {
            out.println("bench boot: " + e.getMessage() + " (./vstation build-guest)");
            return 2;
        }
        Path bios = FirmwareCache.ofUser().directory().resolve(FirmwareCache.BIOS);
        Timing ours = bootVStation(iso, bios);
        if (ours == null) {
            out.println("bench boot: VStation did not reach the shell prompt within " + TIMEOUT_SECONDS + " s");
            return 1;
        }
        out.printf(Locale.ROOT, "boot: %.1f s (VM thread CPU %.1f s)%n", ours.wallSeconds, ours.cpuSeconds);
        Timing qemu = bootQemu(iso, bios);
        if (qemu == null) {
            out.println("qemu: not measured (qemu-system-i386 missing or it did not reach the prompt)");
            return 0;
        }
        out.printf(Locale.ROOT, "qemu: %.1f s (process CPU %.1f s)%n", qemu.wallSeconds, qemu.cpuSeconds);
        out.printf(Locale.ROOT, "ratio: %.2f (CPU time ratio %.2f)%n",
                ours.wallSeconds / qemu.wallSeconds, ours.cpuSeconds / qemu.cpuSeconds);
        return 0;
    }

    private record Timing(double wallSeconds, double cpuSeconds) {}

    private static Timing bootVStation(Path iso, Path bios) throws Exception {
        Machine machine = VmLauncher.build("bench-boot",
                RunOptions.parse(List.of("--headless", "--iso", iso.toString(), "--memory", "128"), bios));
        CountDownLatch prompt = new CountDownLatch(1);
        TextWatch watch = new TextWatch(PROMPT);
        long[] vmThreadCpu = {0};
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        machine.addSerialListener(b -> {
            if (watch.accept(b)) {
                vmThreadCpu[0] = threads.getCurrentThreadCpuTime();
                prompt.countDown();
            }
        });
        long start = System.nanoTime();
        machine.start();
        boolean reached = prompt.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long wall = System.nanoTime() - start;
        machine.powerOff();
        machine.awaitTermination(10, TimeUnit.SECONDS);
        return reached ? new Timing(wall / 1e9, vmThreadCpu[0] / 1e9) : null;
    }

    private static Timing bootQemu(Path iso, Path bios) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("qemu-system-i386", "-accel", "tcg", "-M", "pc", "-m", "128",
                "-bios", bios.toString(), "-cdrom", iso.toString(), "-display", "none", "-serial", "stdio",
                "-monitor", "none", "-no-reboot").redirectErrorStream(true);
        Process qemu;
        try {
            qemu = builder.start();
        } catch (IOException e) {
            return null;
        }
        long start = System.nanoTime();
        try (InputStream output = qemu.getInputStream()) {
            TextWatch watch = new TextWatch(PROMPT);
            for (int b; (b = output.read()) >= 0; ) {
                if (watch.accept(b)) {
                    long wall = System.nanoTime() - start;
                    double cpu = processCpuSeconds(qemu.pid());
                    return new Timing(wall / 1e9, cpu);
                }
                if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS)) {
                    return null;
                }
            }
            return null;
        } finally {
            qemu.destroyForcibly();
            qemu.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** utime + stime of a process from /proc (proc(5)), in seconds; NaN where /proc is not Linux's. */
    private static double processCpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks / 100.0; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
