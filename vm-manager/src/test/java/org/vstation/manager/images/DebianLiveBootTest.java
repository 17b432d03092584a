package org.vstation.manager.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vstation.fixtures.images.GuestImages;
import org.vstation.fixtures.images.SerialConsole;

/**
 * Proves the live CD boots on a reference PC: QEMU's i440FX machine with the same devices VStation
 * models (IDE CD-ROM, RTL8139, standard VGA), driven over the serial port like a user would.
 * Under TCG on a loaded 2-core machine the boot to the prompt takes 15-30 s.
 */
class DebianLiveBootTest {

    private static final String PROMPT = "vstation:/# ";
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(1);
    private static final Pattern DEBIAN_12_I686_KERNEL =
            Pattern.compile("Linux \\S+ 6\\.1\\.\\d+-\\d+-686 #1 SMP .* i686 GNU/Linux");

    @TempDir
    Path scratch;

    private static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    private static List<String> lines(String serialText) {
        return serialText.replace("\r", "").lines().map(String::strip).toList();
    }

    @Test
    void bootsToAShellThatAnswersOverTheSerialPortAndPowersOff() throws Exception {
        assumeTrue(onPath("qemu-system-i386"), "qemu-system-i386 is not installed");
        Path iso = GuestImages.debianLiveIso();

        Process qemu = new ProcessBuilder("qemu-system-i386", "-accel", "tcg", "-m", "128",
                "-cdrom", iso.toString(), "-nic", "user,model=rtl8139",
                "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot")
                .redirectError(scratch.resolve("qemu-stderr.txt").toFile())
                .start();
        try (SerialConsole console = new SerialConsole(qemu.getInputStream(), qemu.getOutputStream())) {
            long start = System.nanoTime();
            console.awaitText(PROMPT, BOOT_TIMEOUT);
            System.out.printf("qemu-system-i386 (TCG) boot to the shell prompt: %.1f s%n",
                    (System.nanoTime() - start) / 1e9);

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

            console.type("poweroff\n");
            assertTrue(qemu.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                    () -> "QEMU still runs after poweroff; the guest sent:\n" + console.transcript());
            assertEquals(0, qemu.exitValue());
        } finally {
            qemu.destroyForcibly();
        }
    }
}
