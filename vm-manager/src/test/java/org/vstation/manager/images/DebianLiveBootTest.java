package org.vstation.manager.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.fixtures.images.GuestImages;
import org.vstation.fixtures.images.QemuMonitor;
import org.vstation.fixtures.images.SerialConsole;
import org.vstation.fixtures.qemu.QemuRunner;

/**
 * Proves the live CD boots on a reference PC: QEMU's i440FX machine with the same devices VStation
 * models (IDE CD-ROM, RTL8139, standard VGA), driven like a user would over the serial port and
 * on the PS/2 keyboard, with the answer read off the VGA text screen.
 * Under TCG on the shared 2-core machine the boot to the prompt takes 14 s idle, up to 48 s loaded.
 */
class DebianLiveBootTest {

    private static final String PROMPT = "vstation:/# ";
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(1);
    private static final int TEXT_COLUMNS = 80;
    private static final Pattern DEBIAN_12_I686_KERNEL =
            Pattern.compile("Linux \\S+ 6\\.1\\.\\d+-\\d+-686 #1 SMP .* i686 GNU/Linux");

    @TempDir
    Path scratch;

    private static List<String> lines(String serialText) {
        return serialText.replace("\r", "").lines().map(String::strip).toList();
    }

    /**
     * The characters of the 32 KiB colour text window at 0xB8000 (IBM VGA Technical Reference:
     * mode 3, a character byte then an attribute byte per cell), as rows of 80. The Linux VGA
     * console scrolls by moving the display start within the window, so the whole window is read.
     */
    private List<String> vgaTextRows(QemuMonitor monitor) throws IOException {
        Path dump = scratch.resolve("vga-text.bin");
        monitor.command("pmemsave 0xb8000 32768 \"" + dump + "\"");
        byte[] window = Files.readAllBytes(dump);
        List<String> rows = new ArrayList<>();
        for (int row = 0; row < window.length / (2 * TEXT_COLUMNS); row++) {
            StringBuilder text = new StringBuilder(TEXT_COLUMNS);
            for (int column = 0; column < TEXT_COLUMNS; column++) {
                text.append((char) (window[2 * (row * TEXT_COLUMNS + column)] & 0xFF));
            }
            rows.add(text.toString().strip());
        }
        return rows;
    }

    /** Whether a row ending in the command is followed by a row holding just the answer. */
    private static boolean showsAnswer(List<String> rows, String command, String answer) {
        for (int row = 0; row + 1 < rows.size(); row++) {
            if (rows.get(row).endsWith(command) && rows.get(row + 1).equals(answer)) {
                return true;
            }
        }
        return false;
    }

    /** Reads the VGA text until it shows the answer or the time is up; returns the last rows read. */
    private List<String> awaitVgaAnswer(QemuMonitor monitor, String command, String answer)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + COMMAND_TIMEOUT.toNanos();
        List<String> rows = vgaTextRows(monitor);
        while (!showsAnswer(rows, command, answer) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            rows = vgaTextRows(monitor);
        }
        return rows;
    }

    @Test
    void bootsToShellsOnTheSerialPortAndTheVgaConsoleAndPowersOff() throws Exception {
        Path qemuProgram = QemuRunner.QEMU.require();
        Path iso = GuestImages.debianLiveIso();
        assertEquals(iso, LiveCdImage.in(iso.getParent()).verified(), "the app refuses the image the build made");

        Process qemu = new ProcessBuilder(qemuProgram.toString(), "-accel", "tcg", "-m", "128",
                "-cdrom", iso.toString(), "-nic", "user,model=rtl8139",
                "-display", "none", "-serial", "stdio", "-no-reboot",
                "-monitor", "unix:" + scratch.resolve("monitor.sock") + ",server=on,wait=off")
                .redirectError(scratch.resolve("qemu-stderr.txt").toFile())
                .start();
        try (SerialConsole console = new SerialConsole(qemu.getInputStream(), qemu.getOutputStream())) {
            long start = System.nanoTime();
            console.awaitText(PROMPT, BOOT_TIMEOUT);
            // Wall time depends on the machine's load; QEMU's CPU time is the steadier figure for benchmarks.
            System.out.printf("qemu-system-i386 (TCG) boot to the shell prompt: %.1f s, QEMU CPU time %s%n",
                    (System.nanoTime() - start) / 1e9,
                    qemu.info().totalCpuDuration().map(cpu -> "%.1f s".formatted(cpu.toMillis() / 1e3)).orElse("unknown"));

            console.type("uname -a; ls /dev/sr0\n");
            List<String> answer = lines(console.awaitText(PROMPT, COMMAND_TIMEOUT));
            assertTrue(answer.stream().anyMatch(line -> DEBIAN_12_I686_KERNEL.matcher(line).matches()),
                    () -> "no 6.1 i686 kernel in: " + answer);
            // The command's echo also names /dev/sr0; only ls prints the path on a line by itself.
            assertTrue(answer.contains("/dev/sr0"), () -> "the CD-ROM has no /dev/sr0: " + answer);

            console.type("ls /sys/class/net\n");
            List<String> interfaces = lines(console.awaitText(PROMPT, COMMAND_TIMEOUT));
            assertTrue(interfaces.stream().anyMatch(line -> line.split("\\s+")[0].equals("eth0")),
                    () -> "no driver took the RTL8139: " + interfaces);

            console.type("ls -l /proc/[0-9]*/fd/0\n");
            List<String> standardInputs = lines(console.awaitText(PROMPT, COMMAND_TIMEOUT));
            assertTrue(standardInputs.stream().anyMatch(line -> line.endsWith("-> /dev/tty1")),
                    () -> "no shell reads the VGA console tty1: " + standardInputs);

            try (QemuMonitor monitor = QemuMonitor.connect(scratch.resolve("monitor.sock"), COMMAND_TIMEOUT)) {
                String arithmetic = "echo $((6*7))";
                monitor.typeOnKeyboard(arithmetic + "\n");
                List<String> screen = awaitVgaAnswer(monitor, arithmetic, "42");
                assertTrue(showsAnswer(screen, arithmetic, "42"),
                        () -> "the VGA console does not show the typed command and its answer:\n"
                                + String.join("\n", screen));
            }

            console.type("poweroff\n");
            assertTrue(qemu.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                    () -> "QEMU still runs after poweroff; the guest sent:\n" + console.transcript());
            assertEquals(0, qemu.exitValue());
        } finally {
            qemu.destroyForcibly();
        }
    }
}
