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
 * same image is run twice, with a short and a long round count, and timed
 * from process start to the isa-debug-exit write: the difference of the two
 * wall times is the time of the extra rounds alone (start-up, firmware-less
 * boot and exit cancel out), and the extra rounds times the instructions per
 * round is their instruction count.
 */
final class QemuTiming {
    private static final String QEMU = "qemu-system-i386";
    private static final long TIMEOUT_SECONDS = 120;
    /** Extra instructions of the long run: about a second of TCG on a tight loop. */
    private static final long EXTRA_INSTRUCTIONS = 1_000_000_000L;

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

    /** QEMU's speed on the workload in millions of guest instructions per second. */
    double mips(Workload workload) throws IOException, InterruptedException {
        long shortRounds = 1;
        long longRounds = shortRounds + Math.max(1, EXTRA_INSTRUCTIONS / workload.instructionsPerRound());
        // The shorter of two runs each, so a scheduling hiccup on a busy host does not count.
        long shortNanos = Math.min(wallTime(workload.image(shortRounds)), wallTime(workload.image(shortRounds)));
        long longNanos = Math.min(wallTime(workload.image(longRounds)), wallTime(workload.image(longRounds)));
        long extraInstructions = (longRounds - shortRounds) * workload.instructionsPerRound();
        return extraInstructions / (Math.max(1, longNanos - shortNanos) / 1e9) / 1e6;
    }

    private long wallTime(byte[] image) throws IOException, InterruptedException {
        Path file = Files.createTempFile("vstation-bench", ".bin");
        try {
            Files.write(file, image);
            List<String> command = List.of(executable.toString(),
                    "-cpu", "pentium2", "-M", "pc", "-accel", "tcg", "-m", "32",
                    "-bios", file.toString(), "-display", "none", "-nodefaults", "-no-reboot",
                    "-device", "isa-debug-exit,iobase=0x" + Integer.toHexString(Workload.EXIT_PORT) + ",iosize=0x04");
            long start = System.nanoTime();
            Process qemu = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!qemu.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                qemu.destroyForcibly().waitFor();
                throw new IOException("QEMU did not finish the workload in " + TIMEOUT_SECONDS + " s");
            }
            long elapsed = System.nanoTime() - start;
            // isa-debug-exit: status = value * 2 + 1; the workload writes 0.
            if (qemu.exitValue() != 1) throw new IOException("QEMU ended with status " + qemu.exitValue() + ", not the workload's exit");
            return elapsed;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
