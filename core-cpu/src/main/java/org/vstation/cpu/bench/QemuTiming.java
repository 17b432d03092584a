package org.vstation.cpu.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Measures QEMU's TCG speed on a workload image. QEMU cannot report its
 * instruction count without -icount (which changes how TCG runs), so the
 * same image is run with a short and a long round count, each from process
 * start to the isa-debug-exit write, and the processor time QEMU used is
 * taken for each ({@link CpuTime#children()}): the difference is the time of
 * the extra rounds alone (start-up, boot and exit cancel out), and the extra
 * rounds times the instructions per round is their instruction count.
 */
final class QemuTiming {
    private static final String QEMU = "qemu-system-i386";
    private static final long TIMEOUT_SECONDS = 120;
    /** The first long run's extra instructions; enough to estimate the rate. */
    private static final long PROBE_INSTRUCTIONS = 50_000_000L;
    /** Processor time the measured extra rounds should take. */
    private static final double TARGET_SECONDS = 1.0;

    private final Path executable;

    private QemuTiming(Path executable) {
        this.executable = executable;
    }

    /** QEMU from PATH, if it is installed. */
    static Optional<QemuTiming> find() {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, QEMU);
            if (Files.isExecutable(candidate)) return Optional.of(new QemuTiming(candidate));
        }
        return Optional.empty();
    }

    /**
     * QEMU's speed on the workload in millions of guest instructions per
     * second. A probe run estimates the rate, so the measured run takes about
     * {@link #TARGET_SECONDS} whatever the workload.
     */
    double mips(Workload workload) throws IOException, InterruptedException {
        // The shorter of two runs each, so a scheduling hiccup on a busy host does not count.
        long baseNanos = Math.min(wallTime(workload.image(1)), wallTime(workload.image(1)));
        long probeRounds = roundsFor(workload, PROBE_INSTRUCTIONS);
        double probeRate = extraRate(workload, probeRounds, wallTime(workload.image(1 + probeRounds)) - baseNanos);
        long rounds = roundsFor(workload, (long) (probeRate * TARGET_SECONDS));
        long nanos = Math.min(wallTime(workload.image(1 + rounds)), wallTime(workload.image(1 + rounds)));
        return extraRate(workload, rounds, nanos - baseNanos) / 1e6;
    }

    private static long roundsFor(Workload workload, long instructions) {
        return Math.clamp(instructions / workload.instructionsPerRound(), 1, 0xFFFF_FFFEL);
    }

    /** Instructions per second of {@code rounds} extra rounds that took {@code nanos} more. */
    private static double extraRate(Workload workload, long rounds, long nanos) {
        return rounds * workload.instructionsPerRound() / (Math.max(nanos, 1_000_000) / 1e9);
    }

    private long wallTime(byte[] image) throws IOException, InterruptedException {
        Path file = Files.createTempFile("vstation-bench", ".bin");
        try {
            Files.write(file, image);
            List<String> command = List.of(executable.toString(),
                    "-cpu", "pentium2", "-M", "pc", "-accel", "tcg", "-m", "32",
                    "-bios", file.toString(), "-display", "none", "-nodefaults", "-no-reboot",
                    "-device", "isa-debug-exit,iobase=0x" + Integer.toHexString(Workload.EXIT_PORT) + ",iosize=0x04");
            long start = CpuTime.children();
            Process qemu = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!qemu.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                qemu.destroyForcibly().waitFor();
                throw new IOException("QEMU did not finish the workload in " + TIMEOUT_SECONDS + " s");
            }
            long elapsed = CpuTime.children() - start;
            // isa-debug-exit: status = value * 2 + 1; the workload writes 0.
            if (qemu.exitValue() != 1) throw new IOException("QEMU ended with status " + qemu.exitValue() + ", not the workload's exit");
            return elapsed;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
